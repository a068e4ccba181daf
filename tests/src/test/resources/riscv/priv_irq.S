# Interrupts through the CLINT: msip -> mip.MSIP and a machine software interrupt (mcause 1<<63|3);
# mtimecmp/mtime -> mip.MTIP and a timer interrupt (1<<63|7); WFI waking on a pending-but-disabled
# interrupt; priority MSIP over MTIP; vectored mtvec (interrupts at base + 4*cause, exceptions at
# base); mstatus.MIE gating in M and interrupts always enabled for M while running in U; mideleg'd
# STIP set by M. Only deterministic facts are printed (never times).
        .include "common.inc"
        .data
        .align 3
nirq:   .dword 0
        .text
        # irq_hook for the default handler: a0 = mcause; silences the source
irq:    addi sp, sp, -16
        sd ra, 0(sp)
        PR irq, a0
        la t0, nirq
        ld t1, 0(t0)
        addi t1, t1, 1
        sd t1, 0(t0)
        slli a0, a0, 1
        srli a0, a0, 1
        li t0, 3
        bne a0, t0, 1f
        li t0, CLINT_MSIP
        sw zero, 0(t0)
        j 2f
1:      li t0, 7
        bne a0, t0, 2f
        li t0, CLINT_MTIMECMP
        li t1, -1
        sd t1, 0(t0)
2:      ld ra, 0(sp)
        addi sp, sp, 16
        ret

        .macro TIMER_SOON
        li t0, CLINT_MTIME
        ld t1, 0(t0)
        addi t1, t1, 200        # 20 us at 10 MHz
        li t0, CLINT_MTIMECMP
        sd t1, 0(t0)
        .endm

        .macro WAIT_MIP bit:req
1:      csrr t0, mip
        andi t0, t0, 1 << \bit
        beqz t0, 1b
        .endm

main:
        addi sp, sp, -16
        sd ra, 0(sp)
        la t0, irq
        la t1, irq_hook
        sd t0, 0(t1)
        csrw mie, zero
        li t0, CLINT_MTIMECMP
        li t1, -1
        sd t1, 0(t0)
        PRC mip_idle, mip
        # software interrupt: pending bit, then taken once enabled
        li t0, CLINT_MSIP
        li t1, 1
        sw t1, 0(t0)
        lw t2, 0(t0)
        PR msip_reg, t2
        PRC mip_msip, mip
        csrsi mie, 1 << 3
        PUTS "MIE on\n"
        csrsi mstatus, MSTATUS_MIE
        nop
        csrci mstatus, MSTATUS_MIE
        PRC mip_after_msip, mip
        # timer: MTIP follows mtime >= mtimecmp
        TIMER_SOON
        WAIT_MIP 7
        PRC mip_mtip, mip
        li t0, CLINT_MTIMECMP
        li t1, -1
        sd t1, 0(t0)
        PRC mip_mtip_cleared, mip
        # WFI with MIE = 0 wakes up on the pending-and-enabled timer, no trap taken
        li t0, 1 << 7
        csrw mie, t0
        TIMER_SOON
        wfi
        WAIT_MIP 7
        PRC mip_wfi, mip
        PUTS "take it\n"
        csrsi mstatus, MSTATUS_MIE
        nop
        csrci mstatus, MSTATUS_MIE
        # priority: MSIP and MTIP both pending -> 3 first, then 7
        TIMER_SOON
        WAIT_MIP 7
        li t0, CLINT_MSIP
        li t1, 1
        sw t1, 0(t0)
        li t0, (1 << 7) | (1 << 3)
        csrw mie, t0
        PUTS "both\n"
        csrsi mstatus, MSTATUS_MIE
        nop
        nop
        csrci mstatus, MSTATUS_MIE
        # vectored mtvec: the software interrupt enters at base + 12
        la t0, vtable
        ori t0, t0, 1
        csrw mtvec, t0
        PRC mtvec_vectored, mtvec
        li t0, CLINT_MSIP
        li t1, 1
        sw t1, 0(t0)
        csrsi mstatus, MSTATUS_MIE
        nop
        csrci mstatus, MSTATUS_MIE
        .word 0                 # exceptions still enter at base
        la t0, trap_m
        csrw mtvec, t0
        # in U, machine interrupts are enabled whatever mstatus.MIE says
        li t0, CLINT_MSIP
        li t1, 1
        sw t1, 0(t0)
        la a0, u_spin
        li a1, 0
        call run_in_mode
        # STIP written by M is visible in mip and sip when delegated
        li t0, 1 << 5
        csrw mideleg, t0
        csrw mie, zero
        csrs mip, t0
        PRC mip_stip, mip
        PRC sip_stip, sip
        csrc mip, t0
        PRC mip_stip_clear, mip
        csrw mideleg, zero
        la t0, nirq
        ld t0, 0(t0)
        PR irq_count, t0
        ld ra, 0(sp)
        addi sp, sp, 16
        ret

u_spin: nop
        nop
        UPR zero
        RET_M

        # vector table: entry 0 exceptions, entry 3 MSIP
        .align 8
        .option push
        .option norvc
vtable: j trap_m
        j vbad
        j vbad
        j vmsip
        j vbad
        j vbad
        j vbad
        j vbad
        .option pop
vbad:   PUTS "wrong vector\n"
        FAIL 2
vmsip:  csrrw sp, mscratch, sp
        addi sp, sp, -32
        sd t0, 0(sp)
        sd t1, 8(sp)
        PRC vectored_mcause, mcause
        li t0, CLINT_MSIP
        sw zero, 0(t0)
        ld t0, 0(sp)
        ld t1, 8(sp)
        addi sp, sp, 32
        csrrw sp, mscratch, sp
        mret
