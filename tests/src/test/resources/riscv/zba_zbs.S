# Zba (add.uw sh1add sh2add sh3add and .uw forms, slli.uw, zext.w) and Zbs (bclr bext binv bset,
# register and immediate forms, index taken mod 64).
        .include "common.inc"
        .section .rodata
        .align 3
values: .dword 0, 1, -1, 0x8000000000000000, 0x80000000, 0xffffffff, 0x123456789abcdef0, 63, 64, 31
        .equ NVALUES, 10
        .text
main:
        addi sp, sp, -16
        sd ra, 0(sp)
        R add.uw
        R sh1add
        R sh2add
        R sh3add
        R sh1add.uw
        R sh2add.uw
        R sh3add.uw
        U1 zext.w
        .irp sh, 0, 1, 31, 32, 63
        I slli.uw, \sh
        I bclri, \sh
        I bexti, \sh
        I binvi, \sh
        I bseti, \sh
        .endr
        R bclr
        R bext
        R binv
        R bset
        ld ra, 0(sp)
        addi sp, sp, 16
        ret
