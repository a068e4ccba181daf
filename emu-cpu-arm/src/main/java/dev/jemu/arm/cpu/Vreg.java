package dev.jemu.arm.cpu;

/**
 * Lane access to the V registers as {@link ArmCpu#v} lays them out (V<i>n</i> = v[2n] low half, v[2n + 1] high):
 * element {@code e} of {@code esize} bytes is bits e*esize*8 up of the 128-bit register, little-endian.
 */
final class Vreg {
    private Vreg() {
    }

    static long mask(int esize) {
        return esize == 8 ? -1L : (1L << (esize * 8)) - 1;
    }

    /** Element {@code e} (zero-extended) of {@code esize} bytes in V{@code n}. */
    static long get(long[] v, int n, int e, int esize) {
        int bit = e * esize * 8;
        long half = v[2 * n + (bit >>> 6)];
        return esize == 8 ? half : (half >>> (bit & 63)) & ((1L << (esize * 8)) - 1);
    }

    /** Element {@code e} sign-extended. */
    static long sget(long[] v, int n, int e, int esize) {
        int shift = 64 - esize * 8;
        return get(v, n, e, esize) << shift >> shift;
    }

    static void set(long[] v, int n, int e, int esize, long value) {
        int bit = e * esize * 8;
        int i = 2 * n + (bit >>> 6);
        if (esize == 8) {
            v[i] = value;
        } else {
            long m = ((1L << (esize * 8)) - 1) << (bit & 63);
            v[i] = (v[i] & ~m) | ((value << (bit & 63)) & m);
        }
    }

    /** Writes a scalar of {@code esize} bytes to V{@code n}, zeroing the rest of the register. */
    static void setScalar(long[] v, int n, int esize, long value) {
        v[2 * n] = value & mask(esize);
        v[2 * n + 1] = 0;
    }

    /** A 64-bit vector result: the high half is zeroed. */
    static void set64(long[] v, int n, long low) {
        v[2 * n] = low;
        v[2 * n + 1] = 0;
    }
}
