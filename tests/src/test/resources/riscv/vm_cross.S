# Accesses that cross virtual pages whose frames are not adjacent: a 32-bit instruction split over
# two pages, misaligned loads and stores spanning two pages (and one whose second page faults), a
# compressed instruction ending a page before an unmapped one, code reached through two virtual
# aliases of one frame, and a VA remapped to another code frame after SFENCE.VMA.
        .include "common.inc"
        .include "vm.inc"
        .equ VBASE, 0x100000000
        .equ RAMFLAGS, PTE_V | PTE_R | PTE_W | PTE_X | PTE_A | PTE_D
        .bss
        .align 12
root:   .space 4096
l1:     .space 4096
l0:     .space 4096
frameA: .space 4096             # VBASE+0x0000 and VBASE+0x3000: code
gap:    .space 4096
frameB: .space 4096             # VBASE+0x1000
frameC: .space 4096             # VBASE+0x4000 (after remap)
dataA:  .space 4096             # VBASE+0x6000
dataB:  .space 4096             # VBASE+0x7000 (not adjacent to dataA physically: dataA+0x1000 is rodata)
        .space 4096
dataC:  .space 4096             # VBASE+0x9000 read-only, after dataA's alias at +0x8000
        .text
main:
        addi sp, sp, -16
        sd ra, 0(sp)
        # code frames: A ends with the low half of `addi a0, a0, 0x123`, B starts with its high half
        # then `ret`; A's body before that: `li a0, 0` is placed by jumping straight to the split
        la s0, frameA
        li t0, 0x0513           # low half of 0x12350513 (addi a0, a0, 0x123)
        li t1, 4094
        add t1, t1, s0
        sh t0, 0(t1)
        la s1, frameB
        li t0, 0x1235           # high half
        sh t0, 0(s1)
        li t0, 0x8082           # c.jr ra
        sh t0, 2(s1)
        # frame A at +0: `addi a0, zero, 0x55; ret` ; a c.li/c.jr at A's end for the unmapped test
        li t0, 0x05500513
        sw t0, 0(s0)
        li t0, 0x00008067
        sw t0, 4(s0)
        # frame C: `addi a0, zero, 0x66; ret`
        la s2, frameC
        li t0, 0x06600513
        sw t0, 0(s2)
        li t0, 0x00008067
        sw t0, 4(s2)
        # data: bytes 0..255 pattern at the end of dataA and the start of dataB
        la s3, dataA
        li t0, 0x0807060504030201
        li t1, 4088
        add t1, t1, s3
        sd t0, 0(t1)
        la s4, dataB
        li t0, 0x100f0e0d0c0b0a09
        sd t0, 0(s4)
        fence.i
        # page tables
        SETPTEI root, 0, 0, PTE_V | PTE_R | PTE_W | PTE_A | PTE_D
        SETPTEI root, 2, 0x80000000, RAMFLAGS
        SETPTE root, 4, l1, PTE_V
        SETPTE l1, 0, l0, PTE_V
        SETPTE l0, 0, frameA, RAMFLAGS
        SETPTE l0, 1, frameB, RAMFLAGS
        SETPTE l0, 3, frameA, RAMFLAGS          # alias of frame A
        SETPTE l0, 4, frameA, RAMFLAGS          # remapped to C later
        SETPTE l0, 6, dataA, RAMFLAGS
        SETPTE l0, 7, dataB, RAMFLAGS
        SETPTE l0, 8, dataA, RAMFLAGS
        SETPTE l0, 9, dataC, PTE_V | PTE_R | PTE_A
        SV39_ON root
        la a0, s_main
        li a1, 1
        call run_in_mode
        csrw satp, zero
        sfence.vma
        ld ra, 0(sp)
        addi sp, sp, 16
        ret

s_main: mv s11, ra
        li s0, VBASE
        # split instruction: a0 = 0x100 + 0x123
        li a0, 0x100
        li t0, 4094
        add t0, t0, s0
        jalr ra, 0(t0)
        PR split_insn, a0
        # misaligned loads across VBASE+0x7000 (frames dataA | dataB)
        li t0, 0x6ffc
        add s1, s0, t0
        ld a0, 0(s1)
        PR ld_cross, a0
        lw a0, 2(s1)
        PR lw_cross, a0
        lh a0, 3(s1)
        PR lh_cross, a0
        # misaligned store across the same boundary, read back in pieces
        li a1, 0xa1a2a3a4a5a6a7a8
        sd a1, 1(s1)
        ld a0, 0(s1)
        PR sd_cross_lo, a0
        ld a0, 4(s1)
        PR sd_cross_hi, a0
        la t0, dataB
        ld a0, 0(t0)
        PR dataB_phys, a0
        # crossing into the read-only page: store faults, load works
        li t0, 0x8ffc
        add s2, s0, t0
        ld a0, 0(s2)
        PR ld_into_ro, a0
        sd a1, 0(s2)
        ld a0, 0(s2)
        PR after_faulting_sd, a0
        # crossing into an unmapped page
        li t0, 0x9ffc
        add s2, s0, t0
        ld a0, 0(s2)
        # two virtual aliases of frame A
        li a0, 0
        jalr ra, 0(s0)
        PR alias0, a0
        li t0, 0x3000
        add t1, s0, t0
        li a0, 0
        jalr ra, 0(t1)
        PR alias3, a0
        # remap VBASE+0x4000 from frame A to frame C
        li t0, 0x4000
        add s3, s0, t0
        li a0, 0
        jalr ra, 0(s3)
        PR before_remap, a0
        la a0, l0
        li a1, 4
        la a2, frameC
        li a3, RAMFLAGS
        call set_pte
        sfence.vma s3, zero
        li a0, 0
        jalr ra, 0(s3)
        PR after_remap, a0
        # patch frame A through its alias at +0x3000, FENCE.I, run it at +0
        li t0, 0x3000
        add t1, s0, t0
        li t0, 0x07700513
        sw t0, 0(t1)
        fence.i
        li a0, 0
        jalr ra, 0(s0)
        PR patched_via_alias, a0
        mv ra, s11
        RET_M
