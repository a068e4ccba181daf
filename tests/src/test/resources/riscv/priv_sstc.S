# Sstc: stimecmp (0x14d) access rules (menvcfg.STCE and mcounteren.TM gate S-mode), STIP following
# time >= stimecmp, a delegated supervisor timer interrupt (scause 1<<63|5) taken in S after WFI,
# and mip.STIP no longer writable by M while STCE is set. Times themselves are never printed.
        .include "common.inc"
        .equ STIMECMP, 0x14d
        .equ STCE, 1 << 63
        .text
main:
        addi sp, sp, -16
        sd ra, 0(sp)
        la t0, s_timer
        csrw stvec, t0
        csrw mie, zero
        li t0, 1 << 5
        csrw mideleg, t0
        PUTS "STCE=0:\n"
        li t0, STCE
        csrc menvcfg, t0
        li t0, 2                # mcounteren.TM
        csrw mcounteren, t0
        la a0, s_access
        li a1, 1
        call run_in_mode
        PUTS "STCE=1, TM=0:\n"
        li t0, STCE
        csrs menvcfg, t0
        csrw mcounteren, zero
        la a0, s_access
        li a1, 1
        call run_in_mode
        PUTS "STCE=1, TM=1:\n"
        li t0, 2
        csrw mcounteren, t0
        li t0, -1
        csrw STIMECMP, t0
        li t0, 1 << 5
        csrs mip, t0            # ignored while STCE = 1
        csrr a0, mip
        andi a0, a0, 1 << 5
        PR mip_stip_written, a0
        la a0, s_timer_test
        li a1, 1
        call run_in_mode
        li t0, -1
        csrw STIMECMP, t0
        csrw mideleg, zero
        csrw mie, zero
        ld ra, 0(sp)
        addi sp, sp, 16
        ret

s_access:
        csrr a0, STIMECMP
        li a0, -1
        csrw STIMECMP, a0
        RET_M

s_timer_test:
        mv s11, ra
        # polled: STIP rises once time passes stimecmp
        rdtime t0
        addi t0, t0, 500
        csrw STIMECMP, t0
1:      csrr t1, sip
        andi t1, t1, 1 << 5
        beqz t1, 1b
        PR sip_stip, t1
        li t0, -1
        csrw STIMECMP, t0
        csrr t1, sip
        andi t1, t1, 1 << 5
        PR sip_stip_cleared, t1
        # interrupt: enabled in sie; WFI with sstatus.SIE clear wakes on the pending STIP without taking it
        # (no race between arming and sleeping, however slow the hart), then setting SIE takes it here
        li t0, 1 << 5
        csrs sie, t0
        rdtime t0
        addi t0, t0, 500
        csrw STIMECMP, t0
2:      wfi
        csrr t1, sip
        andi t1, t1, 1 << 5
        beqz t1, 2b
        csrsi sstatus, MSTATUS_SIE
        nop
        csrci sstatus, MSTATUS_SIE
        la t0, ticks
        ld t0, 0(t0)
        PR ticks, t0
        li t0, 1 << 5
        csrc sie, t0
        mv ra, s11
        RET_M

        .align 2
s_timer:
        csrrw sp, sscratch, sp
        addi sp, sp, -32
        sd t0, 0(sp)
        sd t1, 8(sp)
        PRC s_timer_scause, scause
        li t0, -1
        csrw STIMECMP, t0
        la t0, ticks
        ld t1, 0(t0)
        addi t1, t1, 1
        sd t1, 0(t0)
        ld t0, 0(sp)
        ld t1, 8(sp)
        addi sp, sp, 32
        csrrw sp, sscratch, sp
        sret

        .data
        .align 3
ticks:  .dword 0
