package dev.jemu.arm.cpu;

/**
 * Taking exceptions: synchronous ones raised by ops (the syndrome is in the {@link ArmCpu} exc* fields),
 * IRQ/FIQ from the interrupt controller, the vector table, SPSR/ELR/ESR/FAR, and the return (ERET).
 * Placeholder: the exception work fills it in.
 */
public final class Exceptions {
    private final ArmCpu c;

    Exceptions(ArmCpu c) {
        this.c = c;
    }

    /** Whether an unmasked IRQ or FIQ is pending (checked by the run loop between blocks). */
    boolean interruptPending() {
        return false;
    }

    void takeInterrupt() {
    }

    /** Takes the synchronous exception whose syndrome the exc* fields hold. */
    void takeSync() {
        c.halted = true;
    }
}
