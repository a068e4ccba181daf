package dev.jemu.x86.microvm;

/**
 * The board's clock rates as the CPU reports them in CPUID leaves 0x15/0x16: the invariant TSC and the core
 * crystal the local APIC timer counts. Placeholders until the CPU's CPUID owns them in one public place; the
 * board then takes them from there.
 */
final class MicrovmClocks {
    /** TSC: 2 GHz; crystal: 25 MHz (CPUID 0x15: EBX/EAX = 80/1, ECX = 25 MHz). */
    static final long TSC_HZ = 2_000_000_000L, CRYSTAL_HZ = 25_000_000L;

    private MicrovmClocks() {
    }
}
