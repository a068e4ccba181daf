package dev.jemu.x86.microvm;

import dev.jemu.core.irq.IrqLine;
import dev.jemu.core.machine.Cpu;
import dev.jemu.x86.cpu.BootState;

/**
 * How the microvm board runs its CPU: "tcg" (jemu's interpreter, with the board's own PIC, IOAPIC, local APIC and
 * PIT models) or "kvm" (the host CPU through /dev/kvm, with KVM's in-kernel irqchip and PIT, as QEMU's default
 * kernel-irqchip=on). The board builds RAM, the MMIO bus and the I/O port space and its other devices the same
 * way for both; it asks the accelerator for the CPU and for the interrupt lines its devices raise.
 */
public interface Accelerator extends AutoCloseable {
    /** "tcg" or "kvm", as -accel spells it. */
    String name();

    /** The CPU the machine loop runs (created once, by the accelerator's set-up). */
    Cpu cpu();

    /** Starts the CPU in {@code state} (after reset or a boot loader's set-up). */
    void boot(BootState state);

    /** Global system interrupt {@code n}: IOAPIC input n; ISA IRQs 0-15 also reach the 8259 PICs. */
    IrqLine gsi(int n);

    // ---- the board's side (x86board): what the accelerator's own devices add to snapshots and resets

    /** The accelerator's CPU and interrupt controllers, in snapshot order (restored before the board's devices). */
    default java.util.List<dev.jemu.core.state.Stateful> state() {
        return java.util.List.of();
    }

    /** A system reset of the CPU and the accelerator's interrupt controllers and timers (before a new boot). */
    default void reset() {
    }

    @Override
    void close();
}
