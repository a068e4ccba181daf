// Branches: B.cond for every condition under all 16 NZCV values, CBZ/CBNZ (W and X), TBZ/TBNZ on low and
// high bits, BL/BLR/BR/RET link values, ADR/ADRP.
        .include "common.inc"
        .text
        // BC_BIT cond, bit: x2 |= 1 << bit when b.cond is taken
        .macro BC_BIT c, bit
        b.\c 1f
        b 2f
1:      orr x2, x2, #(1 << \bit)
2:
        .endm
        .global main
main:
        str x30, [sp, #-16]!
        mov x19, #0
1:      lsl x0, x19, #28
        msr nzcv, x0
        mov x2, #0
        BC_BIT eq, 0
        BC_BIT ne, 1
        BC_BIT cs, 2
        BC_BIT cc, 3
        BC_BIT mi, 4
        BC_BIT pl, 5
        BC_BIT vs, 6
        BC_BIT vc, 7
        BC_BIT hi, 8
        BC_BIT ls, 9
        BC_BIT ge, 10
        BC_BIT lt, 11
        BC_BIT gt, 12
        BC_BIT le, 13
        BC_BIT al, 14
        BC_BIT nv, 15
        PR bcond, x2
        add x19, x19, #1
        cmp x19, #16
        b.lo 1b
        // compare and branch, test and branch
        mov x2, #0
        mov x0, #0x100000000
        cbz w0, 3f
        orr x2, x2, #1
3:      cbnz x0, 4f
        orr x2, x2, #2
4:      cbz x0, 5f
        orr x2, x2, #4
5:      tbnz x0, #32, 6f
        orr x2, x2, #8
6:      tbz x0, #63, 7f
        orr x2, x2, #16
7:      mov x0, #-1
        tbz w0, #31, 8f
        orr x2, x2, #32
8:      tbnz x0, #0, 9f
        orr x2, x2, #64
9:      PR cbtb, x2
        // links: BL and BLR write the return address, BR does not; RET to any register
        adr x3, main
        bl 10f
10:     sub x4, x30, x3
        PR bl.link, x4
        adr x5, 11f
        blr x5
11:     sub x4, x30, x3
        PR blr.link, x4
        adr x5, 12f
        mov x30, #0
        br x5
12:     PR br.link, x30
        adr x6, 13f
        ret x6
        FAIL
13:     adr x0, 14f
        bl sub_ret
        PR ret.done, x0
        // ADR/ADRP relative to main
        adr x0, main
        adr x1, . + 0x1234
        sub x1, x1, x0
        adrp x2, main
        adrp x7, main + 0x5000
        sub x7, x7, x2
        and x2, x2, #0xfff
        PR adr.delta, x1
        PR adrp.low, x2
        PR adrp.delta, x7
        ldr x30, [sp], #16
        ret
sub_ret:
        mov x0, #0x77
        ret
14:     nop
