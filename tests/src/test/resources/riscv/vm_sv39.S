# Sv39 paging from S-mode: 4 KiB pages, 2 MiB and 1 GiB superpages, misaligned superpages, invalid
# and reserved (W without R) entries, non-canonical addresses, load/store/fetch page faults with
# mtval, A and D bits as set by the hardware, SFENCE.VMA after a PTE change, an instruction
# straddling into an unmapped page, satp ASID WARL bits.
        .include "common.inc"
        .include "vm.inc"
        .equ VBASE, 0x100000000
        .equ MEGA_PA, 0x80400000
        .equ AFLAGS, PTE_V | PTE_R | PTE_W | PTE_X | PTE_A | PTE_D
        .bss
        .align 12
root:   .space 4096
l1:     .space 4096
l0:     .space 4096
pageA:  .space 4096
pageB:  .space 4096
        .text
        .align 12
        .option push
        .option norvc
xpage:  li a0, 0x777            # executed through an execute-only mapping
        ret
        .align 12
spage:  .space 4090
        li a0, 0x55             # runs, then the next instruction starts at the page end
        .half 0x0513            # low half of `addi a0, x0, ...`: the high half is unmapped
        .option pop
        .text
main:
        addi sp, sp, -16
        sd ra, 0(sp)
        # data
        la t0, pageA
        li t1, 0xaaaa0001
        sd t1, 0(t0)
        la t0, pageB
        li t1, 0xbbbb0002
        sd t1, 0(t0)
        li t0, MEGA_PA + 0x1230
        li t1, 0x3e9a0003
        sd t1, 0(t0)
        # root: identity gigapages for devices (0) and RAM (2), VBASE -> l1, misaligned gigapage 5
        SETPTEI root, 0, 0, PTE_V | PTE_R | PTE_W | PTE_A | PTE_D
        SETPTEI root, 2, 0x80000000, AFLAGS
        SETPTE root, 4, l1, PTE_V
        SETPTEI root, 5, 0x80200000, AFLAGS
        # l1: [0] -> l0, [1] 2 MiB page, [2] misaligned 2 MiB page, [3] non-leaf pointing at l0 again
        SETPTE l1, 0, l0, PTE_V
        SETPTEI l1, 1, MEGA_PA, AFLAGS
        SETPTEI l1, 2, MEGA_PA + 0x1000, AFLAGS
        # l0: 4 KiB pages
        SETPTE l0, 0, pageA, PTE_V | PTE_R | PTE_W          # A = D = 0
        SETPTE l0, 1, pageB, PTE_V | PTE_R | PTE_A          # read-only
        SETPTE l0, 2, pageA, PTE_V | PTE_R | PTE_W | PTE_A | PTE_D
        SETPTE l0, 4, pageB, PTE_V | PTE_W | PTE_A | PTE_D  # W without R: reserved
        SETPTE l0, 5, xpage, PTE_V | PTE_X | PTE_A          # execute-only
        SETPTE l0, 6, spage, PTE_V | PTE_X | PTE_A          # followed by unmapped l0[7]
        SETPTE l0, 8, pageB, PTE_R | PTE_A                  # V = 0
        # satp: ASID bits are WARL, then Sv39 with ASID 0
        la a0, root
        srli a0, a0, 12
        li t0, (8 << 60) | (0xffff << 44)
        or a1, a0, t0
        csrw satp, a1
        csrr a2, satp
        srli a2, a2, 44
        PR satp_asid_mode, a2
        li t0, 8 << 60
        or a0, a0, t0
        csrw satp, a0
        sfence.vma
        la a0, s_main
        li a1, 1
        call run_in_mode
        csrw satp, zero
        sfence.vma
        PRPTE l0_0_end, l0, 0
        PRPTE l0_1_end, l0, 1
        ld ra, 0(sp)
        addi sp, sp, 16
        ret

s_main: mv s11, ra
        li s0, VBASE
        # A then D set by the first read and the first write
        PRPTE l0_0, l0, 0
        ld a0, 0(s0)
        PR read_va0, a0
        PRPTE l0_0_after_read, l0, 0
        li a1, 0x1111
        sd a1, 8(s0)
        PRPTE l0_0_after_write, l0, 0
        ld a0, 8(s0)
        PR readback, a0
        # read-only page
        li t0, 0x1000
        add s1, s0, t0
        ld a0, 0(s1)
        PR read_ro, a0
        sd a0, 0(s1)
        PRPTE l0_1_after_store, l0, 1
        # alias of pageA through l0[2] sees the write above
        li t0, 0x2000
        add s1, s0, t0
        ld a0, 8(s1)
        PR alias, a0
        # remap l0[2] to pageB, SFENCE.VMA by address
        la a0, l0
        li a1, 2
        la a2, pageB
        li a3, PTE_V | PTE_R | PTE_W | PTE_A | PTE_D
        call set_pte
        sfence.vma s1, zero
        ld a0, 0(s1)
        PR remapped, a0
        # unmapped, reserved and invalid entries; loads, stores and fetches
        PUTS "faults:\n"
        li t0, 0x3000
        add s1, s0, t0
        ld a0, 0(s1)            # l0[3]: zero entry
        sw a0, 4(s1)
        jalr ra, 0(s1)
        li t0, 0x4000
        add s1, s0, t0
        ld a0, 0(s1)            # W without R
        sd a0, 0(s1)
        li t0, 0x8000
        add s1, s0, t0
        lb a0, 0(s1)            # V = 0
        li s1, 0x0000004000000000  # not sign-extended from bit 38
        ld a0, 0(s1)
        li s1, 0xffffffc000000000  # canonical, VPN2 = 256: empty
        ld a0, 0(s1)
        # superpages
        PUTS "superpages:\n"
        li t0, 0x200000 + 0x1230
        add s1, s0, t0
        ld a0, 0(s1)
        PR mega, a0
        li t0, 0x400000 + 0x230
        add s1, s0, t0
        ld a0, 0(s1)            # misaligned megapage
        li s1, 0x140000000
        ld a0, 0(s1)            # misaligned gigapage
        li s1, 0x80000000
        la t0, pageB
        ld a0, 0(t0)
        PR giga_identity, a0
        # execute-only page: fetch works, loads do not (MXR in the MXR program)
        PUTS "xonly:\n"
        li t0, 0x5000
        add s1, s0, t0
        li a0, 0
        jalr ra, 0(s1)
        PR xpage_ret, a0
        lw a0, 0(s1)
        # straddling fetch: the first half in a mapped page, the rest in unmapped l0[7]
        PUTS "straddle:\n"
        li t0, 0x6000 + 4090
        add s1, s0, t0
        li a0, 0
        jalr ra, 0(s1)
        PR straddle_a0, a0
        mv ra, s11
        RET_M
