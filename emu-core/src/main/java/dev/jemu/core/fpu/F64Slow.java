package dev.jemu.core.fpu;

import static dev.jemu.core.fpu.Rounding.*;
import static dev.jemu.core.fpu.SoftFloat.RDN;

/**
 * binary64 add, mul, div and fma in exact integer arithmetic (no allocation), for the cases the host's
 * double arithmetic cannot settle: subnormal or overflowing results, and every fma. Operands are finite;
 * NaN and infinity are the caller's job.
 */
final class F64Slow {
    private F64Slow() {}

    static final long SIGN = 0x8000000000000000L;
    private static final long FRAC = (1L << 52) - 1;

    static long sig(long bits) {
        int be = (int) (bits >>> 52) & 0x7ff;
        return be == 0 ? bits & FRAC : (bits & FRAC) | (1L << 52);
    }

    /** Exponent of the last significand bit: value = sig · 2^exp. */
    static int exp(long bits) {
        int be = (int) (bits >>> 52) & 0x7ff;
        return (be == 0 ? 1 : be) - 1075;
    }

    /** Sign of an exact zero sum of addends with signs na, nb. */
    static long zeroSum(boolean na, boolean nb, int rm) {
        return (na && nb) || (rm == RDN && (na || nb)) ? SIGN : 0;
    }

    static long add(SoftFloat sf, long a, long b, int rm) {
        boolean na = a < 0, nb = b < 0;
        long sa = sig(a), sb = sig(b);
        if (sa == 0 && sb == 0) return zeroSum(na, nb, rm);
        if (sa == 0) return b;
        if (sb == 0) return a;
        int ea = exp(a) - 9, eb = exp(b) - 9;
        sa <<= 9;                                 // 9 spare low bits: room for guard/sticky
        sb <<= 9;
        if (ea < eb || (ea == eb && sa < sb)) {   // make a the larger magnitude
            long t = sa; sa = sb; sb = t;
            int te = ea; ea = eb; eb = te;
            boolean tn = na; na = nb; nb = tn;
        }
        int d = ea - eb;
        if (d > 0) sb = d >= 63 ? 1 : (sb >>> d) | ((sb & ((1L << d) - 1)) != 0 ? 1 : 0);
        long s = na == nb ? sa + sb : sa - sb;
        if (s == 0) return zeroSum(false, true, rm);
        return pack(sf, na, ea, s, P64, EMIN64, EMAX64, rm);
    }

    static long mul(SoftFloat sf, long a, long b, int rm) {
        boolean neg = (a ^ b) < 0;
        long sa = sig(a), sb = sig(b);
        if (sa == 0 || sb == 0) return neg ? SIGN : 0;
        long lo = sa * sb, hi = Math.multiplyHigh(sa, sb);
        return packWide(sf, neg, exp(a) + exp(b), hi, lo, rm);
    }

    static long div(SoftFloat sf, long a, long b, int rm) {
        boolean neg = (a ^ b) < 0;
        long sa = sig(a), sb = sig(b);            // both nonzero
        int ea = exp(a), eb = exp(b);
        int na = Long.numberOfLeadingZeros(sa) - 11, nb = Long.numberOfLeadingZeros(sb) - 11;
        sa <<= na; ea -= na;                      // both significands in [2^52, 2^53)
        sb <<= nb; eb -= nb;
        long q = 0, r = sa;
        if (r >= sb) { q = 1; r -= sb; }
        for (int i = 0; i < 6; i++) {             // 60 more quotient bits, 10 at a time (r << 10 < 2^63)
            r <<= 10;
            q = (q << 10) | (r / sb);
            r %= sb;
        }
        return pack(sf, neg, ea - eb - 60, q | (r != 0 ? 1 : 0), P64, EMIN64, EMAX64, rm);
    }

    /** a·b + c, single rounding; all finite. */
    static long fma(SoftFloat sf, long a, long b, long c, int rm) {
        boolean np = (a ^ b) < 0, nc = c < 0;
        long sa = sig(a), sb = sig(b), sc = sig(c);
        if (sa == 0 || sb == 0) return sc == 0 ? zeroSum(np, nc, rm) : c;
        long pl = sa * sb, ph = Math.multiplyHigh(sa, sb);
        int ep = exp(a) + exp(b);
        if (sc == 0) return packWide(sf, np, ep, ph, pl, rm);
        // Put both significands in 128 bits with the top bit at 125; their low bits are then zero, which
        // makes a jammed subtrahend safe.
        int pn = ph != 0 ? 128 - Long.numberOfLeadingZeros(ph) : 64 - Long.numberOfLeadingZeros(pl);
        int ls = 126 - pn;                        // >= 20
        if (ls >= 64) { ph = pl << (ls - 64); pl = 0; } else { ph = (ph << ls) | (pl >>> (64 - ls)); pl <<= ls; }
        ep -= ls;
        int cs = 126 - (64 - Long.numberOfLeadingZeros(sc)); // >= 73
        long ch = sc << (cs - 64), cl = 0;
        int ec = exp(c) - cs;
        long xh, xl, yh, yl;
        boolean neg;
        int ex, d;
        if (ep > ec || (ep == ec && cmp(ph, pl, ch, cl) >= 0)) {
            xh = ph; xl = pl; yh = ch; yl = cl; neg = np; ex = ep; d = ep - ec;
        } else {
            xh = ch; xl = cl; yh = ph; yl = pl; neg = nc; ex = ec; d = ec - ep;
        }
        if (d >= 128) {
            yh = 0; yl = 1;
        } else if (d > 0) {
            boolean lost = lost(yh, yl, d);
            long nl = shrLo(yh, yl, d);
            yh = d < 64 ? yh >>> d : 0;
            yl = nl | (lost ? 1 : 0);
        }
        long rh, rl;
        if (np == nc) {
            rl = xl + yl;
            rh = xh + yh + (Long.compareUnsigned(rl, xl) < 0 ? 1 : 0);
        } else {
            rl = xl - yl;
            rh = xh - yh - (Long.compareUnsigned(xl, yl) < 0 ? 1 : 0);
        }
        if (rh == 0 && rl == 0) return zeroSum(false, true, rm);
        return packWide(sf, neg, ex, rh, rl, rm);
    }

    /** Rounds ±(hi:lo)·2^exp, a nonzero unsigned 128-bit significand. */
    private static long packWide(SoftFloat sf, boolean neg, int exp, long hi, long lo, int rm) {
        int n = hi != 0 ? 128 - Long.numberOfLeadingZeros(hi) : 64 - Long.numberOfLeadingZeros(lo);
        long sig = lo;
        if (n > 62) {
            int s = n - 62;
            sig = shrLo(hi, lo, s) | (lost(hi, lo, s) ? 1 : 0);
            exp += s;
        }
        return pack(sf, neg, exp, sig, P64, EMIN64, EMAX64, rm);
    }

    /** Low 64 bits of (hi:lo) >>> s, 0 < s < 128. */
    private static long shrLo(long hi, long lo, int s) {
        return s < 64 ? (lo >>> s) | (hi << (64 - s)) : hi >>> (s - 64);
    }

    /** Whether (hi:lo) >>> s, 0 < s < 128, drops nonzero bits. */
    private static boolean lost(long hi, long lo, int s) {
        return s < 64 ? (lo & ((1L << s) - 1)) != 0 : lo != 0 || (hi & ((1L << (s - 64)) - 1)) != 0;
    }

    private static int cmp(long ah, long al, long bh, long bl) {
        return ah != bh ? Long.compare(ah, bh) : Long.compareUnsigned(al, bl);
    }
}
