package dev.jemu.devices.virtio.p9;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

/** Builds 9P2000.L requests as Linux's client does and reads replies: for the server tests. */
final class P9Client {
    private final P9Server server;
    int tag = 1;

    P9Client(P9Server server) {
        this.server = server;
    }

    P9Server server() {
        return server;
    }

    /** A request of {@code type} with fields: Integer (u32), Long (u64), Short (u16), Byte (u8), String, byte[]. */
    static byte[] msg(int type, int tag, Object... fields) {
        P9Writer w = new P9Writer(type, tag);
        for (Object f : fields) {
            switch (f) {
                case Integer i -> w.u32(i);
                case Long l -> w.u64(l);
                case Short s -> w.u16(s);
                case Byte b -> w.u8(b);
                case String s -> w.str(s);
                case byte[] b -> w.bytes(b, 0, b.length);
                default -> throw new IllegalArgumentException();
            }
        }
        return w.finish();
    }

    /** Sends a request; the reply as a little-endian buffer positioned after the header. */
    ByteBuffer call(int type, Object... fields) {
        byte[] m = msg(type, tag, fields);
        byte[] r = server.handle(m, m.length, 1 << 20);
        ByteBuffer b = ByteBuffer.wrap(r).order(ByteOrder.LITTLE_ENDIAN);
        if (b.getInt(0) != r.length || (b.getShort(5) & 0xffff) != tag) {
            throw new AssertionError("bad reply header");
        }
        b.position(7);
        return b;
    }

    /** The reply type of a call. */
    static int type(ByteBuffer b) {
        return b.get(4) & 0xff;
    }

    /** Calls and expects success (not Rlerror). */
    ByteBuffer ok(int type, Object... fields) {
        ByteBuffer b = call(type, fields);
        if (type(b) == P9Message.LERROR) {
            throw new AssertionError("type " + type + ": Rlerror errno " + b.getInt(7));
        }
        if (type(b) != type + 1) {
            throw new AssertionError("type " + type + ": reply type " + type(b));
        }
        return b;
    }

    /** Calls and expects an Rlerror; its errno. */
    int error(int type, Object... fields) {
        ByteBuffer b = call(type, fields);
        if (type(b) != P9Message.LERROR) {
            throw new AssertionError("type " + type + ": expected Rlerror, got " + type(b));
        }
        return b.getInt(7);
    }

    static String str(ByteBuffer b) {
        int n = b.getShort() & 0xffff;
        byte[] s = new byte[n];
        b.get(s);
        return new String(s, StandardCharsets.UTF_8);
    }

    /** Tversion + Tattach as fid 0; Linux's mount. */
    void mount() {
        ok(P9Message.VERSION, 1 << 19, "9P2000.L");
        ok(P9Message.ATTACH, 0, -1, "root", "", 0);
    }

    /** Walks from fid 0 to newFid through names. */
    int walk(int newFid, String... names) {
        Object[] f = new Object[3 + names.length];
        f[0] = 0;
        f[1] = newFid;
        f[2] = (short) names.length;
        System.arraycopy(names, 0, f, 3, names.length);
        return ok(P9Message.WALK, f).getShort() & 0xffff;
    }
}
