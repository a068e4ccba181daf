package dev.jemu.devices.fs;

import java.io.IOException;

/** Random-access bytes: a disk, a partition of it, or an image in a test. */
public interface ByteSource {
    long size();

    /** Reads exactly {@code len} bytes at {@code offset}; beyond the end is an error. */
    void read(long offset, byte[] buf, int off, int len) throws IOException;

    default byte[] read(long offset, int len) throws IOException {
        byte[] b = new byte[len];
        read(offset, b, 0, len);
        return b;
    }

    /** The window [start, start+length) of this source. */
    default ByteSource slice(long start, long length) {
        ByteSource parent = this;
        return new ByteSource() {
            @Override
            public long size() {
                return length;
            }

            @Override
            public void read(long offset, byte[] buf, int off, int len) throws IOException {
                if (offset < 0 || len < 0 || offset + len > length) {
                    throw new FsException("read at " + offset + " (+" + len + ") beyond the end of the partition");
                }
                parent.read(start + offset, buf, off, len);
            }
        };
    }
}
