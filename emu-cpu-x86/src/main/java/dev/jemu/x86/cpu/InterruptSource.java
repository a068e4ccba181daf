package dev.jemu.x86.cpu;

/** What the CPU's INTR input comes from: the local APIC (or, with it disabled, the 8259 PIC through LINT0). */
public interface InterruptSource {
    /** Whether a maskable interrupt is waiting to be taken (the CPU checks RFLAGS.IF itself). */
    boolean hasInterrupt();

    /** The interrupt acknowledge cycle: the vector to take now (the source marks it in service). */
    int acknowledge();
}
