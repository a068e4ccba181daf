# RV64I word operations (ADDW... SRAIW): 32-bit results sign-extended, shift amounts taken mod 32.
        .include "common.inc"
        .section .rodata
        .align 3
values: .dword 0, 1, -1, 31, 32, 0x7fffffff, 0x80000000, 0xffffffff, 0x100000000
        .dword 0x123456789abcdef0, 0xfedcba9876543210, 0x3f
        .equ NVALUES, 12
        .text
main:
        addi sp, sp, -16
        sd ra, 0(sp)
        R addw
        R subw
        R sllw
        R srlw
        R sraw
        .irp imm, 0, 1, -1, 2047, -2048
        I addiw, \imm
        .endr
        .irp sh, 0, 1, 15, 31
        I slliw, \sh
        I srliw, \sh
        I sraiw, \sh
        .endr
        # sext.w is addiw rd, rs, 0; negw is subw rd, x0, rs
        U1 sext.w
        U1 negw
        ld ra, 0(sp)
        addi sp, sp, 16
        ret
