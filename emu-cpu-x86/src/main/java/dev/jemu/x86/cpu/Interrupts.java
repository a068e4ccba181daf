package dev.jemu.x86.cpu;

/**
 * Exception and interrupt delivery through the IDT (real-mode IVT, protected and long mode gates, IST, error
 * codes, #DF, triple fault) (owner: the system work). Skeleton: a fault stops the CPU.
 */
public final class Interrupts {
    private final X86Cpu c;

    Interrupts(X86Cpu c) {
        this.c = c;
    }

    /** Delivers the fault recorded in c.excVector/excError/excHasError; c.rip is the faulting instruction. */
    public void exception() {
        throw new IllegalStateException("x86 exception " + c.excVector + " at " + Long.toHexString(c.rip)
                + " (delivery not implemented yet)");
    }

    /** Delivers external interrupt {@code vector} before the instruction at c.rip. */
    public void external(int vector) {
        throw new IllegalStateException("x86 interrupt " + vector + " (delivery not implemented yet)");
    }
}
