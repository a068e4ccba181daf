package dev.jemu.devices.fs;

import java.io.IOException;

/** A file system or partition table that cannot be read: a one-line message. */
public final class FsException extends IOException {
    public FsException(String message) {
        super(message);
    }
}
