package dev.jemu.core.machine;

/**
 * A user-facing configuration error (bad flag, missing file, unsupported combination). Its message is one
 * line that the launcher prints as-is, followed by exit status 1: never a stack trace.
 */
public class ConfigException extends Exception {
    public ConfigException(String message) {
        super(message);
    }

    public ConfigException(String message, Throwable cause) {
        super(message, cause);
    }
}
