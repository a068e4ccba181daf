package dev.jemu.devices.fs;

import java.io.IOException;

/** A read-only view of a file system: whole files by absolute path, symbolic links followed. */
public interface FileSystem {
    /** "ext4", "vfat"... */
    String type();

    /** The file's content, or null when the path does not name a regular file. */
    byte[] readFile(String path) throws IOException;

    /** Opens the file system on {@code src}, or returns null when it holds none that is known. */
    static FileSystem probe(ByteSource src) throws IOException {
        if (Ext4.probe(src)) {
            return Ext4.open(src);
        }
        if (Fat.probe(src)) {
            return Fat.open(src);
        }
        return null;
    }
}
