# M extension: MUL/MULH/MULHSU/MULHU, DIV/DIVU/REM/REMU incl. division by zero and overflow, W forms.
        .include "common.inc"
        .section .rodata
        .align 3
values: .dword 0, 1, -1, 2, -2, 7, -7, 0x7fffffffffffffff, 0x8000000000000000, 0x80000000
        .dword 0x7fffffff, 0xffffffff, 0x123456789abcdef0, 0xffffffff80000000
        .equ NVALUES, 14
        .text
main:
        addi sp, sp, -16
        sd ra, 0(sp)
        R mul
        R mulh
        R mulhsu
        R mulhu
        R mulw
        R div
        R divu
        R rem
        R remu
        R divw
        R divuw
        R remw
        R remuw
        ld ra, 0(sp)
        addi sp, sp, 16
        ret
