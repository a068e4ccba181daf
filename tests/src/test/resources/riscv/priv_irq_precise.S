# Where a pending interrupt is taken once it becomes enabled: right after the CSR write that enables
# it (csrsi mstatus, csrw mie, csrs sie), at the target of an MRET/SRET into a mode where it is
# enabled, and never in the middle of a sequence while disabled. mepc/sepc are printed relative to
# labels. The pending source is msip (machine) or mip.SSIP (supervisor), set while disabled.
        .include "common.inc"
        .data
        .align 3
epc:    .dword 0
        .text
        # irq_hook: record mepc, silence msip
irq:    csrr t0, mepc
        la t1, epc
        sd t0, 0(t1)
        li t0, CLINT_MSIP
        sw zero, 0(t0)
        ret

        .macro MSIP_ON
        li t0, CLINT_MSIP
        li t1, 1
        sw t1, 0(t0)
1:      csrr t0, mip
        andi t0, t0, 1 << 3
        beqz t0, 1b
        .endm

        .macro SHOW tag:req, label:req
        la t0, epc
        ld a0, 0(t0)
        la t1, \label
        sub a0, a0, t1
        PR \tag, a0
        sd zero, 0(t0)
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
        # 1. enable by mstatus.MIE
        csrsi mie, 1 << 3
        MSIP_ON
        .option push
        .option norvc
        csrsi mstatus, MSTATUS_MIE
l1:     addi a0, a0, 1
        addi a0, a0, 1
        .option pop
        csrci mstatus, MSTATUS_MIE
        SHOW after_mstatus, l1
        # 2. enable by mie with MIE already set
        csrw mie, zero
        MSIP_ON
        csrsi mstatus, MSTATUS_MIE
        .option push
        .option norvc
        nop
        nop
        csrsi mie, 1 << 3
l2:     nop
        nop
        .option pop
        csrci mstatus, MSTATUS_MIE
        SHOW after_mie, l2
        # 3. MRET to S with a machine interrupt pending: taken at the target
        MSIP_ON
        la t0, l3
        csrw mepc, t0
        li t0, MSTATUS_MPP
        csrc mstatus, t0
        li t0, 1 << 11
        csrs mstatus, t0
        li t0, MSTATUS_MPIE
        csrc mstatus, t0
        mret
        .option push
        .option norvc
l3:     nop
        nop
        .option pop
        TOMMODE
        SHOW mret_to_s, l3
        # 4. supervisor software interrupt delegated to S, enabled by csrs sie inside S
        la t0, s_handler
        csrw stvec, t0
        li t0, 1 << 1
        csrw mideleg, t0
        csrw mie, zero
        csrs mip, t0
        la a0, s_part
        li a1, 1
        call run_in_mode
        csrw mideleg, zero
        csrw mie, zero
        ld ra, 0(sp)
        addi sp, sp, 16
        ret

s_part: csrsi sstatus, MSTATUS_SIE
        .option push
        .option norvc
        nop
        li t0, 1 << 1
        csrs sie, t0
l4:     nop
        nop
        .option pop
        csrci sstatus, MSTATUS_SIE
        la t0, sepc_seen
        ld a0, 0(t0)
        la t1, l4
        sub a0, a0, t1
        PR after_sie, a0
        # 5. SRET to U with SIE irrelevant: S interrupts are always enabled in U
        csrsi sip, 1 << 1
        la t0, l5
        csrw sepc, t0
        li t0, MSTATUS_SPP
        csrc sstatus, t0
        sret
        .option push
        .option norvc
l5:     nop
        nop
        .option pop
        RET_M

        .align 2
s_handler:
        csrrw sp, sscratch, sp
        addi sp, sp, -16
        sd t0, 0(sp)
        sd t1, 8(sp)
        csrr t0, sepc
        la t1, sepc_seen
        sd t0, 0(t1)
        csrci sip, 1 << 1
        csrr t0, sstatus        # back in U? print from S before returning there
        andi t0, t0, MSTATUS_SPP
        bnez t0, 1f
        la t1, sepc_seen
        ld t0, 0(t1)
        la t1, l5
        sub t0, t0, t1
        PR sret_to_u, t0
1:      ld t0, 0(sp)
        ld t1, 8(sp)
        addi sp, sp, 16
        csrrw sp, sscratch, sp
        sret

        .data
        .align 3
sepc_seen: .dword 0
        .text
