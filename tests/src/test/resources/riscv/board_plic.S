# The virt board's PLIC with the UART's THRE interrupt (source 10): priority WARL bits, the pending
# bit, threshold masking, a machine external interrupt (mcause 1<<63|11) claimed and completed in
# context 0, and a supervisor external interrupt (scause 1<<63|9) through context 1 in S-mode.
        .include "common.inc"
        .equ PLIC, 0xc000000
        .equ PRIO10, PLIC + 4 * 10
        .equ PENDING, PLIC + 0x1000
        .equ ENABLE0, PLIC + 0x2000
        .equ ENABLE1, PLIC + 0x2080
        .equ THRESH0, PLIC + 0x200000
        .equ CLAIM0, PLIC + 0x200004
        .equ THRESH1, PLIC + 0x201000
        .equ CLAIM1, PLIC + 0x201004
        .equ IRQ_UART, 10
        .text
        .macro UART_IRQ on:req         # THRE interrupt on/off (THR is idle after our prints)
        li t0, UART_BASE
1:      lbu t1, 5(t0)
        andi t1, t1, 0x40
        beqz t1, 1b
        li t1, \on * 2
        sb t1, 1(t0)
        .endm

        # irq_hook: machine external interrupt: silence the UART, claim, complete; nothing is
        # printed until the UART interrupt is off (a print would re-raise THRE)
m_ext:  li t2, UART_BASE
        sb zero, 1(t2)
        li t0, CLAIM0
        lw t1, 0(t0)
        sw t1, 0(t0)
        la t2, seen
        sd a0, 0(t2)
        sd t1, 8(t2)
        ld t0, 16(t2)
        addi t0, t0, 1
        sd t0, 16(t2)
        ret

        .macro SHOW_SEEN
        la t2, seen
        ld a0, 0(t2)
        PR cause, a0
        ld a0, 8(t2)
        PR claim, a0
        ld a0, 16(t2)
        PR count, a0
        sd zero, 16(t2)
        .endm
        .data
        .align 3
seen:   .dword 0, 0, 0
        .text
main:
        addi sp, sp, -16
        sd ra, 0(sp)
        la t0, m_ext
        la t1, irq_hook
        sd t0, 0(t1)
        csrw mie, zero
        li s0, PRIO10
        li t0, -1
        sw t0, 0(s0)
        lw a0, 0(s0)
        PR prio_ones, a0
        li t0, 1
        sw t0, 0(s0)
        li t0, 1 << IRQ_UART
        li t1, ENABLE0
        sw t0, 0(t1)
        lw a0, 0(t1)
        PR enable0, a0
        li t1, THRESH0
        li t0, 1
        sw t0, 0(t1)
        UART_IRQ 1
        li t1, PENDING
        lw s1, 0(t1)
        csrr s2, mip
        li t1, THRESH0
        sw zero, 0(t1)
        csrr s3, mip
        li t0, 1 << 11
        csrs mie, t0
        csrsi mstatus, MSTATUS_MIE
        nop
        csrci mstatus, MSTATUS_MIE
        csrw mie, zero
        PR pending, s1
        li t0, 1 << 11
        and s2, s2, t0
        PR meip_thresh1, s2
        and s3, s3, t0
        PR meip_thresh0, s3
        SHOW_SEEN
        li t1, PENDING
        lw a0, 0(t1)
        PR pending_after, a0
        # a claim with nothing pending returns 0
        li t0, CLAIM0
        lw a0, 0(t0)
        PR empty_claim, a0
        # context 1 (S): SEIP delegated
        li t1, ENABLE0
        sw zero, 0(t1)
        li t0, 1 << IRQ_UART
        li t1, ENABLE1
        sw t0, 0(t1)
        li t1, THRESH1
        sw zero, 0(t1)
        li t0, 1 << 9
        csrw mideleg, t0
        csrs mie, t0
        la t0, s_ext
        csrw stvec, t0
        la a0, s_part
        li a1, 1
        call run_in_mode
        csrw mideleg, zero
        csrw mie, zero
        li t1, ENABLE1
        sw zero, 0(t1)
        ld ra, 0(sp)
        addi sp, sp, 16
        ret

s_part: UART_IRQ 1
        csrr s1, sip
        li t0, 1 << 9
        csrs sie, t0
        csrsi sstatus, MSTATUS_SIE
        nop
        csrci sstatus, MSTATUS_SIE
        csrr s2, sip
        andi s1, s1, 1 << 9
        PR s_seip, s1
        andi s2, s2, 1 << 9
        PR s_seip_after, s2
        SHOW_SEEN
        RET_M

        .align 2
s_ext:  csrrw sp, sscratch, sp
        addi sp, sp, -32
        sd t0, 0(sp)
        sd t1, 8(sp)
        sd t2, 16(sp)
        li t2, UART_BASE
        sb zero, 1(t2)
        li t0, CLAIM1
        lw t1, 0(t0)
        sw t1, 0(t0)
        la t2, seen
        csrr t0, scause
        sd t0, 0(t2)
        sd t1, 8(t2)
        ld t0, 16(t2)
        addi t0, t0, 1
        sd t0, 16(t2)
        ld t0, 0(sp)
        ld t1, 8(sp)
        ld t2, 16(sp)
        addi sp, sp, 32
        csrrw sp, sscratch, sp
        sret
