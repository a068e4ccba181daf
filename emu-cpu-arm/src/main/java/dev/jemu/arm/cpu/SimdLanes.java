package dev.jemu.arm.cpu;

/**
 * The element loops shared by the AdvSIMD groups: an op is decoded to a {@link Lane} function and an element
 * size, and these drivers run it over the 64- or 128-bit vector (or the scalar) without allocating.
 * Lane functions get elements zero-extended and return the result in the low bits (masked here).
 */
final class SimdLanes {
    /** FPSR.QC, the cumulative saturation bit. */
    static final int QC = 1 << 27;

    private SimdLanes() {
    }

    @FunctionalInterface
    interface Lane {
        /** n, m: source elements; d: the destination's old element (for accumulate and bit-select). */
        long apply(ArmCpu c, long n, long m, long d);
    }

    /** Sign-extends the low {@code bits} bits. */
    static long sx(long x, int bits) {
        return x << (64 - bits) >> (64 - bits);
    }

    /** Vector op with all elements the same size: Vd[e] = f(Vn[e], Vm[e], Vd[e]). */
    static ArmOp vector(boolean q, int esize, int rd, int rn, int rm, Lane f) {
        int elements = (q ? 16 : 8) / esize;
        long mask = Vreg.mask(esize);
        if (esize == 8) {
            return c -> {
                if (c.fpDisabled) throw c.fpAccessTrap();
                long[] v = c.v;
                long r0 = f.apply(c, v[2 * rn], v[2 * rm], v[2 * rd]);
                long r1 = q ? f.apply(c, v[2 * rn + 1], v[2 * rm + 1], v[2 * rd + 1]) : 0;
                v[2 * rd] = r0;
                v[2 * rd + 1] = r1;
            };
        }
        int bits = esize * 8, perHalf = 64 / bits;
        return c -> {
            if (c.fpDisabled) throw c.fpAccessTrap();
            long[] v = c.v;
            long r0 = half(c, f, v[2 * rn], v[2 * rm], v[2 * rd], bits, perHalf, mask);
            long r1 = q ? half(c, f, v[2 * rn + 1], v[2 * rm + 1], v[2 * rd + 1], bits, perHalf, mask) : 0;
            v[2 * rd] = r0;
            v[2 * rd + 1] = r1;
        };
    }

    private static long half(ArmCpu c, Lane f, long n, long m, long d, int bits, int count, long mask) {
        long r = 0;
        for (int i = 0, s = 0; i < count; i++, s += bits) {
            r |= (f.apply(c, (n >>> s) & mask, (m >>> s) & mask, (d >>> s) & mask) & mask) << s;
        }
        return r;
    }

    /** Scalar op: Vd = f(Vn, Vm, Vd) on the low element, the rest of Vd zeroed. */
    static ArmOp scalar(int esize, int rd, int rn, int rm, Lane f) {
        long mask = Vreg.mask(esize);
        return c -> {
            if (c.fpDisabled) throw c.fpAccessTrap();
            long[] v = c.v;
            long r = f.apply(c, v[2 * rn] & mask, v[2 * rm] & mask, v[2 * rd] & mask);
            v[2 * rd] = r & mask;
            v[2 * rd + 1] = 0;
        };
    }

    /** Pairwise op over the concatenation Vm:Vn: result element e = f(pair e's two elements). */
    static ArmOp pairwise(boolean q, int esize, int rd, int rn, int rm, Lane f) {
        if (esize == 8) { // 2D only: one pair per source register
            return c -> {
                if (c.fpDisabled) throw c.fpAccessTrap();
                long[] v = c.v;
                long r0 = f.apply(c, v[2 * rn], v[2 * rn + 1], 0), r1 = f.apply(c, v[2 * rm], v[2 * rm + 1], 0);
                v[2 * rd] = r0;
                v[2 * rd + 1] = r1;
            };
        }
        int bits = esize * 8;
        long mask = Vreg.mask(esize);
        return c -> {
            if (c.fpDisabled) throw c.fpAccessTrap();
            long[] v = c.v;
            long r0, r1;
            if (q) {
                r0 = pairs(c, f, v[2 * rn], bits, mask) | pairs(c, f, v[2 * rn + 1], bits, mask) << 32;
                r1 = pairs(c, f, v[2 * rm], bits, mask) | pairs(c, f, v[2 * rm + 1], bits, mask) << 32;
            } else {
                r0 = pairs(c, f, v[2 * rn], bits, mask) | pairs(c, f, v[2 * rm], bits, mask) << 32;
                r1 = 0;
            }
            v[2 * rd] = r0;
            v[2 * rd + 1] = r1;
        };
    }

    /** The pairs of one 64-bit half, their results packed into the low 32 bits. */
    private static long pairs(ArmCpu c, Lane f, long x, int bits, long mask) {
        long r = 0;
        for (int s = 0, o = 0; s < 64; s += 2 * bits, o += bits) {
            r |= (f.apply(c, (x >>> s) & mask, (x >>> (s + bits)) & mask, 0) & mask) << o;
        }
        return r;
    }

    static long lane(long lo, long hi, int e, int esize) {
        int bit = e * esize * 8;
        long h = bit < 64 ? lo : hi;
        return esize == 8 ? h : (h >>> (bit & 63)) & ((1L << (esize * 8)) - 1);
    }
}
