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
import subprocess
import sys
import tempfile

# instructions outside the loop: prologue before it and the checksum, print and power-off after it (a constant:
# only differences between two iteration counts are used)
PROLOGUE = 10


def body_lines(kind, n):
    """The body proper (without SUBS and B.NE): assembly lines retiring exactly n instructions per iteration."""
    out, retired = [], 0
    if kind == "alu":
        pattern = [lambda k: f"add x{10 + k % 6}, x{10 + k % 6}, #{1 + k % 7}",
                   lambda k: f"add x{10 + (k + 1) % 6}, x{10 + (k + 1) % 6}, x{10 + (k + 3) % 6}",
                   lambda k: f"eor x{10 + (k + 2) % 6}, x{10 + (k + 2) % 6}, x{10 + k % 6}",
                   lambda k: f"lsl x16, x{10 + k % 6}, #{1 + k % 13}",
                   lambda k: f"sub x{10 + (k + 4) % 6}, x{10 + (k + 4) % 6}, x16",
                   lambda k: f"lsr x17, x{10 + (k + 5) % 6}, #3",
                   lambda k: f"orr x{10 + (k + 5) % 6}, x{10 + (k + 5) % 6}, x17",
                   lambda k: f"and x18, x{10 + k % 6}, x{10 + (k + 1) % 6}"]
        while retired < n:
            out.append(pattern[retired % len(pattern)](retired))
            retired += 1
    elif kind == "mem":
        k = 0
        while retired < n:
            slot = (k % 32) * 8
            group = [f"ldr x10, [x29, #{slot}]", "add x11, x11, x10", f"str x11, [x29, #{slot + 256}]"]
            take = group[: n - retired]
            out += take
            retired += len(take)
            k += 1
    elif kind == "branch":
        # x15 flips every group, so the CBZ is taken every other time; both paths retire 3
        k = 0
        while retired < n:
            if n - retired >= 3:
                out += ["eor x15, x15, x9", f"cbz x15, 1{k}f", f"b 2{k}f", f"1{k}: add x10, x10, #1", f"2{k}:"]
                retired += 3
                k += 1
            else:
                out.append("add x11, x11, #1")
                retired += 1
    elif kind == "call":
        while retired < n:
            if n - retired >= 3:
                out.append("bl leaf")     # bl, add, ret
                retired += 3
            else:
                out.append("add x11, x11, #1")
                retired += 1
    else:
        raise SystemExit(f"unknown kind {kind}: alu, mem, branch or call")
    return out


def source(kind, body, iterations):
    lines = [".text", ".global _start", "_start:",
             "adr x29, data", "ldr x28, count", "mov x9, #1"]
    lines += [f"mov x{r}, #0" for r in (10, 11, 12, 13, 14, 15, 16, 17, 18)]  # 3 + 9 = 12, see PROLOGUE
    lines += ["loop:"] + body_lines(kind, body - 2) + ["subs x28, x28, #1", "b.ne loop"]
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
    with tempfile.TemporaryDirectory(prefix="loopgen-a64-") as tmp:
        src, obj, elf = (os.path.join(tmp, n) for n in ("l.S", "l.o", "l.elf"))
        with open(src, "w") as f:
            f.write(source(kind, body, iterations))
        subprocess.run(["aarch64-linux-gnu-as", "-o", obj, src], check=True)
        subprocess.run(["aarch64-linux-gnu-ld", "-N", "--no-warn-rwx-segments", "-Ttext=0x40000000", "-e", "_start", "-o", elf, obj], check=True)
        with open(elf, "rb") as f:
            return f.read(), PROLOGUE + iterations * body


def main():
    if len(sys.argv) != 5:
        sys.exit(__doc__)
    img, retired = build(sys.argv[1], int(sys.argv[2]), int(float(sys.argv[3])))
    with open(sys.argv[4], "wb") as f:
        f.write(img)
    print(retired)


if __name__ == "__main__":
    main()
