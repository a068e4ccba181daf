package dev.jemu.arm.cpu;

/**
 * FRECPE, FRSQRTE and FRECPX: ARMv8.0's 8-bit estimates (the Arm ARM's RecipEstimate and RecipSqrtEstimate,
 * computed rather than tabled), with their special cases. Fractions are handled as 52 bits for both formats.
 */
final class FpEstimate {
    private FpEstimate() {
    }

    private static int expOf(long a, boolean dbl) {
        return dbl ? (int) (a >>> 52) & 0x7ff : (int) (a >>> 23) & 0xff;
    }

    private static long frac52(long a, boolean dbl) {
        return dbl ? a & 0xfffffffffffffL : (a & 0x7fffffL) << 29;
    }

    private static long pack(long sign, int exp, long frac52, boolean dbl) {
        return dbl ? sign | (long) exp << 52 | frac52 : sign | (long) exp << 23 | frac52 >>> 29;
    }

    static long recip(ArmCpu c, long a, boolean dbl) {
        a = ArmFp.flushIn(c, a, dbl);
        long sign = a & ArmFp.signBit(dbl);
        if (ArmFp.isNaN(a, dbl)) return ArmFp.processNaN(c, a, dbl);
        if (ArmFp.isInf(a, dbl)) return sign;
        if (ArmFp.isZero(a, dbl)) {
            c.fpsr |= ArmFp.DZC;
            return sign | (dbl ? 0x7ff0000000000000L : 0x7f800000L);
        }
        double mag = Math.abs(ArmFp.value(a, dbl));
        if (mag < (dbl ? 0x1p-1024 : 0x1p-128)) { // the reciprocal overflows
            int mode = (c.fpcr >>> 22) & 3;
            boolean toInf = mode == 0 || mode == 1 && sign == 0 || mode == 2 && sign != 0;
            c.fpsr |= ArmFp.OFC | ArmFp.IXC;
            long inf = dbl ? 0x7ff0000000000000L : 0x7f800000L;
            return sign | (toInf ? inf : inf - 1);
        }
        if ((c.fpcr & ArmFp.FPCR_FZ) != 0 && mag >= (dbl ? 0x1p1022 : 0x1p126)) {
            c.fpsr |= ArmFp.UFC;
            return sign;
        }
        int exp = expOf(a, dbl);
        long frac = frac52(a, dbl);
        long top = 1L << 51, all = (1L << 52) - 1;
        if (exp == 0) {
            if ((frac & top) == 0) {
                exp = -1;
                frac = (frac << 2) & all;
            } else {
                frac = (frac << 1) & all;
            }
        }
        int scaled = 256 | (int) (frac >>> 44);
        int resultExp = (dbl ? 2045 : 253) - exp;
        int b = (1 << 19) / (scaled * 2 + 1);
        int estimate = (b + 1) >>> 1;
        long out = (long) (estimate & 0xff) << 44;
        if (resultExp == 0) {
            out = top | out >>> 1;
        } else if (resultExp == -1) {
            out = top >>> 1 | out >>> 2;
            resultExp = 0;
        }
        return pack(sign, resultExp, out, dbl);
    }

    static long rsqrt(ArmCpu c, long a, boolean dbl) {
        a = ArmFp.flushIn(c, a, dbl);
        long sign = a & ArmFp.signBit(dbl);
        if (ArmFp.isNaN(a, dbl)) return ArmFp.processNaN(c, a, dbl);
        if (ArmFp.isZero(a, dbl)) {
            c.fpsr |= ArmFp.DZC;
            return sign | (dbl ? 0x7ff0000000000000L : 0x7f800000L);
        }
        if (sign != 0) {
            c.fpsr |= ArmFp.IOC;
            return ArmFp.defaultNaN(dbl);
        }
        if (ArmFp.isInf(a, dbl)) return 0;
        int exp = expOf(a, dbl);
        long frac = frac52(a, dbl);
        long top = 1L << 51, all = (1L << 52) - 1;
        if (exp == 0) {
            while ((frac & top) == 0) {
                frac = (frac << 1) & all;
                exp--;
            }
            frac = (frac << 1) & all;
        }
        int scaled = (exp & 1) == 0 ? 256 | (int) (frac >>> 44) : 128 | (int) (frac >>> 45);
        int resultExp = Math.floorDiv((dbl ? 3068 : 380) - exp, 2);
        return pack(0, resultExp, (long) (sqrtEstimate(scaled) & 0xff) << 44, dbl);
    }

    /** RecipSqrtEstimate of a 9-bit input in [128, 511]: a 9-bit estimate in [256, 511]. */
    private static int sqrtEstimate(int scaled) {
        int x = scaled < 256 ? scaled * 2 + 1 : ((scaled >>> 1) << 1) + 1 << 1;
        long bb = 512;
        while ((long) x * (bb + 1) * (bb + 1) < (1L << 28)) bb++;
        return (int) ((bb + 1) >>> 1);
    }

    /** URECPE: a 32-bit fixed-point fraction's 9-bit reciprocal estimate; below one half, all ones. */
    static long unsignedRecip(long a) {
        if ((a & 0x8000_0000L) == 0) return 0xffff_ffffL;
        int scaled = (int) (a >>> 23) & 0x1ff;
        int b = (1 << 19) / (scaled * 2 + 1);
        return (long) ((b + 1) >>> 1) << 23;
    }

    /** URSQRTE: the 9-bit reciprocal square root estimate; below one quarter, all ones. */
    static long unsignedRsqrt(long a) {
        if ((a & 0xc000_0000L) == 0) return 0xffff_ffffL;
        return (long) sqrtEstimate((int) (a >>> 23) & 0x1ff) << 23;
    }

    /** FRECPX: the exponent inverted, fraction cleared (zero and denormal give the largest exponent). */
    static long recpx(ArmCpu c, long a, boolean dbl) {
        a = ArmFp.flushIn(c, a, dbl);
        if (ArmFp.isNaN(a, dbl)) return ArmFp.processNaN(c, a, dbl);
        long sign = a & ArmFp.signBit(dbl);
        int exp = expOf(a, dbl), max = dbl ? 0x7ff : 0xff;
        return pack(sign, exp == 0 ? max - 1 : ~exp & max, 0, dbl);
    }
}
