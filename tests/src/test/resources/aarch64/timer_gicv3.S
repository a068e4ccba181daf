// machine: virt,gic-version=3
// The virtual timer interrupt through a GICv3 (`-M virt,gic-version=3`, the `machine:` line above): the
// distributor with affinity routing, the redistributor woken (GICR_WAKER), PPI 27 in group 1 enabled in the
// redistributor's SGI frame, and the CPU interface through system registers (ICC_SRE_EL1, ICC_PMR_EL1,
// ICC_IGRPEN1_EL1, ICC_IAR1_EL1, ICC_EOIR1_EL1, ICC_RPR_EL1); an SGI to self by ICC_SGI1R_EL1 as well.
// Only deterministic things are printed (no counter values).
        .include "common.inc"
        .equ GICR_BASE, 0x080a0000
        .equ GICR_SGI, GICR_BASE + 0x10000
        .equ GICD_CTLR, 0x000
        .equ GICD_TYPER, 0x004
        .equ GICR_WAKER, 0x014
        .equ GICR_IGROUPR0, 0x080
        .equ GICR_ISENABLER0, 0x100
        .equ GICR_ISPENDR0, 0x200
        .equ GICR_IPRIORITYR, 0x400
        .data
        .balign 8
irqs:   .dword 0
last:   .dword 0
        .text
        .global main
main:
        str x30, [sp, #-16]!
        mrs x0, id_aa64pfr0_el1
        ubfx x0, x0, #24, #4            // GIC field: 1 = system register interface
        PR pfr0.gic, x0
        mov x0, #1
        msr icc_sre_el1, x0
        isb
        mrs x0, icc_sre_el1
        and x0, x0, #1
        PR icc_sre.sre, x0
        // distributor: affinity routing, group 1 enabled
        mov x10, #GICD_BASE
        ldr w0, [x10, #GICD_TYPER]
        ubfx w0, w0, #0, #5             // ITLinesNumber
        PR gicd.typer.itlines, x0
        mov w0, #((1 << 4) | (1 << 1) | 1)   // ARE, EnableGrp1, EnableGrp0 (security disabled)
        str w0, [x10, #GICD_CTLR]
        // redistributor: wake it up
        movz x11, #(GICR_BASE >> 16), lsl #16
        ldr w0, [x11, #GICR_WAKER]
        and w0, w0, #~2                 // ProcessorSleep = 0
        str w0, [x11, #GICR_WAKER]
1:      ldr w0, [x11, #GICR_WAKER]
        tbnz w0, #2, 1b                 // ChildrenAsleep
        PR gicr.waker, x0
        movz x12, #(GICR_SGI >> 16), lsl #16
        movz w0, #(1 << 11), lsl #16    // PPI 27 and SGI 0 in group 1
        movk w0, #1
        str w0, [x12, #GICR_IGROUPR0]
        mov w0, #0xa0
        strb w0, [x12, #(GICR_IPRIORITYR + 27)]
        mov w0, #0x80
        strb w0, [x12, #GICR_IPRIORITYR]
        movz w0, #(1 << 11), lsl #16
        movk w0, #1
        str w0, [x12, #GICR_ISENABLER0]
        ldr w0, [x12, #GICR_ISENABLER0]
        PR gicr.isenabler0, x0
        ldr w0, [x12, #(GICR_IPRIORITYR + 24)]
        PR gicr.ipriority24_27, x0
        // CPU interface
        mov x0, #0xf0
        msr icc_pmr_el1, x0
        mov x0, #1
        msr icc_igrpen1_el1, x0
        isb
        PRS icc_pmr, icc_pmr_el1
        PRS icc_igrpen1, icc_igrpen1_el1
        PRS icc_rpr.idle, icc_rpr_el1
        adr x0, on_irq
        adrp x1, irq_hook
        str x0, [x1, :lo12:irq_hook]
        // SGI 0 to this CPU (target list bit 0, affinity 0)
        mov x0, #1
        msr icc_sgi1r_el1, x0
        isb
        bl wait_irq
        PR sgi.count, x1
        adrp x1, last
        ldr x1, [x1, :lo12:last]
        PR sgi.intid, x1
        // the virtual timer interrupt: fires 100 us from now
        mov x0, #6250
        msr cntv_tval_el0, x0
        mov x0, #1
        msr cntv_ctl_el0, x0
        isb
        bl wait_irq
        PR timer.count, x1
        adrp x1, last
        ldr x1, [x1, :lo12:last]
        PR timer.intid, x1
        PRS cntv_ctl.after, cntv_ctl_el0
        PRS icc_rpr.after, icc_rpr_el1
        mrs x0, icc_iar1_el1
        PR icc_iar1.idle, x0
        ldr w0, [x12, #GICR_ISPENDR0]
        PR gicr.ispendr0.after, x0
        ldr x30, [sp], #16
        ret

        // wait_irq: unmasks IRQs until the count in `irqs` grows (bounded), returns it in x1
wait_irq:
        adrp x2, irqs
        ldr x3, [x2, :lo12:irqs]
        msr daifclr, #2
        movz x5, #0x4000, lsl #16       // a bound: a lost interrupt ends the wait instead of hanging
1:      ldr x1, [x2, :lo12:irqs]
        cmp x1, x3
        b.ne 2f
        wfi
        subs x5, x5, #1
        b.ne 1b
2:      msr daifset, #2
        ret

        // IRQ hook: acknowledge, report, silence the timer, end the interrupt
on_irq:
        mrs x4, icc_iar1_el1
        PR irq.iar1, x4
        PRS irq.rpr, icc_rpr_el1
        mrs x0, isr_el1
        PR irq.isr_el1, x0
        mov x0, #3                      // IMASK: the timer's line drops
        msr cntv_ctl_el0, x0
        isb
        msr icc_eoir1_el1, x4
        adrp x1, last
        str x4, [x1, :lo12:last]
        adrp x1, irqs
        ldr x0, [x1, :lo12:irqs]
        add x0, x0, #1
        str x0, [x1, :lo12:irqs]
        mrs x0, spsr_el1
        and x0, x0, #0x3ff
        PR irq.spsr, x0
        ret
