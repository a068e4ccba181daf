package dev.jemu.devices.virtio.p9;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/** Builds one 9P reply: size[4] type[1] tag[2] and little-endian fields; {@link #finish} fills in the size. */
final class P9Writer {
    private final ByteArrayOutputStream out = new ByteArrayOutputStream(64);

    P9Writer(int type, int tag) {
        u32(0);
        u8(type);
        u16(tag);
    }

    P9Writer u8(int v) {
        out.write(v);
        return this;
    }

    P9Writer u16(int v) {
        out.write(v);
        out.write(v >> 8);
        return this;
    }

    P9Writer u32(long v) {
        u16((int) v);
        return u16((int) (v >> 16));
    }

    P9Writer u64(long v) {
        u32(v);
        return u32(v >>> 32);
    }

    P9Writer str(String s) {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        u16(b.length);
        out.write(b, 0, b.length);
        return this;
    }

    P9Writer qid(P9Qid q) {
        u8(q.type());
        u32(q.version());
        return u64(q.path());
    }

    P9Writer bytes(byte[] b, int off, int n) {
        out.write(b, off, n);
        return this;
    }

    int size() {
        return out.size();
    }

    byte[] finish() {
        byte[] b = out.toByteArray();
        int n = b.length;
        b[0] = (byte) n;
        b[1] = (byte) (n >> 8);
        b[2] = (byte) (n >> 16);
        b[3] = (byte) (n >> 24);
        return b;
    }
}
