package dev.jemu.arm.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.math.BigDecimal;
import java.math.MathContext;
import java.math.RoundingMode;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Scalar FP against Java's own double/float, Math.fma and BigDecimal (for the directed rounding modes). */
class FpScalarTest {
    private static final int IOC = 1, DZC = 2, OFC = 4, UFC = 8, IXC = 16, IDC = 128;

    private static TestRig run(String insn, int fpcr, long... vregs) {
        TestRig r = new TestRig().asm(insn);
        for (int i = 0; i < vregs.length; i++) r.cpu.v[2 * (i + 1)] = vregs[i];
        r.cpu.v[0] = r.cpu.v[1] = -1;
        r.cpu.fpcr = fpcr;
        r.run(1);
        assertEquals(TestRig.RAM + 4, r.cpu.pc(), insn + " ran");
        return r;
    }

    private static long d(double x) {
        return Double.doubleToRawLongBits(x);
    }

    private static long f(float x) {
        return Float.floatToRawIntBits(x) & 0xffffffffL;
    }

    /** The exact result rounded to a double in ARM rounding mode {@code rmode} (0 RN, 1 RP, 2 RM, 3 RZ). */
    private static double round(BigDecimal exact, int rmode) {
        double near = exact.doubleValue(); // round to nearest even
        int cmp = new BigDecimal(near).compareTo(exact);
        if (cmp == 0) return near;
        return switch (rmode) {
            case 1 -> cmp > 0 ? near : Math.nextUp(near);
            case 2 -> cmp < 0 ? near : Math.nextDown(near);
            case 3 -> (cmp > 0) == (near > 0) ? (near > 0 ? Math.nextDown(near) : Math.nextUp(near)) : near;
            default -> near;
        };
    }

    @Test
    void arithmeticInEveryRoundingModeWithExactFlags() {
        Random rnd = new Random(11);
        String[] ops = {"fadd", "fsub", "fmul", "fdiv"};
        for (int i = 0; i < 40; i++) {
            double a = (rnd.nextDouble() - 0.5) * Math.pow(2, rnd.nextInt(40) - 20);
            double b = (rnd.nextDouble() - 0.5) * Math.pow(2, rnd.nextInt(40) - 20);
            if (i % 5 == 0) b = 0.25; // some exact results
            int op = i % 4, rmode = (i / 4) % 4;
            BigDecimal x = new BigDecimal(a), y = new BigDecimal(b);
            BigDecimal exact = switch (op) {
                case 0 -> x.add(y);
                case 1 -> x.subtract(y);
                case 2 -> x.multiply(y);
                default -> x.divide(y, new MathContext(60, RoundingMode.HALF_EVEN));
            };
            double want = round(exact, rmode);
            boolean inexact = op == 3 ? new BigDecimal(want).multiply(y).compareTo(x) != 0
                    : new BigDecimal(want).compareTo(exact) != 0;
            TestRig r = run(ops[op] + " d0, d1, d2", rmode << 22, d(a), d(b));
            String what = ops[op] + " " + a + " " + b + " mode " + rmode;
            assertEquals(d(want), r.cpu.v[0], what);
            assertEquals(0, r.cpu.v[1], what);
            assertEquals(inexact ? IXC : 0, r.cpu.fpsr, what);
        }
    }

    @Test
    void singlePrecisionAndFusedMultiplyAdd() {
        Random rnd = new Random(5);
        for (int i = 0; i < 20; i++) {
            float a = rnd.nextFloat() * 100 - 50, b = rnd.nextFloat() * 3, c = rnd.nextFloat() - 0.5f;
            assertEquals(f(a * b), run("fmul s0, s1, s2", 0, f(a), f(b)).cpu.v[0]);
            assertEquals(f(a / b), run("fdiv s0, s1, s2", 0, f(a), f(b)).cpu.v[0]);
            assertEquals(f(Math.fma(a, b, c)), run("fmadd s0, s1, s2, s3", 0, f(a), f(b), f(c)).cpu.v[0]);
            assertEquals(f(Math.fma(-a, b, c)), run("fmsub s0, s1, s2, s3", 0, f(a), f(b), f(c)).cpu.v[0]);
            assertEquals(f(Math.fma(-a, b, -c)), run("fnmadd s0, s1, s2, s3", 0, f(a), f(b), f(c)).cpu.v[0]);
            double x = a * 1e-3, y = b * 7.25, z = c;
            assertEquals(d(Math.fma(x, y, z)), run("fmadd d0, d1, d2, d3", 0, d(x), d(y), d(z)).cpu.v[0]);
            assertEquals(d(Math.fma(x, y, -z)), run("fnmsub d0, d1, d2, d3", 0, d(x), d(y), d(z)).cpu.v[0]);
            assertEquals(d(Math.sqrt(Math.abs(x))), run("fsqrt d0, d1", 0, d(Math.abs(x))).cpu.v[0]);
        }
        TestRig r = run("fdiv d0, d1, d2", 0, d(1), d(0));
        assertEquals(d(Double.POSITIVE_INFINITY), r.cpu.v[0]);
        assertEquals(DZC, r.cpu.fpsr);
        r = run("fmul d0, d1, d2", 0, d(Double.MAX_VALUE), d(2));
        assertEquals(d(Double.POSITIVE_INFINITY), r.cpu.v[0]);
        assertEquals(OFC | IXC, r.cpu.fpsr);
        r = run("fmul d0, d1, d2", 3 << 22, d(Double.MAX_VALUE), d(2)); // RZ: overflow to the largest finite
        assertEquals(d(Double.MAX_VALUE), r.cpu.v[0]);
        r = run("fmul d0, d1, d2", 0, d(0x1.0000000000001p-1000), d(0x1.8p-30)); // tiny and inexact
        assertEquals(d(0x1.0000000000001p-1000 * 0x1.8p-30), r.cpu.v[0]);
        assertEquals(UFC | IXC, r.cpu.fpsr);
    }

    @Test
    void nanPropagationAndDefaultNaN() {
        long qnan1 = 0x7ff8000000000111L, snan2 = 0x7ff0000000000222L, qnan3 = 0xfff8000000000333L;
        TestRig r = run("fadd d0, d1, d2", 0, qnan1, snan2); // signalling first, even as second operand
        assertEquals(snan2 | 1L << 51, r.cpu.v[0]);
        assertEquals(IOC, r.cpu.fpsr);
        r = run("fadd d0, d1, d2", 0, qnan3, qnan1); // both quiet: the first
        assertEquals(qnan3, r.cpu.v[0]);
        assertEquals(0, r.cpu.fpsr);
        r = run("fmul d0, d1, d2", 1 << 25, qnan1, d(2)); // FPCR.DN
        assertEquals(0x7ff8000000000000L, r.cpu.v[0]);
        r = run("fsub d0, d1, d2", 0, d(Double.POSITIVE_INFINITY), d(Double.POSITIVE_INFINITY));
        assertEquals(0x7ff8000000000000L, r.cpu.v[0]);
        assertEquals(IOC, r.cpu.fpsr);
        // FMADD: the addend's NaN is looked at first; a quiet addend with inf * 0 gives the default NaN
        r = run("fmadd d0, d1, d2, d3", 0, qnan1, d(1), qnan3);
        assertEquals(qnan3, r.cpu.v[0]);
        r = run("fmadd d0, d1, d2, d3", 0, d(Double.POSITIVE_INFINITY), d(0), qnan3);
        assertEquals(0x7ff8000000000000L, r.cpu.v[0]);
        assertEquals(IOC, r.cpu.fpsr);
        r = run("fmaxnm d0, d1, d2", 0, qnan1, d(-3));
        assertEquals(d(-3), r.cpu.v[0]);
        r = run("fmax d0, d1, d2", 0, qnan1, d(-3));
        assertEquals(qnan1, r.cpu.v[0]);
        r = run("fmin d0, d1, d2", 0, d(0.0), d(-0.0));
        assertEquals(d(-0.0), r.cpu.v[0]);
        long sq = 0x7f800001L;
        r = run("fcvt d0, s1", 0, sq);
        assertEquals(0x7ff8000020000000L, r.cpu.v[0]);
        assertEquals(IOC, r.cpu.fpsr);
    }

    @Test
    void flushToZero() {
        int fz = 1 << 24;
        TestRig r = run("fadd d0, d1, d2", fz, d(Double.MIN_VALUE), d(1));
        assertEquals(d(1), r.cpu.v[0]);
        assertEquals(IDC, r.cpu.fpsr);
        r = run("fmul d0, d1, d2", fz, d(0x1p-1000), d(-0x1p-30)); // subnormal result flushed: UFC, no IXC
        assertEquals(d(-0.0), r.cpu.v[0]);
        assertEquals(UFC, r.cpu.fpsr);
        r = run("fmul d0, d1, d2", 0, d(0x1p-1000), d(-0x1p-30)); // exact subnormal without FZ: no flags
        assertEquals(d(-0x1p-1030), r.cpu.v[0]);
        assertEquals(0, r.cpu.fpsr);
    }

    @Test
    void compares() {
        assertEquals(0x6L << 28, run("fcmp d1, d2", 0, d(1), d(1)).cpu.nzcv());
        assertEquals(0x8L << 28, run("fcmp d1, d2", 0, d(-1), d(1)).cpu.nzcv());
        assertEquals(0x2L << 28, run("fcmp s1, #0.0", 0, f(2)).cpu.nzcv());
        TestRig r = run("fcmp d1, d2", 0, 0x7ff8000000000000L, d(1));
        assertEquals(0x3L << 28, r.cpu.nzcv());
        assertEquals(0, r.cpu.fpsr);
        r = run("fcmpe d1, d2", 0, 0x7ff8000000000000L, d(1));
        assertEquals(IOC, r.cpu.fpsr);
        r = new TestRig().asm("fccmp d1, d2, #5, eq\nfcsel d3, d1, d2, ne");
        r.cpu.v[2] = d(1);
        r.cpu.v[4] = d(2);
        r.cpu.setNzcv(0); // ne: fccmp takes #5, which makes eq false... nzcv = 0101: Z set
        r.run(2);
        assertEquals(0x5L << 28, r.cpu.nzcv());
        assertEquals(d(2), r.cpu.v[6]); // Z set: ne false, picks d2
    }

    @Test
    void conversions() {
        TestRig r = new TestRig().asm("fcvtzs x0, d1\nfcvtzu w2, d2\nfcvtns x3, d3\nfcvtas x4, d3\nfcvtms w5, d4\n"
                + "fcvtzs x6, d5\nscvtf d6, x7\nucvtf s7, x8\nscvtf d8, w9, #4\nfcvtzs w10, s9, #8\nfmov x11, d3\n"
                + "fmov v10.d[1], x12\nfmov w13, s9\nfmov d11, #-2.5\nfrinta d12, d3\nfrintx d13, d4\nfcvt s14, d4\nfcvtps x14, d4");
        long[] v = r.cpu.v;
        v[2] = d(1e20);
        v[4] = d(-1.5);
        v[6] = d(2.5);
        v[8] = d(-1.5);
        v[10] = 0x7ff8000000000000L;
        v[18] = f(1.75f);
        v[20] = 0x1234;
        r.cpu.setReg(7, -3);
        r.cpu.setReg(8, -1);
        r.cpu.setReg(9, 0xffffffe8L); // -24 as w9
        r.cpu.setReg(12, 0xabcdef);
        r.run(18);
        assertEquals(Long.MAX_VALUE, r.x(0));
        assertEquals(0, r.x(2));
        assertEquals(2, r.x(3));
        assertEquals(3, r.x(4));
        assertEquals(0xfffffffeL, r.x(5));
        assertEquals(0, r.x(6));
        assertEquals(d(-3), v[12]);
        assertEquals(f(0x1p64f), v[14]);
        assertEquals(d(-1.5), v[16]);
        assertEquals(448, r.x(10));
        assertEquals(d(2.5), r.x(11));
        assertEquals(0x1234, v[20]);
        assertEquals(0xabcdef, v[21]);
        assertEquals(f(1.75f), r.x(13));
        assertEquals(d(-2.5), v[22]);
        assertEquals(d(3), v[24]);
        assertEquals(d(-2), v[26]);
        assertEquals(f(-1.5f), v[28]);
        assertEquals(-1, r.x(14));
        assertEquals(IOC | IXC, r.cpu.fpsr);
    }
}
