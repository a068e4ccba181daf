package dev.jemu.core.snapshot;

import java.io.IOException;
import java.io.OutputStream;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * Where a machine state is written: bytes, plus large runs of guest RAM written straight from their segment,
 * which a sink backed by a file or an image overrides to avoid a copy.
 */
public abstract class StateOutput extends OutputStream {
    public void write(MemorySegment src) throws IOException {
        byte[] chunk = new byte[(int) Math.min(src.byteSize(), 1 << 20)];
        for (long pos = 0; pos < src.byteSize(); ) {
            int n = (int) Math.min(chunk.length, src.byteSize() - pos);
            MemorySegment.copy(src, ValueLayout.JAVA_BYTE, pos, chunk, 0, n);
            write(chunk, 0, n);
            pos += n;
        }
    }

    /** A sink over a plain stream (tests, pipes, sockets). */
    public static StateOutput of(OutputStream out) {
        return new StateOutput() {
            @Override
            public void write(int b) throws IOException {
                out.write(b);
            }

            @Override
            public void write(byte[] b, int off, int len) throws IOException {
                out.write(b, off, len);
            }

            @Override
            public void flush() throws IOException {
                out.flush();
            }

            @Override
            public void close() throws IOException {
                out.close();
            }
        };
    }
}
