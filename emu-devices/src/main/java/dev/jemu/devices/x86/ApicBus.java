package dev.jemu.devices.x86;

/**
 * Where interrupt messages go: the IOAPIC's redirection entries (and, later, MSIs) are delivered to the local
 * APIC(s) that match their destination. A level-triggered message stays in service until the local APIC's EOI
 * broadcast reaches the IOAPIC (see {@link IoApic#eoi}).
 */
@FunctionalInterface
public interface ApicBus {
    /** Delivery modes of redirection entries and ICR. */
    int FIXED = 0, LOWEST_PRIORITY = 1, SMI = 2, NMI = 4, INIT = 5, STARTUP = 6, EXTINT = 7;

    /**
     * Delivers {@code vector} with delivery {@code mode} to the APICs that {@code destination} selects (an APIC ID,
     * or a logical mask when {@code logical}); {@code level} marks a level-triggered interrupt (TMR).
     */
    void deliver(int destination, boolean logical, int mode, int vector, boolean level);
}
