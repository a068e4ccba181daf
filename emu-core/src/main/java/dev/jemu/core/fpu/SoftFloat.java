package dev.jemu.core.fpu;

/**
 * IEEE 754-2008 binary32/binary64 arithmetic in software, shared by the CPUs: five rounding modes, the five
 * exception flags, a canonical NaN (0x7fc00000 / 0x7ff8000000000000, RISC-V's canonical NaN and ARM's default
 * NaN) for every NaN result, and saturating float-to-integer conversions (NaN converts to the largest value,
 * RISC-V's rule). Architecture rules beyond that stay in the CPU: ARM propagates NaN operands and converts
 * NaN to 0, so its FP unit settles NaN operands before calling in; tininess is detected after rounding
 * (RISC-V) unless the instance was made with {@code tininessBeforeRounding} (ARM).
 *
 * <p>Values are raw bit patterns (int for binary32, long for binary64). {@link #flags} accumulates exception
 * flags (it is the hart's {@code fflags}); operations only ever OR bits into it. NaN boxing of binary32 in
 * 64-bit registers is the CPU's business, not this class's. {@code rm} must be a valid static mode (0-4):
 * the CPU resolves DYN and traps the reserved encodings (any other value rounds to nearest even).
 *
 * <p>Speed: where the host's round-to-nearest-even arithmetic is provably right, it is used, and an exact
 * error term (TwoSum, an fma residual, or Boldo-Muller ErrFma for fma) gives the inexact flag and the
 * one-ulp correction for the other modes; binary32 works in host doubles, which hold every binary32 product
 * exactly and round every other result closely enough to be corrected. Subnormal, overflowing and other
 * edge results go to exact integer code ({@link F64Slow}, {@link Rounding}).
 */
public final class SoftFloat {
    /** Rounding modes, in RISC-V {@code frm} encoding. */
    public static final int RNE = 0, RTZ = 1, RDN = 2, RUP = 3, RMM = 4;
    /** Exception flags, in RISC-V {@code fflags} bit positions. */
    public static final int NX = 1, UF = 2, OF = 4, DZ = 8, NV = 16;

    public static final int F32_CANONICAL_NAN = 0x7fc00000;
    public static final long F64_CANONICAL_NAN = 0x7ff8000000000000L;

    /** Accrued exception flags ({@code fflags}). */
    public int flags;

    /** Underflow is signalled for a tiny inexact result judged before rounding (ARM) rather than after (RISC-V). */
    final boolean tininessBeforeRounding;

    /** RISC-V's rules: tininess after rounding. */
    public SoftFloat() {
        this(false);
    }

    public SoftFloat(boolean tininessBeforeRounding) {
        this.tininessBeforeRounding = tininessBeforeRounding;
    }

    private static final int F32_SIGN = 0x80000000;
    private static final long F64_SIGN = 0x8000000000000000L;
    private static final double TINY = 0x1p-960;  // below this the host's fma-based error terms may underflow
    private static final double MAX = Double.MAX_VALUE;
    /** Range where fma's error-free transformation neither underflows nor overflows. */
    private static final double FMA_LO = 0x1p-850, FMA_HI = 0x1p1000;

    // ---- classification of raw bits ----
    static boolean isNaN32(int a) { return (a & 0x7fffffff) > 0x7f800000; }
    static boolean isSNaN32(int a) { return isNaN32(a) && (a & 0x00400000) == 0; }
    static boolean isNaN64(long a) { return (a & Long.MAX_VALUE) > 0x7ff0000000000000L; }
    static boolean isSNaN64(long a) { return isNaN64(a) && (a & 0x0008000000000000L) == 0; }

    private static double d(long a) { return Double.longBitsToDouble(a); }
    private static long bits(double x) { return Double.doubleToRawLongBits(x); }
    /** Exact widening of a non-NaN binary32 to a host double. */
    private static double w(int a) { return Float.intBitsToFloat(a); }

    /** NaN result of an operation: canonical, NV if an operand was signaling (or the operation invalid). */
    private int nan32(boolean invalid) { if (invalid) flags |= NV; return F32_CANONICAL_NAN; }
    private long nan64(boolean invalid) { if (invalid) flags |= NV; return F64_CANONICAL_NAN; }

    /** Sign of an exact zero sum x + y: +0 unless both addends are -0, or the mode is RDN and either is negative. */
    private static double zeroSum(double x, double y, int rm) {
        boolean nx = bits(x) < 0, ny = bits(y) < 0;
        return (nx && ny) || (rm == RDN && (nx || ny)) ? -0.0 : 0.0;
    }

    /**
     * Turns r, the host's round-to-nearest-even result, into the result for mode rm, given err = exact value
     * minus r (nonzero; only its sign matters, except that RMM compares it with half an ulp of r). r must be
     * finite with |r| >= 2^-960 so that neither r nor its neighbours are subnormal.
     */
    private long adjust(double r, double err, int rm) {
        flags |= NX;
        switch (rm) {
            case RTZ -> { if ((err < 0) != (r < 0)) r = r > 0 ? Math.nextDown(r) : Math.nextUp(r); }
            case RDN -> { if (err < 0) r = Math.nextDown(r); }
            case RUP -> { if (err > 0) r = Math.nextUp(r); }
            case RMM -> {
                if ((err < 0) == (r < 0) && Math.abs(err) == Math.ulp(r) * 0.5) r = r > 0 ? Math.nextUp(r) : Math.nextDown(r);
            }
            default -> { }
        }
        if (Double.isInfinite(r)) flags |= OF;
        return bits(r);
    }

    /** Error token for division and square root: their results are never halfway cases. */
    private static double sideOf(boolean above) { return above ? Double.MIN_VALUE : -Double.MIN_VALUE; }

    /**
     * Rounds to binary32 the exact value x + err, where x is a nonzero host double holding the value rounded
     * to nearest and err the exact remainder (or a token of its sign): only err's sign matters, because
     * binary32 rounding points and midpoints are double-representable, so the exact value lies on the same
     * side of each of them as x does, or as x ± a quarter of x's ulp does when x sits on one.
     */
    private int round32(double x, double err, int rm) {
        float fr = (float) x;                              // round-to-nearest-even of x
        float afr = Math.abs(fr);
        if (afr > Float.MIN_NORMAL && afr <= Float.MAX_VALUE) {
            // Normal binary32 range: the 29 low bits of x's significand are what binary32 drops.
            long low = bits(x) & ((1L << 29) - 1);
            if (low == 0 && err == 0) return Float.floatToRawIntBits(fr);
            if (low != 1L << 28 || err == 0) return adjust32(fr, low != 0 ? x - fr : err, low == 1L << 28, rm);
            // x is a binary32 midpoint but the exact value is not: take the general path below
        }
        return pack32(x, err, rm);
    }

    /**
     * binary32 counterpart of {@link #adjust}: fr is the nearest-even result (normal, above the smallest
     * normal), dir the sign of exact value minus fr (nonzero), tie whether the exact value is a midpoint.
     */
    private int adjust32(float fr, double dir, boolean tie, int rm) {
        flags |= NX;
        switch (rm) {
            case RTZ -> { if ((dir < 0) != (fr < 0)) fr = fr > 0 ? Math.nextDown(fr) : Math.nextUp(fr); }
            case RDN -> { if (dir < 0) fr = Math.nextDown(fr); }
            case RUP -> { if (dir > 0) fr = Math.nextUp(fr); }
            case RMM -> { if (tie && (dir < 0) == (fr < 0)) fr = fr > 0 ? Math.nextUp(fr) : Math.nextDown(fr); }
            default -> { }
        }
        if (Float.isInfinite(fr)) flags |= OF;
        return Float.floatToRawIntBits(fr);
    }

    /** General binary32 rounding of x + err (see {@link #round32}) through the integer rounder. */
    private int pack32(double x, double err, int rm) {
        long b = bits(x);
        boolean neg = b < 0;
        long sig = F64Slow.sig(b);
        int exp = F64Slow.exp(b);
        if (err != 0) {
            sig <<= 2;
            exp -= 2;
            sig += (err > 0) != neg ? 1 : -1;
        }
        return (int) Rounding.pack(this, neg, exp, sig, Rounding.P32, Rounding.EMIN32, Rounding.EMAX32, rm);
    }

    private static int f32(double exact) { return Float.floatToRawIntBits((float) exact); }

    // ---- binary32 ----
    public int f32Add(int a, int b, int rm) {
        if (isNaN32(a) || isNaN32(b)) return nan32(isSNaN32(a) || isSNaN32(b));
        double x = w(a), y = w(b), s = x + y;
        if (Double.isNaN(s)) return nan32(true);          // inf - inf
        if (Double.isInfinite(s)) return f32(s);          // only from infinite operands
        if (s == 0) return f32(zeroSum(x, y, rm));
        double bb = s - x, err = (x - (s - bb)) + (y - bb); // TwoSum: s + err == x + y exactly
        return round32(s, err, rm);
    }

    public int f32Sub(int a, int b, int rm) { return f32Add(a, b ^ F32_SIGN, rm); }

    public int f32Mul(int a, int b, int rm) {
        if (isNaN32(a) || isNaN32(b)) return nan32(isSNaN32(a) || isSNaN32(b));
        double p = w(a) * w(b);                            // exact: 48-bit product
        if (Double.isNaN(p)) return nan32(true);           // 0 * inf
        if (Double.isInfinite(p) || p == 0) return f32(p);
        return round32(p, 0, rm);
    }

    public int f32Div(int a, int b, int rm) {
        if (isNaN32(a) || isNaN32(b)) return nan32(isSNaN32(a) || isSNaN32(b));
        double x = w(a), y = w(b), q = x / y;
        if (Double.isNaN(q)) return nan32(true);           // 0/0, inf/inf
        if (y == 0 && !Double.isInfinite(x)) flags |= DZ;
        if (Double.isInfinite(q) || q == 0) return f32(q);
        double rem = Math.fma(-q, y, x);                   // exact remainder
        return round32(q, rem == 0 ? 0 : sideOf((rem > 0) == (y > 0)), rm);
    }

    public int f32Sqrt(int a, int rm) {
        if (isNaN32(a)) return nan32(isSNaN32(a));
        double x = w(a);
        if (x == 0 || x == Double.POSITIVE_INFINITY) return a;
        if (x < 0) return nan32(true);
        double r = Math.sqrt(x), rem = Math.fma(-r, r, x);
        return round32(r, rem == 0 ? 0 : sideOf(rem > 0), rm);
    }

    /** a*b+c with a single rounding. FMSUB/FNMSUB/FNMADD are made by flipping sign bits of the inputs. */
    public int f32MulAdd(int a, int b, int c, int rm) {
        boolean invalid = isSNaN32(a) || isSNaN32(b) || isSNaN32(c);
        if (isNaN32(a) || isNaN32(b)) return nan32(invalid);
        double p = w(a) * w(b);                            // exact
        if (Double.isNaN(p)) return nan32(true);           // 0 * inf, even when c is a quiet NaN
        if (isNaN32(c)) return nan32(invalid);
        double z = w(c), s = p + z;
        if (Double.isNaN(s)) return nan32(true);           // inf - inf
        if (Double.isInfinite(s)) return f32(s);
        if (s == 0) return f32(zeroSum(p, z, rm));
        double bb = s - p, err = (p - (s - bb)) + (z - bb);
        return round32(s, err, rm);
    }

    /** IEEE 754-2019 minimumNumber (RISC-V fmin): -0 < +0; one NaN input gives the other; sNaN raises NV. */
    public int f32Min(int a, int b) { return minMax32(a, b, true); }
    public int f32Max(int a, int b) { return minMax32(a, b, false); }

    private int minMax32(int a, int b, boolean min) {
        boolean na = isNaN32(a), nb = isNaN32(b);
        if (isSNaN32(a) || isSNaN32(b)) flags |= NV;
        if (na && nb) return F32_CANONICAL_NAN;
        if (na) return b;
        if (nb) return a;
        double x = w(a), y = w(b);
        if (x == y) return min ? a | b : a & b;           // equal values differ only in the sign of zero
        return (x < y) == min ? a : b;
    }

    /** Quiet comparison (feq): NV only for signaling NaN inputs. */
    public boolean f32Eq(int a, int b) {
        if (isNaN32(a) || isNaN32(b)) { if (isSNaN32(a) || isSNaN32(b)) flags |= NV; return false; }
        return w(a) == w(b);
    }

    /** Signaling comparisons (flt, fle): NV for any NaN input. */
    public boolean f32Lt(int a, int b) {
        if (isNaN32(a) || isNaN32(b)) { flags |= NV; return false; }
        return w(a) < w(b);
    }

    public boolean f32Le(int a, int b) {
        if (isNaN32(a) || isNaN32(b)) { flags |= NV; return false; }
        return w(a) <= w(b);
    }

    /** RISC-V fclass bit mask (bit 0 = -inf ... bit 9 = quiet NaN). */
    public static int f32Classify(int a) {
        int be = (a >>> 23) & 0xff, frac = a & 0x7fffff;
        boolean neg = a < 0;
        if (be == 0xff) return frac == 0 ? (neg ? 1 : 1 << 7) : (frac & 0x400000) != 0 ? 1 << 9 : 1 << 8;
        if (be == 0) return frac == 0 ? (neg ? 1 << 3 : 1 << 4) : (neg ? 1 << 2 : 1 << 5);
        return neg ? 1 << 1 : 1 << 6;
    }

    /** fcvt.w.s: saturating, NV on NaN/overflow (NaN gives the maximum), NX when inexact. */
    public int f32ToI32(int a, int rm) { return (int) f32ToInt(a, rm, Rounding.I32); }
    public int f32ToU32(int a, int rm) { return (int) f32ToInt(a, rm, Rounding.U32); }
    public long f32ToI64(int a, int rm) { return f32ToInt(a, rm, Rounding.I64); }
    public long f32ToU64(int a, int rm) { return f32ToInt(a, rm, Rounding.U64); }

    private long f32ToInt(int a, int rm, int kind) {
        int be = (a >>> 23) & 0xff;
        long frac = a & 0x7fffff;
        boolean nan = isNaN32(a);
        return Rounding.toInt(this, a < 0 && !nan, be == 0 ? frac : frac | 0x800000, (be == 0 ? 1 : be) - 150,
                be == 0xff, rm, kind);
    }

    public int i32ToF32(int v, int rm) { return fromInt32(v < 0, Math.abs((long) v), rm); }
    public int u32ToF32(int v, int rm) { return fromInt32(false, v & 0xffffffffL, rm); }
    public int i64ToF32(long v, int rm) { return fromInt32(v < 0, v < 0 ? -v : v, rm); }
    public int u64ToF32(long v, int rm) { return fromInt32(false, v, rm); }

    /** mag is an unsigned magnitude. */
    private int fromInt32(boolean neg, long mag, int rm) {
        if (mag == 0) return 0;
        int exp = 0;
        if (mag < 0) { mag = (mag >>> 1) | (mag & 1); exp = 1; } // 64 significant bits: halve with a sticky bit
        return (int) Rounding.pack(this, neg, exp, mag, Rounding.P32, Rounding.EMIN32, Rounding.EMAX32, rm);
    }

    // ---- binary64 ----
    public long f64Add(long a, long b, int rm) {
        double x = d(a), y = d(b), s = x + y;
        if (Double.isFinite(s)) {                          // operands finite, no overflow
            if (s == 0) return bits(zeroSum(x, y, rm));   // a zero sum is always exact
            double bb = s - x, err = (x - (s - bb)) + (y - bb); // TwoSum; an inexact sum is never tiny
            return err == 0 ? bits(s) : adjust(s, err, rm);
        }
        if (isNaN64(a) || isNaN64(b)) return nan64(isSNaN64(a) || isSNaN64(b));
        if (Double.isNaN(s)) return nan64(true);           // inf - inf
        if (Double.isInfinite(x) || Double.isInfinite(y)) return bits(s);
        return F64Slow.add(this, a, b, rm);                // finite overflow
    }

    public long f64Sub(long a, long b, int rm) { return f64Add(a, b ^ F64_SIGN, rm); }

    public long f64Mul(long a, long b, int rm) {
        double x = d(a), y = d(b), p = x * y, ap = Math.abs(p);
        if (ap >= TINY && ap <= MAX) {
            double err = Math.fma(x, y, -p);               // exact product error
            return err == 0 ? bits(p) : adjust(p, err, rm);
        }
        if (p == 0 && (x == 0 || y == 0)) return bits(p);
        if (isNaN64(a) || isNaN64(b)) return nan64(isSNaN64(a) || isSNaN64(b));
        if (Double.isNaN(p)) return nan64(true);           // 0 * inf
        if (Double.isInfinite(x) || Double.isInfinite(y)) return bits(p);
        return F64Slow.mul(this, a, b, rm);                // tiny or overflowing result
    }

    public long f64Div(long a, long b, int rm) {
        double x = d(a), y = d(b), q = x / y;
        double aq = Math.abs(q), ax = Math.abs(x), ay = Math.abs(y);
        if (aq >= TINY && aq <= MAX && ax >= TINY && ax <= MAX && ay >= Double.MIN_NORMAL && ay <= MAX) {
            double rem = Math.fma(-q, y, x);               // exact remainder
            return rem == 0 ? bits(q) : adjust(q, sideOf((rem > 0) == (y > 0)), rm);
        }
        if (isNaN64(a) || isNaN64(b)) return nan64(isSNaN64(a) || isSNaN64(b));
        if (Double.isNaN(q)) return nan64(true);           // 0/0, inf/inf
        if (y == 0) {
            if (!Double.isInfinite(x)) flags |= DZ;
            return bits(q);
        }
        if (x == 0 || Double.isInfinite(x) || Double.isInfinite(y)) return bits(q);
        return F64Slow.div(this, a, b, rm);
    }

    public long f64Sqrt(long a, int rm) {
        double x = d(a);
        if (x >= TINY && x <= MAX) return sqrt64(x, 1, rm);
        if (isNaN64(a)) return nan64(isSNaN64(a));
        if (x == 0 || x == Double.POSITIVE_INFINITY) return a;
        if (x < 0) return nan64(true);
        return sqrt64(x * 0x1p1000, 0x1p-500, rm);        // tiny: scale by an even power; the root is normal
    }

    private long sqrt64(double x, double scale, int rm) {
        double r = Math.sqrt(x), rem = Math.fma(-r, r, x);
        long res = rem == 0 ? bits(r) : adjust(r, sideOf(rem > 0), rm);
        return scale == 1 ? res : bits(d(res) * scale);
    }

    public long f64MulAdd(long a, long b, long c, int rm) {
        boolean invalid = isSNaN64(a) || isSNaN64(b) || isSNaN64(c);
        double x = d(a), y = d(b), z = d(c);
        if (isNaN64(a) || isNaN64(b)) return nan64(invalid);
        boolean infP = Double.isInfinite(x) || Double.isInfinite(y);
        if (infP && (x == 0 || y == 0)) return nan64(true); // 0 * inf, even when c is a quiet NaN
        if (isNaN64(c)) return nan64(invalid);
        if (infP) {
            boolean np = (a ^ b) < 0;
            if (Double.isInfinite(z) && (c < 0) != np) return nan64(true);
            return np ? 0xfff0000000000000L : 0x7ff0000000000000L;
        }
        if (Double.isInfinite(z)) return c;
        double p = x * y, ap = Math.abs(p), az = Math.abs(z);
        if (ap >= FMA_LO && ap <= FMA_HI && (az == 0 || (az >= FMA_LO && az <= FMA_HI))) {
            double r = Math.fma(x, y, z), ar = Math.abs(r);
            if (ar >= FMA_LO && ar <= FMA_HI) {
                // Boldo-Muller ErrFma (IEEE TC 2011): x*y + z == r + g + a2 exactly when nothing underflows;
                // r2 + r3 == g + a2 with |r3| <= ulp(r2)/2, so r2 gives the direction of the rounding
                // error and r3 == 0 && |r2| == ulp(r)/2 marks an exact tie.
                double e = Math.fma(x, y, -p);
                double a1 = z + e, bb = a1 - z, a2 = (z - (a1 - bb)) + (e - bb);   // TwoSum(z, e)
                double b1 = p + a1, cc = b1 - p, b2 = (p - (b1 - cc)) + (a1 - cc); // TwoSum(p, a1)
                double g = (b1 - r) + b2;
                double r2 = g + a2, dd = r2 - g, r3 = (g - (r2 - dd)) + (a2 - dd);  // TwoSum(g, a2)
                if (r2 == 0 && r3 == 0) return bits(r);
                return adjust(r, r3 == 0 ? r2 : sideOf((r2 != 0 ? r2 : r3) > 0), rm);
            }
        }
        return F64Slow.fma(this, a, b, c, rm);
    }

    public long f64Min(long a, long b) { return minMax64(a, b, true); }
    public long f64Max(long a, long b) { return minMax64(a, b, false); }

    private long minMax64(long a, long b, boolean min) {
        boolean na = isNaN64(a), nb = isNaN64(b);
        if (isSNaN64(a) || isSNaN64(b)) flags |= NV;
        if (na && nb) return F64_CANONICAL_NAN;
        if (na) return b;
        if (nb) return a;
        double x = d(a), y = d(b);
        if (x == y) return min ? a | b : a & b;
        return (x < y) == min ? a : b;
    }

    public boolean f64Eq(long a, long b) {
        if (isNaN64(a) || isNaN64(b)) { if (isSNaN64(a) || isSNaN64(b)) flags |= NV; return false; }
        return d(a) == d(b);
    }

    public boolean f64Lt(long a, long b) {
        if (isNaN64(a) || isNaN64(b)) { flags |= NV; return false; }
        return d(a) < d(b);
    }

    public boolean f64Le(long a, long b) {
        if (isNaN64(a) || isNaN64(b)) { flags |= NV; return false; }
        return d(a) <= d(b);
    }

    public static int f64Classify(long a) {
        int be = (int) (a >>> 52) & 0x7ff;
        long frac = a & ((1L << 52) - 1);
        boolean neg = a < 0;
        if (be == 0x7ff) return frac == 0 ? (neg ? 1 : 1 << 7) : (frac & (1L << 51)) != 0 ? 1 << 9 : 1 << 8;
        if (be == 0) return frac == 0 ? (neg ? 1 << 3 : 1 << 4) : (neg ? 1 << 2 : 1 << 5);
        return neg ? 1 << 1 : 1 << 6;
    }

    public int f64ToI32(long a, int rm) { return (int) f64ToInt(a, rm, Rounding.I32); }
    public int f64ToU32(long a, int rm) { return (int) f64ToInt(a, rm, Rounding.U32); }
    public long f64ToI64(long a, int rm) { return f64ToInt(a, rm, Rounding.I64); }
    public long f64ToU64(long a, int rm) { return f64ToInt(a, rm, Rounding.U64); }

    private long f64ToInt(long a, int rm, int kind) {
        boolean special = ((a >>> 52) & 0x7ff) == 0x7ff;
        return Rounding.toInt(this, a < 0 && !isNaN64(a), F64Slow.sig(a), F64Slow.exp(a), special, rm, kind);
    }

    public long i32ToF64(int v, int rm) { return bits(v); }      // exact
    public long u32ToF64(int v, int rm) { return bits(v & 0xffffffffL); }
    public long i64ToF64(long v, int rm) { return fromInt64(v < 0, v < 0 ? -v : v, rm); }
    public long u64ToF64(long v, int rm) { return fromInt64(false, v, rm); }

    private long fromInt64(boolean neg, long mag, int rm) {
        if (mag == 0) return 0;
        if (mag > 0 && mag < 1L << 53) return bits(neg ? -(double) mag : (double) mag); // exact
        int exp = 0;
        if (mag < 0) { mag = (mag >>> 1) | (mag & 1); exp = 1; } // 64 significant bits: halve with a sticky bit
        return Rounding.pack(this, neg, exp, mag, Rounding.P64, Rounding.EMIN64, Rounding.EMAX64, rm);
    }

    // ---- between formats ----
    /** fcvt.d.s: exact; NaN becomes the canonical NaN (NV if signaling). */
    public long f32ToF64(int a) {
        if (isNaN32(a)) return nan64(isSNaN32(a));
        return bits(w(a));
    }

    /** fcvt.s.d: rounds, with OF/UF/NX. */
    public int f64ToF32(long a, int rm) {
        if (isNaN64(a)) return nan32(isSNaN64(a));
        long sig = F64Slow.sig(a);
        if (sig == 0 || ((a >>> 52) & 0x7ff) == 0x7ff) return f32(d(a)); // zeros and infinities
        return (int) Rounding.pack(this, a < 0, F64Slow.exp(a), sig, Rounding.P32, Rounding.EMIN32, Rounding.EMAX32, rm);
    }
}
