package dev.jemu.devices.block;

import java.io.IOException;

/**
 * A disk-image error meant for users: a one-line message (corrupt image, unsupported feature, request
 * beyond the end of the device). Callers print the message and never a stack trace.
 */
public class BlockException extends IOException {
    public BlockException(String message) {
        super(message);
    }

    public BlockException(String message, Throwable cause) {
        super(message, cause);
    }

    /** A message for a structure that contradicts the format: the image must not be trusted further. */
    public static BlockException corrupt(String what) {
        return new BlockException("corrupt image: " + what);
    }
}
