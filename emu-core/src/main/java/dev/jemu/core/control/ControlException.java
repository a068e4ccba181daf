package dev.jemu.core.control;

/** A control request the machine refuses, with QEMU's wording; monitors report it as a QMP GenericError. */
public final class ControlException extends RuntimeException {
    public ControlException(String message) {
        super(message, null, false, false);
    }
}
