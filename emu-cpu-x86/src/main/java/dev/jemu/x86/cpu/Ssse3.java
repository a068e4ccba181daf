package dev.jemu.x86.cpu;

import static dev.jemu.x86.cpu.Lanes.satS;
import static dev.jemu.x86.cpu.Lanes.sx;
import static dev.jemu.x86.cpu.OpcodeTable.T38;
import static dev.jemu.x86.cpu.OpcodeTable.T3A;

/**
 * SSSE3 on XMM (66) and MMX (no prefix) registers: PSHUFB, PHADD/PHSUB (W, D, SW), PMADDUBSW, PSIGN,
 * PMULHRSW, PABS, PALIGNR. Works on arrays of lane values (lane i of the destination and the source).
 */
final class Ssse3 {
    private Ssse3() {
    }

    /** Computes the result lanes from destination and source lanes (n lanes of {@code bits}, zero-extended). */
    @FunctionalInterface
    interface Vec {
        long[] apply(long[] d, long[] s, int n);
    }

    static void register(OpcodeTable t) {
        put(t, 0x00, 8, Ssse3::pshufb);
        put(t, 0x01, 16, (d, s, n) -> horizontal(d, s, n, 16, false, false));
        put(t, 0x02, 32, (d, s, n) -> horizontal(d, s, n, 32, false, false));
        put(t, 0x03, 16, (d, s, n) -> horizontal(d, s, n, 16, false, true));
        put(t, 0x04, 16, Ssse3::pmaddubsw);
        put(t, 0x05, 16, (d, s, n) -> horizontal(d, s, n, 16, true, false));
        put(t, 0x06, 32, (d, s, n) -> horizontal(d, s, n, 32, true, false));
        put(t, 0x07, 16, (d, s, n) -> horizontal(d, s, n, 16, true, true));
        put(t, 0x08, 8, (d, s, n) -> sign(d, s, n, 8));
        put(t, 0x09, 16, (d, s, n) -> sign(d, s, n, 16));
        put(t, 0x0a, 32, (d, s, n) -> sign(d, s, n, 32));
        put(t, 0x0b, 16, (d, s, n) -> map(d, s, n, (a, b) -> ((sx(a, 16) * sx(b, 16) >> 14) + 1) >> 1));
        put(t, 0x1c, 8, (d, s, n) -> map(d, s, n, (a, b) -> Math.abs(sx(b, 8))));
        put(t, 0x1d, 16, (d, s, n) -> map(d, s, n, (a, b) -> Math.abs(sx(b, 16))));
        put(t, 0x1e, 32, (d, s, n) -> map(d, s, n, (a, b) -> Math.abs(sx(b, 32))));
        t.put(T3A, 0x0f, Ssse3::palignr);
    }

    static long[] split(long lo, long hi, int bits, int n) {
        long[] v = new long[n];
        long m = Lanes.mask(bits);
        int per = 64 / bits;
        for (int i = 0; i < n; i++) {
            v[i] = (i < per ? lo : hi) >>> ((i % per) * bits) & m;
        }
        return v;
    }

    static long join(long[] v, int bits, int from) {
        long r = 0, m = Lanes.mask(bits);
        int per = 64 / bits;
        for (int i = 0; i < per && from + i < v.length; i++) {
            r |= (v[from + i] & m) << (i * bits);
        }
        return r;
    }

    /** Registers a 0F 38 opcode: 66 on XMM, no prefix on MMX. */
    static void put(OpcodeTable t, int opcode, int bits, Vec f) {
        t.put(T38, opcode, d -> switch (d.mandatory) {
            case 0x66 -> Sse.rm(d, 128, true, (c, r, s0, s1) -> {
                int n = 128 / bits;
                long[] res = f.apply(split(c.xmm[2 * r], c.xmm[2 * r + 1], bits, n), split(s0, s1, bits, n), n);
                Sse.set(c, r, join(res, bits, 0), join(res, bits, 64 / bits));
            });
            case 0 -> Mmx.rm(d, (c, r, s) -> {
                int n = 64 / bits;
                long[] res = f.apply(split(Mmx.get(c, r), 0, bits, n), split(s, 0, bits, n), n);
                Mmx.set(c, r, join(res, bits, 0));
            });
            default -> null;
        });
    }

    static long[] map(long[] d, long[] s, int n, Lanes.Op op) {
        long[] r = new long[n];
        for (int i = 0; i < n; i++) {
            r[i] = op.apply(d[i], s[i]);
        }
        return r;
    }

    private static long[] pshufb(long[] d, long[] s, int n) {
        long[] r = new long[n];
        for (int i = 0; i < n; i++) {
            r[i] = (s[i] & 0x80) != 0 ? 0 : d[(int) (s[i] & (n - 1))];
        }
        return r;
    }

    /** PHADD/PHSUB (saturating for the SW forms): pairs of the destination, then of the source. */
    private static long[] horizontal(long[] d, long[] s, int n, int bits, boolean sub, boolean sat) {
        long[] r = new long[n];
        for (int i = 0; i < n / 2; i++) {
            r[i] = pair(d[2 * i], d[2 * i + 1], bits, sub, sat);
            r[n / 2 + i] = pair(s[2 * i], s[2 * i + 1], bits, sub, sat);
        }
        return r;
    }

    private static long pair(long a, long b, int bits, boolean sub, boolean sat) {
        long v = sub ? sx(a, bits) - sx(b, bits) : sx(a, bits) + sx(b, bits);
        return sat ? satS(v, bits) : v;
    }

    /** PMADDUBSW: unsigned destination bytes times signed source bytes, pairs summed with saturation. */
    private static long[] pmaddubsw(long[] d, long[] s, int n) {
        long[] r = new long[n];
        for (int i = 0; i < n; i++) {
            long dw = d[i], sw = s[i];
            long v = (dw & 0xff) * sx(sw, 8) + (dw >>> 8 & 0xff) * sx(sw >>> 8, 8);
            r[i] = satS(v, 16);
        }
        return r;
    }

    private static long[] sign(long[] d, long[] s, int n, int bits) {
        long[] r = new long[n];
        for (int i = 0; i < n; i++) {
            long b = sx(s[i], bits);
            r[i] = b < 0 ? -d[i] : b == 0 ? 0 : d[i];
        }
        return r;
    }

    /** 0F 3A 0F ib: PALIGNR: the destination:source pair shifted right by imm8 bytes. */
    private static X86Op palignr(Insn d) {
        if (d.mandatory != 0x66 && d.mandatory != 0) {
            return null;
        }
        d.modrm();
        int imm = d.imm8();
        if (d.mandatory == 0) {
            return Mmx.rm(d, (c, r, s) -> {
                byte[] b = new byte[16];
                put(b, 0, s);
                put(b, 8, Mmx.get(c, r));
                Mmx.set(c, r, bytes(b, imm));
            });
        }
        return Sse.rm(d, 128, true, (c, r, s0, s1) -> {
            byte[] b = new byte[32];
            put(b, 0, s0);
            put(b, 8, s1);
            put(b, 16, c.xmm[2 * r]);
            put(b, 24, c.xmm[2 * r + 1]);
            Sse.set(c, r, bytes(b, imm), bytes(b, imm + 8));
        });
    }

    private static void put(byte[] b, int at, long v) {
        for (int i = 0; i < 8; i++) {
            b[at + i] = (byte) (v >>> (8 * i));
        }
    }

    /** Eight bytes from b starting at {@code from} (zero beyond its end). */
    private static long bytes(byte[] b, int from) {
        long v = 0;
        for (int i = 0; i < 8; i++) {
            int k = from + i;
            v |= (k < b.length ? b[k] & 0xffL : 0) << (8 * i);
        }
        return v;
    }
}
