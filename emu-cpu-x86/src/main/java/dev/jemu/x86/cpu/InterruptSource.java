package dev.jemu.x86.cpu;

/** What the CPU's INTR input comes from: the local APIC (or, with it disabled, the 8259 PIC through LINT0). */
public interface InterruptSource {
    /** Whether a maskable interrupt is waiting to be taken (the CPU checks RFLAGS.IF itself). */
    boolean hasInterrupt();

    /** The interrupt acknowledge cycle: the vector to take now (the source marks it in service). */
    int acknowledge();

    // ---- the local APIC's MSR-mapped timer (x86board): what RDMSR/WRMSR of IA32_TSC_DEADLINE (0x6e0) reach

    /** IA32_TSC_DEADLINE as RDMSR reads it (0 when none is armed, or without a local APIC). */
    default long tscDeadline() {
        return 0;
    }

    /** WRMSR IA32_TSC_DEADLINE: arms the APIC timer at that TSC value in TSC-deadline mode (0 disarms). */
    default void setTscDeadline(long value) {
    }
}
