package dev.jemu.devices.arm.gic;

import dev.jemu.core.irq.IrqLine;
import dev.jemu.core.state.Stateful;

/**
 * An Arm Generic Interrupt Controller as a board wires it, whatever its version ({@code GicV2}, {@code GicV3}):
 * devices get input lines by interrupt ID, each CPU's IRQ and FIQ inputs are the outputs. The MMIO windows
 * (distributor, CPU interface or redistributors) are version specific and mapped by the board from its table;
 * GICv3's CPU interface is system registers, reached from the CPU through {@code ArmCpu.setSysRegDevice}.
 */
public interface Gic extends Stateful {
    /** A shared peripheral interrupt input, {@code intid} 32..(32 + spis - 1) (level sensitive or edge as configured). */
    IrqLine spi(int intid);

    /** A private peripheral interrupt input of CPU {@code cpu}, {@code intid} 16..31 (the timers: 26, 27, 29, 30). */
    IrqLine ppi(int cpu, int intid);

    /** Connects CPU {@code cpu}'s interrupt inputs: the GIC drives them as levels. */
    void attachCpu(int cpu, IrqLine irq, IrqLine fiq);

    /** 2 or 3. */
    int version();
}
