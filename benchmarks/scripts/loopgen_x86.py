#!/usr/bin/env python3
"""Bare-metal x86-64 loop images for interpreter/JIT benchmarks: the x86 twin of loopgen.py and loopgen_a64.py.

The image is a PVH ELF linked at 1 MiB for `-M microvm -kernel IMAGE` (QEMU 7.2 and jemu enter its
XEN_ELFNOTE_PHYS32_ENTRY in 32-bit protected mode with paging off, as for the difftest programs of
tests/src/test/resources/x86/common.inc). It switches to long mode (a GDT, static page tables mapping the first
2 MiB and the 2 MiB page of the ACPI GED, PAE, EFER.LME, PG), loads the iteration count stored in the image,
runs a hot loop ITERATIONS times, prints a checksum of the loop's registers on the 16550 at port 0x3f8 (16 hex
digits and a newline: two emulators must agree on it) and powers off through the GED's sleep register
(0xfea00200, SLP_TYP S5 | SLP_EN), which QEMU's microvm (acpi=on, its default) and jemu's both have. Kinds of
loop body, as loopgen.py's:
  alu     integer ALU mix (add/sub/xor/and/or/shl/lea/inc) on independent registers
  mem     8-byte loads and stores on a data page, with dependent adds
  branch  compare-and-branch pairs, half taken (CMP/JE, both paths the same length)
  call    a CALL to a leaf function and its RET
Every body ends with the loop's DEC and backward JNZ; BODY counts them. The retired-instruction count printed
is exact: every instruction from the PVH entry to the power-off store, that store included (the start-up,
checksum and print code is straight-line or has a fixed trip count: see PROLOGUE and EPILOGUE).
Needs the host's `as` and `ld` (binutils).

usage: loopgen_x86.py KIND BODY ITERATIONS OUT.elf   (prints the retired-instruction count)
"""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import loopbody  # noqa: E402

# 32-bit start-up (14), 64-bit set-up (3) and register clearing (13) before the loop
PROLOGUE = 14 + 3 + 13
# checksum (1 + 2 * 12), print set-up (3), 16 digits of 7, newline (2), power-off (2)
EPILOGUE = 25 + 3 + 16 * 7 + 2 + 2
# registers the loops use and the checksum folds (r15 is the branch kind's toggle, rcx the loop counter)
REGS = ["rax", "rbx", "rdx", "rsi", "rdi", "r8", "r9", "r10", "r11", "r12", "r13", "r14", "r15"]
ALU = ["r8", "r9", "r10", "r11", "r12", "r13"]

LINKER_SCRIPT = """OUTPUT_FORMAT(elf64-x86-64)
ENTRY(_start32)
PHDRS { text PT_LOAD FLAGS(7); note PT_NOTE; }
SECTIONS {
  . = 0x100000;
  .text : { *(.text .text.*) } :text
  .note : { *(.note.Xen) } :text :note
  . = ALIGN(0x1000);
  .data : { *(.rodata .rodata.*) *(.data .data.*) } :text
  . = ALIGN(0x1000);
  .bss : { *(.bss .bss.*) } :text
}
"""


def _r(k):
    return "%" + ALU[k % len(ALU)]


# the body templates (see loopbody.py); rbp = the data page, r15 flips every branch group so that the JE is taken
# every other time (both paths retire 4)
TEMPLATES = loopbody.Templates(
    alu=[lambda k: f"add ${1 + k % 7}, {_r(k)}",
         lambda k: f"add {_r(k + 3)}, {_r(k + 1)}",
         lambda k: f"xor {_r(k)}, {_r(k + 2)}",
         lambda k: f"lea {8 + k % 5}({_r(k + 1)},{_r(k + 4)},2), %rax",
         lambda k: f"shl ${1 + k % 13}, %rax",
         lambda k: f"sub %rax, {_r(k + 4)}",
         lambda k: f"or {_r(k + 5)}, %rdx",
         lambda k: f"and {_r(k)}, %rdx",
         lambda k: f"inc {_r(k + 5)}"],
    mem=lambda slot: [f"mov {slot}(%rbp), %rax", "add %rax, %rbx", f"mov %rbx, {slot + 256}(%rbp)"],
    branch=lambda k: ["xor $1, %r15d", "cmp $1, %r15d", f"je 1{k}f", f"jmp 2{k}f", f"1{k}: add $1, %r10", f"2{k}:"],
    branch_retired=4,
    call=["call leaf"],                     # call, add, ret
    call_retired=3,
    filler="add $1, %r11")


def source(kind, body, iterations):
    lines = [".section .note.Xen, \"a\", @note", ".balign 4",
             ".long 4, 4, 18", ".asciz \"Xen\"", ".long _start32", ".balign 4",   # XEN_ELFNOTE_PHYS32_ENTRY
             ".text", ".code32", ".globl _start32", "_start32:",
             "lgdt gdt_ptr", "mov $pml4, %eax", "mov %eax, %cr3",
             "mov %cr4, %eax", "or $0x20, %eax", "mov %eax, %cr4",                          # PAE
             "mov $0xc0000080, %ecx", "rdmsr", "or $0x100, %eax", "wrmsr",                # EFER.LME
             "mov %cr0, %eax", "or $0x80000001, %eax", "mov %eax, %cr0",                  # PG, PE
             "ljmp $8, $start64",
             ".code64", "start64:",
             "lea stack_top(%rip), %rsp", "lea data(%rip), %rbp", "mov count(%rip), %rcx"]
    lines += [f"xor %{r}, %{r}" for r in REGS]          # see PROLOGUE
    lines += ["loop:"] + loopbody.body_lines(kind, body - 2, TEMPLATES) + ["dec %rcx", "jnz loop"]
    lines += ["mov %rax, %rcx"]
    for r in REGS[1:]:
        lines += ["rol $7, %rcx", f"xor %{r}, %rcx"]
    lines += ["mov $0x3f8, %edx", "mov $16, %edi", "lea hexdigits(%rip), %rsi",
              "hex: rol $4, %rcx", "mov %ecx, %eax", "and $15, %eax", "movzbl (%rsi,%rax), %eax", "out %al, %dx",
              "dec %edi", "jnz hex",
              "mov $10, %al", "out %al, %dx",
              "mov $0xfea00200, %edi", "movb $0x34, (%rdi)",                                # S5 | SLP_EN
              "1: hlt", "jmp 1b",
              "leaf: add $1, %r11", "ret",
              ".section .rodata", ".balign 8",
              "gdt: .quad 0, 0x00af9b000000ffff, 0x00cf93000000ffff",
              "gdt_ptr: .word gdt_ptr - gdt - 1", ".long gdt",
              f"count: .quad {iterations}",
              "hexdigits: .ascii \"0123456789abcdef\"",
              ".balign 4096",
              # PML4 -> PDPT; PDPT[0] -> PD0 (0-2 MiB: this image), PDPT[3] -> PD3 (the GED's 2 MiB page)
              "pml4: .quad pdpt + 3", ".fill 511, 8, 0",
              "pdpt: .quad pd0 + 3, 0, 0, pd3 + 3", ".fill 508, 8, 0",
              "pd0: .quad 0x83", ".fill 511, 8, 0",
              "pd3: .fill 0x1f5, 8, 0", ".quad 0xfea00083", ".fill 511 - 0x1f5, 8, 0",
              ".data", ".balign 4096",                                      # the mem kind's words: 1, 2, 3, ... times a constant
              "data: .set i, 1", ".rept 512", ".quad i * 2654435761", ".set i, i + 1", ".endr",
              ".bss", ".balign 4096", "stack: .space 4096", "stack_top:"]
    return "\n".join(lines) + "\n"


def build(kind, body, iterations):
    """Returns (ELF image bytes, retired instructions from the entry to the power-off store)."""
    if body < 4:
        raise SystemExit("BODY must be at least 4")
    return (loopbody.link_elf(source(kind, body, iterations), ["as", "--64"],
                              ["ld", "--no-warn-rwx-segments", "-T", "{dir}/l.ld"], {"l.ld": LINKER_SCRIPT}),
            PROLOGUE + iterations * body + EPILOGUE)


if __name__ == "__main__":
    loopbody.main(build, __doc__)
