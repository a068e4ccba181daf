package dev.jemu.x86.cpu;

/**
 * The x86 clock rates, in one place: the time-stamp counter (RDTSC, the board's TSC {@code Timebase}), the core
 * crystal that the local APIC timer counts (before its divide configuration) and CPUID leaves 0x15/0x16 report,
 * so that Linux knows tsc_khz and its LAPIC timer period without calibrating (native_calibrate_tsc).
 */
public final class X86Clocks {
    /** The core crystal clock (CPUID 0x15 ECX); the local APIC timer's input clock. */
    public static final long CRYSTAL_HZ = 25_000_000L;
    /** TSC / crystal = NUMERATOR / DENOMINATOR (CPUID 0x15 EBX / EAX). */
    public static final int TSC_RATIO_NUMERATOR = 80, TSC_RATIO_DENOMINATOR = 1;
    /** The TSC rate: 2 GHz, invariant (CPUID 0x80000007 EDX bit 8). */
    public static final long TSC_HZ = CRYSTAL_HZ * TSC_RATIO_NUMERATOR / TSC_RATIO_DENOMINATOR;
    /** The local APIC timer's clock before its divider (the crystal, as the SDM says when leaf 0x15 enumerates it). */
    public static final long LAPIC_TIMER_HZ = CRYSTAL_HZ;
    /** The bus (reference) clock CPUID 0x16 ECX reports; MSR_PLATFORM_INFO's ratio is TSC_HZ / BUS_HZ. */
    public static final long BUS_HZ = 100_000_000L;
    /**
     * Whether the board's local APIC implements the TSC-deadline timer mode (IA32_TSC_DEADLINE through
     * {@link InterruptSource#setTscDeadline}); CPUID.1:ECX[24] says so.
     */
    public static final boolean LAPIC_TSC_DEADLINE = true;

    private X86Clocks() {
    }
}
