package dev.jemu.cli.monitor;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/**
 * Cuts a QMP byte stream into messages, as QEMU's JSON streamer does: a message is one top-level JSON value,
 * however it is split across reads or lines (newlines are only white space). It tracks strings and bracket
 * depth without parsing; {@link QmpJson} parses each complete message. QEMU's limits apply: a message larger
 * than 64 MiB or nested deeper than 1024 is refused with QEMU's error and skipped up to its end.
 */
final class QmpStreamer {
    static final int MAX_SIZE = 64 << 20;

    interface Sink {
        /** A complete message's text. */
        void message(String text);

        /** A framing error (QEMU's wording); the offending input is skipped. */
        void error(String desc);
    }

    private final Sink sink;
    private ByteArrayOutputStream buf = new ByteArrayOutputStream();
    private int depth;
    private int quote;          // 0, or the quote character of the string being read
    private boolean escape;
    private boolean bare;        // inside a top-level bare token (keyword, number)
    private boolean skipping;    // dropping the rest of a message that broke a limit

    QmpStreamer(Sink sink) {
        this.sink = sink;
    }

    void feed(byte[] data, int off, int len) {
        for (int i = off; i < off + len; i++) {
            feed(data[i] & 0xff);
        }
    }

    private void feed(int b) {
        if (quote != 0) {
            append(b);
            if (escape) {
                escape = false;
            } else if (b == '\\') {
                escape = true;
            } else if (b == quote) {
                quote = 0;
                if (depth == 0) {
                    complete();
                }
            }
            return;
        }
        if (bare) {
            if (!isDelimiter(b)) {
                append(b);
                return;
            }
            complete();
        }
        switch (b) {
            case ' ', '\t', '\r', '\n' -> {
                if (depth > 0) {
                    append(b);
                }
            }
            case '"', '\'' -> {
                quote = b;
                append(b);
            }
            case '{', '[' -> {
                depth++;
                append(b);
                if (depth > QmpJson.MAX_NESTING && !skipping) {
                    fail("JSON nesting depth limit exceeded");
                }
            }
            case '}', ']' -> {
                if (depth == 0) {
                    sink.error("JSON parse error, expecting value");
                    return;
                }
                depth--;
                append(b);
                if (depth == 0) {
                    complete();
                }
            }
            default -> {
                append(b);
                if (depth == 0) {
                    bare = true;
                }
            }
        }
    }

    private static boolean isDelimiter(int b) {
        return b == ' ' || b == '\t' || b == '\r' || b == '\n' || b == '{' || b == '}' || b == '[' || b == ']'
                || b == ',' || b == ':' || b == '"' || b == '\'';
    }

    private void append(int b) {
        if (skipping) {
            return;
        }
        if (buf.size() >= MAX_SIZE) {
            fail("JSON token size limit exceeded");
            return;
        }
        buf.write(b);
    }

    /** Reports a broken limit once and drops the rest of this message. */
    private void fail(String desc) {
        sink.error(desc);
        skipping = true;
        buf = new ByteArrayOutputStream(); // give back a huge message's buffer
    }

    private void complete() {
        bare = false;
        if (skipping) {
            skipping = false;
            return;
        }
        String text = buf.toString(StandardCharsets.UTF_8);
        buf.reset();
        sink.message(text);
    }
}
