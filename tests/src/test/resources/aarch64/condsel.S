// Conditional select/compare: CSEL/CSINC/CSINV/CSNEG/CSET/CSETM under all 16 NZCV values (one line per
// NZCV: a bit per condition code), CCMP/CCMN with immediate and register, true and false.
        .include "common.inc"
        .section .rodata
        .balign 8
values: .dword 0, 1, -1, 0x7fffffffffffffff, 0x8000000000000000, 31, 5
        .equ N, 7
        .text
        // cond_mask x0 = NZCV (0-15): x2 = bit c set when condition c holds, via CSET for every cond
        .macro CSET_BIT c, bit
        cset x3, \c
        orr x2, x2, x3, lsl #\bit
        .endm
        .global main
main:
        str x30, [sp, #-16]!
        stp x19, x20, [sp, #-16]!
        mov x19, #0
1:      lsl x0, x19, #28
        msr nzcv, x0
        mov x2, #0
        CSET_BIT eq, 0
        CSET_BIT ne, 1
        CSET_BIT cs, 2
        CSET_BIT cc, 3
        CSET_BIT mi, 4
        CSET_BIT pl, 5
        CSET_BIT vs, 6
        CSET_BIT vc, 7
        CSET_BIT hi, 8
        CSET_BIT ls, 9
        CSET_BIT ge, 10
        CSET_BIT lt, 11
        CSET_BIT gt, 12
        CSET_BIT le, 13
        csinc x3, xzr, xzr, al          // cset al/nv do not exist: the condition is "always" both ways
        orr x2, x2, x3, lsl #14
        csinc x3, xzr, xzr, nv
        orr x2, x2, x3, lsl #15
        mov x4, #7
        mov x5, #9
        csel x6, x4, x5, hi
        csinc x7, x4, x5, lt
        csinv x8, x4, x5, vs
        csneg x9, x4, x5, le
        csetm x10, ge
        csneg w11, w4, w5, mi
        eor x2, x2, x6, lsl #16
        eor x2, x2, x7, lsl #24
        eor x2, x2, x8, lsl #32
        eor x2, x2, x9, lsl #48
        PR cond.nzcv, x19
        PR cond.mask, x2
        PR cond.csetm, x10
        PR cond.csnegw, x11
        add x19, x19, #1
        cmp x19, #16
        b.lo 1b
        ldp x19, x20, [sp], #16
        I2 ccmp.eq, values, N, 4, ccmp x0, x1, #0xa, eq
        I2 ccmp.ne, values, N, 4, ccmp x0, x1, #0x3, ne
        I2 ccmn.ge, values, N, 0, ccmn x0, x1, #0x5, ge
        I2 ccmpw.lt, values, N, 8, ccmp w0, w1, #0xf, lt
        I1 ccmp.imm, values, N, 0, ccmp x0, #31, #0x2, al
        I1 ccmn.imm, values, N, 6, ccmn x0, #1, #0x8, cs
        ldr x30, [sp], #16
        ret
