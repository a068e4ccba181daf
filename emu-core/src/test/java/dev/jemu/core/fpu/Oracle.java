package dev.jemu.core.fpu;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.math.RoundingMode;

import static dev.jemu.core.fpu.SoftFloat.*;

/**
 * Reference model for the tests: exact BigDecimal arithmetic, then rounding to the format with
 * {@link BigDecimal#setScale} in the matching {@link RoundingMode}. Division and square root use the exact
 * integer quotient/root of the significands carried p + 8 bits past the result, with a sticky half-bit for a
 * nonzero remainder (so they round exactly like the true value). Written from the IEEE 754 / RISC-V rules
 * independently of the implementation (no shared code). Values are raw bits (binary32 in the low 32 bits).
 */
final class Oracle {
    /** A binary format: precision, exponent range, width. */
    record Fmt(int p, int emin, int emax, int width) {
        long signBit() { return 1L << (width - 1); }
        long fracMask() { return (1L << (p - 1)) - 1; }
        long infBits() { return (long) (2 * emax + 1) << (p - 1); }
        long canonicalNaN() { return infBits() | (1L << (p - 2)); }
        long mask() { return width == 64 ? -1L : (1L << width) - 1; }
        boolean isNaN(long b) { return (b & (signBit() - 1)) > infBits(); }
        boolean isSNaN(long b) { return isNaN(b) && (b & (1L << (p - 2))) == 0; }
        boolean isInf(long b) { return (b & (signBit() - 1)) == infBits(); }
        boolean isZero(long b) { return (b & (signBit() - 1)) == 0; }
        boolean neg(long b) { return (b & signBit()) != 0; }
        BigDecimal exact(long b) {
            return width == 64 ? new BigDecimal(Double.longBitsToDouble(b)) : new BigDecimal((double) Float.intBitsToFloat((int) b));
        }
        long zero(boolean neg) { return neg ? signBit() : 0; }
        long inf(boolean neg) { return infBits() | (neg ? signBit() : 0); }
    }

    static final Fmt F32 = new Fmt(24, -126, 127, 32);
    static final Fmt F64 = new Fmt(53, -1022, 1023, 64);

    /** Flags raised by the last operation. */
    int flags;

    private static final int POW_RANGE = 2400;
    private static final BigDecimal[] POW2 = new BigDecimal[2 * POW_RANGE + 1];

    static BigDecimal pow2(int k) {
        BigDecimal v = POW2[k + POW_RANGE];
        if (v == null) {
            v = k >= 0 ? new BigDecimal(BigInteger.ONE.shiftLeft(k)) : new BigDecimal(BigInteger.valueOf(5).pow(-k), -k);
            POW2[k + POW_RANGE] = v;
        }
        return v;
    }

    /** floor(log2(m)) for m > 0. */
    static int floorLog2(BigDecimal m) {
        int e = (int) Math.floor(m.unscaledValue().bitLength() - 1 - m.scale() * 3.321928094887362);
        while (m.compareTo(pow2(e)) < 0) e--;
        while (m.compareTo(pow2(e + 1)) >= 0) e++;
        return e;
    }

    static RoundingMode mode(int rm, boolean neg) {
        return switch (rm) {
            case RNE -> RoundingMode.HALF_EVEN;
            case RTZ -> RoundingMode.DOWN;
            case RDN -> neg ? RoundingMode.UP : RoundingMode.DOWN;
            case RUP -> neg ? RoundingMode.DOWN : RoundingMode.UP;
            case RMM -> RoundingMode.HALF_UP;
            default -> throw new IllegalArgumentException("rm " + rm);
        };
    }

    /** Rounds a nonzero exact value (or a sticky stand-in for one) to the format. */
    long round(BigDecimal v, Fmt f, int rm) {
        boolean neg = v.signum() < 0;
        BigDecimal m = v.abs();
        RoundingMode mode = mode(rm, neg);
        int e = floorLog2(m);
        int q = Math.max(e, f.emin()) - (f.p() - 1);
        BigDecimal scaled = m.multiply(pow2(-q));
        BigInteger i = scaled.setScale(0, mode).toBigIntegerExact();
        boolean inexact = scaled.compareTo(new BigDecimal(i)) != 0;
        if (i.signum() > 0 && i.bitLength() - 1 + q > f.emax()) {
            flags |= OF | NX;
            boolean toInf = switch (rm) { case RTZ -> false; case RDN -> neg; case RUP -> !neg; default -> true; };
            return toInf ? f.inf(neg) : f.inf(neg) - 1;
        }
        if (inexact) {
            flags |= NX;
            if (e < f.emin()) {
                int q2 = e - (f.p() - 1);
                BigInteger i2 = m.multiply(pow2(-q2)).setScale(0, mode).toBigIntegerExact();
                boolean tiny = i2.compareTo(BigInteger.ONE.shiftLeft(f.emin() - q2)) < 0;
                if (tiny) flags |= UF;
            }
        }
        if (i.signum() == 0) return f.zero(neg);
        if (i.bitLength() == f.p() + 1) { i = i.shiftRight(1); q++; }
        long bits;
        if (i.bitLength() == f.p()) {
            bits = ((long) (q + f.p() - 1 + f.emax()) << (f.p() - 1)) | (i.longValue() & f.fracMask());
        } else {
            if (q != f.emin() - f.p() + 1) throw new AssertionError("oracle: subnormal with q " + q);
            bits = i.longValue();
        }
        return bits | (neg ? f.signBit() : 0);
    }

    /** Result of an exact zero sum of addends with signs na, nb. */
    static long zeroSum(Fmt f, boolean na, boolean nb, int rm) {
        if (na == nb) return f.zero(na);
        return f.zero(rm == RDN);
    }

    private long nan(Fmt f, boolean invalid) {
        if (invalid) flags |= NV;
        return f.canonicalNaN();
    }

    long add(Fmt f, long a, long b, int rm) {
        if (f.isNaN(a) || f.isNaN(b)) return nan(f, f.isSNaN(a) || f.isSNaN(b));
        if (f.isInf(a) && f.isInf(b) && f.neg(a) != f.neg(b)) return nan(f, true);
        if (f.isInf(a)) return a;
        if (f.isInf(b)) return b;
        BigDecimal s = f.exact(a).add(f.exact(b));
        if (s.signum() == 0) {
            if (f.isZero(a) && f.isZero(b)) return zeroSum(f, f.neg(a), f.neg(b), rm);
            return f.zero(rm == RDN);
        }
        return round(s, f, rm);
    }

    long sub(Fmt f, long a, long b, int rm) { return add(f, a, b ^ f.signBit(), rm); }

    long mul(Fmt f, long a, long b, int rm) {
        if (f.isNaN(a) || f.isNaN(b)) return nan(f, f.isSNaN(a) || f.isSNaN(b));
        boolean neg = f.neg(a) != f.neg(b);
        if ((f.isInf(a) && f.isZero(b)) || (f.isZero(a) && f.isInf(b))) return nan(f, true);
        if (f.isInf(a) || f.isInf(b)) return f.inf(neg);
        if (f.isZero(a) || f.isZero(b)) return f.zero(neg);
        return round(f.exact(a).multiply(f.exact(b)), f, rm);
    }

    long div(Fmt f, long a, long b, int rm) {
        if (f.isNaN(a) || f.isNaN(b)) return nan(f, f.isSNaN(a) || f.isSNaN(b));
        boolean neg = f.neg(a) != f.neg(b);
        if ((f.isInf(a) && f.isInf(b)) || (f.isZero(a) && f.isZero(b))) return nan(f, true);
        if (f.isInf(a)) return f.inf(neg);
        if (f.isInf(b)) return f.zero(neg);
        if (f.isZero(b)) { flags |= DZ; return f.inf(neg); }
        if (f.isZero(a)) return f.zero(neg);
        // exact quotient of the significands with p + 8 extra bits, plus a half-bit sticky for any remainder
        int k = 2 * f.p() + 8;
        BigInteger[] qr = significand(f, a).shiftLeft(k).divideAndRemainder(significand(f, b));
        BigInteger q = qr[0].shiftLeft(1).add(qr[1].signum() == 0 ? BigInteger.ZERO : BigInteger.ONE);
        BigDecimal v = new BigDecimal(q).multiply(pow2(exponent(f, a) - exponent(f, b) - k - 1));
        return round(neg ? v.negate() : v, f, rm);
    }

    /** Integer significand m of a finite value: |value| = m * 2^exponent. */
    static BigInteger significand(Fmt f, long bits) {
        long biased = (bits >>> (f.p() - 1)) & (2L * f.emax() + 1);
        long frac = bits & f.fracMask();
        return BigInteger.valueOf(biased == 0 ? frac : frac | (1L << (f.p() - 1)));
    }

    static int exponent(Fmt f, long bits) {
        int biased = (int) ((bits >>> (f.p() - 1)) & (2L * f.emax() + 1));
        return (biased == 0 ? 1 : biased) - f.emax() - (f.p() - 1);
    }

    long sqrt(Fmt f, long a, int rm) {
        if (f.isNaN(a)) return nan(f, f.isSNaN(a));
        if (f.isZero(a)) return a;
        if (f.neg(a)) return nan(f, true);
        if (f.isInf(a)) return a;
        // integer square root of the significand scaled by an even power of two, plus a half-bit sticky
        BigInteger m = significand(f, a);
        int e = exponent(f, a);
        if ((e & 1) != 0) { m = m.shiftLeft(1); e--; }
        int k = f.p() + 8;
        BigInteger scaled = m.shiftLeft(2 * k), root = scaled.sqrt();
        BigInteger r2 = root.shiftLeft(1).add(root.multiply(root).equals(scaled) ? BigInteger.ZERO : BigInteger.ONE);
        return round(new BigDecimal(r2).multiply(pow2(e / 2 - k - 1)), f, rm);
    }

    long fma(Fmt f, long a, long b, long c, int rm) {
        boolean invalid = f.isSNaN(a) || f.isSNaN(b) || f.isSNaN(c);
        if (f.isNaN(a) || f.isNaN(b)) return nan(f, invalid);
        if ((f.isInf(a) && f.isZero(b)) || (f.isZero(a) && f.isInf(b))) return nan(f, true);
        if (f.isNaN(c)) return nan(f, invalid);
        boolean np = f.neg(a) != f.neg(b);
        if (f.isInf(a) || f.isInf(b)) {
            if (f.isInf(c) && f.neg(c) != np) return nan(f, true);
            return f.inf(np);
        }
        if (f.isInf(c)) return c;
        BigDecimal p = f.exact(a).multiply(f.exact(b));
        BigDecimal s = p.add(f.exact(c));
        if (s.signum() == 0) {
            if (p.signum() == 0 && f.isZero(c)) return zeroSum(f, np, f.neg(c), rm);
            return f.zero(rm == RDN);
        }
        return round(s, f, rm);
    }

    /** Float to integer: kind 0 i32, 1 u32, 2 i64, 3 u64; 32-bit results sign-extended. */
    long toInt(Fmt f, long a, int rm, int kind) {
        BigInteger min = switch (kind) { case 0 -> BigInteger.valueOf(Integer.MIN_VALUE); case 2 -> BigInteger.valueOf(Long.MIN_VALUE); default -> BigInteger.ZERO; };
        BigInteger max = switch (kind) {
            case 0 -> BigInteger.valueOf(Integer.MAX_VALUE);
            case 1 -> BigInteger.valueOf(0xffffffffL);
            case 2 -> BigInteger.valueOf(Long.MAX_VALUE);
            default -> BigInteger.ONE.shiftLeft(64).subtract(BigInteger.ONE);
        };
        BigInteger r;
        if (f.isNaN(a)) { flags |= NV; r = max; }
        else if (f.isInf(a)) { flags |= NV; r = f.neg(a) ? min : max; }
        else {
            BigDecimal x = f.exact(a);
            BigInteger i = x.setScale(0, mode(rm, x.signum() < 0)).toBigIntegerExact();
            if (i.compareTo(min) < 0) { flags |= NV; r = min; }
            else if (i.compareTo(max) > 0) { flags |= NV; r = max; }
            else { r = i; if (new BigDecimal(i).compareTo(x) != 0) flags |= NX; }
        }
        long v = r.longValue();
        return kind < 2 ? (int) v : v;
    }

    /** Integer (exact value given) to float. */
    long fromInt(Fmt f, BigInteger v, int rm) {
        if (v.signum() == 0) return 0;
        return round(new BigDecimal(v), f, rm);
    }

    /** Conversion between formats. */
    long convert(Fmt from, Fmt to, long a, int rm) {
        if (from.isNaN(a)) return nan(to, from.isSNaN(a));
        if (from.isInf(a)) return to.inf(from.neg(a));
        if (from.isZero(a)) return to.zero(from.neg(a));
        return round(from.exact(a), to, rm);
    }

    /** fmin/fmax per IEEE 754-2019 minimumNumber/maximumNumber. */
    long minMax(Fmt f, long a, long b, boolean min) {
        if (f.isSNaN(a) || f.isSNaN(b)) flags |= NV;
        if (f.isNaN(a) && f.isNaN(b)) return f.canonicalNaN();
        if (f.isNaN(a)) return b;
        if (f.isNaN(b)) return a;
        int c = compareTotal(f, a, b);
        return (c <= 0) == min ? a : b;
    }

    /** Numeric order with -0 < +0 (operands not NaN). */
    private static int compareTotal(Fmt f, long a, long b) {
        if (f.isZero(a) && f.isZero(b)) return Boolean.compare(!f.neg(a), !f.neg(b));
        return value(f, a).compareTo(value(f, b));
    }

    private static final BigDecimal HUGE = new BigDecimal("1e400");

    /** Comparable stand-in for any non-NaN value (infinities as huge numbers). */
    private static BigDecimal value(Fmt f, long a) {
        if (f.isInf(a)) return f.neg(a) ? HUGE.negate() : HUGE;
        return f.exact(a);
    }

    /** kind 0 feq, 1 flt, 2 fle. */
    boolean compare(Fmt f, long a, long b, int kind) {
        if (f.isNaN(a) || f.isNaN(b)) {
            if (kind != 0 || f.isSNaN(a) || f.isSNaN(b)) flags |= NV;
            return false;
        }
        int c = value(f, a).compareTo(value(f, b));
        return kind == 0 ? c == 0 : kind == 1 ? c < 0 : c <= 0;
    }
}
