package dev.jemu.arm.cpu;

import dev.jemu.core.irq.IrqLine;

/**
 * The generic timer of one CPU: CNTPCT/CNTVCT from the board's {@code Timebase}, the EL1 physical and virtual
 * timers (CVAL/TVAL/CTL) as virtual-clock {@code Timer}s driving level outputs. Placeholder: the timer work
 * fills it in.
 */
public final class GenericTimer {
    private final ArmCpu c;
    IrqLine physical = IrqLine.NONE, virtual = IrqLine.NONE, hypervisor = IrqLine.NONE, secure = IrqLine.NONE;

    GenericTimer(ArmCpu c) {
        this.c = c;
    }

    void connect(IrqLine physical, IrqLine virtual, IrqLine hypervisor, IrqLine secure) {
        this.physical = physical;
        this.virtual = virtual;
        this.hypervisor = hypervisor;
        this.secure = secure;
    }
}
