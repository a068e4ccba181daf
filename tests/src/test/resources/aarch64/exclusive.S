// Exclusives and ordered accesses: LDXR/STXR (B/H/W/X), LDAXR/STLXR, LDXP/STXP, LDAXP/STLXP, the status
// result of a store without a reservation, after CLREX and after a second store-exclusive; LDAR/STLR of
// every size; DMB/DSB/ISB; retry loops as Linux's atomics without LSE (add, cmpxchg, spinlock, LDXP/STXP).
// Addresses are the ones loaded (the monitor's granule is not compared). The MMU is on (identity, Normal
// memory): exclusives on Device memory are IMPLEMENTATION DEFINED.
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
        // as Linux's atomics without LSE: an LDXR/STXR add loop (retrying while the store fails), a
        // compare-and-swap with LDAXR/STLXR that succeeds and one that does not, a ticket-less spinlock
        // taken with LDAXR/STXR and released with STLR, and an LDXP/STXP 128-bit increment
        str xzr, [x0]
        mov x5, #1000
        mov x6, #0                      // failed store-exclusives (deterministic here: none expected)
1:      ldxr x1, [x0]
        add x1, x1, #3
        stxr w2, x1, [x0]
        add x6, x6, x2
        cbnz w2, 1b
        subs x5, x5, #1
        b.ne 1b
        ldr x1, [x0]
        PR atomic.add, x1
        PR atomic.add.retries, x6
        mov x3, #3000                   // cmpxchg(3000 -> 42): matches
        mov x4, #42
        bl cmpxchg
        PR cas.hit.old, x1
        ldr x2, [x0]
        PR cas.hit.mem, x2
        mov x3, #7                      // cmpxchg(7 -> 9): does not match, memory unchanged
        mov x4, #9
        bl cmpxchg
        PR cas.miss.old, x1
        ldr x2, [x0]
        PR cas.miss.mem, x2
        // spinlock at word+8 (32-bit): take, check, release
        add x9, x0, #8
        str wzr, [x9]
        mov w3, #1
2:      ldaxr w1, [x9]
        cbnz w1, 2b
        stxr w2, w3, [x9]
        cbnz w2, 2b
        ldr w1, [x9]
        PR lock.held, x1
        stlr wzr, [x9]
        ldr w1, [x9]
        PR lock.released, x1
        // 128-bit increment with carry
        movn x1, #0
        stp x1, xzr, [x0]
3:      ldxp x1, x2, [x0]
        adds x1, x1, #1
        adc x2, x2, xzr
        stxp w3, x1, x2, [x0]
        cbnz w3, 3b
        ldp x1, x2, [x0]
        PR ldxp.inc.lo, x1
        PR ldxp.inc.hi, x2
        ldr x30, [sp], #16
        ret

        // cmpxchg: x1 = [x0]; if x1 == x3 then [x0] = x4 (LDAXR/STLXR, retried while the store fails)
cmpxchg:
1:      ldaxr x1, [x0]
        cmp x1, x3
        b.ne 2f
        stlxr w2, x4, [x0]
        cbnz w2, 1b
        ret
2:      clrex
        ret
