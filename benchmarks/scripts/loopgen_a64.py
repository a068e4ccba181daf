#!/usr/bin/env python3
"""Bare-metal AArch64 loop images for interpreter/JIT benchmarks: the aarch64 twin of loopgen.py.

The image is an ELF linked at 0x40000000 (`-M virt -cpu cortex-a57 -kernel IMAGE`: QEMU and jemu enter it at
EL1 with the MMU off). It loads the iteration count stored in the image, runs a hot loop ITERATIONS times,
prints a checksum of the loop's registers on the PL011 UART (16 hex digits and a newline: two emulators must
agree on it) and powers off with PSCI SYSTEM_OFF (HVC, as virt's PSCI conduit without firmware). Kinds of
loop body, as loopgen.py's:
  alu     integer ALU mix (add/sub/eor/orr/and/shifts/add immediate) on independent registers
  mem     8-byte loads and stores on a data page, with dependent adds
  branch  compare-and-branch pairs, half taken (CBZ)
  call    a BL to a leaf function and its RET
Every body ends with the loop's SUBS and backward B.NE; BODY counts them.
Needs aarch64-linux-gnu-as and aarch64-linux-gnu-ld (Debian's binutils-aarch64-linux-gnu).

usage: loopgen_a64.py KIND BODY ITERATIONS OUT.elf   (prints the retired-instruction count)
"""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import loopbody  # noqa: E402

# instructions outside the loop: prologue before it and the checksum, print and power-off after it (a constant:
# only differences between two iteration counts are used)
PROLOGUE = 10


def _x(k):
    return f"x{10 + k % 6}"


# the body templates (see loopbody.py); x9 = 1, x29 = the data page, x15 flips every branch group so that the CBZ
# is taken every other time (both paths retire 3)
TEMPLATES = loopbody.Templates(
    alu=[lambda k: f"add {_x(k)}, {_x(k)}, #{1 + k % 7}",
         lambda k: f"add {_x(k + 1)}, {_x(k + 1)}, {_x(k + 3)}",
         lambda k: f"eor {_x(k + 2)}, {_x(k + 2)}, {_x(k)}",
         lambda k: f"lsl x16, {_x(k)}, #{1 + k % 13}",
         lambda k: f"sub {_x(k + 4)}, {_x(k + 4)}, x16",
         lambda k: f"lsr x17, {_x(k + 5)}, #3",
         lambda k: f"orr {_x(k + 5)}, {_x(k + 5)}, x17",
         lambda k: f"and x18, {_x(k)}, {_x(k + 1)}"],
    mem=lambda slot: [f"ldr x10, [x29, #{slot}]", "add x11, x11, x10", f"str x11, [x29, #{slot + 256}]"],
    branch=lambda k: ["eor x15, x15, x9", f"cbz x15, 1{k}f", f"b 2{k}f", f"1{k}: add x10, x10, #1", f"2{k}:"],
    branch_retired=3,
    call=["bl leaf"],                       # bl, add, ret
    call_retired=3,
    filler="add x11, x11, #1")


def source(kind, body, iterations):
    lines = [".text", ".global _start", "_start:",
             "adr x29, data", "ldr x28, count", "mov x9, #1"]
    lines += [f"mov x{r}, #0" for r in (10, 11, 12, 13, 14, 15, 16, 17, 18)]  # 3 + 9 = 12, see PROLOGUE
    lines += ["loop:"] + loopbody.body_lines(kind, body - 2, TEMPLATES) + ["subs x28, x28, #1", "b.ne loop"]
    lines += ["eor x0, x10, x11", "eor x0, x0, x12", "eor x0, x0, x13", "eor x0, x0, x14", "eor x0, x0, x15",
              "add x0, x0, x18",
              "mov x6, #0x09000000", "mov x7, #16",
              "hex: ror x0, x0, #60", "and x8, x0, #0xf", "cmp x8, #10", "add x8, x8, #'0'", "b.lt 1f",
              "add x8, x8, #('a' - '0' - 10)", "1: strb w8, [x6]", "subs x7, x7, #1", "b.ne hex",
              "mov w8, #10", "strb w8, [x6]",
              "movz x0, #0x8400, lsl #16", "movk x0, #0x0008", "hvc #0", "b .",
              "leaf: add x11, x11, #1", "ret",
              ".balign 8", f"count: .quad {iterations}",
              ".balign 4096", "data: .space 4096"]
    return "\n".join(lines) + "\n"


def build(kind, body, iterations):
    """Returns (ELF image bytes, retired instructions up to the power-off call, plus a constant)."""
    if body < 4:
        raise SystemExit("BODY must be at least 4")
    return (loopbody.link_elf(source(kind, body, iterations), ["aarch64-linux-gnu-as"],
                              ["aarch64-linux-gnu-ld", "-N", "--no-warn-rwx-segments", "-Ttext=0x40000000", "-e", "_start"]),
            PROLOGUE + iterations * body)


if __name__ == "__main__":
    loopbody.main(build, __doc__)
