package dev.jemu.core.fpu;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

import static dev.jemu.core.fpu.Oracle.F32;
import static dev.jemu.core.fpu.Oracle.F64;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Seeded random comparison of every SoftFloat operation with the BigDecimal {@link Oracle}: result bits and
 * flags, in all five rounding modes.
 */
class SoftFloatRandomTest {
    /** Reproducible by default; {@code -Dfpu.seed=N -Dfpu.scale=K} runs other or K times more cases. */
    private static final long SEED = Long.getLong("fpu.seed", 0x5eed_f10a7L);
    private static final int SCALE = Integer.getInteger("fpu.scale", 1);

    /** Collects mismatches; fails at the end with the first few. */
    private static final class Checker {
        final String name;
        final List<String> failures = new ArrayList<>();
        int cases, bad;
        /** How often the oracle raised each flag (bit order NX UF OF DZ NV): proof the cases reach the hard paths. */
        final int[] flagHits = new int[5];

        Checker(String name) { this.name = name; }

        void check(String what, long got, int gotFlags, long want, int wantFlags) {
            cases++;
            for (int i = 0; i < 5; i++) if ((wantFlags & (1 << i)) != 0) flagHits[i]++;
            if (got != want || gotFlags != wantFlags) {
                bad++;
                if (failures.size() < 25) {
                    failures.add(String.format("%s: got %x flags %s, want %x flags %s", what, got,
                            Integer.toBinaryString(gotFlags), want, Integer.toBinaryString(wantFlags)));
                }
            }
        }

        void done() {
            System.out.printf("%s: %d cases, %d mismatches, oracle flags NX %d UF %d OF %d DZ %d NV %d%n", name, cases,
                    bad, flagHits[0], flagHits[1], flagHits[2], flagHits[3], flagHits[4]);
            assertTrue(bad == 0, name + ": " + bad + " of " + cases + " mismatches:\n" + String.join("\n", failures));
        }
    }

    private enum Op { ADD, SUB, MUL, DIV, SQRT, FMA }

    private static long run64(SoftFloat sf, Op op, long a, long b, long c, int rm) {
        return switch (op) {
            case ADD -> sf.f64Add(a, b, rm);
            case SUB -> sf.f64Sub(a, b, rm);
            case MUL -> sf.f64Mul(a, b, rm);
            case DIV -> sf.f64Div(a, b, rm);
            case SQRT -> sf.f64Sqrt(a, rm);
            case FMA -> sf.f64MulAdd(a, b, c, rm);
        };
    }

    private static long run32(SoftFloat sf, Op op, long a, long b, long c, int rm) {
        int x = (int) a, y = (int) b, z = (int) c;
        int r = switch (op) {
            case ADD -> sf.f32Add(x, y, rm);
            case SUB -> sf.f32Sub(x, y, rm);
            case MUL -> sf.f32Mul(x, y, rm);
            case DIV -> sf.f32Div(x, y, rm);
            case SQRT -> sf.f32Sqrt(x, rm);
            case FMA -> sf.f32MulAdd(x, y, z, rm);
        };
        return r & 0xffffffffL;
    }

    private static long oracle(Oracle o, Oracle.Fmt f, Op op, long a, long b, long c, int rm) {
        return switch (op) {
            case ADD -> o.add(f, a, b, rm);
            case SUB -> o.sub(f, a, b, rm);
            case MUL -> o.mul(f, a, b, rm);
            case DIV -> o.div(f, a, b, rm);
            case SQRT -> o.sqrt(f, a, rm);
            case FMA -> o.fma(f, a, b, c, rm);
        };
    }

    /** A third fma operand: often close to -(a*b) so that the sum cancels. */
    private static long addend(Gen g, long a, long b) {
        int c = g.r.nextInt(6);
        if (c == 0) return g.sign();                              // a signed zero: a plain rounded product
        if (c < 3) return g.value();
        long p = g.f.width() == 64
                ? Double.doubleToRawLongBits(-(Double.longBitsToDouble(a) * Double.longBitsToDouble(b)))
                : Float.floatToRawIntBits(-(Float.intBitsToFloat((int) a) * Float.intBitsToFloat((int) b))) & 0xffffffffL;
        if (g.f.isNaN(p) || g.f.isInf(p)) return g.value();
        long mag = (p & (g.f.signBit() - 1)) + g.r.nextInt(-2, 3);
        if (mag < 0 || mag >= g.f.infBits()) return p;
        return mag | (p & g.f.signBit());
    }

    private static void arithmetic(Oracle.Fmt f, Op op, int n) {
        arithmetic(f, op, n, "", g -> {
            long a = g.value();
            long b = g.partner(a, op == Op.MUL || op == Op.FMA);
            return new long[] {a, b, op == Op.FMA ? addend(g, a, b) : 0};
        });
    }

    private static void arithmetic(Oracle.Fmt f, Op op, int n, String label, java.util.function.Function<Gen, long[]> cases) {
        Gen g = new Gen(f, SEED ^ op.ordinal() * 7919L ^ f.width() ^ label.hashCode());
        Checker ch = new Checker((f.width() == 64 ? "f64 " : "f32 ") + op + label);
        int subnormals = 0, ties = 0, boundary = 0;
        for (int i = 0; i < n * SCALE; i++) {
            long[] abc = cases.apply(g);
            long a = abc[0], b = abc[1], c = abc[2];
            long rne = 0;
            for (int rm = 0; rm < 5; rm++) {
                SoftFloat sf = new SoftFloat();
                long got = f.width() == 64 ? run64(sf, op, a, b, c, rm) : run32(sf, op, a, b, c, rm);
                Oracle o = new Oracle();
                long want = oracle(o, f, op, a, b, c, rm);
                if (rm == SoftFloat.RNE) rne = want;
                if (rm == SoftFloat.RMM && want != rne) ties++;
                if (rm == SoftFloat.RNE && g.biased(want) == 0 && !f.isZero(want)) subnormals++;
                if ((want & (f.signBit() - 1)) == 1L << (f.p() - 1) && (o.flags & SoftFloat.NX) != 0) boundary++;
                ch.check(String.format("%s(%x, %x, %x) rm %d", op, a, b, c, rm), got, sf.flags, want, o.flags);
            }
        }
        ch.done();
        System.out.printf("  subnormal results %d, exact ties (RMM differs from RNE) %d, inexact results of 2^emin %d%n",
                subnormals, ties, boundary);
        if (label.contains("moderate")) {
            assertTrue(ch.flagHits[0] > n && ties > n / 100, "weak fma coverage");
            return;
        }
        if (!label.isEmpty()) {
            assertTrue(boundary > n / 20 && ch.flagHits[1] > n / 4, "no coverage of the 2^emin boundary");
            return;
        }
        // the generator must actually reach inexact, invalid and (except for sqrt) underflow/overflow results
        assertTrue(ch.flagHits[0] > n / 4 && ch.flagHits[4] > n / 50, "weak coverage");
        if (op != Op.SQRT) assertTrue(ch.flagHits[2] > n / 100, "no OF coverage");
        if (op == Op.MUL || op == Op.DIV || op == Op.FMA) assertTrue(ch.flagHits[1] > n / 100, "no UF coverage");
        if (op != Op.SQRT) assertTrue(subnormals > n / 100, "no subnormal results");
        if (op != Op.SQRT && op != Op.DIV) assertTrue(ties > n / 200, "no halfway cases");
    }

    /** A finite value whose bits are those of v moved by a few ulps. */
    private static long nudge(Gen g, long v) {
        long mag = (v & (g.f.signBit() - 1)) + g.r.nextInt(-4, 5);
        if (mag < 0 || mag >= g.f.infBits()) mag = 1;
        return mag | g.sign();
    }

    private static long bitsOf(Oracle.Fmt f, double v) {
        return f.width() == 64 ? Double.doubleToRawLongBits(v) : Float.floatToRawIntBits((float) v) & 0xffffffffL;
    }

    private static double value(Oracle.Fmt f, long bits) {
        return f.width() == 64 ? Double.longBitsToDouble(bits) : Float.intBitsToFloat((int) bits);
    }

    /** Products, quotients and sums that land within a few ulps of 2^emin: tininess after rounding. */
    private static void nearSmallestNormal(Oracle.Fmt f, Op op, int n) {
        double minNormal = Math.scalb(1.0, f.emin());
        arithmetic(f, op, n, " near 2^emin", g -> {
            double x = Math.scalb(1 + g.r.nextDouble(), g.r.nextInt(-30, 1));   // y = 2^emin/x stays normal
            long xb = bitsOf(f, x);
            return switch (op) {
                case DIV -> {   // a/b = 2^emin * (1 + a small random relative offset)
                    long bb = bitsOf(f, x * 0x1p31);               // >= 1, so that 2^emin * z stays normal
                    double z = value(f, bb) * (1 + (g.r.nextDouble() - 0.5) * Math.scalb(1.0, 3 - f.p()));
                    yield new long[] {nudge(g, bitsOf(f, minNormal * value(f, bitsOf(f, z)))), bb, 0};
                }
                case FMA -> {
                    long c = g.r.nextBoolean() ? g.sign() : nudge(g, 1 + g.r.nextInt(8));
                    yield new long[] {xb, nudge(g, bitsOf(f, minNormal / value(f, xb))), c};
                }
                case ADD -> new long[] {nudge(g, bitsOf(f, minNormal)), g.r.nextInt(1, 9) | g.sign(), 0};
                default -> new long[] {xb, nudge(g, bitsOf(f, minNormal / value(f, xb))), 0};
            };
        });
    }

    @Test void f64MulNearSmallestNormal() { nearSmallestNormal(F64, Op.MUL, 1000); }
    @Test void f32MulNearSmallestNormal() { nearSmallestNormal(F32, Op.MUL, 1000); }
    @Test void f64DivNearSmallestNormal() { nearSmallestNormal(F64, Op.DIV, 1000); }
    @Test void f32DivNearSmallestNormal() { nearSmallestNormal(F32, Op.DIV, 1000); }
    @Test void f64FmaNearSmallestNormal() { nearSmallestNormal(F64, Op.FMA, 1000); }
    @Test void f32FmaNearSmallestNormal() { nearSmallestNormal(F32, Op.FMA, 1000); }

    /**
     * The integer slow paths of binary64 add/mul/div/fma, called directly on finite operands: the host fast
     * paths would otherwise hide them for most inputs.
     */
    @Test
    void f64SlowPaths() {
        Gen g = new Gen(F64, SEED + 23);
        Checker ch = new Checker("f64 slow paths");
        for (int i = 0; i < 2000 * SCALE; i++) {
            long a = g.value(), b = g.partner(a, i % 3 == 1);
            if (F64.isNaN(a) || F64.isInf(a) || F64.isNaN(b) || F64.isInf(b)) continue;
            long c = addend(g, a, b);
            boolean cFinite = !F64.isNaN(c) && !F64.isInf(c);
            for (int rm = 0; rm < 5; rm++) {
                for (int k = 0; k < 4; k++) {
                    if (k == 2 && (F64.isZero(a) || F64.isZero(b))) continue;
                    if (k == 3 && !cFinite) continue;
                    SoftFloat sf = new SoftFloat();
                    Oracle o = new Oracle();
                    long got = switch (k) {
                        case 0 -> F64Slow.add(sf, a, b, rm);
                        case 1 -> F64Slow.mul(sf, a, b, rm);
                        case 2 -> F64Slow.div(sf, a, b, rm);
                        default -> F64Slow.fma(sf, a, b, c, rm);
                    };
                    long want = switch (k) {
                        case 0 -> o.add(F64, a, b, rm);
                        case 1 -> o.mul(F64, a, b, rm);
                        case 2 -> o.div(F64, a, b, rm);
                        default -> o.fma(F64, a, b, c, rm);
                    };
                    ch.check(String.format("slow op %d (%x, %x, %x) rm %d", k, a, b, c, rm), got, sf.flags, want, o.flags);
                }
            }
        }
        ch.done();
        assertTrue(ch.cases > 20000, "too few finite cases");
    }

    /**
     * fma with operands in the host fast path's range: heavy cancellation against the rounded product, ties
     * from short significands, and addends near the product's last place.
     */
    private static void fmaModerate(Oracle.Fmt f, int n) {
        arithmetic(f, Op.FMA, n, " moderate", g -> {
            long a = g.make(g.sign(), f.emax() + g.r.nextInt(-60, 61), g.r.nextBoolean() ? g.shortFrac() : g.frac());
            long b = g.r.nextBoolean() ? g.partner(a, true)
                    : g.make(g.sign(), f.emax() + g.r.nextInt(-60, 61), g.fracWithBits(f.p() + 1 - g.sigBits(a) + g.r.nextInt(2)));
            if (f.isNaN(b) || f.isInf(b) || g.biased(b) == 0) b = g.make(g.sign(), f.emax() + 3, g.frac());
            long c = switch (g.r.nextInt(3)) {
                case 0 -> addend(g, a, b);
                case 1 -> g.make(g.sign(), g.biased(a) + g.biased(b) - f.emax() + g.r.nextInt(-2 * f.p(), 4), g.shortFrac());
                default -> g.make(g.sign(), g.biased(a) + g.biased(b) - f.emax() + g.r.nextInt(-4, 4), g.frac());
            };
            return new long[] {a, b, c};
        });
    }

    @Test void f64FmaModerate() { fmaModerate(F64, 3000); }
    @Test void f32FmaModerate() { fmaModerate(F32, 3000); }

    @Test void f64Add() { arithmetic(F64, Op.ADD, 4000); }
    @Test void f64Sub() { arithmetic(F64, Op.SUB, 2000); }
    @Test void f64Mul() { arithmetic(F64, Op.MUL, 4000); }
    @Test void f64Div() { arithmetic(F64, Op.DIV, 3000); }
    @Test void f64Sqrt() { arithmetic(F64, Op.SQRT, 3000); }
    @Test void f64Fma() { arithmetic(F64, Op.FMA, 4000); }
    @Test void f32Add() { arithmetic(F32, Op.ADD, 4000); }
    @Test void f32Sub() { arithmetic(F32, Op.SUB, 2000); }
    @Test void f32Mul() { arithmetic(F32, Op.MUL, 4000); }
    @Test void f32Div() { arithmetic(F32, Op.DIV, 4000); }
    @Test void f32Sqrt() { arithmetic(F32, Op.SQRT, 4000); }
    @Test void f32Fma() { arithmetic(F32, Op.FMA, 4000); }

    /** Values near the integer-range boundaries and near halves, plus the general generator. */
    private static long intish(Gen g) {
        if (g.r.nextInt(3) == 0) return g.value();
        double[] bases = {0, 1, 2, 3, 0x1p31, 0x1p32, 0x1p63, 0x1p64, 0x1p52, 0x1p23, g.r.nextInt(1000)};
        double[] offs = {0, 0.25, 0.5, 0.75, -0.25, -0.5, -0.75, 1, -1, 0.3};
        double v = bases[g.r.nextInt(bases.length)] + offs[g.r.nextInt(offs.length)];
        if (g.r.nextBoolean()) v = -v;
        long bits = g.f.width() == 64 ? Double.doubleToRawLongBits(v) : Float.floatToRawIntBits((float) v) & 0xffffffffL;
        long mag = (bits & (g.f.signBit() - 1)) + g.r.nextInt(-2, 3);   // neighbours of the boundary
        if (mag < 0 || mag >= g.f.infBits()) mag = bits & (g.f.signBit() - 1);
        return mag | (bits & g.f.signBit());
    }

    @Test
    void floatToInt() {
        for (Oracle.Fmt f : new Oracle.Fmt[] {F32, F64}) {
            Gen g = new Gen(f, SEED + 11 + f.width());
            Checker ch = new Checker((f.width() == 64 ? "f64" : "f32") + " to int");
            for (int i = 0; i < 6000 * SCALE; i++) {
                long a = intish(g);
                for (int kind = 0; kind < 4; kind++) {
                    for (int rm = 0; rm < 5; rm++) {
                        SoftFloat sf = new SoftFloat();
                        long got;
                        if (f.width() == 64) {
                            got = switch (kind) {
                                case 0 -> sf.f64ToI32(a, rm); case 1 -> sf.f64ToU32(a, rm);
                                case 2 -> sf.f64ToI64(a, rm); default -> sf.f64ToU64(a, rm);
                            };
                        } else {
                            int x = (int) a;
                            got = switch (kind) {
                                case 0 -> sf.f32ToI32(x, rm); case 1 -> sf.f32ToU32(x, rm);
                                case 2 -> sf.f32ToI64(x, rm); default -> sf.f32ToU64(x, rm);
                            };
                        }
                        Oracle o = new Oracle();
                        long want = o.toInt(f, a, rm, kind);
                        ch.check(String.format("cvt kind %d of %x rm %d", kind, a, rm), got, sf.flags, want, o.flags);
                    }
                }
            }
            ch.done();
        }
    }

    @Test
    void intToFloat() {
        java.util.SplittableRandom r = new java.util.SplittableRandom(SEED + 3);
        Checker ch = new Checker("int to float");
        long[] edges = {0, 1, -1, Long.MIN_VALUE, Long.MAX_VALUE, Integer.MIN_VALUE, Integer.MAX_VALUE,
            0xffffffffL, 1L << 53, (1L << 53) + 1, 1L << 24, (1L << 24) + 1, (1L << 54) + 3, -(1L << 53) - 1};
        for (int i = 0; i < 6000 * SCALE; i++) {
            long v = switch (r.nextInt(4)) {
                case 0 -> edges[r.nextInt(edges.length)] + r.nextInt(-3, 4);
                case 1 -> r.nextLong();
                case 2 -> r.nextLong() >> r.nextInt(64);
                default -> (r.nextLong() >>> r.nextInt(64)) & ~((1L << r.nextInt(40)) - 1) | (r.nextBoolean() ? 1 : 0);
            };
            int w = (int) v;
            BigInteger sv = BigInteger.valueOf(v), uv = new BigInteger(Long.toUnsignedString(v));
            BigInteger sw = BigInteger.valueOf(w), uw = BigInteger.valueOf(w & 0xffffffffL);
            for (int rm = 0; rm < 5; rm++) {
                for (int kind = 0; kind < 8; kind++) {
                    SoftFloat sf = new SoftFloat();
                    Oracle o = new Oracle();
                    long got, want;
                    switch (kind) {
                        case 0 -> { got = sf.i32ToF32(w, rm) & 0xffffffffL; want = o.fromInt(F32, sw, rm); }
                        case 1 -> { got = sf.u32ToF32(w, rm) & 0xffffffffL; want = o.fromInt(F32, uw, rm); }
                        case 2 -> { got = sf.i64ToF32(v, rm) & 0xffffffffL; want = o.fromInt(F32, sv, rm); }
                        case 3 -> { got = sf.u64ToF32(v, rm) & 0xffffffffL; want = o.fromInt(F32, uv, rm); }
                        case 4 -> { got = sf.i32ToF64(w, rm); want = o.fromInt(F64, sw, rm); }
                        case 5 -> { got = sf.u32ToF64(w, rm); want = o.fromInt(F64, uw, rm); }
                        case 6 -> { got = sf.i64ToF64(v, rm); want = o.fromInt(F64, sv, rm); }
                        default -> { got = sf.u64ToF64(v, rm); want = o.fromInt(F64, uv, rm); }
                    }
                    ch.check(String.format("int kind %d of %x rm %d", kind, v, rm), got, sf.flags, want, o.flags);
                }
            }
        }
        ch.done();
    }

    @Test
    void formatConversions() {
        Gen g64 = new Gen(F64, SEED + 5), g32 = new Gen(F32, SEED + 6);
        Checker ch = new Checker("f64<->f32");
        for (int i = 0; i < 8000 * SCALE; i++) {
            long a = g64.value();
            if (i % 2 == 0 && !F64.isNaN(a) && !F64.isInf(a)) {   // exponents around binary32's range
                int be = 1023 + (g64.r.nextBoolean() ? g64.r.nextInt(-155, -120) : g64.r.nextInt(120, 131));
                a = g64.make(g64.sign(), be, g64.frac());
            }
            for (int rm = 0; rm < 5; rm++) {
                SoftFloat sf = new SoftFloat();
                Oracle o = new Oracle();
                long got = sf.f64ToF32(a, rm) & 0xffffffffL;
                ch.check(String.format("f64ToF32(%x) rm %d", a, rm), got, sf.flags, o.convert(F64, F32, a, rm), o.flags);
            }
            long s = g32.value();
            SoftFloat sf = new SoftFloat();
            Oracle o = new Oracle();
            long got = sf.f32ToF64((int) s);
            ch.check(String.format("f32ToF64(%x)", s), got, sf.flags, o.convert(F32, F64, s, 0), o.flags);
        }
        ch.done();
    }

    @Test
    void minMaxCompare() {
        for (Oracle.Fmt f : new Oracle.Fmt[] {F32, F64}) {
            Gen g = new Gen(f, SEED + 17 + f.width());
            Checker ch = new Checker((f.width() == 64 ? "f64" : "f32") + " min/max/compare");
            for (int i = 0; i < 5000 * SCALE; i++) {
                long a = g.value();
                long b = switch (g.r.nextInt(4)) { case 0 -> a; case 1 -> a ^ f.signBit(); default -> g.partner(a, false); };
                for (int k = 0; k < 5; k++) {
                    SoftFloat sf = new SoftFloat();
                    Oracle o = new Oracle();
                    long got, want;
                    if (f.width() == 64) {
                        got = switch (k) {
                            case 0 -> sf.f64Min(a, b); case 1 -> sf.f64Max(a, b);
                            case 2 -> sf.f64Eq(a, b) ? 1 : 0; case 3 -> sf.f64Lt(a, b) ? 1 : 0; default -> sf.f64Le(a, b) ? 1 : 0;
                        };
                    } else {
                        int x = (int) a, y = (int) b;
                        got = switch (k) {
                            case 0 -> sf.f32Min(x, y) & 0xffffffffL; case 1 -> sf.f32Max(x, y) & 0xffffffffL;
                            case 2 -> sf.f32Eq(x, y) ? 1 : 0; case 3 -> sf.f32Lt(x, y) ? 1 : 0; default -> sf.f32Le(x, y) ? 1 : 0;
                        };
                    }
                    want = k < 2 ? o.minMax(f, a, b, k == 0) : o.compare(f, a, b, k - 2) ? 1 : 0;
                    ch.check(String.format("op %d (%x, %x)", k, a, b), got, sf.flags, want, o.flags);
                }
            }
            ch.done();
        }
    }
}
