package dev.jemu.x86.cpu;

/**
 * The MSRs that belong to the board's local APIC, which the board connects with {@link Msrs#setLocalApic}:
 * IA32_TSC_DEADLINE (the timer's TSC-deadline mode) and the notice of an IA32_APIC_BASE write.
 */
public interface LocalApicMsrs {
    /** RDMSR IA32_TSC_DEADLINE: the armed deadline in TSC ticks, 0 when none (or not in TSC-deadline mode). */
    long tscDeadline();

    /**
     * WRMSR IA32_TSC_DEADLINE: arm (0 disarms) the timer for when {@link Msrs#tsc()} reaches {@code ticks}; ignored
     * outside TSC-deadline mode. {@link Msrs#nanosAtTsc} gives the guest time of a deadline.
     */
    void setTscDeadline(long ticks);

    /** IA32_APIC_BASE was written (enable bit 11, the base address); the value is already in {@link Msrs#apicBase}. */
    default void apicBaseWritten(long value) {
    }
}
