# Page-table entries the walker must reject or treat specially (Sv39, from S-mode): reserved bits
# 60:54, PBMT and N bits (Svpbmt/Svnapot are not in QEMU 7.2's default rv64), non-leaf entries with
# A/D/U set (all reserved: page faults), a table in memory PMP denies to S (access fault, mtval =
# the VA), and A set by an instruction fetch.
        .include "common.inc"
        .include "vm.inc"
        .equ VBASE, 0x100000000
        .equ LEAF, PTE_V | PTE_R | PTE_W | PTE_A | PTE_D
        .bss
        .align 12
root:   .space 4096
l1:     .space 4096
l0:     .space 4096
l0x:    .space 4096             # a table PMP hides from S
page:   .space 4096
code:   .space 4096
        .text
main:
        addi sp, sp, -16
        sd ra, 0(sp)
        la t0, page
        li t1, 0x9a9e
        sd t1, 0(t0)
        la t0, code
        li t1, 0x00008067       # ret
        sw t1, 0(t0)
        fence.i
        SETPTEI root, 0, 0, LEAF
        SETPTEI root, 2, 0x80000000, LEAF | PTE_X
        SETPTE root, 4, l1, PTE_V
        SETPTE l1, 0, l0, PTE_V
        SETPTE l1, 1, l0, PTE_V | PTE_A                 # non-leaf with A
        SETPTE l1, 2, l0, PTE_V | PTE_D                 # non-leaf with D
        SETPTE l1, 3, l0, PTE_V | PTE_U                 # non-leaf with U
        SETPTE l1, 5, l0x, PTE_V                        # table behind PMP
        SETPTE l0, 0, page, LEAF
        SETPTE l0x, 0, page, LEAF
        SETPTE l0, 6, code, PTE_V | PTE_X               # A = 0: set by the fetch
        # l0[1..4]: leaf with reserved bit 54, PBMT = 1, N, reserved bit 60
        SETPTE l0, 1, page, LEAF
        SETPTE l0, 2, page, LEAF
        SETPTE l0, 3, page, LEAF
        SETPTE l0, 4, page, LEAF
        la t0, l0
        li t1, 1 << 54
        ld t2, 8(t0)
        or t2, t2, t1
        sd t2, 8(t0)
        li t1, 1 << 61
        ld t2, 16(t0)
        or t2, t2, t1
        sd t2, 16(t0)
        li t1, 1 << 63
        ld t2, 24(t0)
        or t2, t2, t1
        sd t2, 24(t0)
        li t1, 1 << 60
        ld t2, 32(t0)
        or t2, t2, t1
        sd t2, 32(t0)
        # PMP: entry 0 denies l0x (4 KiB NAPOT, no permissions) to S/U, entry 1 keeps the rest open
        la t0, l0x
        srli t0, t0, 2
        ori t0, t0, 0x1ff
        csrw pmpaddr0, t0
        li t0, -1
        csrw pmpaddr1, t0
        li t0, 0x18 | (0x1f << 8)
        csrw pmpcfg0, t0
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
        ld a0, 0(s0)
        PR good, a0
        PUTS "reserved/pbmt/n/bit60:\n"
        .irp k, 1, 2, 3, 4
        li t0, \k << 12
        add t0, t0, s0
        ld a0, 0(t0)
        .endr
        PUTS "non-leaf A/D/U:\n"
        .irp k, 1, 2, 3
        li t0, \k << 21
        add t0, t0, s0
        ld a0, 0(t0)
        .endr
        # (a table beyond RAM is left out: QEMU 7.2 raises page faults where the spec wants access
        # faults for a PTE read that fails)
        PUTS "table behind PMP:\n"
        li t0, 5 << 21
        add t0, t0, s0
        ld a0, 0(t0)
        PUTS "fetch sets A:\n"
        PRPTE code_pte_before, l0, 6
        li t0, 6 << 12
        add t0, t0, s0
        jalr ra, 0(t0)
        PRPTE code_pte_after, l0, 6
        mv ra, s11
        RET_M
