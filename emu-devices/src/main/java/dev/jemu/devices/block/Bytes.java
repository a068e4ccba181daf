package dev.jemu.devices.block;

import java.lang.foreign.MemorySegment;

/** Big-endian field access on byte arrays (all qcow2 numbers are big-endian). */
public final class Bytes {
    private Bytes() {
    }

    public static long getLong(byte[] b, int o) {
        long v = 0;
        for (int i = 0; i < 8; i++) v = (v << 8) | (b[o + i] & 0xff);
        return v;
    }

    public static int getInt(byte[] b, int o) {
        return ((b[o] & 0xff) << 24) | ((b[o + 1] & 0xff) << 16) | ((b[o + 2] & 0xff) << 8) | (b[o + 3] & 0xff);
    }

    public static int getShort(byte[] b, int o) {
        return ((b[o] & 0xff) << 8) | (b[o + 1] & 0xff);
    }

    public static void putLong(byte[] b, int o, long v) {
        for (int i = 7; i >= 0; i--) {
            b[o + i] = (byte) v;
            v >>>= 8;
        }
    }

    public static void putInt(byte[] b, int o, int v) {
        b[o] = (byte) (v >>> 24);
        b[o + 1] = (byte) (v >>> 16);
        b[o + 2] = (byte) (v >>> 8);
        b[o + 3] = (byte) v;
    }

    public static void putShort(byte[] b, int o, int v) {
        b[o] = (byte) (v >>> 8);
        b[o + 1] = (byte) v;
    }

    public static long getLongLE(byte[] b, int o) {
        long v = 0;
        for (int i = 7; i >= 0; i--) v = (v << 8) | (b[o + i] & 0xff);
        return v;
    }

    public static int getIntLE(byte[] b, int o) {
        return (b[o] & 0xff) | ((b[o + 1] & 0xff) << 8) | ((b[o + 2] & 0xff) << 16) | ((b[o + 3] & 0xff) << 24);
    }

    public static boolean isZero(byte[] b, int off, int len) {
        return isZero(MemorySegment.ofArray(b).asSlice(off, len));
    }

    /** A block of zeroes to compare against (read-only use). */
    private static final MemorySegment ZEROES = MemorySegment.ofArray(new byte[64 << 10]);

    /** Whether every byte of the segment is zero (vectorized compares, not a byte loop). */
    public static boolean isZero(MemorySegment s) {
        long n = s.byteSize();
        for (long o = 0; o < n; o += ZEROES.byteSize()) {
            long k = Math.min(ZEROES.byteSize(), n - o);
            if (MemorySegment.mismatch(s, o, o + k, ZEROES, 0, k) >= 0) return false;
        }
        return true;
    }
}
