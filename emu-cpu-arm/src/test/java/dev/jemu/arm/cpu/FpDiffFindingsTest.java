package dev.jemu.arm.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/**
 * FP/SIMD cases where the differential tests against QEMU 7.2 (tests module: DiffTest, A64RandomStreamTest) found
 * jemu wrong; every expected value and FPSR here was read back from qemu-system-aarch64 -cpu cortex-a57 running
 * the same instruction on the same inputs.
 */
class FpDiffFindingsTest {
    private static final int IOC = 1, IXC = 0x10, IDC = 0x80, AHP = 1 << 26, FZ = 1 << 24;

    /** Runs one instruction with v1 = (d1, hi1), v2 = d2 and FPCR = fpcr; returns v0's two halves. */
    private static long[] run(String insn, int fpcr, long d1, long hi1, long d2) {
        TestRig r = new TestRig().asm(insn);
        r.cpu.v[2] = d1;
        r.cpu.v[3] = hi1;
        r.cpu.v[4] = d2;
        r.cpu.fpcr = fpcr;
        r.run(1);
        assertEquals(TestRig.RAM + 4, r.cpu.pc(), insn + " ran");
        return new long[] {r.cpu.v[0], r.cpu.v[1], r.cpu.fpsr};
    }

    private static void check(String insn, int fpcr, long d1, long d2, long want, int fpsr) {
        long[] got = run(insn, fpcr, d1, 0, d2);
        assertEquals(Long.toHexString(want), Long.toHexString(got[0]), insn);
        assertEquals(fpsr, (int) got[2], insn + " FPSR");
    }

    @Test
    void fnmulNegatesAndFabdClearsTheSignOfANanResult() {
        check("fnmul d0, d1, d2", 0, 0x7ff8000000000123L, 0x3ff0000000000000L, 0xfff8000000000123L, 0);
        check("fabd d0, d1, d2", 0, 0xfff8000000000123L, 0x3ff0000000000000L, 0x7ff8000000000123L, 0);
    }

    @Test
    void frsqrtsHalvesBeforeRounding() {
        // (3 - MAX * 2) / 2 is finite: rounding 3 - MAX * 2 first overflowed to -inf
        check("frsqrts d0, d1, d2", 0, 0x7fefffffffffffffL, 0x4000000000000000L, 0xffefffffffffffffL, IXC);
    }

    @Test
    void alternativeHalfPrecision() {
        check("fcvt h0, s1", AHP, 0x7f800000L, 0, 0x7fff, IOC); // no infinity: the largest value, Invalid
        check("fcvt h0, s1", AHP, 0x7fc00000L, 0, 0, IOC); // no NaN: zero, Invalid
        check("fcvt h0, s1", AHP, 0x47c35000L, 0, 0x7e1a, IXC); // 100000: exponent 31 is a normal number
        check("fcvt h0, s1", AHP, 0x48435000L, 0, 0x7fff, IOC); // 200000: beyond 131008
        check("fcvt h0, d1", AHP, 0x40fffffff0000000L, 0, 0x7fff, IOC); // rounds up to 2^17
        check("fcvt s0, h1", AHP, 0x7e1a, 0, 0x47c34000L, 0); // 99840
    }

    @Test
    void flushToZeroAppliesToTheInputOfAConversionToHalf() {
        check("fcvt h0, s1", FZ, 1, 0, 0, IDC);
        check("fcvt h0, d1", FZ, 1, 0, 0, IDC);
    }

    @Test
    void unsignedReciprocalEstimates() {
        long[] r = run("urecpe v0.4s, v1.4s", 0, 0x8000000040000000L, 0xffffffff7fffffffL, 0);
        assertEquals(0x80000000ffffffffL, r[1]);
        assertEquals(0xff800000ffffffffL, r[0]);
        r = run("ursqrte v0.4s, v1.4s", 0, 0x8000000040000000L, 0xffffffff7fffffffL, 0);
        assertEquals(0x80000000b5000000L, r[1]);
        assertEquals(0xb4800000ff800000L, r[0]);
        r = run("urecpe v0.4s, v1.4s", 0, 0xc0000000a5a5a5a5L, 0x3fffffff12345678L, 0);
        assertEquals(0xffffffffffffffffL, r[1]);
        assertEquals(0xaa800000c5800000L, r[0]);
        r = run("ursqrte v0.4s, v1.4s", 0, 0xc0000000a5a5a5a5L, 0x3fffffff12345678L, 0);
        assertEquals(0xffffffffffffffffL, r[1]);
        assertEquals(0x938000009f000000L, r[0]);
    }
}
