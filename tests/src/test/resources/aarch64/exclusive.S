// Exclusives and ordered accesses: LDXR/STXR (B/H/W/X), LDAXR/STLXR, LDXP/STXP, LDAXP/STLXP, the status
// result of a store without a reservation, after CLREX and after a second store-exclusive; LDAR/STLR of
// every size; DMB/DSB/ISB. Addresses are the ones loaded (the monitor's granule is not compared). The MMU is
// on (identity, Normal memory): exclusives on Device memory are IMPLEMENTATION DEFINED.
        .include "common.inc"
        .data
        .balign 16
word:   .dword 0x1122334455667788, 0x99aabbccddeeff00
        .text
        .global main
main:
        str x30, [sp, #-16]!
        bl mmu_identity_on
        PRS sctlr, sctlr_el1
        adrp x0, word
        add x0, x0, :lo12:word
        ldxr x1, [x0]
        add x1, x1, #1
        stxr w2, x1, [x0]
        PR stxr.ok, x2
        ldr x3, [x0]
        PR stxr.mem, x3
        mov x1, #5
        stxr w2, x1, [x0]               // no reservation any more
        PR stxr.again, x2
        ldr x3, [x0]
        PR stxr.again.mem, x3
        ldxr w1, [x0]
        clrex
        stxr w2, w1, [x0]
        PR clrex.status, x2
        ldxrb w1, [x0]
        PR ldxrb, x1
        mov w1, #0xab
        stxrb w2, w1, [x0]
        PR stxrb, x2
        ldaxrh w1, [x0]
        PR ldaxrh, x1
        mov w1, #0xcdcd
        stlxrh w2, w1, [x0]
        PR stlxrh, x2
        ldaxr w1, [x0]
        PR ldaxr.w, x1
        stlxr w2, wzr, [x0]
        PR stlxr.w, x2
        ldr x3, [x0]
        PR mem, x3
        ldxp x4, x5, [x0]
        PR ldxp.1, x4
        PR ldxp.2, x5
        stxp w2, x5, x4, [x0]
        PR stxp, x2
        ldaxp w4, w5, [x0]
        PR ldaxp.1, x4
        PR ldaxp.2, x5
        stlxp w2, w5, w4, [x0]
        PR stlxp, x2
        ldp x4, x5, [x0]
        PR pair.1, x4
        PR pair.2, x5
        // acquire/release, every size
        movz x1, #0x8788
        movk x1, #0x8586, lsl #16
        movk x1, #0x8384, lsl #32
        movk x1, #0x8182, lsl #48
        stlr x1, [x0]
        ldarb w2, [x0]
        PR ldarb, x2
        ldarh w2, [x0]
        PR ldarh, x2
        ldar w2, [x0]
        PR ldar.w, x2
        stlrb wzr, [x0]
        add x9, x0, #2
        stlrh wzr, [x9]
        ldar x2, [x0]
        PR ldar.x, x2
        add x9, x0, #8
        stlr w1, [x9]
        ldr x2, [x0, #8]
        PR stlr.w, x2
        dmb ish
        dsb sy
        isb
        dmb oshld
        // the status register may be the same as neither operand: wzr as data
        ldxr x1, [x0]
        stxr w3, xzr, [x0]
        ldr x2, [x0]
        PR stxr.zr, x2
        PR stxr.zr.status, x3
        ldr x30, [sp], #16
        ret
