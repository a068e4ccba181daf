package dev.jemu.cli.chardev;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class MuxEscapeTest {
    private int quits;
    private int helps;
    private final MuxEscape mux = new MuxEscape(new MuxEscape.Actions() {
        @Override
        public void quit() {
            quits++;
        }

        @Override
        public void help() {
            helps++;
        }
    });

    private byte[] filter(String s) {
        byte[] b = s.getBytes(StandardCharsets.ISO_8859_1);
        return mux.filter(b, b.length);
    }

    @Test
    void plainBytesPass() {
        assertArrayEquals("ls -l\r".getBytes(StandardCharsets.ISO_8859_1), filter("ls -l\r"));
        assertEquals(0, quits + helps);
    }

    @Test
    void escapeKeys() {
        assertArrayEquals(new byte[] {'a', 1, 'b'}, filter("a\u0001\u0001b"));
        assertArrayEquals(new byte[] {'c'}, filter("\u0001hc"));
        assertEquals(1, helps);
        assertArrayEquals(new byte[0], filter("\u0001z"));   // unknown key after Ctrl-A: dropped
        assertArrayEquals(new byte[0], filter("\u0001x"));
        assertEquals(1, quits);
    }

    @Test
    void escapeSplitAcrossReads() {
        assertArrayEquals(new byte[] {'a'}, filter("a\u0001"));
        assertArrayEquals(new byte[0], filter("x"));
        assertEquals(1, quits);
        assertArrayEquals(new byte[] {'x'}, filter("x"));
    }
}
