package dev.jemu.cli.chardev;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class OutputBufferTest {
    /** Counts the writes that reach the host stream. */
    static final class CountingStream extends OutputStream {
        final ByteArrayOutputStream data = new ByteArrayOutputStream();
        final AtomicInteger writes = new AtomicInteger();

        @Override
        public synchronized void write(int b) {
            writes.incrementAndGet();
            data.write(b);
        }

        @Override
        public synchronized void write(byte[] b, int off, int len) {
            writes.incrementAndGet();
            data.write(b, off, len);
        }

        synchronized byte[] bytes() {
            return data.toByteArray();
        }
    }

    @Test
    void everyByteArrivesInOrderWithFewWrites() {
        CountingStream sink = new CountingStream();
        OutputBuffer out = new OutputBuffer(sink, "test-out");
        byte[] expected = new byte[300_000];   // several times the buffer: the writer must wait, not drop
        for (int i = 0; i < expected.length; i++) {
            expected[i] = (byte) (i * 31 + 7);
            out.write(expected, i, 1);          // byte by byte, like a UART
        }
        out.close();
        assertArrayEquals(expected, sink.bytes());
        assertTrue(sink.writes.get() < expected.length / 10, "writes: " + sink.writes.get());
    }

    @Test
    void aLoneByteShowsUpPromptlyWithoutClose() throws InterruptedException {
        CountingStream sink = new CountingStream();
        OutputBuffer out = new OutputBuffer(sink, "test-out");
        out.write(new byte[] {'$', ' '}, 0, 2);
        long deadline = System.nanoTime() + 2_000_000_000L;
        while (sink.bytes().length < 2 && System.nanoTime() < deadline) {
            Thread.sleep(1);
        }
        assertEquals("$ ", new String(sink.bytes()));
        out.close();
    }
}
