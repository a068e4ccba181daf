package dev.jemu.devices.virtio.p9;

import java.nio.charset.StandardCharsets;

/** Little-endian 9P fields out of a message body; running past the end is EPROTO, never an exception escaping. */
final class P9Reader {
    private final byte[] b;
    private int pos;
    private final int end;

    P9Reader(byte[] b, int pos, int end) {
        this.b = b;
        this.pos = pos;
        this.end = end;
    }

    private void need(int n) throws P9Error {
        if (n < 0 || end - pos < n) {
            throw new P9Error(P9Error.EPROTO);
        }
    }

    int u8() throws P9Error {
        need(1);
        return b[pos++] & 0xff;
    }

    int u16() throws P9Error {
        need(2);
        int v = (b[pos] & 0xff) | (b[pos + 1] & 0xff) << 8;
        pos += 2;
        return v;
    }

    int u32() throws P9Error {
        need(4);
        int v = (b[pos] & 0xff) | (b[pos + 1] & 0xff) << 8 | (b[pos + 2] & 0xff) << 16 | (b[pos + 3] & 0xff) << 24;
        pos += 4;
        return v;
    }

    long u64() throws P9Error {
        long lo = u32() & 0xffff_ffffL;
        return lo | (long) u32() << 32;
    }

    String str() throws P9Error {
        int n = u16();
        need(n);
        String s = new String(b, pos, n, StandardCharsets.UTF_8);
        pos += n;
        return s;
    }

    /** {@code n} raw bytes (Twrite's data). */
    byte[] bytes(long n) throws P9Error {
        if (n > Integer.MAX_VALUE) {
            throw new P9Error(P9Error.EPROTO);
        }
        need((int) n);
        byte[] d = new byte[(int) n];
        System.arraycopy(b, pos, d, 0, (int) n);
        pos += (int) n;
        return d;
    }
}
