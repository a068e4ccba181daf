# Trap entry and return: ECALL from M, S and U (mcause 11/9/8), mstatus MIE/MPIE/MPP/SIE/SPIE/SPP
# at trap time and after MRET/SRET (MPP -> U after MRET), SRET executed in M, EBREAK, a trap from S
# with nothing delegated lands in M.
        .include "common.inc"
        .equ STMASK, MSTATUS_MIE | MSTATUS_MPIE | MSTATUS_MPP | MSTATUS_SIE | MSTATUS_SPIE | MSTATUS_SPP
        .data
        .align 3
rec:    .dword 0, 0, 0, 0
        .text
        # recording handler: keeps mstatus (masked), mcause, mepc and mtval, resumes after the
        # instruction (always 4 bytes here) in M-mode; clobbers t5, t6 only
        .align 2
rec_trap:
        la t6, rec
        csrr t5, mstatus
        sd t5, 0(t6)
        csrr t5, mcause
        sd t5, 8(t6)
        csrr t5, mepc
        sd t5, 16(t6)
        csrr t5, mtval
        sd t5, 24(t6)
        addi t5, t5, 0
        csrr t5, mepc
        addi t5, t5, 4
        csrw mepc, t5
        li t5, MSTATUS_MPP      # continue in M
        csrs mstatus, t5
        mret

        .macro SHOWREC tag:req, tval=1
        la t6, rec
        ld a0, 0(t6)
        li a1, STMASK
        and a0, a0, a1
        PR \tag\()_mstatus, a0
        ld a0, 8(t6)
        PR \tag\()_mcause, a0
        ld a0, 16(t6)
        la a1, main
        sub a0, a0, a1
        PR \tag\()_mepc_off, a0
        .if \tval
        ld a0, 24(t6)
        PR \tag\()_mtval, a0
        .endif
        .endm

main:
        addi sp, sp, -16
        sd ra, 0(sp)
        la t0, rec_trap
        csrw mtvec, t0
        # 1. ECALL from M with MIE = 1 (no interrupt enabled in mie)
        csrw mie, zero
        li t0, STMASK
        csrc mstatus, t0
        csrsi mstatus, MSTATUS_MIE
        .option push
        .option norvc
        ecall
        SHOWREC m_ecall
        csrr a0, mstatus
        li a1, STMASK
        and a0, a0, a1
        PR m_after_mret, a0
        # 2. MRET to S (MPIE = 0), ECALL from S
        li t0, STMASK
        csrc mstatus, t0
        li t0, 1 << 11
        csrs mstatus, t0
        la t0, 1f
        csrw mepc, t0
        mret
1:      ecall
        SHOWREC s_ecall
        csrr a0, mstatus
        li a1, STMASK
        and a0, a0, a1
        PR s_after, a0
        # 3. MRET to U with MPIE = 1, ECALL from U
        li t0, STMASK
        csrc mstatus, t0
        csrsi mstatus, MSTATUS_SIE
        li t0, MSTATUS_MPIE
        csrs mstatus, t0
        la t0, 2f
        csrw mepc, t0
        mret
2:      ecall
        SHOWREC u_ecall
        # 4. SRET from M: goes to SPP with SIE = SPIE, SPIE = 1, SPP = U
        li t0, STMASK
        csrc mstatus, t0
        li t0, MSTATUS_SPP | MSTATUS_SPIE
        csrs mstatus, t0
        la t0, 3f
        csrw sepc, t0
        sret
3:      csrr a0, sstatus
        li a1, STMASK
        and a0, a0, a1
        PR sret_to_s_sstatus, a0
        # 5. in S: SRET to U (SPP = 0), then ECALL
        la t0, 4f
        csrw sepc, t0
        li t0, MSTATUS_SPP
        csrc sstatus, t0
        sret
4:      ecall
        SHOWREC sret_u_ecall
        # 6. EBREAK (mtval) and C.EBREAK, in M
        ebreak
        SHOWREC ebreak, 0       # mtval of a breakpoint: implementation choice (csr_warl)
        .option pop
        # 7. an illegal instruction in S with medeleg = 0 goes to M
        csrw medeleg, zero
        li t0, MSTATUS_MPP
        csrc mstatus, t0
        li t0, 1 << 11
        csrs mstatus, t0
        la t0, 5f
        csrw mepc, t0
        mret
        .option push
        .option norvc
5:      csrr a0, mstatus
        .option pop
        SHOWREC s_illegal
        # (mepc/sepc bit 0 is left out: QEMU 7.2 keeps it on write and only masks it on xRET)
        la t0, trap_m
        csrw mtvec, t0
        ld ra, 0(sp)
        addi sp, sp, 16
        ret
