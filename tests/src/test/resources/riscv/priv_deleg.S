# Delegation: medeleg/mideleg WARL masks, U ECALL/illegal/breakpoint delegated to S (scause, sepc,
# stval, SPP), M-mode exceptions never delegated, a non-delegated fault from U/S goes to M, a
# delegated supervisor software interrupt (mip.SSIP set by M) taken in S when SIE allows it, and a
# delegated S ECALL. The last part ends the test from S-mode.
        .include "common.inc"
        .text
main:
        la t0, trap_s
        csrw stvec, t0
        # delegate breakpoint, illegal and U ecall
        li a0, (1 << 2) | (1 << 3) | (1 << 8)
        csrw medeleg, a0
        li a0, 1 << 1
        csrw mideleg, a0
        PUTS "M illegal stays in M:\n"
        .word 0
        PUTS "U:\n"
        la a0, u_part
        li a1, 0
        call run_in_mode
        PUTS "S:\n"
        la a0, s_part
        li a1, 1
        call run_in_mode
        PUTS "S irq:\n"
        csrw mie, zero
        csrsi mie, 1 << 1
        csrsi mip, 1 << 1
        li t0, MSTATUS_SIE
        csrc mstatus, t0
        la a0, s_irq
        li a1, 1
        call run_in_mode
        csrr a0, mip
        andi a0, a0, 0x222      # the S bits (MTIP after reset is a board choice)
        PR mip_s_after, a0
        PUTS "S ecall delegated:\n"
        li a0, (1 << 2) | (1 << 3) | (1 << 8) | (1 << 9)
        csrw medeleg, a0
        la a0, s_final
        li a1, 1
        call run_in_mode
        FAIL 1

u_part: .option push
        .option norvc
        ecall
        .word 0xffffffff
        .option pop
        c.ebreak
        li t0, 0x88000000       # load access fault: not delegated, M handles it
        ld t0, 0(t0)
        RET_MF                  # U ecalls are delegated here

s_part: .word 0                 # delegated illegal, handled by S itself
        csrr a0, mstatus        # also delegated
        li t0, 0x88000000
        sd t0, 0(t0)            # store access fault: to M
        csrr a0, sstatus
        andi a0, a0, MSTATUS_SPP | MSTATUS_SPIE | MSTATUS_SIE
        PR s_sstatus, a0
        RET_M                   # S ecall, not delegated: the M service

s_irq:  csrr a0, sip
        PR s_sip, a0
        csrr a0, sie
        PR s_sie, a0
        PUTS "enable\n"
        csrsi sstatus, MSTATUS_SIE
        nop
        PUTS "after\n"
        csrr a0, sip
        PR s_sip2, a0
        csrci sstatus, MSTATUS_SIE
        RET_M

s_final: li a7, 0
        ecall
        PUTS "END\n"
        li a0, 0
        j exit
