# The virt board's 16550A as Linux's 8250 driver probes it: reset values of every register, the
# scratch register, the divisor latch behind LCR.DLAB, FIFO enable seen in IIR (16550A: 0xc0 bits),
# loopback (MCR.LOOP: a byte written to THR comes back in RBR, MCR outputs show in MSR), and the
# THRE interrupt identification when IER.ETBEI is set. Values are recorded first, printed after.
        .include "common.inc"
        .data
        .align 3
rec:    .space 8 * 40
        .text
        .macro REC reg:req             # append a byte register (s1 = record cursor)
        lbu t0, \reg(s0)
        sd t0, 0(s1)
        addi s1, s1, 8
        .endm
main:
        addi sp, sp, -16
        sd ra, 0(sp)
        li s0, UART_BASE
        la s1, rec
        # 0-6: IER IIR LCR MCR LSR MSR SCR at reset (after our own prints: THR idle)
1:      lbu t0, 5(s0)
        andi t0, t0, 0x40       # wait for TEMT so LSR is stable
        beqz t0, 1b
        REC 1
        REC 2
        REC 3
        REC 4
        REC 5
        REC 6
        REC 7
        # 7-8: scratch
        li t0, 0xa5
        sb t0, 7(s0)
        REC 7
        li t0, 0x5a
        sb t0, 7(s0)
        REC 7
        # 9-11: divisor latch: DLAB on, write 0x0c/0x00 (9600 baud at 1.8432 MHz), read, DLAB off
        li t0, 0x80
        sb t0, 3(s0)
        li t0, 0x0c
        sb t0, 0(s0)
        sb zero, 1(s0)
        REC 0
        REC 1
        li t0, 0x03             # 8N1, DLAB off
        sb t0, 3(s0)
        REC 3
        # 12: FIFOs on
        li t0, 0x07
        sb t0, 2(s0)
        REC 2
        # 13-16: loopback: MCR = LOOP | OUT2 | OUT1 | RTS | DTR
        li t0, 0x1f
        sb t0, 4(s0)
        REC 6                   # MSR mirrors the outputs
        li t0, 0x55
        sb t0, 0(s0)
        li t1, 100000
2:      lbu t0, 5(s0)
        andi t0, t0, 1
        bnez t0, 3f
        addi t1, t1, -1
        bnez t1, 2b
3:      REC 5
        REC 0
        REC 5
        li t0, 0x08             # OUT2 only: normal mode again
        sb t0, 4(s0)
        # 17-19: THRE interrupt: IER.ETBEI with THR empty
4:      lbu t0, 5(s0)
        andi t0, t0, 0x40
        beqz t0, 4b
        li t0, 0x02
        sb t0, 1(s0)
        REC 2
        REC 2                   # reading IIR with THRI clears it (until the next THR write)
        sb zero, 1(s0)
        REC 2
        la s2, rec
        .set k, 0
        .irp n, ier, iir, lcr, mcr, lsr, msr, scr, scr_a5, scr_5a, dll, dlm, lcr_8n1, iir_fifo, msr_loop, lsr_loop, rbr_loop, lsr_after_rbr, iir_thri, iir_thri_reread, iir_ier0
        ld a0, 8*k(s2)
        PR \n, a0
        .set k, k + 1
        .endr
        ld ra, 0(sp)
        addi sp, sp, 16
        ret
