package dev.jemu.core.memory;

/**
 * An access to an address no region decodes (or a region refuses). Thrown on the emulator's hot paths,
 * so it is a shared instance without a stack trace; the CPU turns it into an access-fault trap.
 */
public final class BusError extends RuntimeException {
    public static final BusError INSTANCE = new BusError();

    private BusError() {
        super("bus error", null, false, false);
    }
}
