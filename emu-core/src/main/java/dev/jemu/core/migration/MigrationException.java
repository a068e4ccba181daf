package dev.jemu.core.migration;

/** A migration command refused, with QEMU's one-line message (QMP GenericError, HMP "Error: ..."). */
public final class MigrationException extends RuntimeException {
    public MigrationException(String message) {
        super(message, null, false, false);
    }
}
