package dev.jemu.devices.block;

import java.nio.file.Path;

/** One image format in the {@link BlockFormats} registry. */
public interface BlockFormat {
    String name();

    /**
     * How sure we are that a file is in this format, from its first bytes (up to 512; fewer for a short
     * file): 0 no, 1 fallback (raw), 100 the magic matches.
     */
    int probe(byte[] head, int len);

    BlockDriver open(Path path, OpenOptions options) throws BlockException;

    /** Creates a new image of the given virtual size; consumes the options it knows. */
    void create(Path path, long size, CreateOptions options) throws BlockException;
}
