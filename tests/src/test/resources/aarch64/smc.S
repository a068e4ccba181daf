// Self-modifying code as Linux and JITs do it: write an instruction, DC CVAU, DSB, IC IVAU (or IC IALLU),
// DSB, ISB, then run it: a function patched after it ran many times (so it is decoded and hot), the
// instruction right after the patching store in the same page, a branch retargeted, with the MMU off and on
// (identity map, caches enabled), and the patched word read back as data.
        .include "common.inc"
        // SYNC_CODE xa: makes the instruction written at xa visible to fetch (by VA, as Linux does)
        .macro SYNC_CODE xa
        dc cvau, \xa
        dsb ish
        ic ivau, \xa
        dsb ish
        isb
        .endm
        // B_TO_X4 site: writes `b <x4>` at site (clobbers w2 and x4)
        .macro B_TO_X4 site
        sub x4, x4, \site
        lsr x4, x4, #2
        and w4, w4, #0x3ffffff
        movz w2, #0x1400, lsl #16       // b imm26
        orr w2, w2, w4
        str w2, [\site]
        .endm
        .text
        .global main
main:
        str x30, [sp, #-16]!
        bl patch_round
        PUTS "mmu.on\n"
        bl mmu_identity_on
        bl patch_round
        ldr x30, [sp], #16
        ret

        // one round of patches; prints the results
patch_round:
        str x30, [sp, #-16]!
        // warm up: run `target` many times
        mov x19, #2000
1:      bl target
        subs x19, x19, #1
        b.ne 1b
        PR warm, x0
        // patch it to movz x0, #imm for several immediates, each followed by maintenance by VA
        mov x19, #0
2:      lsl x1, x19, #4
        add x1, x1, x19                 // imm = i * 0x11 + 0x100
        add x1, x1, #0x100
        movz w2, #0xd280, lsl #16       // movz x0, #imm
        orr w2, w2, w1, lsl #5
        adr x3, target
        str w2, [x3]
        SYNC_CODE x3
        bl target
        PR patched, x0
        ldr w0, [x3]
        PR patched.word, x0
        add x19, x19, #1
        cmp x19, #4
        b.ne 2b
        // the same with IC IALLU
        movz w2, #0xd280, lsl #16
        movk w2, #(0x77 << 5)
        adr x3, target
        str w2, [x3]
        dc cvau, x3
        dsb ish
        ic iallu
        dsb ish
        isb
        bl target
        PR patched.iallu, x0
        // restore target for the next round
        ldr w2, target_orig
        str w2, [x3]
        SYNC_CODE x3
        // the next instruction in the same page, patched by the code just before it
        ldr w2, next_new
        adr x3, 3f
        mov x0, #0
        str w2, [x3]
        SYNC_CODE x3
3:      mov x0, #0x55                   // replaced by next_new (mov x0, #0xaa) before it runs
        PR next.patched, x0
        ldr w2, next_old                // back to the original for the next round
        str w2, [x3]
        SYNC_CODE x3
        // a branch retargeted: b to_a becomes b to_b
        adr x3, branch_site
        ldr w2, [x3]
        PR branch.word, x2
        bl branch_site
        PR branch.before, x0
        adr x4, to_b
        B_TO_X4 x3
        SYNC_CODE x3
        bl branch_site
        PR branch.after, x0
        adr x4, to_a                    // back again
        B_TO_X4 x3
        SYNC_CODE x3
        ldr x30, [sp], #16
        ret

next_new:
        mov x0, #0xaa
next_old:
        mov x0, #0x55
target_orig:
        mov x0, #0x42

        .balign 64
target:
        mov x0, #0x42
        ret

branch_site:
        b to_a
to_a:   mov x0, #0xa
        ret
to_b:   mov x0, #0xb
        ret
