package dev.jemu.arm.cpu;

/** The narrowing step shared by XTN/SQXTN/SQXTUN/UQXTN and the SHRN family: saturate (or truncate) and write. */
final class SimdNarrow {
    /** Kinds: truncate, signed to unsigned saturating, signed saturating, unsigned saturating. */
    static final int TRUNCATE = 0, SIGNED_TO_UNSIGNED = 1, SIGNED = 2, UNSIGNED = 3;

    private SimdNarrow() {
    }

    /**
     * The op: each 2*esize-byte lane of Vn, shifted right by {@code shift} (rounding if asked; 0 for XTN and
     * friends), narrowed by {@code kind} to esize bytes.
     */
    static ArmOp op(boolean q, boolean scalar, int esize, int rd, int rn, int kind, int shift, boolean round) {
        int bits = esize * 8, wbits = 2 * bits, elements = scalar ? 1 : 8 / esize;
        boolean signed = kind == SIGNED_TO_UNSIGNED || kind == SIGNED;
        long mask = Vreg.mask(esize);
        return c -> {
            if (c.fpDisabled) throw c.fpAccessTrap();
            long[] v = c.v;
            long r = 0;
            for (int e = 0; e < elements; e++) {
                long x = Vreg.get(v, rn, e, 2 * esize);
                if (signed) x = SimdLanes.sx(x, wbits);
                long s = SimdIntThreeSame.shiftLeft(x, -shift, !signed, wbits, round);
                r |= (saturate(c, s, kind, bits) & mask) << (e * bits);
            }
            write(v, rd, r, scalar, q, esize);
        };
    }

    /** {@code x} (sign-extended for the signed kinds, zero-extended otherwise) narrowed to {@code bits}, QC on saturation. */
    static long saturate(ArmCpu c, long x, int kind, int bits) {
        long mask = Vreg.mask(bits / 8), smax = mask >>> 1, smin = ~smax;
        return switch (kind) {
            case TRUNCATE -> x & mask;
            case SIGNED_TO_UNSIGNED -> x < 0 ? SimdIntThreeSame.sat(c, 0)
                    : Long.compareUnsigned(x, mask) > 0 ? SimdIntThreeSame.sat(c, mask) : x;
            case SIGNED -> (x > smax ? SimdIntThreeSame.sat(c, smax) : x < smin ? SimdIntThreeSame.sat(c, smin) : x) & mask;
            default -> Long.compareUnsigned(x, mask) > 0 ? SimdIntThreeSame.sat(c, mask) : x;
        };
    }

    /** Writes 64 bits of narrowed lanes: a scalar, the low half (upper zeroed) or, for the "2" forms, the upper half. */
    static void write(long[] v, int rd, long r, boolean scalar, boolean q, int esize) {
        if (scalar) Vreg.setScalar(v, rd, esize, r);
        else if (q) v[2 * rd + 1] = r;
        else Vreg.set64(v, rd, r);
    }
}
