package dev.jemu.x86.cpu;

import dev.jemu.core.fpu.SoftFloat;

/**
 * SSE floating point with x86's rules on top of the shared IEEE core ({@link SoftFloat}): MXCSR rounding,
 * DAZ (denormal inputs read as zero) and FTZ (tiny results flushed to zero when underflow is masked), the
 * denormal-operand flag, NaN propagation (the first NaN operand, quieted; an invalid operation gives the
 * negative default QNaN) and the integer indefinite of failed conversions. Flags gather over an
 * instruction's lanes ({@link #begin}) and reach MXCSR in {@link #finish}, which raises #XM (or #UD without
 * CR4.OSXMMEXCPT) for an unmasked one before the op writes its result.
 */
final class SseFpu {
    static final int IE = 1, DE = 2, ZE = 4, OE = 8, UE = 16, PE = 32, DAZ = 0x40, FTZ = 0x8000;
    static final int DEFAULT_NAN32 = 0xffc00000;
    static final long DEFAULT_NAN64 = 0xfff8000000000000L;

    final SoftFloat sf = new SoftFloat(); // x86 detects tininess after rounding, SoftFloat's default
    private int extra;
    private int rm;
    private boolean daz, ftz, underflowMasked;

    /** Starts an instruction under {@code mxcsr}. */
    void begin(int mxcsr) {
        sf.flags = 0;
        extra = 0;
        rm = switch (mxcsr >>> 13 & 3) {
            case 0 -> SoftFloat.RNE;
            case 1 -> SoftFloat.RDN;
            case 2 -> SoftFloat.RUP;
            default -> SoftFloat.RTZ;
        };
        daz = (mxcsr & DAZ) != 0;
        ftz = (mxcsr & FTZ) != 0;
        underflowMasked = (mxcsr & 0x800) != 0;
    }

    /** The flags gathered since {@link #begin}, in MXCSR's layout. */
    int flags() {
        int f = sf.flags, x = extra;
        if ((f & SoftFloat.NV) != 0) x |= IE;
        if ((f & SoftFloat.DZ) != 0) x |= ZE;
        if ((f & SoftFloat.OF) != 0) x |= OE;
        if ((f & SoftFloat.UF) != 0) x |= UE;
        if ((f & SoftFloat.NX) != 0) x |= PE;
        return x;
    }

    /** Ends the instruction: ORs its flags into MXCSR and faults on an unmasked one. */
    void finish(X86Cpu c) {
        int f = flags();
        c.mxcsr |= f;
        if ((f & ~(c.mxcsr >>> 7) & 0x3f) != 0) {
            throw c.fault((c.cr4 & X86Cpu.CR4_OSXMMEXCPT) != 0 ? Vectors.XM : Vectors.UD);
        }
    }

    int roundingMode() {
        return rm;
    }

    // ---------------------------------------------------------------- binary32

    static boolean nan32(int a) {
        return (a & 0x7fffffff) > 0x7f800000;
    }

    static boolean snan32(int a) {
        return nan32(a) && (a & 0x400000) == 0;
    }

    static boolean denormal32(int a) {
        return (a & 0x7f800000) == 0 && (a & 0x7fffff) != 0;
    }

    /** An input operand after DAZ; DE for a denormal one that is used as such. */
    private int in32(int a) {
        return daz && denormal32(a) ? a & 0x80000000 : a;
    }

    private void checkDenormal32(int a, int b) {
        if (denormal32(a) || denormal32(b)) extra |= DE;
    }

    /** The NaN result of an operation with a NaN operand: the first NaN, quieted; IE for a signaling one. */
    private int propagate32(int a, int b) {
        if (snan32(a) || snan32(b)) extra |= IE;
        return (nan32(a) ? a : b) | 0x400000;
    }

    /** A computed result: an invalid operation's NaN becomes the default NaN; FTZ flushes a tiny one. */
    private int out32(int r, int flagsBefore) {
        if (nan32(r)) return DEFAULT_NAN32;
        boolean tiny = denormal32(r) || ((sf.flags & ~flagsBefore & SoftFloat.UF) != 0);
        if (tiny) {
            if (ftz && underflowMasked) {
                extra |= UE | PE;
                return r & 0x80000000;
            }
            if (!underflowMasked) extra |= UE;
        }
        return r;
    }

    static final int ADD = 0, SUB = 1, MUL = 2, DIV = 3, MIN = 4, MAX = 5;

    int arith32(int op, int a, int b) {
        a = in32(a);
        b = in32(b);
        if (op == MIN || op == MAX) {
            if (nan32(a) || nan32(b)) {
                extra |= IE;
                return b;
            }
            checkDenormal32(a, b);
            float x = Float.intBitsToFloat(a), y = Float.intBitsToFloat(b);
            return (op == MIN ? x < y : x > y) ? a : b;
        }
        if (nan32(a) || nan32(b)) return propagate32(a, b);
        if (op != DIV || (b & 0x7fffffff) != 0) checkDenormal32(a, b); // division by zero outranks DE
        int before = sf.flags;
        int r = switch (op) {
            case ADD -> sf.f32Add(a, b, rm);
            case SUB -> sf.f32Sub(a, b, rm);
            case MUL -> sf.f32Mul(a, b, rm);
            default -> sf.f32Div(a, b, rm);
        };
        return out32(r, before);
    }

    int sqrt32(int a) {
        a = in32(a);
        if (nan32(a)) return propagate32(a, a);
        if (a >= 0) checkDenormal32(a, 0);             // a negative operand is invalid, which outranks DE
        int before = sf.flags;
        return out32(sf.f32Sqrt(a, rm), before);
    }

    /** CMPPS/CMPSS predicate 0-7: EQ LT LE UNORD NEQ NLT NLE ORD. */
    boolean cmp32(int pred, int a, int b) {
        a = in32(a);
        b = in32(b);
        boolean un = nan32(a) || nan32(b);
        boolean signaling = pred == 1 || pred == 2 || pred == 5 || pred == 6;
        if (un) {
            if (signaling || snan32(a) || snan32(b)) extra |= IE;
        } else {
            checkDenormal32(a, b);
        }
        float x = Float.intBitsToFloat(a), y = Float.intBitsToFloat(b);
        return predicate(pred, un, x == y, x < y);
    }

    private static boolean predicate(int pred, boolean un, boolean eq, boolean lt) {
        return switch (pred) {
            case 0 -> !un && eq;
            case 1 -> !un && lt;
            case 2 -> !un && (lt || eq);
            case 3 -> un;
            case 4 -> un || !eq;
            case 5 -> un || !lt;
            case 6 -> un || !(lt || eq);
            default -> !un;
        };
    }

    /** COMISS/UCOMISS: RFLAGS with ZF, PF, CF for unordered/equal/less (OF, SF, AF cleared). */
    long comi32(int a, int b, boolean signaling) {
        a = in32(a);
        b = in32(b);
        if (nan32(a) || nan32(b)) {
            if (signaling || snan32(a) || snan32(b)) extra |= IE;
            return X86Cpu.ZF | X86Cpu.PF | X86Cpu.CF;
        }
        checkDenormal32(a, b);
        float x = Float.intBitsToFloat(a), y = Float.intBitsToFloat(b);
        return x == y ? X86Cpu.ZF : x < y ? X86Cpu.CF : 0;
    }

    // ---------------------------------------------------------------- binary64

    static boolean nan64(long a) {
        return (a & Long.MAX_VALUE) > 0x7ff0000000000000L;
    }

    static boolean snan64(long a) {
        return nan64(a) && (a & 0x0008000000000000L) == 0;
    }

    static boolean denormal64(long a) {
        return (a & 0x7ff0000000000000L) == 0 && (a & 0x000fffffffffffffL) != 0;
    }

    private long in64(long a) {
        return daz && denormal64(a) ? a & Long.MIN_VALUE : a;
    }

    private void checkDenormal64(long a, long b) {
        if (denormal64(a) || denormal64(b)) extra |= DE;
    }

    private long propagate64(long a, long b) {
        if (snan64(a) || snan64(b)) extra |= IE;
        return (nan64(a) ? a : b) | 0x0008000000000000L;
    }

    private long out64(long r, int flagsBefore) {
        if (nan64(r)) return DEFAULT_NAN64;
        boolean tiny = denormal64(r) || ((sf.flags & ~flagsBefore & SoftFloat.UF) != 0);
        if (tiny) {
            if (ftz && underflowMasked) {
                extra |= UE | PE;
                return r & Long.MIN_VALUE;
            }
            if (!underflowMasked) extra |= UE;
        }
        return r;
    }

    long arith64(int op, long a, long b) {
        a = in64(a);
        b = in64(b);
        if (op == MIN || op == MAX) {
            if (nan64(a) || nan64(b)) {
                extra |= IE;
                return b;
            }
            checkDenormal64(a, b);
            double x = Double.longBitsToDouble(a), y = Double.longBitsToDouble(b);
            return (op == MIN ? x < y : x > y) ? a : b;
        }
        if (nan64(a) || nan64(b)) return propagate64(a, b);
        if (op != DIV || (b & Long.MAX_VALUE) != 0) checkDenormal64(a, b); // division by zero outranks DE
        int before = sf.flags;
        long r = switch (op) {
            case ADD -> sf.f64Add(a, b, rm);
            case SUB -> sf.f64Sub(a, b, rm);
            case MUL -> sf.f64Mul(a, b, rm);
            default -> sf.f64Div(a, b, rm);
        };
        return out64(r, before);
    }

    long sqrt64(long a) {
        a = in64(a);
        if (nan64(a)) return propagate64(a, a);
        if (a >= 0) checkDenormal64(a, 0);             // a negative operand is invalid, which outranks DE
        int before = sf.flags;
        return out64(sf.f64Sqrt(a, rm), before);
    }

    boolean cmp64(int pred, long a, long b) {
        a = in64(a);
        b = in64(b);
        boolean un = nan64(a) || nan64(b);
        boolean signaling = pred == 1 || pred == 2 || pred == 5 || pred == 6;
        if (un) {
            if (signaling || snan64(a) || snan64(b)) extra |= IE;
        } else {
            checkDenormal64(a, b);
        }
        double x = Double.longBitsToDouble(a), y = Double.longBitsToDouble(b);
        return predicate(pred, un, x == y, x < y);
    }

    long comi64(long a, long b, boolean signaling) {
        a = in64(a);
        b = in64(b);
        if (nan64(a) || nan64(b)) {
            if (signaling || snan64(a) || snan64(b)) extra |= IE;
            return X86Cpu.ZF | X86Cpu.PF | X86Cpu.CF;
        }
        checkDenormal64(a, b);
        double x = Double.longBitsToDouble(a), y = Double.longBitsToDouble(b);
        return x == y ? X86Cpu.ZF : x < y ? X86Cpu.CF : 0;
    }

    // ---------------------------------------------------------------- ROUNDPS/PD/SS/SD

    /** Rounds to an integral value by x86 rounding control {@code mode} (0 nearest, 1 down, 2 up, 3 zero); never DE. */
    private static double roundTo(double v, int mode) {
        return switch (mode) {
            case 0 -> Math.rint(v);
            case 1 -> Math.floor(v);
            case 2 -> Math.ceil(v);
            default -> v < 0 ? Math.ceil(v) : Math.floor(v);
        };
    }

    int roundInt32(int a, int mode, boolean quiet) {
        a = in32(a);
        if (nan32(a)) return propagate32(a, a);
        double v = Float.intBitsToFloat(a), r = roundTo(v, mode);
        if (r != v && !quiet) extra |= PE;
        return Float.floatToRawIntBits((float) r) | a & 0x80000000;
    }

    long roundInt64(long a, int mode, boolean quiet) {
        a = in64(a);
        if (nan64(a)) return propagate64(a, a);
        double v = Double.longBitsToDouble(a), r = roundTo(v, mode);
        if (r != v && !quiet) extra |= PE;
        return Double.doubleToRawLongBits(r) | a & Long.MIN_VALUE;
    }

    // ---------------------------------------------------------------- conversions

    long f32ToF64(int a) {
        a = in32(a);
        if (nan32(a)) {
            if (snan32(a)) extra |= IE;
            return (long) (a & 0x80000000) << 32 | 0x7ff8000000000000L | (long) (a & 0x3fffff) << 29;
        }
        checkDenormal32(a, 0);
        return sf.f32ToF64(a);
    }

    int f64ToF32(long a) {
        a = in64(a);
        if (nan64(a)) {
            if (snan64(a)) extra |= IE;
            return (int) (a >>> 32) & 0x80000000 | 0x7fc00000 | (int) (a >>> 29) & 0x3fffff;
        }
        checkDenormal64(a, 0);
        int before = sf.flags;
        return out32(sf.f64ToF32(a, rm), before);
    }

    /** CVT(T)SS2SI and friends: NaN and out-of-range give the integer indefinite (the minimum) with IE. */
    long f32ToInt(int a, boolean truncate, boolean wide) {
        a = in32(a);
        int before = sf.flags;
        sf.flags = 0;
        int mode = truncate ? SoftFloat.RTZ : rm;
        long r = wide ? sf.f32ToI64(a, mode) : sf.f32ToI32(a, mode);
        if ((sf.flags & SoftFloat.NV) != 0) {
            r = wide ? Long.MIN_VALUE : Integer.MIN_VALUE;
            sf.flags &= ~SoftFloat.NX;
        }
        sf.flags |= before;
        return r;
    }

    long f64ToInt(long a, boolean truncate, boolean wide) {
        a = in64(a);
        int before = sf.flags;
        sf.flags = 0;
        int mode = truncate ? SoftFloat.RTZ : rm;
        long r = wide ? sf.f64ToI64(a, mode) : sf.f64ToI32(a, mode);
        if ((sf.flags & SoftFloat.NV) != 0) {
            r = wide ? Long.MIN_VALUE : Integer.MIN_VALUE;
            sf.flags &= ~SoftFloat.NX;
        }
        sf.flags |= before;
        return r;
    }

    int intToF32(long v, boolean wide) {
        return wide ? sf.i64ToF32(v, rm) : sf.i32ToF32((int) v, rm);
    }

    long intToF64(long v, boolean wide) {
        return wide ? sf.i64ToF64(v, rm) : sf.i32ToF64((int) v, rm);
    }
}
