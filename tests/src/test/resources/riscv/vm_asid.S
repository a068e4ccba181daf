# Address-space identifiers: two Sv39 roots map the same VA to different pages under ASIDs 1 and 2;
# switching satp between them (no SFENCE.VMA) must never show the other space's page. Then a PTE
# change flushed by SFENCE.VMA for one ASID only, a flush by address, global mappings, and satp
# back to Bare.
        .include "common.inc"
        .include "vm.inc"
        .equ VA, 0x100000000
        .equ KFLAGS, PTE_V | PTE_R | PTE_W | PTE_X | PTE_A | PTE_D | PTE_G
        .equ UFLAGS, PTE_V | PTE_R | PTE_W | PTE_A | PTE_D
        .bss
        .align 12
rootA:  .space 4096
rootB:  .space 4096
l1A:    .space 4096
l1B:    .space 4096
l0A:    .space 4096
l0B:    .space 4096
pageA:  .space 4096
pageB:  .space 4096
pageC:  .space 4096
        .text
        .macro SATP root:req, asid:req
        la t0, \root
        srli t0, t0, 12
        li t1, (8 << 60) | (\asid << 44)
        or t0, t0, t1
        csrw satp, t0
        .endm
main:
        addi sp, sp, -16
        sd ra, 0(sp)
        la t0, pageA
        li t1, 0xa
        sd t1, 0(t0)
        la t0, pageB
        li t1, 0xb
        sd t1, 0(t0)
        la t0, pageC
        li t1, 0xc
        sd t1, 0(t0)
        .irp r, A, B
        SETPTEI root\r, 0, 0, KFLAGS & ~PTE_X
        SETPTEI root\r, 2, 0x80000000, KFLAGS
        SETPTE root\r, 4, l1\r, PTE_V
        SETPTE l1\r, 0, l0\r, PTE_V
        SETPTE l0\r, 0, page\r, UFLAGS
        .endr
        sfence.vma
        la a0, s_main
        li a1, 1
        call run_in_mode
        ld ra, 0(sp)
        addi sp, sp, 16
        ret

s_main: mv s11, ra
        li s0, VA
        SATP rootA, 1
        sfence.vma
        ld a0, 0(s0)
        PR asid1, a0
        SATP rootB, 2
        ld a0, 0(s0)
        PR asid2, a0
        SATP rootA, 1
        ld a0, 0(s0)
        PR asid1_again, a0
        # writes go to the right page too
        li a1, 0x1a
        sd a1, 8(s0)
        SATP rootB, 2
        li a1, 0x2b
        sd a1, 8(s0)
        ld a0, 8(s0)
        PR asid2_word1, a0
        SATP rootA, 1
        ld a0, 8(s0)
        PR asid1_word1, a0
        # remap space B to pageC, flush ASID 2 only, then look from both spaces
        la a0, l0B
        li a1, 0
        la a2, pageC
        li a3, UFLAGS
        call set_pte
        li t2, 2
        sfence.vma zero, t2
        SATP rootB, 2
        ld a0, 0(s0)
        PR asid2_remapped, a0
        SATP rootA, 1
        ld a0, 0(s0)
        PR asid1_unchanged, a0
        # remap A to pageB, flush by address (all ASIDs)
        la a0, l0A
        li a1, 0
        la a2, pageB
        li a3, UFLAGS
        call set_pte
        sfence.vma s0, zero
        ld a0, 0(s0)
        PR asid1_remapped, a0
        # Bare: the VA is now a physical address nobody backs
        csrw satp, zero
        sfence.vma
        la t0, pageC
        ld a0, 0(t0)
        PR bare_pageC, a0
        mv ra, s11
        RET_M
