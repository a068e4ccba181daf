package dev.jemu.devices.block;

/** {@code file.locking=}: QEMU's on, off and auto (on where the host has OFD locks, QEMU's default). */
public enum Locking {
    ON, OFF, AUTO;

    /** The option's value; null for anything else. */
    public static Locking parse(String v) {
        return switch (v) {
            case "on" -> ON;
            case "off" -> OFF;
            case "auto" -> AUTO;
            default -> null;
        };
    }
}
