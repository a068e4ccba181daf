package dev.jemu.x86.cpu;

import java.util.Random;

/** Random test inputs for FP/SSE instructions, rich in special values. */
final class Inputs {
    private Inputs() {
    }

    private static final int[] F32 = {0, 0x80000000, 0x3f800000, 0xbf800000, 0x00000001, 0x807fffff, 0x00800000,
        0x7f7fffff, 0xff7fffff, 0x7f800000, 0xff800000, 0x7fc00000, 0xffc00001, 0x7f800001, 0xffa00005,
        0x4f000000, 0xcf000000, 0x5f000000, 0x3f000000, 0x3fc00000, 0x40200000, 0xbfc00000, 0x4b7fffff};
    private static final long[] F64 = {0, 0x8000000000000000L, 0x3ff0000000000000L, 0xbff0000000000000L, 1,
        0x800fffffffffffffL, 0x0010000000000000L, 0x7fefffffffffffffL, 0x7ff0000000000000L, 0xfff0000000000000L,
        0x7ff8000000000000L, 0xfff8000000000123L, 0x7ff0000000000001L, 0xfff4000000000000L, 0x41e0000000000000L,
        0xc1e0000000000000L, 0x43e0000000000000L, 0x3fe0000000000000L, 0x3ff8000000000000L, 0x4004000000000000L,
        0x47efffffe0000000L, 0x36a0000000000000L, 0x41dfffffffc00000L};

    /** A 32-bit lane: a special value, a small integer-valued float, or random bits. */
    static int f32(Random r) {
        return switch (r.nextInt(4)) {
            case 0 -> F32[r.nextInt(F32.length)];
            case 1 -> Float.floatToRawIntBits((float) (r.nextInt(2001) - 1000) / (1 + r.nextInt(8)));
            case 2 -> Float.floatToRawIntBits((float) (r.nextGaussian() * Math.pow(2, r.nextInt(300) - 150)));
            default -> r.nextInt();
        };
    }

    static long f64(Random r) {
        return switch (r.nextInt(4)) {
            case 0 -> F64[r.nextInt(F64.length)];
            case 1 -> Double.doubleToRawLongBits((double) (r.nextInt(2001) - 1000) / (1 + r.nextInt(8)));
            case 2 -> Double.doubleToRawLongBits(r.nextGaussian() * Math.pow(2, r.nextInt(2200) - 1100));
            default -> r.nextLong();
        };
    }

    /** A 128-bit value: lanes of floats, doubles or random bits. */
    static long[] vec(Random r) {
        return switch (r.nextInt(3)) {
            case 0 -> new long[] {Sse.pack32(f32(r), f32(r)), Sse.pack32(f32(r), f32(r))};
            case 1 -> new long[] {f64(r), f64(r)};
            default -> new long[] {r.nextLong(), r.nextBoolean() ? r.nextLong() : r.nextInt(20)};
        };
    }

    /** MXCSR with every exception masked: any rounding mode, DAZ and FTZ on or off. */
    static int mxcsr(Random r) {
        return 0x1f80 | r.nextInt(4) << 13 | (r.nextInt(4) == 0 ? 0x40 : 0) | (r.nextInt(4) == 0 ? 0x8000 : 0);
    }

    static HostOracle.State state(Random r, int i) {
        long[] a = vec(r), b = vec(r), m = vec(r);
        long rax = switch (r.nextInt(4)) {
            case 0 -> r.nextLong();
            case 1 -> f32(r);
            case 2 -> f64(r);
            default -> (r.nextInt(40) - 20) & 0xffffffffL | (long) (r.nextInt(40) - 20) << 40; // string lengths
        };
        long[] m2 = vec(r);
        return new HostOracle.State(a[0], a[1], b[0], b[1], m[0], m[1], m2[0], m2[1], rax, i == 0 ? 0x1f80 : mxcsr(r), 2);
    }
}
