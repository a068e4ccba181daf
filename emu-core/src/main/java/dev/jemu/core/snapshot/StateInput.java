package dev.jemu.core.snapshot;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * Where a machine state is read from: bytes, plus large runs read straight into a memory segment (guest RAM),
 * which a source backed by a file or an image overrides to avoid a copy.
 */
public abstract class StateInput extends InputStream {
    /** Fills {@code dst} completely; a short source is an {@link EOFException}. */
    public void readFully(MemorySegment dst) throws IOException {
        byte[] chunk = new byte[(int) Math.min(dst.byteSize(), 1 << 20)];
        for (long pos = 0; pos < dst.byteSize(); ) {
            int n = (int) Math.min(chunk.length, dst.byteSize() - pos);
            int got = readNBytes(chunk, 0, n);
            if (got < n) {
                throw new EOFException();
            }
            MemorySegment.copy(chunk, 0, dst, ValueLayout.JAVA_BYTE, pos, n);
            pos += n;
        }
    }

    /** A source over a plain stream (tests, pipes, sockets). */
    public static StateInput of(InputStream in) {
        return new StateInput() {
            @Override
            public int read() throws IOException {
                return in.read();
            }

            @Override
            public int read(byte[] b, int off, int len) throws IOException {
                return in.read(b, off, len);
            }

            @Override
            public void close() throws IOException {
                in.close();
            }
        };
    }
}
