package dev.jemu.core.fpu;

import static dev.jemu.core.fpu.SoftFloat.*;

/**
 * The one rounding step every slow path ends in: an exact (or sticky-jammed) value {@code ±sig·2^exp} is
 * rounded to a binary format in one of the five rounding modes, with IEEE flags and tininess detected
 * after rounding (RISC-V) or before (ARM, {@link SoftFloat#tininessBeforeRounding}).
 */
final class Rounding {
    private Rounding() {}

    /** binary32 / binary64 parameters: precision p, emin, emax (= bias). */
    static final int P32 = 24, EMIN32 = -126, EMAX32 = 127;
    static final int P64 = 53, EMIN64 = -1022, EMAX64 = 1023;

    /**
     * Whether to increment a truncated magnitude {@code kept} whose discarded part {@code rem} (nonzero)
     * compares with {@code half} (the weight of the first discarded bit).
     */
    static boolean roundUp(boolean neg, int rm, long kept, long rem, long half) {
        return switch (rm) {
            case RTZ -> false;
            case RDN -> neg;
            case RUP -> !neg;
            case RMM -> rem >= half;
            default -> rem > half || (rem == half && (kept & 1) != 0); // RNE (reserved modes never get here)
        };
    }

    /**
     * Rounds {@code ±sig·2^exp} (sig > 0, below 2^63) to the format (p, emin, emax) and returns its bits.
     * sig may carry a sticky bit jammed into bit 0 as long as that bit lies at least two places below the
     * rounding position (callers jam only with sig normalised to 60+ bits).
     */
    static long pack(SoftFloat sf, boolean neg, int exp, long sig, int p, int emin, int emax, int rm) {
        int msb = 63 - Long.numberOfLeadingZeros(sig);
        int e = exp + msb;                        // 2^e <= |value| < 2^(e+1)
        int q = Math.max(e, emin) - (p - 1);      // exponent of the result's last place
        int shift = q - exp;
        long kept;
        int fl = 0;
        if (shift <= 0) {
            kept = sig << -shift;                 // exact: sig has at most p bits here
        } else {
            long s = sig;
            int sh = shift;
            if (sh > 62) { s = 1; sh = 62; }      // far below half an ulp: only "nonzero" matters
            long rem = s & ((1L << sh) - 1), half = 1L << (sh - 1);
            kept = s >>> sh;
            if (rem != 0) {
                fl = NX;
                if (roundUp(neg, rm, kept, rem, half)) kept++;
                if (e < emin && (sf.tininessBeforeRounding || tinyAfterRounding(neg, e, emin, shift, sig, p, rm))) {
                    fl |= UF;
                }
            }
        }
        long signBit = neg ? 1L << (p == P32 ? 31 : 63) : 0;
        if (kept == 0) {
            sf.flags |= fl;
            return signBit;
        }
        int msb2 = 63 - Long.numberOfLeadingZeros(kept);
        int e2 = q + msb2;
        if (e2 > emax) {
            sf.flags |= fl | OF | NX;
            return signBit | overflowMagnitude(neg, rm, p, emax);
        }
        sf.flags |= fl;
        long bits;
        if (msb2 < p - 1) {
            bits = kept;                          // subnormal (q is emin - p + 1 here)
        } else {
            if (msb2 == p) kept >>>= 1;           // rounding carried into a new binade: kept is a power of two
            bits = ((long) (e2 + emax) << (p - 1)) | (kept & ((1L << (p - 1)) - 1));
        }
        return signBit | bits;
    }

    /**
     * RISC-V detects tininess after rounding: the value is tiny if, rounded to p bits with an unbounded
     * exponent, it is still below 2^emin. Only a value in the binade just below 2^emin can round up to it.
     */
    private static boolean tinyAfterRounding(boolean neg, int e, int emin, int shift, long sig, int p, int rm) {
        if (e < emin - 1) return true;
        int sh = shift - 1;                       // rounding position for p bits in this binade
        if (sh <= 0) return true;                 // fits in p bits: unbounded rounding is exact
        long rem = sig & ((1L << sh) - 1), half = 1L << (sh - 1);
        long kept = sig >>> sh;
        if (rem == 0) return true;
        return !(roundUp(neg, rm, kept, rem, half) && kept + 1 == 1L << p);
    }

    /** Magnitude bits of an overflowed result: infinity or the largest finite number, by rounding mode. */
    static long overflowMagnitude(boolean neg, int rm, int p, int emax) {
        boolean toInf = switch (rm) {
            case RTZ -> false;
            case RDN -> neg;
            case RUP -> !neg;
            default -> true;
        };
        long inf = (long) (2 * emax + 1) << (p - 1);
        return toInf ? inf : inf - 1;
    }

    // ---- float to integer ----
    static final int I32 = 0, U32 = 1, I64 = 2, U64 = 3;

    /**
     * Converts {@code ±sig·2^exp} (sig below 2^62, may be 0) to an integer of the given kind with RISC-V's
     * saturation. {@code invalid} marks NaN/infinity inputs (saturate by sign; NaN callers pass neg=false).
     */
    static long toInt(SoftFloat sf, boolean neg, long sig, int exp, boolean invalid, int rm, int kind) {
        long mag = 0;
        boolean inexact = false, ovf = invalid;
        if (!ovf && sig != 0) {
            int msb = 63 - Long.numberOfLeadingZeros(sig);
            if (exp + msb >= 64) {
                ovf = true;
            } else if (exp >= 0) {
                mag = sig << exp;
            } else {
                long s = sig;
                int sh = -exp;
                if (sh > 62) { s = 1; sh = 62; }
                long rem = s & ((1L << sh) - 1), half = 1L << (sh - 1);
                mag = s >>> sh;
                if (rem != 0) {
                    inexact = true;
                    if (roundUp(neg, rm, mag, rem, half)) mag++;
                }
            }
        }
        long result;
        boolean ok;
        switch (kind) {
            case I32 -> {
                ok = !ovf && Long.compareUnsigned(mag, neg ? 1L << 31 : (1L << 31) - 1) <= 0;
                result = ok ? (neg ? -mag : mag) : (neg ? Integer.MIN_VALUE : Integer.MAX_VALUE);
            }
            case U32 -> {
                ok = !ovf && (neg ? mag == 0 : Long.compareUnsigned(mag, 0xffffffffL) <= 0);
                result = ok ? mag : (neg ? 0 : 0xffffffffL);
            }
            case I64 -> {
                ok = !ovf && Long.compareUnsigned(mag, neg ? 1L << 63 : Long.MAX_VALUE) <= 0;
                result = ok ? (neg ? -mag : mag) : (neg ? Long.MIN_VALUE : Long.MAX_VALUE);
            }
            default -> {
                ok = !ovf && (!neg || mag == 0);
                result = ok ? mag : (neg ? 0 : -1L);
            }
        }
        if (!ok) sf.flags |= NV;
        else if (inexact) sf.flags |= NX;
        return result;
    }
}
