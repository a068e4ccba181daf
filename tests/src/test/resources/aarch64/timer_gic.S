// The generic timer and the GICv2: CNTFRQ (62.5 MHz), counters that advance, the virtual and physical
// timers' compare values and status bits with and without IMASK, the pending state in the distributor, and
// the virtual timer interrupt (PPI 27) delivered through the GIC to the IRQ vector: IAR, EOIR, and the
// timer's control as seen by the handler. Only deterministic things are printed (no counter values).
        .include "common.inc"
        .equ GICD_CTLR, 0x000
        .equ GICD_TYPER, 0x004
        .equ GICD_ISENABLER0, 0x100
        .equ GICD_ISPENDR0, 0x200
        .equ GICD_IPRIORITYR, 0x400
        .equ GICC_CTLR, 0x00
        .equ GICC_PMR, 0x04
        .equ GICC_IAR, 0x0c
        .equ GICC_EOIR, 0x10
        .equ GICC_RPR, 0x14
        .data
        .balign 8
irqs:   .dword 0
        .text
        .global main
main:
        str x30, [sp, #-16]!
        PRS cntfrq, cntfrq_el0
        mrs x0, cntvct_el0
        mov x1, #2000
1:      subs x1, x1, #1
        b.ne 1b
        isb
        mrs x1, cntvct_el0
        cmp x1, x0
        cset x2, hi
        PR cntvct.advances, x2
        mrs x0, cntpct_el0
        isb
        mrs x1, cntpct_el0
        cmp x1, x0
        cset x2, hs
        PR cntpct.monotonic, x2
        PRS cntv_ctl.reset, cntv_ctl_el0
        // virtual timer, masked: the status bit rises when the counter passes the compare value
        mrs x0, cntvct_el0
        add x0, x0, #625                // 10 us
        msr cntv_cval_el0, x0
        mov x0, #3                      // ENABLE | IMASK
        msr cntv_ctl_el0, x0
        isb
2:      mrs x0, cntv_ctl_el0
        tbz x0, #2, 2b
        PR cntv_ctl.fired.masked, x0
        mrs x3, cntv_tval_el0
        sxtw x3, w3
        cmp x3, #0
        cset x2, le
        PR tval.nonpositive.after, x2
        // disabled: ISTATUS reads 0
        msr cntv_ctl_el0, xzr
        isb
        PRS cntv_ctl.disabled, cntv_ctl_el0
        // physical timer with a compare value in the past
        msr cntp_cval_el0, xzr
        mov x0, #1
        msr cntp_ctl_el0, x0
        isb
        PRS cntp_ctl.past, cntp_ctl_el0
        mov x0, #3
        msr cntp_ctl_el0, x0
        // GICv2: distributor and CPU interface on, PPI 27 enabled at priority 0xa0
        mov x10, #GICD_BASE
        mov x11, #GICC_BASE
        ldr w0, [x10, #GICD_TYPER]
        PR gicd.typer, x0
        mov w0, #1
        str w0, [x10, #GICD_CTLR]
        mov w0, #(1 << 27)
        str w0, [x10, #GICD_ISENABLER0]
        ldr w0, [x10, #GICD_ISENABLER0]
        PR gicd.isenabler0, x0
        mov w0, #0xa0
        strb w0, [x10, #(GICD_IPRIORITYR + 27)]
        ldr w0, [x10, #(GICD_IPRIORITYR + 24)]
        PR gicd.ipriority24_27, x0
        mov w0, #0xf0
        str w0, [x11, #GICC_PMR]
        mov w0, #1
        str w0, [x11, #GICC_CTLR]
        ldr w0, [x11, #GICC_PMR]
        PR gicc.pmr, x0
        // the physical timer's line is high but masked by IMASK: nothing pending for PPI 30
        ldr w0, [x10, #GICD_ISPENDR0]
        movz w1, #0x4800, lsl #16       // bits 27 and 30
        and w0, w0, w1
        PR gicd.ispendr0.before, x0
        // the virtual timer interrupt: fires 100 us from now, taken at the IRQ vector
        adr x0, on_irq
        adrp x1, irq_hook
        str x0, [x1, :lo12:irq_hook]
        mov x0, #6250
        msr cntv_tval_el0, x0
        mov x0, #1
        msr cntv_ctl_el0, x0
        isb
        msr daifclr, #2
        movz x5, #0x4000, lsl #16       // a bound: a lost interrupt ends the wait instead of hanging
3:      adrp x1, irqs
        ldr x1, [x1, :lo12:irqs]
        cbnz x1, 4f
        wfi
        subs x5, x5, #1
        b.ne 3b
4:      msr daifset, #2
        PR irq.count, x1
        PRS cntv_ctl.after, cntv_ctl_el0
        ldr w0, [x11, #GICC_RPR]
        PR gicc.rpr.idle, x0
        ldr w0, [x11, #GICC_IAR]
        PR gicc.iar.idle, x0
        ldr x30, [sp], #16
        ret

        // IRQ hook: acknowledge, report, silence the timer, end the interrupt
on_irq:
        mov x10, #GICC_BASE
        ldr w4, [x10, #GICC_IAR]
        PR irq.iar, x4
        ldr w0, [x10, #GICC_RPR]
        PR irq.rpr, x0
        PRS irq.cntv_ctl, cntv_ctl_el0
        mrs x0, isr_el1
        PR irq.isr_el1, x0
        mov x0, #3                      // IMASK: the line drops
        msr cntv_ctl_el0, x0
        isb
        str w4, [x10, #GICC_EOIR]
        adrp x1, irqs
        ldr x0, [x1, :lo12:irqs]
        add x0, x0, #1
        str x0, [x1, :lo12:irqs]
        mrs x0, spsr_el1
        and x0, x0, #0x3ff              // mode and DAIF (the flags depend on where the interrupt hit)
        PR irq.spsr, x0
        ret
