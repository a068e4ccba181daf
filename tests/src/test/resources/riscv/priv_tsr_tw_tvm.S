# mstatus.TSR/TW/TVM: SRET, WFI, satp and SFENCE.VMA in S trap as illegal when set and work when
# clear; WFI in U is illegal; MRET in S and U, SRET in U are illegal; mtval holds the instruction.
        .include "common.inc"
        .text
main:
        addi sp, sp, -16
        sd ra, 0(sp)
        # a supervisor software interrupt pending and enabled in sie (but SIE = 0): WFI completes
        csrw mie, zero
        li t0, 1 << 1
        csrw mideleg, t0
        csrs mie, t0
        csrs mip, t0
        PUTS "clear:\n"
        li t0, MSTATUS_TSR | MSTATUS_TW | MSTATUS_TVM
        csrc mstatus, t0
        la a0, s_part
        li a1, 1
        call run_in_mode
        PUTS "set:\n"
        li t0, MSTATUS_TSR | MSTATUS_TW | MSTATUS_TVM
        csrs mstatus, t0
        la a0, s_part
        li a1, 1
        call run_in_mode
        li t0, MSTATUS_TSR | MSTATUS_TW | MSTATUS_TVM
        csrc mstatus, t0
        csrci mip, 1 << 1       # would be taken in S (stvec unset) as soon as U runs
        PUTS "U:\n"
        la a0, u_part
        li a1, 0
        call run_in_mode
        csrw mideleg, zero
        csrw mie, zero
        ld ra, 0(sp)
        addi sp, sp, 16
        ret

        .option norvc
s_part: wfi
        li a0, 0x5a
        csrr a0, satp
        PR satp, a0
        csrw satp, zero
        sfence.vma
        sfence.vma zero, zero
        # SRET: when it works it goes to sepc in SPP (S) with SIE from SPIE (kept 0)
        la t0, 1f
        csrw sepc, t0
        li t0, MSTATUS_SPP
        csrs sstatus, t0
        li t0, MSTATUS_SPIE
        csrc sstatus, t0
        sret
        PUTS "sret fell through\n"
1:      mret
        RET_M

u_part: wfi
        mret
        sret
        sfence.vma
        RET_M
