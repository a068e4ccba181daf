package dev.jemu.tests.fuzz;

import java.util.SplittableRandom;

/**
 * Random numbers biased towards the values that break devices: 0, all ones, the sign bits of 32 and 64
 * bits, 2^32-1, powers of two and their neighbours, sizes and queue numbers just past common limits,
 * small integers.
 */
final class Biased {
    static final long[] BOUNDARIES = {0, 1, 2, 3, 4, 7, 8, 9, 15, 16, 17, 31, 32, 63, 64, 0x7f, 0x80, 0xff, 0x100,
            0x101, 0x1ff, 0x200, 0x201, 0x3ff, 0x400, 0xfff, 0x1000, 0x1001, 0x7fff, 0x8000, 0xffff, 0x1_0000,
            0x1_0001, 0x7fff_ffffL, 0x8000_0000L, 0x8000_0001L, 0xffff_fffeL, 0xffff_ffffL, 0x1_0000_0000L,
            0x1_0000_0001L, 0x7fff_ffff_ffff_ffffL, 0x8000_0000_0000_0000L, 0x8000_0000_0000_0001L, -2L, -1L,
            0x0080_0000_0000_0000L, 0xffff_ffff_0000_0000L};

    private final SplittableRandom r;

    Biased(long seed) {
        r = new SplittableRandom(seed);
    }

    int nextInt(int bound) {
        return r.nextInt(bound);
    }

    long nextLong(long bound) {
        return r.nextLong(bound);
    }

    boolean chance(int percent) {
        return r.nextInt(100) < percent;
    }

    /** A register value. */
    long value() {
        int k = r.nextInt(100);
        if (k < 45) {
            return BOUNDARIES[r.nextInt(BOUNDARIES.length)];
        }
        if (k < 60) {
            long p = 1L << r.nextInt(64);
            return p + (r.nextInt(3) - 1);
        }
        if (k < 75) {
            return r.nextInt(64);
        }
        if (k < 85) {
            return r.nextLong();
        }
        if (k < 95) {
            return r.nextInt() & 0xffff_ffffL;
        }
        return r.nextInt(256);
    }

    /** An access size: 4 most often (most registers are 32-bit), then 1, 2 and 8. */
    int size() {
        int k = r.nextInt(10);
        return k < 4 ? 4 : k < 6 ? 1 : k < 8 ? 2 : 8;
    }

    /** An IN/OUT size: 1 most often (most port devices have byte registers), then 2 and 4. */
    int portSize() {
        int k = r.nextInt(10);
        return k < 6 ? 1 : k < 8 ? 2 : 4;
    }

    /**
     * A port of a port window of {@code windowSize} ports (a few ports each) for an access of {@code size} bytes:
     * any port, aligned or not; a wide access at the last ports crosses the window's end (a bus error, as the
     * CPU's IN/OUT of an unclaimed port).
     */
    long portOffset(long windowSize, int size) {
        return chance(90) ? r.nextLong(windowSize) : Math.max(0, windowSize - size + r.nextInt(size));
    }

    /** An offset into a window of {@code windowSize} bytes for an access of {@code size} bytes. */
    long offset(long windowSize, int size) {
        int k = r.nextInt(100);
        if (k < 40) { // the low registers, aligned
            return r.nextLong(Math.min(windowSize, 0x200)) & -size;
        }
        if (k < 55) { // register banks at power-of-two strides (PLIC enables and contexts, CLINT mtimecmp, ...)
            int bits = 64 - Long.numberOfLeadingZeros(windowSize - 1);
            long stride = 1L << (2 + r.nextInt(Math.max(1, bits - 2)));
            long off = stride * (1 + r.nextInt(3)) + 4L * r.nextInt(8);
            return Long.compareUnsigned(off, windowSize) < 0 ? off & -size : off % windowSize & -size;
        }
        if (k < 70) {
            return r.nextLong(windowSize) & -size;
        }
        if (k < 80) { // misaligned
            return r.nextLong(Math.min(windowSize, 0x200));
        }
        // at the end, starting inside the window: some accesses cross its end
        return Math.min(windowSize - 1, Math.max(0, windowSize - size + r.nextInt(16) - 8));
    }

    /** A buffer or table length for DMA. */
    long length() {
        int k = r.nextInt(100);
        if (k < 40) {
            return 512L * (1 + r.nextInt(8));
        }
        if (k < 60) {
            return new long[] {0, 1, 2, 15, 16, 17, 511, 513, 4096, 65536, 1 << 20, 0x7fff_ffff, 0x8000_0000L,
                    0xffff_fff0L, 0xffff_ffffL}[r.nextInt(15)];
        }
        return r.nextInt(8193);
    }
}
