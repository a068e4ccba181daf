package dev.jemu.arm.cpu;

/** SQDMULL, SQDMLAL, SQDMLSL: vector (with the "2" upper-half forms), scalar, and by element. Sources are 16 or 32 bits. */
final class SimdSatDoubling {
    private SimdSatDoubling() {
    }

    /** kind: 0 SQDMULL, 1 SQDMLAL, 2 SQDMLSL. */
    static int kindOfThreeDiff(int opcode) {
        return switch (opcode) {
            case 0b1101 -> 0;
            case 0b1001 -> 1;
            case 0b1011 -> 2;
            default -> -1;
        };
    }

    /**
     * Three different (vector or scalar): 0 Q 0 01110 size 1 Rm opcode 00 Rn Rd; {@code index} < 0, or by
     * element with Vm's element {@code index}.
     */
    static ArmOp decode(boolean q, boolean scalar, int size, int kind, int rd, int rn, int rm, int index) {
        if (size != 1 && size != 2 || kind < 0) return null;
        int esize = 1 << size, bits = esize * 8, elements = scalar ? 1 : 8 / esize;
        int part = q && !scalar ? elements : 0;
        return c -> {
            if (c.fpDisabled) throw c.fpAccessTrap();
            long[] v = c.v;
            long r0 = 0, r1 = 0;
            long fixed = index >= 0 ? Vreg.sget(v, rm, index, esize) : 0;
            for (int e = 0; e < elements; e++) {
                long a = Vreg.sget(v, rn, part + e, esize);
                long b = index >= 0 ? fixed : Vreg.sget(v, rm, part + e, esize);
                long p = product(c, a, b, bits);
                long r;
                if (kind == 0) {
                    r = p;
                } else {
                    long d = Vreg.sget(v, rd, e, 2 * esize);
                    r = accumulate(c, d, p, kind == 2, 2 * bits);
                }
                r &= Vreg.mask(2 * esize);
                int bit = e * bits * 2;
                if (bit < 64) r0 |= r << bit;
                else r1 |= r << (bit - 64);
            }
            v[2 * rd] = r0;
            v[2 * rd + 1] = scalar ? 0 : r1;
        };
    }

    private static long product(ArmCpu c, long a, long b, int bits) {
        long min = -(1L << (bits - 1));
        if (a == min && b == min) return SimdIntThreeSame.sat(c, bits == 32 ? Long.MAX_VALUE : (1L << 31) - 1);
        return 2 * a * b;
    }

    /** d + p (or d - p) saturated to {@code bits} (32 or 64) signed bits. */
    private static long accumulate(ArmCpu c, long d, long p, boolean subtract, int bits) {
        if (bits == 64) {
            long r = subtract ? d - p : d + p;
            boolean overflow = subtract ? ((d ^ p) & (d ^ r)) < 0 : ((d ^ r) & (p ^ r)) < 0;
            if (overflow) return SimdIntThreeSame.sat(c, d < 0 ? Long.MIN_VALUE : Long.MAX_VALUE);
            return r;
        }
        long r = subtract ? d - p : d + p;
        if (r > Integer.MAX_VALUE) return SimdIntThreeSame.sat(c, Integer.MAX_VALUE);
        if (r < Integer.MIN_VALUE) return SimdIntThreeSame.sat(c, Integer.MIN_VALUE);
        return r;
    }
}
