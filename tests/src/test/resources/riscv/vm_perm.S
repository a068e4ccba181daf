# Sv39 permissions: U code at a U alias of RAM, U access to S pages and S access to U pages
# (faults), sstatus.SUM, S never executes U pages, MXR makes execute-only pages readable,
# M-mode MPRV with MPP = S and U (translation and permission of the MPP mode), and MPRV clear.
        .include "common.inc"
        .include "vm.inc"
        .equ VBASE, 0x100000000
        .equ UALIAS, 0x180000000        # VPN2 6: the RAM gigapage again, with U set
        .equ UOFF, UALIAS - 0x80000000
        .bss
        .align 12
root:   .space 4096
l1:     .space 4096
l0:     .space 4096
pageS:  .space 4096
pageU:  .space 4096
        .text
        .align 12
xpage:  li a0, 0x777
        ret
        .text
main:
        addi sp, sp, -16
        sd ra, 0(sp)
        la t0, pageS
        li t1, 0x5555000a
        sd t1, 0(t0)
        la t0, pageU
        li t1, 0x7777000b
        sd t1, 0(t0)
        SETPTEI root, 0, 0, PTE_V | PTE_R | PTE_W | PTE_A | PTE_D
        SETPTEI root, 2, 0x80000000, PTE_V | PTE_R | PTE_W | PTE_X | PTE_A | PTE_D
        SETPTEI root, 6, 0x80000000, PTE_V | PTE_R | PTE_W | PTE_X | PTE_U | PTE_A | PTE_D
        SETPTE root, 4, l1, PTE_V
        SETPTE l1, 0, l0, PTE_V
        SETPTE l0, 0, pageS, PTE_V | PTE_R | PTE_W | PTE_A | PTE_D
        SETPTE l0, 1, pageU, PTE_V | PTE_R | PTE_W | PTE_U | PTE_A | PTE_D
        SETPTE l0, 2, xpage, PTE_V | PTE_X | PTE_A
        SETPTE l0, 3, xpage, PTE_V | PTE_X | PTE_U | PTE_A
        SETPTE l0, 4, pageU, PTE_V | PTE_R | PTE_U | PTE_A   # U read-only
        SV39_ON root
        PUTS "S:\n"
        la a0, s_main
        li a1, 1
        call run_in_mode
        PUTS "U:\n"
        la a0, u_main
        li t0, UOFF
        add a0, a0, t0
        li a1, 0
        call run_in_mode
        PUTS "MPRV:\n"
        li s0, VBASE
        li s3, VBASE + 0x1000
        li s4, VBASE + 0x4000
        li s1, MSTATUS_MPP
        li s2, MSTATUS_MPRV
        # MPP = S: translated, S permissions
        csrc mstatus, s1
        li t0, 1 << 11
        csrs mstatus, t0
        csrs mstatus, s2
        ld a0, 0(s0)
        csrc mstatus, s2
        PR mprv_s_pageS, a0
        csrc mstatus, s1
        li t0, 1 << 11
        csrs mstatus, t0
        csrs mstatus, s2
        ld a0, 0(s3)         # U page from S without SUM: fault (the handler leaves MPP = M)
        csrc mstatus, s2
        # MPP = U
        csrc mstatus, s1
        csrs mstatus, s2
        ld a0, 0(s3)
        csrc mstatus, s2
        PR mprv_u_pageU, a0
        csrc mstatus, s1
        csrs mstatus, s2
        sd a0, 0(s4)        # U read-only page: store fault
        csrc mstatus, s2
        # MPRV does not affect fetches: M keeps running physically; MPP = M: no translation
        li t0, MSTATUS_MPP
        csrs mstatus, t0
        csrs mstatus, s2
        la t0, pageS
        ld a0, 0(t0)
        csrc mstatus, s2
        PR mprv_m_phys, a0
        csrw satp, zero
        sfence.vma
        ld ra, 0(sp)
        addi sp, sp, 16
        ret

s_main: mv s11, ra
        li s0, VBASE
        li s3, VBASE + 0x1000
        li s4, VBASE + 0x4000
        ld a0, 0(s0)
        PR s_pageS, a0
        ld a0, 0(s3)         # U page, SUM = 0: fault
        li t0, MSTATUS_SUM
        csrs sstatus, t0
        ld a0, 0(s3)
        PR s_pageU_sum, a0
        sd a0, 8(s3)
        li t0, 0x3000
        add t1, s0, t0
        jalr ra, 0(t1)          # execute a U page from S: fault even with SUM
        li t0, MSTATUS_SUM
        csrc sstatus, t0
        # MXR
        li t0, 0x2000
        add s1, s0, t0
        lw a0, 0(s1)            # execute-only: fault
        li t0, MSTATUS_MXR
        csrs sstatus, t0
        lw a0, 0(s1)
        PR s_mxr, a0
        sw a0, 0(s1)            # MXR does not make it writable
        li t0, MSTATUS_MXR
        csrc sstatus, t0
        li a0, 0
        jalr ra, 0(s1)
        PR s_exec, a0
        mv ra, s11
        RET_M

        # runs at the U alias: sp must move there too; prints through ecalls
u_main: li t0, UOFF
        add sp, sp, t0
        mv s11, ra
        li s0, VBASE
        li s3, VBASE + 0x1000
        li s4, VBASE + 0x4000
        ld a0, 0(s3)
        UPR a0
        ld a0, 0(s0)            # S page from U: fault
        sd a0, 0(s0)
        sd a0, 0(s4)        # U read-only
        li t0, 0x3000
        add s1, s0, t0
        li a0, 0
        jalr ra, 0(s1)          # U execute-only page: runs
        UPR a0
        lw a0, 0(s1)            # not readable (MXR is clear)
        li t0, 0x2000
        add s1, s0, t0
        jalr ra, 0(s1)          # S execute-only page from U: fault
        li t0, 0x80000000       # identity RAM mapping is S-only
        ld a0, 0(t0)
        li t0, UOFF
        sub sp, sp, t0
        mv ra, s11
        RET_M
