package dev.jemu.arm.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.math.BigInteger;

/**
 * A {@link TestRig} for integer instruction tests: one assembled program (ending in {@code udf #0xbeef}) run many times
 * with different inputs, plus the reference arithmetic the tests compare with (written from the Arm ARM's
 * definitions, independently of the decoders).
 */
final class IntRig {
    final TestRig rig;
    final ArmCpu cpu;
    /** Address of the terminating udf. */
    private final long end;

    IntRig(String source) {
        rig = new TestRig().asm(source + "\n udf #" + END_MARK + "\n");
        cpu = rig.cpu;
        long a = TestRig.RAM;
        while (rig.bus.read(a, 4) != END_MARK) {
            a += 4;
        }
        end = a;
    }

    private static final int END_MARK = 0xbeef;

    /** Sets x0.., runs from the start until the final udf, and checks it stopped there. */
    IntRig run(long... regs) {
        for (int i = 0; i < regs.length; i++) {
            cpu.setReg(i, regs[i]);
        }
        cpu.setPc(TestRig.RAM);
        cpu.halted = false;
        cpu.excClass = -1;
        rig.run(100_000);
        assertEquals(0, cpu.excClass, "stopped by an exception other than the final udf");
        assertEquals(end, cpu.excReturn, "stopped before the end");
        return this;
    }

    long x(int n) {
        return cpu.reg(n);
    }

    /** NZCV as a 4-bit number. */
    int flags() {
        return cpu.nf << 3 | cpu.zf << 2 | cpu.cf << 1 | cpu.vf;
    }

    // ---- reference arithmetic

    static final BigInteger TWO64 = BigInteger.ONE.shiftLeft(64);

    static BigInteger unsigned(long v, int bits) {
        BigInteger b = BigInteger.valueOf(v);
        if (b.signum() < 0) {
            b = b.add(TWO64);
        }
        return b.mod(BigInteger.ONE.shiftLeft(bits));
    }

    static BigInteger signed(long v, int bits) {
        return BigInteger.valueOf(bits == 64 ? v : (int) v);
    }

    /** {result, NZCV} of a + b + carry on {@code bits} bits, from the unbounded sums (AddWithCarry). */
    static long[] addWithCarry(long a, long b, int carry, int bits) {
        BigInteger us = unsigned(a, bits).add(unsigned(b, bits)).add(BigInteger.valueOf(carry));
        BigInteger ss = signed(a, bits).add(signed(b, bits)).add(BigInteger.valueOf(carry));
        BigInteger r = us.mod(BigInteger.ONE.shiftLeft(bits));
        long result = r.longValue();
        int n = r.testBit(bits - 1) ? 1 : 0, z = r.signum() == 0 ? 1 : 0;
        int c = us.equals(r) ? 0 : 1;
        long signedResult = bits == 64 ? result : (int) result;
        int v = ss.equals(BigInteger.valueOf(signedResult)) ? 0 : 1;
        return new long[] {result, n << 3 | z << 2 | c << 1 | v};
    }

    /** {result, NZCV} of a - b (SUBS/CMP): carry means no borrow. */
    static long[] subtract(long a, long b, int bits) {
        return addWithCarry(a, ~b, 1, bits);
    }

    static final long[] EDGES = {0, 1, 2, -1, -2, Long.MAX_VALUE, Long.MIN_VALUE, Long.MAX_VALUE - 1,
        Long.MIN_VALUE + 1, 0x7fff_ffffL, 0x8000_0000L, 0xffff_ffffL, 0x1_0000_0000L, 0xffff_ffff_7fff_ffffL,
        0x1234_5678_9abc_def0L, 0xfedc_ba98_7654_3210L};
}
