package dev.jemu.arm.cpu;

import dev.jemu.core.fpu.SoftFloat;

/**
 * ARM's floating-point rules around the shared IEEE core ({@link SoftFloat}, tininess before rounding):
 * FPCR.RMode, FPCR.FZ (denormal inputs flushed with IDC, tiny results flushed with UFC), FPCR.DN, NaN
 * propagation (signalling before quiet, first operand first; FMADD's addend first), and the FPSR cumulative
 * flags. Values are raw bits: binary64 in a long, binary32 in the low 32 bits of a long ({@code dbl} false).
 */
final class ArmFp {
    static final int FPCR_DN = 1 << 25, FPCR_FZ = 1 << 24, FPCR_AHP = 1 << 26;
    static final int IOC = 1, DZC = 2, OFC = 4, UFC = 8, IXC = 16, IDC = 128;

    /** Binary operations (two operands). */
    static final int ADD = 0, SUB = 1, MUL = 2, DIV = 3, MAX = 4, MIN = 5, MAXNM = 6, MINNM = 7, NMUL = 8,
            MULX = 9, ABD = 10, RECPS = 11, RSQRTS = 12;

    static final long DEFAULT_NAN64 = 0x7ff8000000000000L;
    static final long DEFAULT_NAN32 = 0x7fc00000L;

    private ArmFp() {
    }

    /** FPCR.RMode (RN, RP, RM, RZ) as a SoftFloat rounding mode. */
    static int rmode(int fpcr) {
        return switch ((fpcr >>> 22) & 3) {
            case 0 -> SoftFloat.RNE;
            case 1 -> SoftFloat.RUP;
            case 2 -> SoftFloat.RDN;
            default -> SoftFloat.RTZ;
        };
    }

    /** SoftFloat's flags (NX, UF, OF, DZ, NV) as FPSR bits (IXC, UFC, OFC, DZC, IOC). */
    static int fpsrFlags(int sf) {
        return (sf & SoftFloat.NV) >>> 4 | (sf & SoftFloat.DZ) >>> 2 | (sf & SoftFloat.OF) | (sf & SoftFloat.UF) << 2
                | (sf & SoftFloat.NX) << 4;
    }

    static SoftFloat core(ArmCpu c) {
        SoftFloat sf = c.softFloat;
        sf.flags = 0;
        return sf;
    }

    // ---------------------------------------------------------------- classification

    static boolean isNaN(long a, boolean dbl) {
        return dbl ? (a & Long.MAX_VALUE) > 0x7ff0000000000000L : (a & 0x7fffffffL) > 0x7f800000L;
    }

    static boolean isSNaN(long a, boolean dbl) {
        return isNaN(a, dbl) && (a & (dbl ? 1L << 51 : 1L << 22)) == 0;
    }

    static long quiet(long a, boolean dbl) {
        return a | (dbl ? 1L << 51 : 1L << 22);
    }

    static boolean isZero(long a, boolean dbl) {
        return (a & (dbl ? Long.MAX_VALUE : 0x7fffffffL)) == 0;
    }

    static boolean isInf(long a, boolean dbl) {
        return dbl ? (a & Long.MAX_VALUE) == 0x7ff0000000000000L : (a & 0x7fffffffL) == 0x7f800000L;
    }

    static long signBit(boolean dbl) {
        return dbl ? Long.MIN_VALUE : 0x80000000L;
    }

    static boolean isDenormal(long a, boolean dbl) {
        return dbl ? (a & 0x7ff0000000000000L) == 0 && (a & 0x000fffffffffffffL) != 0
                : (a & 0x7f800000L) == 0 && (a & 0x007fffffL) != 0;
    }

    /** With FPCR.FZ, a denormal input becomes a zero of its sign and raises IDC. */
    static long flushIn(ArmCpu c, long a, boolean dbl) {
        if ((c.fpcr & FPCR_FZ) != 0 && isDenormal(a, dbl)) {
            c.fpsr |= IDC;
            return a & signBit(dbl);
        }
        return a;
    }

    static long defaultNaN(boolean dbl) {
        return dbl ? DEFAULT_NAN64 : DEFAULT_NAN32;
    }

    /** FPProcessNaN: the (quieted) NaN, IOC if signalling, the default NaN under FPCR.DN. */
    static long processNaN(ArmCpu c, long a, boolean dbl) {
        if (isSNaN(a, dbl)) c.fpsr |= IOC;
        return (c.fpcr & FPCR_DN) != 0 ? defaultNaN(dbl) : quiet(a, dbl);
    }

    /** FPProcessNaNs for two operands (one of them is a NaN). */
    static long processNaNs(ArmCpu c, long a, long b, boolean dbl) {
        if (isSNaN(a, dbl)) return processNaN(c, a, dbl);
        if (isSNaN(b, dbl)) return processNaN(c, b, dbl);
        return processNaN(c, isNaN(a, dbl) ? a : b, dbl);
    }

    /** Stores the core's flags into FPSR, flushing a tiny result to zero under FPCR.FZ (UFC, no IXC). */
    static long finish(ArmCpu c, SoftFloat sf, long r, boolean dbl) {
        int flags = sf.flags;
        if ((c.fpcr & FPCR_FZ) != 0 && (isDenormal(r, dbl) || (flags & SoftFloat.UF) != 0)) {
            r &= signBit(dbl);
            flags = (flags & ~SoftFloat.NX) | SoftFloat.UF;
        }
        c.fpsr |= fpsrFlags(flags);
        return r;
    }

    // ---------------------------------------------------------------- arithmetic

    /** The two-operand FP operations (FADD ... FMULX, FABD, FRECPS, FRSQRTS). */
    static long binop(ArmCpu c, int op, long a, long b, boolean dbl) {
        if (op == RECPS || op == RSQRTS) {
            a ^= signBit(dbl); // the step functions negate op1 before anything else, NaNs included
        }
        if ((c.fpcr & FPCR_FZ) != 0) {
            a = flushIn(c, a, dbl);
            b = flushIn(c, b, dbl);
        }
        boolean na = isNaN(a, dbl), nb = isNaN(b, dbl);
        if (na || nb) {
            if ((op == MAXNM || op == MINNM) && na != nb && !isSNaN(a, dbl) && !isSNaN(b, dbl)) {
                return na ? b : a; // one quiet NaN: the number wins
            }
            long nan = processNaNs(c, a, b, dbl);
            // FNMUL is FPNeg(FPMul(..)) and FABD FPAbs(FPSub(..)): the sign changes on a NaN result as well
            return op == NMUL ? nan ^ signBit(dbl) : op == ABD ? nan & ~signBit(dbl) : nan;
        }
        SoftFloat sf = core(c);
        int rm = rmode(c.fpcr);
        long r;
        switch (op) {
            case ADD -> r = dbl ? sf.f64Add(a, b, rm) : sf.f32Add((int) a, (int) b, rm) & 0xffffffffL;
            case SUB -> r = dbl ? sf.f64Sub(a, b, rm) : sf.f32Sub((int) a, (int) b, rm) & 0xffffffffL;
            case MUL -> r = dbl ? sf.f64Mul(a, b, rm) : sf.f32Mul((int) a, (int) b, rm) & 0xffffffffL;
            case NMUL -> r = (dbl ? sf.f64Mul(a, b, rm) : sf.f32Mul((int) a, (int) b, rm) & 0xffffffffL)
                    ^ signBit(dbl);
            case DIV -> r = dbl ? sf.f64Div(a, b, rm) : sf.f32Div((int) a, (int) b, rm) & 0xffffffffL;
            case ABD -> r = (dbl ? sf.f64Sub(a, b, rm) : sf.f32Sub((int) a, (int) b, rm) & 0xffffffffL)
                    & ~signBit(dbl);
            case MULX -> {
                if (isInf(a, dbl) && isZero(b, dbl) || isZero(a, dbl) && isInf(b, dbl)) {
                    return twoWithSign(a ^ b, dbl); // ±2.0, no exception
                }
                r = dbl ? sf.f64Mul(a, b, rm) : sf.f32Mul((int) a, (int) b, rm) & 0xffffffffL;
            }
            case RECPS, RSQRTS -> {
                // FRECPS: 2 - a*b; FRSQRTS: (3 - a*b) / 2, fused; inf * 0 gives 2.0 / 1.5
                if (isInf(a, dbl) && isZero(b, dbl) || isZero(a, dbl) && isInf(b, dbl)) {
                    return op == RECPS ? twoWithSign(0, dbl) : (dbl ? 0x3ff8000000000000L : 0x3fc00000L);
                }
                long k = op == RECPS ? (dbl ? 0x4000000000000000L : 0x40000000L)
                        : (dbl ? 0x4008000000000000L : 0x40400000L);
                boolean halve = false;
                if (op == RSQRTS) {
                    // (3 - a*b) / 2 rounded once: halve an operand exactly (exponent - 1) and add 1.5, so
                    // that a product near the largest finite value does not overflow before the halving
                    int shift = dbl ? 52 : 23;
                    long expMask = dbl ? 0x7ff : 0xff, one = 1L << shift;
                    long ea = a >>> shift & expMask, eb = b >>> shift & expMask;
                    if (ea > 1 && ea < expMask) {
                        a -= one;
                        k -= one;
                    } else if (eb > 1 && eb < expMask) {
                        b -= one;
                        k -= one;
                    } else {
                        halve = true; // both tiny or infinite: 3 - a*b cannot overflow, halving it is exact
                    }
                }
                r = dbl ? sf.f64MulAdd(a, b, k, rm) : sf.f32MulAdd((int) a, (int) b, (int) k, rm) & 0xffffffffL;
                if (halve) {
                    long half = dbl ? 0x3fe0000000000000L : 0x3f000000L;
                    r = dbl ? sf.f64Mul(r, half, rm) : sf.f32Mul((int) r, (int) half, rm) & 0xffffffffL;
                }
            }
            default -> { // MAX, MIN, MAXNM, MINNM: no rounding, no flags beyond the NaN cases above
                boolean max = op == MAX || op == MAXNM;
                return minMax(a, b, max, dbl);
            }
        }
        return finish(c, sf, r, dbl);
    }

    private static long twoWithSign(long signSource, boolean dbl) {
        long two = dbl ? 0x4000000000000000L : 0x40000000L;
        return two | (signSource & signBit(dbl));
    }

    /** Max/min of two non-NaN values; +0 is above -0. */
    static long minMax(long a, long b, boolean max, boolean dbl) {
        double x = value(a, dbl), y = value(b, dbl);
        if (x == y) { // equal, or zeros of either sign
            boolean aNeg = (a & signBit(dbl)) != 0;
            return max ? (aNeg ? b : a) : (aNeg ? a : b);
        }
        return (x > y) == max ? a : b;
    }

    static double value(long a, boolean dbl) {
        return dbl ? Double.longBitsToDouble(a) : Float.intBitsToFloat((int) a);
    }

    /** FPMulAdd: addend + n * m with one rounding (FMADD, FMLA; FMSUB/FMLS negate n first). */
    static long mulAdd(ArmCpu c, long addend, long n, long m, boolean dbl) {
        if ((c.fpcr & FPCR_FZ) != 0) {
            addend = flushIn(c, addend, dbl);
            n = flushIn(c, n, dbl);
            m = flushIn(c, m, dbl);
        }
        boolean nanA = isNaN(addend, dbl), nanN = isNaN(n, dbl), nanM = isNaN(m, dbl);
        if (nanA || nanN || nanM) {
            boolean infZero = isInf(n, dbl) && isZero(m, dbl) || isZero(n, dbl) && isInf(m, dbl);
            if (isSNaN(addend, dbl)) return processNaN(c, addend, dbl);
            if (isSNaN(n, dbl)) return processNaN(c, n, dbl);
            if (isSNaN(m, dbl)) return processNaN(c, m, dbl);
            if (nanA && infZero) {
                c.fpsr |= IOC;
                return defaultNaN(dbl);
            }
            return processNaN(c, nanA ? addend : nanN ? n : m, dbl);
        }
        SoftFloat sf = core(c);
        int rm = rmode(c.fpcr);
        long r = dbl ? sf.f64MulAdd(n, m, addend, rm) : sf.f32MulAdd((int) n, (int) m, (int) addend, rm) & 0xffffffffL;
        return finish(c, sf, r, dbl);
    }

    static long sqrt(ArmCpu c, long a, boolean dbl) {
        a = flushIn(c, a, dbl);
        if (isNaN(a, dbl)) return processNaN(c, a, dbl);
        SoftFloat sf = core(c);
        int rm = rmode(c.fpcr);
        long r = dbl ? sf.f64Sqrt(a, rm) : sf.f32Sqrt((int) a, rm) & 0xffffffffL;
        return finish(c, sf, r, dbl);
    }

    // ---------------------------------------------------------------- compare

    /** FPCompare as NZCV (bits 3:0): unordered 0011, equal 0110, less 1000, greater 0010. */
    static int compare(ArmCpu c, long a, long b, boolean dbl, boolean signalAllNaNs) {
        a = flushIn(c, a, dbl);
        b = flushIn(c, b, dbl);
        if (isNaN(a, dbl) || isNaN(b, dbl)) {
            if (signalAllNaNs || isSNaN(a, dbl) || isSNaN(b, dbl)) c.fpsr |= IOC;
            return 0b0011;
        }
        double x = value(a, dbl), y = value(b, dbl);
        return x == y ? 0b0110 : x < y ? 0b1000 : 0b0010;
    }

    /** Vector compares: 0 EQ, 1 GE, 2 GT (FCMEQ quiet, the others signal on any NaN); abs for FACGE/FACGT. */
    static boolean compareLane(ArmCpu c, int kind, long a, long b, boolean dbl, boolean abs) {
        a = flushIn(c, a, dbl);
        b = flushIn(c, b, dbl);
        if (isNaN(a, dbl) || isNaN(b, dbl)) {
            if (kind != 0 || isSNaN(a, dbl) || isSNaN(b, dbl)) c.fpsr |= IOC;
            return false;
        }
        double x = value(a, dbl), y = value(b, dbl);
        if (abs) {
            x = Math.abs(x);
            y = Math.abs(y);
        }
        return switch (kind) {
            case 0 -> x == y;
            case 1 -> x >= y;
            default -> x > y;
        };
    }

    // ---------------------------------------------------------------- conversions

    /**
     * FP to integer (FCVT[NPMZA][SU], FCVTZ[SU] fixed point with {@code fbits}): rounding {@code rm}
     * (SoftFloat mode), NaN gives 0 and IOC, out of range saturates with IOC, inexact sets IXC.
     */
    static long toInt(ArmCpu c, long a, boolean dbl, int fbits, int rm, boolean unsigned, boolean to64) {
        a = flushIn(c, a, dbl);
        if (isNaN(a, dbl)) {
            c.fpsr |= IOC;
            return 0;
        }
        long d = dbl ? a : Double.doubleToRawLongBits(Float.intBitsToFloat((int) a)); // exact widening
        if (fbits != 0) {
            d = Double.doubleToRawLongBits(Math.scalb(Double.longBitsToDouble(d), fbits)); // exact or overflows
        }
        SoftFloat sf = core(c);
        long r;
        if (to64) {
            r = unsigned ? sf.f64ToU64(d, rm) : sf.f64ToI64(d, rm);
        } else {
            r = unsigned ? sf.f64ToU32(d, rm) & 0xffffffffL : sf.f64ToI32(d, rm) & 0xffffffffL;
        }
        c.fpsr |= fpsrFlags(sf.flags);
        return r;
    }

    /** Integer (or fixed point with fbits) to FP in FPCR's rounding mode (SCVTF/UCVTF). */
    static long fromInt(ArmCpu c, long v, boolean from64, boolean unsigned, int fbits, boolean dbl) {
        if (!from64) v = unsigned ? v & 0xffffffffL : (int) v;
        SoftFloat sf = core(c);
        int rm = rmode(c.fpcr);
        long r;
        if (dbl) {
            r = unsigned ? sf.u64ToF64(v, rm) : sf.i64ToF64(v, rm);
            if (fbits != 0) r = Double.doubleToRawLongBits(Math.scalb(Double.longBitsToDouble(r), -fbits));
        } else {
            r = (unsigned ? sf.u64ToF32(v, rm) : sf.i64ToF32(v, rm)) & 0xffffffffL;
            if (fbits != 0) r = Float.floatToRawIntBits(Math.scalb(Float.intBitsToFloat((int) r), -fbits)) & 0xffffffffL;
        }
        c.fpsr |= fpsrFlags(sf.flags);
        return r;
    }

    /** FCVT single to double: exact; a NaN keeps its payload, quieted. */
    static long widen(ArmCpu c, long a) {
        a = flushIn(c, a, false);
        if (isNaN(a, false)) {
            if (isSNaN(a, false)) c.fpsr |= IOC;
            if ((c.fpcr & FPCR_DN) != 0) return DEFAULT_NAN64;
            return (a & 0x80000000L) << 32 | 0x7ff8000000000000L | (a & 0x3fffffL) << 29;
        }
        return Double.doubleToRawLongBits(Float.intBitsToFloat((int) a));
    }

    /** FCVT double to single, rounded in FPCR's mode (or {@code rm} when given, as FCVTXN's odd rounding is not). */
    static long narrow(ArmCpu c, long a) {
        a = flushIn(c, a, true);
        if (isNaN(a, true)) {
            if (isSNaN(a, true)) c.fpsr |= IOC;
            if ((c.fpcr & FPCR_DN) != 0) return DEFAULT_NAN32;
            return (a >>> 32 & 0x80000000L) | 0x7fc00000L | (a >>> 29 & 0x3fffffL);
        }
        SoftFloat sf = core(c);
        long r = sf.f64ToF32(a, rmode(c.fpcr)) & 0xffffffffL;
        return finish(c, sf, r, false);
    }

    /**
     * FRINT*: round to an integral value in the same format, mode {@code rm} (SoftFloat encoding);
     * {@code exact} (FRINTX) raises IXC when the value changed.
     */
    static long roundInt(ArmCpu c, long a, boolean dbl, int rm, boolean exact) {
        a = flushIn(c, a, dbl);
        if (isNaN(a, dbl)) return processNaN(c, a, dbl);
        double x = value(a, dbl);
        if (Double.isInfinite(x) || x == 0 || Math.abs(x) >= 0x1p52) return a;
        double t = x < 0 ? Math.ceil(x) : Math.floor(x); // truncation, exact
        double frac = x - t; // exact
        double r = switch (rm) {
            case SoftFloat.RTZ -> t;
            case SoftFloat.RDN -> Math.floor(x);
            case SoftFloat.RUP -> Math.ceil(x);
            case SoftFloat.RMM -> Math.abs(frac) >= 0.5 ? t + Math.signum(x) : t;
            default -> Math.rint(x);
        };
        if (r == 0) r = Math.copySign(0.0, x);
        if (exact && r != x) c.fpsr |= IXC;
        return dbl ? Double.doubleToRawLongBits(r) : Float.floatToRawIntBits((float) r) & 0xffffffffL;
    }
}
