package dev.jemu.core.fpu;

import java.util.SplittableRandom;

/** Seeded generator of operand bit patterns aimed at the hard parts: specials, subnormals, range ends, ties. */
final class Gen {
    final SplittableRandom r;
    final Oracle.Fmt f;
    private final long[] specials;

    Gen(Oracle.Fmt f, long seed) {
        this.f = f;
        this.r = new SplittableRandom(seed);
        long one = (long) f.emax() << (f.p() - 1);
        long minNormal = 1L << (f.p() - 1);
        specials = new long[] {
            0, f.infBits(), f.canonicalNaN(), f.canonicalNaN() | 5, f.infBits() | 1, f.infBits() | (1L << (f.p() - 3)),
            1, 2, 3, f.fracMask(), f.fracMask() - 1, minNormal, minNormal + 1, f.infBits() - 1, f.infBits() - 2,
            one, one + 1, one - 1, one + (1L << (f.p() - 2)), one + minNormal, one - minNormal, one + f.fracMask(),
        };
    }

    long sign() { return r.nextBoolean() ? f.signBit() : 0; }

    /** Fraction with only the top k bits random (k in 0..p-1), giving exact results and halfway cases. */
    long shortFrac() {
        int k = r.nextInt(f.p());
        if (k == 0) return 0;
        long frac = r.nextLong() & f.fracMask();
        return frac & ~((1L << (f.p() - 1 - k)) - 1) & f.fracMask();
    }

    /** Number of significant bits of a finite nonzero value's significand (implicit bit to lowest set bit). */
    int sigBits(long a) {
        long sig = (a & f.fracMask()) | (biased(a) == 0 ? 0 : 1L << (f.p() - 1));
        if (sig == 0) return 1;
        return 64 - Long.numberOfLeadingZeros(sig) - Long.numberOfTrailingZeros(sig);
    }

    /** Fraction whose significand (with the implicit bit) has exactly t significant bits, 1 <= t <= p. */
    long fracWithBits(int t) {
        if (t <= 1) return 0;
        long low = 1L << (f.p() - t);                          // lowest significant bit
        long mid = (r.nextLong() & f.fracMask()) & ~((low << 1) - 1);
        return (mid | low) & f.fracMask();
    }

    long frac() { return r.nextInt(3) == 0 ? shortFrac() : r.nextLong() & f.fracMask(); }

    long make(long sign, int biased, long frac) {
        biased = Math.max(0, Math.min(2 * f.emax(), biased));
        return sign | ((long) biased << (f.p() - 1)) | (frac & f.fracMask());
    }

    int biased(long a) { return (int) ((a >>> (f.p() - 1)) & (2 * f.emax() + 1)); }

    long value() {
        int c = r.nextInt(20);
        if (c < 2) return specials[r.nextInt(specials.length)] | sign();
        if (c < 5) return r.nextLong() & f.mask();
        if (c < 8) {                                             // near either end of the exponent range
            int be = r.nextBoolean() ? r.nextInt(3) : 2 * f.emax() - r.nextInt(3);
            return make(sign(), be, frac());
        }
        if (c < 13) return make(sign(), 1 + r.nextInt(2 * f.emax()), shortFrac());
        return make(sign(), f.emax() + r.nextInt(-40, 41), frac());
    }

    /** A second operand, often related to the first to force cancellation, ties and range-end results. */
    long partner(long a, boolean mulLike) {
        int c = r.nextInt(10);
        boolean finite = !f.isNaN(a) && !f.isInf(a);
        if (c < 4 || !finite) return value();
        if (c < 6) {                                             // nearly equal magnitude, either sign
            long b = (a & (f.signBit() - 1)) + r.nextInt(-3, 4);
            if (b < 0 || b >= f.infBits()) b = a & (f.signBit() - 1);
            return b | sign();
        }
        if (c < 7) return make(sign(), biased(a) + r.nextInt(-f.p() - 3, f.p() + 4), shortFrac());
        if (c < 8 && mulLike && biased(a) != 0) {                 // product with exactly p+1 significant bits: a tie
            int t = Math.max(1, Math.min(f.p(), f.p() + 1 - sigBits(a) + r.nextInt(2)));
            int target = r.nextInt(4) == 0 ? r.nextInt(-f.p() - 2, 3) : f.emax() + r.nextInt(-20, 21);
            return make(sign(), target - biased(a) + f.emax(), fracWithBits(t));
        }
        // exponent chosen so that a*b (or a/b) lands near the subnormal range or overflow
        int target = r.nextBoolean() ? r.nextInt(-f.p() - 2, 4) : 2 * f.emax() - r.nextInt(4);
        int eb = mulLike ? target - biased(a) + f.emax() : biased(a) - target + f.emax();
        return make(sign(), eb, frac());
    }
}
