package dev.jemu.arm.cpu;

/**
 * Fast paths of the commonest integer vector ops (ADD, SUB, CMEQ: what string and memory routines run) on
 * whole 64-bit halves, lanes kept apart by masking the top bit of each lane (SIMD within a register).
 */
final class SimdSwar {
    private SimdSwar() {
    }

    /** The top bit of every esize-byte lane. */
    static long highBits(int esize) {
        return SimdCopy.replicate(1L << (esize * 8 - 1), esize);
    }

    static long add(long a, long b, long h) {
        return ((a & ~h) + (b & ~h)) ^ ((a ^ b) & h);
    }

    static long sub(long a, long b, long h) {
        return ((a | h) - (b & ~h)) ^ ((a ^ ~b) & h);
    }

    /** All ones in each lane where a and b are equal. */
    static long eq(long a, long b, long h, int bits) {
        long x = a ^ b;
        long nonzero = (((x & ~h) + ~h) | x) & h; // lane's top bit set when the lane is nonzero
        long zeroTop = ~nonzero & h;
        return (zeroTop >>> (bits - 1)) * ((1L << bits) - 1);
    }

    /** ADD (u false), SUB (u true) or CMEQ ({@code cmeq}) for esize < 8, or null when not specialised. */
    static ArmOp decode(boolean q, int esize, boolean u, boolean cmeq, int rd, int rn, int rm) {
        if (esize == 8) return null;
        long h = highBits(esize);
        int bits = esize * 8;
        if (cmeq) {
            return c -> {
                if (c.fpDisabled) throw c.fpAccessTrap();
                long[] v = c.v;
                long r0 = eq(v[2 * rn], v[2 * rm], h, bits);
                v[2 * rd + 1] = q ? eq(v[2 * rn + 1], v[2 * rm + 1], h, bits) : 0;
                v[2 * rd] = r0;
            };
        }
        if (u) {
            return c -> {
                if (c.fpDisabled) throw c.fpAccessTrap();
                long[] v = c.v;
                long r0 = sub(v[2 * rn], v[2 * rm], h);
                v[2 * rd + 1] = q ? sub(v[2 * rn + 1], v[2 * rm + 1], h) : 0;
                v[2 * rd] = r0;
            };
        }
        return c -> {
            if (c.fpDisabled) throw c.fpAccessTrap();
            long[] v = c.v;
            long r0 = add(v[2 * rn], v[2 * rm], h);
            v[2 * rd + 1] = q ? add(v[2 * rn + 1], v[2 * rm + 1], h) : 0;
            v[2 * rd] = r0;
        };
    }
}
