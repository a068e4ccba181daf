package dev.jemu.core.state;

/** Saved state that cannot be loaded: missing or mistyped field, unknown version, corrupt stream. */
public class StateException extends RuntimeException {
    public StateException(String message) {
        super(message);
    }
}
