package dev.jemu.x86.cpu;

import java.math.BigInteger;

/**
 * x87 arithmetic on the 80-bit extended format in software: exact intermediate values (BigInteger
 * significands) rounded once to the precision control (24, 53 or 64 bits) and rounding control, with the
 * status flags IE DE ZE OE UE PE and C1 (rounded up). x86 detects tininess after rounding (checked against
 * the host CPU). A value is a sign/exponent word {@code se} (sign<<15 | biased exponent) and a significand
 * {@code m} with the explicit integer bit 63. Results land in {@link #se}/{@link #m}. Not thread-safe: one
 * per FPU.
 */
final class F80 {
    static final int BIAS = 16383, MAX_EXP = 0x7fff;
    static final int DEFAULT_NAN_SE = 0xffff;
    static final long DEFAULT_NAN_M = 0xc000000000000000L, INT_BIT = 0x8000000000000000L;
    static final int RN = 0, DOWN = 1, UP = 2, ZERO = 3;

    /** Flags raised since the caller cleared them (X87.IE .. X87.PE, X87.C1). */
    int flags;
    /** Rounding control (fcw bits 10-11) and precision in bits (24, 53, 64). */
    int rc, precision = 64;
    /** The last result. */
    int se;
    long m;

    // ---------------------------------------------------------------- classification

    static boolean isNaN(int se, long m) {
        return (se & MAX_EXP) == MAX_EXP && (m & Long.MAX_VALUE) != 0;
    }

    static boolean isSNaN(int se, long m) {
        return isNaN(se, m) && (m & 0x4000000000000000L) == 0;
    }

    static boolean isInf(int se, long m) {
        return (se & MAX_EXP) == MAX_EXP && m == INT_BIT;
    }

    static boolean isZero(int se, long m) {
        return m == 0 && (se & MAX_EXP) == 0;
    }

    static boolean isDenormal(int se, long m) {
        return (se & MAX_EXP) == 0 && m != 0;
    }

    /** Unsupported encodings (unnormals, pseudo-NaN/infinity): invalid operands since the 387. */
    static boolean isUnsupported(int se, long m) {
        int e = se & MAX_EXP;
        return e != 0 && m >= 0;
    }

    private void result(int se, long m) {
        this.se = se & 0xffff;
        this.m = m;
    }

    void defaultNaN() {
        flags |= X87.IE;
        result(DEFAULT_NAN_SE, DEFAULT_NAN_M);
    }

    /** The NaN result of an operation with NaN operands (x87 rule: the larger significand, quieted). */
    private void nanResult(int ase, long am, int bse, long bm) {
        if (isSNaN(ase, am) || isSNaN(bse, bm)) {
            flags |= X87.IE;
        }
        boolean an = isNaN(ase, am), bn = isNaN(bse, bm);
        if (an && bn) {
            long ma = am & Long.MAX_VALUE | 0x4000000000000000L, mb = bm & Long.MAX_VALUE | 0x4000000000000000L;
            if (Long.compareUnsigned(ma, mb) >= 0) {
                result(ase, am | 0xc000000000000000L);
            } else {
                result(bse, bm | 0xc000000000000000L);
            }
        } else if (an) {
            result(ase, am | 0xc000000000000000L);
        } else {
            result(bse, bm | 0xc000000000000000L);
        }
    }

    /** Checks two operands: NaN propagation, unsupported encodings, denormal flag; true if a result is set. */
    private boolean special2(int ase, long am, int bse, long bm) {
        if (isUnsupported(ase, am) || isUnsupported(bse, bm)) {
            defaultNaN();
            return true;
        }
        if (isNaN(ase, am) || isNaN(bse, bm)) {
            nanResult(ase, am, bse, bm);
            return true;
        }
        if (isDenormal(ase, am) || isDenormal(bse, bm)) {
            flags |= X87.DE;
        }
        return false;
    }

    static BigInteger sig(long m) {
        return new BigInteger(Long.toUnsignedString(m));
    }

    /** The power of two the significand is scaled by: value = m * 2^exp2(se). */
    static int exp2(int se) {
        int e = se & MAX_EXP;
        return (e == 0 ? 1 : e) - BIAS - 63;
    }

    // ---------------------------------------------------------------- rounding

    /** Biased exponent and 64-bit significand window of the last {@link #round}; overflowed to infinity or max. */
    int outExp;
    long outSig;

    /**
     * Rounds the exact value (-1)^neg * sig * 2^exp2 (sig > 0) to p significant bits with an exponent bias and
     * largest finite biased exponent; sets outExp and outSig (integer bit at 63, denormals with outExp 0) and
     * the flags.
     */
    void round(boolean neg, BigInteger sig, int exp2, int p, int bias, int emax) {
        int bl = sig.bitLength();
        int e = exp2 + bl - 1;
        int biased = e + bias;
        int keep = biased >= 1 ? p : p - (1 - biased);
        int shift = bl - keep;
        BigInteger kept;
        boolean inexact = false, up = false;
        if (shift > 0) {
            kept = sig.shiftRight(shift);
            BigInteger rem = sig.subtract(kept.shiftLeft(shift));
            if (rem.signum() != 0) {
                inexact = true;
                int cmp = rem.compareTo(BigInteger.ONE.shiftLeft(shift - 1));
                up = switch (rc) {
                    case RN -> cmp > 0 || (cmp == 0 && kept.testBit(0));
                    case DOWN -> neg;
                    case UP -> !neg;
                    default -> false;
                };
            }
            if (up) {
                kept = kept.add(BigInteger.ONE);
            }
        } else {
            kept = sig.shiftLeft(-shift);
        }
        int kexp = exp2 + shift;           // value = kept * 2^kexp
        if (inexact) {
            flags |= X87.PE;
            if (up) {
                flags |= X87.C1;
            }
        }
        if (kept.signum() == 0) {
            if (inexact) {
                flags |= X87.UE;
            }
            outExp = 0;
            outSig = 0;
            return;
        }
        int kbl = kept.bitLength();
        int rbiased = kexp + kbl - 1 + bias;
        if (rbiased > emax) {
            flags |= X87.OE | X87.PE;
            boolean toInf = rc == RN || (rc == UP && !neg) || (rc == DOWN && neg);
            if (toInf) {
                outExp = emax + 1;
                outSig = INT_BIT;
                flags |= X87.C1;       // an infinity is a rounding away from the exact value
            } else {
                outExp = emax;
                outSig = -1L << (64 - p);
                flags &= ~X87.C1;
            }
            return;
        }
        boolean tiny = bias == BIAS ? biased < 1 && !carriesToNormal(sig, neg) : rbiased < 1;
        if (tiny) {
            if (inexact) {
                flags |= X87.UE;
            }
        }
        if (rbiased < 1) {
            outExp = 0;
            outSig = kept.shiftLeft(kexp - (1 - bias - 63)).longValue();
        } else {
            outExp = rbiased;
            outSig = kept.shiftLeft(64 - kbl).longValue();
        }
    }

    /**
     * Whether sig (just below the smallest normal) rounds up to it at 64 bits with an unbounded exponent: the
     * x87 judges tininess after rounding at 64 bits even when the precision control rounds to fewer.
     */
    private boolean carriesToNormal(BigInteger sig, boolean neg) {
        int bl = sig.bitLength();
        if (bl <= 64) {
            return false;
        }
        BigInteger kept = sig.shiftRight(bl - 64);
        if (kept.bitCount() != 64) {
            return false;
        }
        BigInteger rem = sig.subtract(kept.shiftLeft(bl - 64));
        if (rem.signum() == 0) {
            return false;
        }
        int cmp = rem.compareTo(BigInteger.ONE.shiftLeft(bl - 65));
        return switch (rc) {
            case RN -> cmp >= 0;
            case DOWN -> neg;
            case UP -> !neg;
            default -> false;
        };
    }

    /** Rounds an exact value to the extended format at the precision control; sets the result. */
    void roundToF80(boolean neg, BigInteger sig, int exp2, int p) {
        if (sig.signum() == 0) {
            result(neg ? 0x8000 : 0, 0);
            return;
        }
        round(neg, sig, exp2, p, BIAS, MAX_EXP - 1);
        result((neg ? 0x8000 : 0) | outExp, outSig);
    }

    // ---------------------------------------------------------------- arithmetic

    static final int ADD = 0, MUL = 1, SUB = 4, SUBR = 5, DIV = 6, DIVR = 7;

    /** a op b (SUBR and DIVR reverse the operands) at the precision control. */
    void arith(int op, int ase, long am, int bse, long bm) {
        if (op == SUBR || op == DIVR) {
            int t = ase;
            ase = bse;
            bse = t;
            long tm = am;
            am = bm;
            bm = tm;
            op = op == SUBR ? SUB : DIV;
        }
        if (special2(ase, am, bse, bm)) {
            return;
        }
        boolean an = (ase & 0x8000) != 0, bn = (bse & 0x8000) != 0;
        boolean ai = isInf(ase, am), bi = isInf(bse, bm), az = isZero(ase, am), bz = isZero(bse, bm);
        switch (op) {
            case ADD, SUB -> {
                if (op == SUB) {
                    bn = !bn;
                }
                if (ai || bi) {
                    if (ai && bi && an != bn) {
                        defaultNaN();
                    } else {
                        result((ai ? an : bn) ? 0xffff : 0x7fff, INT_BIT);
                    }
                    return;
                }
                BigInteger x = sig(am), y = sig(bm);
                int ex = exp2(ase), ey = exp2(bse);
                int emin = Math.min(ex, ey);
                BigInteger sx = x.shiftLeft(ex - emin), sy = y.shiftLeft(ey - emin);
                if (an) {
                    sx = sx.negate();
                }
                if (bn) {
                    sy = sy.negate();
                }
                BigInteger s = sx.add(sy);
                if (s.signum() == 0) {
                    boolean negZero = (an && bn) || (an != bn && rc == DOWN);
                    if (az && bz) {
                        negZero = an && bn || (an != bn && rc == DOWN);
                    }
                    result(negZero ? 0x8000 : 0, 0);
                    return;
                }
                roundToF80(s.signum() < 0, s.abs(), emin, precision);
            }
            case MUL -> {
                boolean neg = an != bn;
                if (ai || bi) {
                    if (az || bz) {
                        defaultNaN();
                    } else {
                        result(neg ? 0xffff : 0x7fff, INT_BIT);
                    }
                    return;
                }
                if (az || bz) {
                    result(neg ? 0x8000 : 0, 0);
                    return;
                }
                roundToF80(neg, sig(am).multiply(sig(bm)), exp2(ase) + exp2(bse), precision);
            }
            default -> {
                boolean neg = an != bn;
                if (ai && bi || az && bz) {
                    defaultNaN();
                    return;
                }
                if (ai || bz) {
                    if (bz && !ai) {
                        flags |= X87.ZE;
                        flags &= ~X87.DE;
                    }
                    result(neg ? 0xffff : 0x7fff, INT_BIT);
                    return;
                }
                if (az || bi) {
                    result(neg ? 0x8000 : 0, 0);
                    return;
                }
                // quotient to 64+2 bits plus a sticky bit from the remainder
                int k = 130;
                BigInteger[] qr = sig(am).shiftLeft(k).divideAndRemainder(sig(bm));
                BigInteger q = qr[0].shiftLeft(1);
                if (qr[1].signum() != 0) {
                    q = q.setBit(0);
                }
                roundToF80(neg, q, exp2(ase) - exp2(bse) - k - 1, precision);
            }
        }
    }

    void sqrt(int ase, long am) {
        if (special2(ase, am, 0, 0)) {
            return;
        }
        boolean neg = (ase & 0x8000) != 0;
        if (isZero(ase, am)) {
            result(ase, 0);
            return;
        }
        if (neg) {
            flags &= ~X87.DE;       // the invalid operation outranks the denormal operand
            defaultNaN();
            return;
        }
        if (isInf(ase, am)) {
            result(ase, am);
            return;
        }
        int e = exp2(ase);
        BigInteger s = sig(am);
        int k = 140 + ((e & 1) != 0 ? 1 : 0);   // make the exponent even
        BigInteger n = s.shiftLeft(k);
        BigInteger[] rr = n.sqrtAndRemainder();
        BigInteger r = rr[0].shiftLeft(1);
        if (rr[1].signum() != 0) {
            r = r.setBit(0);
        }
        roundToF80(false, r, (e - k) / 2 - 1, precision);
    }

    // ---------------------------------------------------------------- conversions

    /** Loads a binary32/binary64 (exact): SNaN quieted with IE, denormal with DE. */
    void fromFloat(long bits, boolean dbl) {
        int fracBits = dbl ? 52 : 23, expBits = dbl ? 11 : 8;
        boolean neg = dbl ? bits < 0 : (bits & 0x80000000L) != 0;
        int e = (int) (bits >>> fracBits) & ((1 << expBits) - 1);
        long frac = bits & ((1L << fracBits) - 1);
        int sgn = neg ? 0x8000 : 0;
        int emaxF = (1 << expBits) - 1, biasF = emaxF >> 1;
        if (e == emaxF) {
            if (frac == 0) {
                result(sgn | MAX_EXP, INT_BIT);
            } else {
                if ((frac >>> (fracBits - 1)) == 0) {
                    flags |= X87.IE;
                }
                result(sgn | MAX_EXP, INT_BIT | 0x4000000000000000L | frac << (63 - fracBits));
            }
            return;
        }
        if (e == 0) {
            if (frac == 0) {
                result(sgn, 0);
                return;
            }
            flags |= X87.DE;
            int lz = Long.numberOfLeadingZeros(frac);
            // value = frac * 2^(1 - biasF - fracBits)
            int lead = 63 - lz + 1 - biasF - fracBits;
            result(sgn | (lead + BIAS), frac << lz);
            return;
        }
        result(sgn | (e - biasF + BIAS), INT_BIT | frac << (63 - fracBits));
    }

    /**
     * Stores to binary32/binary64 with rounding (rc; no precision control), flags (stores never report DE);
     * returns the bits.
     */
    long toFloat(int ase, long am, boolean dbl) {
        int fracBits = dbl ? 52 : 23, expBits = dbl ? 11 : 8;
        int emaxF = (1 << expBits) - 1, biasF = emaxF >> 1;
        long sign = (ase & 0x8000) != 0 ? (dbl ? Long.MIN_VALUE : 0x80000000L) : 0;
        if (isUnsupported(ase, am)) {
            flags |= X87.IE;
            return dbl ? 0xfff8000000000000L : 0xffc00000L;
        }
        if (isNaN(ase, am)) {
            if (isSNaN(ase, am)) {
                flags |= X87.IE;
            }
            long frac = (am >>> (63 - fracBits)) & ((1L << fracBits) - 1);
            return sign | (long) emaxF << fracBits | frac | 1L << (fracBits - 1);
        }
        if (isInf(ase, am)) {
            return sign | (long) emaxF << fracBits;
        }
        if (am == 0) {
            return sign;
        }
        round(sign != 0, sig(am), exp2(ase), fracBits + 1, biasF, emaxF - 1);
        long frac = (outSig >>> (63 - fracBits)) & ((1L << fracBits) - 1);
        return sign | (long) outExp << fracBits | frac;
    }

    /** Loads an integer exactly. */
    void fromInt(long v) {
        if (v == 0) {
            result(0, 0);
            return;
        }
        boolean neg = v < 0;
        long mag = neg ? -v : v;    // Long.MIN_VALUE stays 2^63 as unsigned
        int lz = Long.numberOfLeadingZeros(mag);
        result((neg ? 0x8000 : 0) | (63 - lz + BIAS), mag << lz);
    }

    /**
     * Converts to an integer of {@code bits} (16, 32, 64) rounding by rc (or toward zero when {@code truncate}):
     * NaN, infinity or out of range is IE with the integer indefinite (the minimum value).
     */
    long toInt(int ase, long am, int bits, boolean truncate) {
        long indefinite = Long.MIN_VALUE >> (64 - bits);
        if (isNaN(ase, am) || isInf(ase, am) || isUnsupported(ase, am)) {
            flags |= X87.IE;
            return indefinite;
        }
        if (am == 0) {
            return 0;
        }
        boolean neg = (ase & 0x8000) != 0;
        BigInteger s = sig(am);
        int e = exp2(ase);
        BigInteger q;
        boolean inexact = false, up = false;
        if (e >= 0) {
            q = e > 70 ? BigInteger.ONE.shiftLeft(80) : s.shiftLeft(e);
        } else {
            int sh = -e;
            q = sh > 70 ? BigInteger.ZERO : s.shiftRight(sh);
            BigInteger rem = sh > 70 ? s : s.subtract(q.shiftLeft(sh));
            if (rem.signum() != 0) {
                inexact = true;
                int cmp = sh > 70 ? -1 : rem.compareTo(BigInteger.ONE.shiftLeft(sh - 1));
                int mode = truncate ? ZERO : rc;
                up = switch (mode) {
                    case RN -> cmp > 0 || (cmp == 0 && q.testBit(0));
                    case DOWN -> neg;
                    case UP -> !neg;
                    default -> false;
                };
                if (up) {
                    q = q.add(BigInteger.ONE);
                }
            }
        }
        BigInteger v = neg ? q.negate() : q;
        if (v.bitLength() > bits - 1) {
            flags |= X87.IE;
            return indefinite;
        }
        if (inexact) {
            flags |= X87.PE;
            if (up) {
                flags |= X87.C1;
            }
        }
        return v.longValue();
    }

    /** ST(1)'s integer part for FSCALE, clamped far beyond any exponent (no flags). */
    static long scaleCount(int se, long m) {
        int e = exp2(se);
        long n;
        if (m == 0 || e <= -64) {
            n = 0;
        } else if (e >= 0) {
            n = e > 20 ? 1 << 20 : Math.min(1L << 20, (m >>> 1) >= (1L << 62) >>> e ? 1 << 20 : m << e);
        } else {
            n = Math.min(1L << 20, m >>> -e);
        }
        return (se & 0x8000) != 0 ? -n : n;
    }

    /** FRNDINT: rounds to an integer value by rc (PE when inexact). */
    void roundInt(int ase, long am) {
        if (special2(ase, am, 0, 0)) {
            return;
        }
        int e = exp2(ase);
        if (isInf(ase, am) || am == 0 || e >= 0) {
            result(ase, am);
            return;
        }
        boolean neg = (ase & 0x8000) != 0;
        BigInteger s = sig(am);
        int sh = -e;
        BigInteger q = sh > 70 ? BigInteger.ZERO : s.shiftRight(sh);
        BigInteger rem = sh > 70 ? s : s.subtract(q.shiftLeft(sh));
        if (rem.signum() != 0) {
            flags |= X87.PE;
            int cmp = sh > 70 ? -1 : rem.compareTo(BigInteger.ONE.shiftLeft(sh - 1));
            boolean up = switch (rc) {
                case RN -> cmp > 0 || (cmp == 0 && q.testBit(0));
                case DOWN -> neg;
                case UP -> !neg;
                default -> false;
            };
            if (up) {
                q = q.add(BigInteger.ONE);
                flags |= X87.C1;
            }
        }
        if (q.signum() == 0) {
            result(neg ? 0x8000 : 0, 0);
        } else {
            roundToF80(neg, q, 0, 64);
        }
    }

    /**
     * Compares a with b: -1 less, 0 equal, 1 greater, 2 unordered. {@code quiet}: only SNaN raises IE
     * (FUCOM*), else any NaN (FCOM*).
     */
    int compare(int ase, long am, int bse, long bm, boolean quiet) {
        if (isNaN(ase, am) || isNaN(bse, bm) || isUnsupported(ase, am) || isUnsupported(bse, bm)) {
            if (!quiet || isSNaN(ase, am) || isSNaN(bse, bm) || isUnsupported(ase, am) || isUnsupported(bse, bm)) {
                flags |= X87.IE;
            }
            return 2;
        }
        if (isDenormal(ase, am) || isDenormal(bse, bm)) {
            flags |= X87.DE;
        }
        boolean az = am == 0, bz = bm == 0;
        if (az && bz) {
            return 0;
        }
        boolean an = (ase & 0x8000) != 0, bn = (bse & 0x8000) != 0;
        if (an != bn) {
            return an ? -1 : 1;
        }
        int mag = compareMagnitude(ase, am, bse, bm);
        return an ? -mag : mag;
    }

    private static int compareMagnitude(int ase, long am, int bse, long bm) {
        BigInteger a = sig(am).shiftLeft(exp2(ase) + 20000), b = sig(bm).shiftLeft(exp2(bse) + 20000);
        return Integer.signum(a.compareTo(b));
    }

    /** An exact value as a double (for the transcendental functions, which go through double). */
    static double toDouble(int se, long m) {
        if (isNaN(se, m)) {
            return Double.NaN;
        }
        if (isInf(se, m)) {
            return (se & 0x8000) != 0 ? Double.NEGATIVE_INFINITY : Double.POSITIVE_INFINITY;
        }
        double v = Math.scalb((double) (m >>> 11), exp2(se) + 11);
        return (se & 0x8000) != 0 ? -v : v;
    }

    /** Loads a double exactly (no flags). */
    void fromDouble(double v) {
        int saved = flags;
        fromFloat(Double.doubleToRawLongBits(v), true);
        flags = saved;
    }
}
