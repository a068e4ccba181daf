package dev.jemu.arm.cpu;

/** AdvSIMD three different: the long (xADDL, xSUBL, xABAL, xABDL, xMLAL, xMLSL, xMULL, PMULL), wide (xADDW, xSUBW) and narrowing high-half (ADDHN, RADDHN, SUBHN, RSUBHN) forms. */
final class SimdWiden {
    private SimdWiden() {
    }

    /** 0 Q U 01110 size 1 Rm opcode 00 Rn Rd. */
    static ArmOp decode(int insn) {
        boolean q = (insn & (1 << 30)) != 0, u = (insn & (1 << 29)) != 0;
        int size = (insn >>> 22) & 3, opcode = (insn >>> 12) & 15;
        int rm = (insn >>> 16) & 31, rn = (insn >>> 5) & 31, rd = insn & 31;
        if (size == 3) return opcode == 0b1110 && !u ? pmull64(q, rd, rn, rm) : null;
        int esize = 1 << size, bits = esize * 8, elements = 8 / esize, part = q ? elements : 0;
        if (opcode == 0b0100 || opcode == 0b0110) { // ADDHN/RADDHN, SUBHN/RSUBHN
            boolean sub = opcode == 0b0110;
            long round = u ? 1L << (bits - 1) : 0;
            return c -> {
                if (c.fpDisabled) throw c.fpAccessTrap();
                long[] v = c.v;
                long r = 0;
                for (int e = 0; e < elements; e++) {
                    long a = Vreg.get(v, rn, e, 2 * esize), b = Vreg.get(v, rm, e, 2 * esize);
                    long x = (sub ? a - b : a + b) + round;
                    r |= ((x >>> bits) & Vreg.mask(esize)) << (e * bits);
                }
                if (q) v[2 * rd + 1] = r;
                else Vreg.set64(v, rd, r);
            };
        }
        if (opcode == 0b1001 || opcode == 0b1011 || opcode == 0b1101) {
            return u ? null : SimdSatDoubling.decode(q, false, size, SimdSatDoubling.kindOfThreeDiff(opcode), rd, rn, rm,
                    -1);
        }
        if (opcode == 0b1111 || opcode == 0b1110 && (u || size != 0)) return null;
        boolean wide = opcode == 0b0001 || opcode == 0b0011;
        int dsize = 2 * esize;
        return c -> {
            if (c.fpDisabled) throw c.fpAccessTrap();
            long[] v = c.v;
            long r0 = 0, r1 = 0;
            for (int e = 0; e < elements; e++) {
                long a = wide ? Vreg.get(v, rn, e, dsize) : ext(Vreg.get(v, rn, part + e, esize), u, bits);
                long b = ext(Vreg.get(v, rm, part + e, esize), u, bits);
                long d = Vreg.get(v, rd, e, dsize);
                long x = switch (opcode) {
                    case 0b0000, 0b0001 -> a + b;
                    case 0b0010, 0b0011 -> a - b;
                    case 0b0101 -> d + Math.abs(a - b);
                    case 0b0111 -> Math.abs(a - b);
                    case 0b1000 -> d + a * b;
                    case 0b1010 -> d - a * b;
                    case 0b1100 -> a * b;
                    default -> pmul(a & 0xff, b & 0xff, 8); // PMULL 8-bit
                };
                int bit = e * dsize * 8;
                long m = Vreg.mask(dsize);
                if (bit < 64) r0 |= (x & m) << bit;
                else r1 |= (x & m) << (bit - 64);
            }
            v[2 * rd] = r0;
            v[2 * rd + 1] = r1;
        };
    }

    /** PMULL/PMULL2 (1Q): the 128-bit carry-less product of the low (or high) 64-bit halves. */
    private static ArmOp pmull64(boolean q, int rd, int rn, int rm) {
        int half = q ? 1 : 0;
        return c -> {
            if (c.fpDisabled) throw c.fpAccessTrap();
            long a = c.v[2 * rn + half], b = c.v[2 * rm + half], lo = 0, hi = 0;
            for (int i = 0; i < 64; i++) {
                if ((b >>> i & 1) != 0) {
                    lo ^= a << i;
                    if (i != 0) hi ^= a >>> (64 - i);
                }
            }
            c.v[2 * rd] = lo;
            c.v[2 * rd + 1] = hi;
        };
    }

    private static long ext(long x, boolean unsigned, int bits) {
        return unsigned ? x : SimdLanes.sx(x, bits);
    }

    /** Carry-less product of the low {@code bits} bits of a and b. */
    static long pmul(long a, long b, int bits) {
        long r = 0;
        for (int i = 0; i < bits; i++) {
            if ((b >>> i & 1) != 0) r ^= a << i;
        }
        return r;
    }
}
