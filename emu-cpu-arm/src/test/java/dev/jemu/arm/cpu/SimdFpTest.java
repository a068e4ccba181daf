package dev.jemu.arm.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Random;
import org.junit.jupiter.api.Test;

/** AdvSIMD FP: vector arithmetic, fused multiply-add, pairwise, compares, conversions, by element, across lanes. */
class SimdFpTest {
    private static long f(float x) {
        return Float.floatToRawIntBits(x) & 0xffffffffL;
    }

    private static long d(double x) {
        return Double.doubleToRawLongBits(x);
    }

    private static long pack(float lo, float hi) {
        return f(lo) | f(hi) << 32;
    }

    private static float lane(long[] v, int reg, int e) {
        return Float.intBitsToFloat((int) Vreg.get(v, reg, e, 4));
    }

    private static TestRig run(String insn, float[] n, float[] m, float[] acc) {
        TestRig r = new TestRig().asm(insn);
        long[] v = r.cpu.v;
        v[0] = pack(acc[0], acc[1]);
        v[1] = pack(acc[2], acc[3]);
        v[2] = pack(n[0], n[1]);
        v[3] = pack(n[2], n[3]);
        v[4] = pack(m[0], m[1]);
        v[5] = pack(m[2], m[3]);
        r.run(1);
        assertEquals(TestRig.RAM + 4, r.cpu.pc(), insn + " ran");
        return r;
    }

    @Test
    void vectorArithmeticMatchesJava() {
        Random rnd = new Random(3);
        for (int t = 0; t < 10; t++) {
            float[] n = new float[4], m = new float[4], a = new float[4];
            for (int i = 0; i < 4; i++) {
                n[i] = rnd.nextFloat() * 200 - 100;
                m[i] = rnd.nextFloat() * 4 - 2;
                a[i] = rnd.nextFloat();
            }
            long[] v = run("fadd v0.4s, v1.4s, v2.4s", n, m, a).cpu.v;
            for (int i = 0; i < 4; i++) assertEquals(n[i] + m[i], lane(v, 0, i));
            v = run("fmul v0.4s, v1.4s, v2.4s", n, m, a).cpu.v;
            for (int i = 0; i < 4; i++) assertEquals(n[i] * m[i], lane(v, 0, i));
            v = run("fdiv v0.2s, v1.2s, v2.2s", n, m, a).cpu.v;
            for (int i = 0; i < 2; i++) assertEquals(n[i] / m[i], lane(v, 0, i));
            assertEquals(0, v[1]);
            v = run("fmla v0.4s, v1.4s, v2.4s", n, m, a).cpu.v;
            for (int i = 0; i < 4; i++) assertEquals(Math.fma(n[i], m[i], a[i]), lane(v, 0, i));
            v = run("fmls v0.4s, v1.4s, v2.s[3]", n, m, a).cpu.v;
            for (int i = 0; i < 4; i++) assertEquals(Math.fma(-n[i], m[3], a[i]), lane(v, 0, i));
            v = run("fmul v0.4s, v1.4s, v2.s[1]", n, m, a).cpu.v;
            for (int i = 0; i < 4; i++) assertEquals(n[i] * m[1], lane(v, 0, i));
            v = run("faddp v0.4s, v1.4s, v2.4s", n, m, a).cpu.v;
            assertEquals(n[0] + n[1], lane(v, 0, 0));
            assertEquals(m[2] + m[3], lane(v, 0, 3));
            v = run("fcmgt v0.4s, v1.4s, v2.4s", n, m, a).cpu.v;
            for (int i = 0; i < 4; i++) assertEquals(n[i] > m[i] ? -1 : 0, (int) Vreg.get(v, 0, i, 4));
            v = run("fabd v0.4s, v1.4s, v2.4s", n, m, a).cpu.v;
            for (int i = 0; i < 4; i++) assertEquals(Math.abs(n[i] - m[i]), lane(v, 0, i));
            v = run("fmaxnmv s0, v1.4s", n, m, a).cpu.v;
            assertEquals(Math.max(Math.max(n[0], n[1]), Math.max(n[2], n[3])), lane(v, 0, 0));
            assertEquals(0, v[0] >>> 32);
            v = run("fcvtzs v0.4s, v1.4s", n, m, a).cpu.v;
            for (int i = 0; i < 4; i++) assertEquals((int) n[i], (int) Vreg.get(v, 0, i, 4));
            v = run("fcvtl v0.2d, v1.2s", n, m, a).cpu.v;
            assertEquals(d(n[0]), v[0]);
            assertEquals(d(n[1]), v[1]);
        }
    }

    @Test
    void conversionsSaturateAndDoubleLanes() {
        TestRig r = new TestRig().asm("fcvtzu v0.4s, v1.4s\nscvtf v2.2d, v3.2d\nfcvtzs v4.2d, v5.2d, #3\n"
                + "fcvtn v6.2s, v5.2d\nfcmeq v7.2d, v5.2d, #0.0\nfneg v8.2d, v5.2d\nfrintm v9.4s, v1.4s");
        long[] v = r.cpu.v;
        v[2] = pack(-1.5f, 5e9f);
        v[3] = pack(Float.NaN, 7.9f);
        v[6] = -5;
        v[7] = 1L << 60;
        v[10] = d(1.25);
        v[11] = d(-0.0);
        r.run(7);
        assertEquals(0xffffffff00000000L, v[0]); // -1.5 -> 0, 5e9 -> UINT32_MAX
        assertEquals(7L << 32, v[1]); // NaN -> 0
        assertEquals(ArmFp.IOC | ArmFp.IXC, r.cpu.fpsr & 0xff);
        assertEquals(d(-5), v[4]);
        assertEquals(d(0x1p60), v[5]);
        assertEquals(10, v[8]);
        assertEquals(0, v[9]);
        assertEquals(pack(1.25f, -0.0f), v[12]);
        assertEquals(0, v[13]);
        assertEquals(0, v[14]);
        assertEquals(-1, v[15]);
        assertEquals(d(-1.25), v[16]);
        assertEquals(d(0.0), v[17]);
        assertEquals(pack(-2f, 5e9f), v[18]);
        assertEquals(pack(Float.NaN, 7f), v[19]);
    }

    @Test
    void reciprocalEstimatesAndSteps() {
        TestRig r = new TestRig().asm("frecpe v0.4s, v1.4s\nfrecps v2.4s, v1.4s, v3.4s\nfrsqrte s4, s1\nfrecpx d5, d6");
        long[] v = r.cpu.v;
        v[2] = pack(1f, 2f);
        v[3] = pack(0f, -0f);
        v[6] = pack(3f, 0.5f);
        v[7] = pack(1f, 1f);
        v[12] = d(6.0);
        r.run(4);
        assertEquals(0x3f7f8000L, v[0] & 0xffffffffL); // 511/512: the estimate of 1/1
        assertEquals(0x3eff8000L, v[0] >>> 32);
        assertEquals(0x7f800000L, v[1] & 0xffffffffL); // 1/+0 = +inf
        assertEquals(0xff800000L, v[1] >>> 32);
        assertEquals(ArmFp.DZC, r.cpu.fpsr & ArmFp.DZC);
        assertEquals(f(2 - 1f * 3f), v[4] & 0xffffffffL);
        assertEquals(f(2 - 2f * 0.5f), v[4] >>> 32);
        assertEquals(0x3f7f8000L, v[8]); // 1/sqrt(1)
        assertEquals(d(0.5), v[10]); // 6.0 has biased exponent 0x401: inverted 0x3fe, fraction cleared
    }
}
