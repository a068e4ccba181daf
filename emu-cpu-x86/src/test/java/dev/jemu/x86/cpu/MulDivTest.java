package dev.jemu.x86.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** MUL, IMUL (one, two, three operands), DIV and IDIV edge cases against the host CPU, and #DE. */
class MulDivTest {
    private static final int[] SIZES = {8, 16, 32, 64};
    /** CF and OF are defined after multiplies; the rest is not. */
    private static final long MUL_FLAGS = X86Cpu.CF | X86Cpu.OF | X86Cpu.DF;

    @Test
    void multiplies() {
        Oracle o = new Oracle();
        for (int s : SIZES) {
            for (long a : Oracle.edges(s)) {
                for (long b : Oracle.edges(s)) {
                    o.add(a, b, 0x77, 0, "mul " + Oracle.reg("c", s), MUL_FLAGS);
                    o.add(a, b, 0x77, 0, "imul " + Oracle.reg("c", s), MUL_FLAGS);
                    if (s != 8) {
                        o.add(a, b, 0x77, 0, "imul " + Oracle.reg("c", s) + ", " + Oracle.reg("a", s), MUL_FLAGS);
                    }
                }
                if (s != 8) {
                    o.add(a, 0, 0, 0, "imul $-3, " + Oracle.reg("a", s) + ", " + Oracle.reg("c", s), MUL_FLAGS);
                    o.add(a, 0, 0, 0, "imul $0x7ffffff1, " + Oracle.reg("a", s) + ", " + Oracle.reg("d", s), MUL_FLAGS);
                }
            }
        }
        System.out.println("MulDivTest multiply cases: " + o.check());
    }

    @Test
    void divides() {
        Oracle o = new Oracle();
        for (int s : SIZES) {
            long m = Alu.trunc(-1, s);
            long[] divisors = {1, 2, 3, 7, m, m - 1, 1L << (s - 1), (1L << (s - 1)) - 1};
            long[] dividends = {0, 1, 100, m, 1L << (s - 1), 0x123456789abcdefL & m};
            for (long d : divisors) {
                for (long a : dividends) {
                    // DIV with a high half of 0 never overflows
                    String hiZero = s == 8 ? "movzbl %al, %eax\n" : "xor %edx, %edx\n";
                    o.add(a, d, 0, 0, hiZero + "div " + Oracle.reg("c", s), X86Cpu.DF);
                    // IDIV with the sign-extended dividend; skip the one overflowing case
                    long sa = Alu.sext(a, s), sd = Alu.sext(d, s);
                    if (!(sa == Long.MIN_VALUE >> (64 - s) && sd == -1)) {
                        String ext = switch (s) {
                            case 8 -> "cbw\n";
                            case 16 -> "cwd\n";
                            case 32 -> "cdq\n";
                            default -> "cqo\n";
                        };
                        o.add(a, d, 0, 0, ext + "idiv " + Oracle.reg("c", s), X86Cpu.DF);
                    }
                }
            }
            // a 2-register dividend with a large high half that still fits
            if (s != 8) {
                o.add(0x1234, m, m - 1, 0, "div " + Oracle.reg("c", s), X86Cpu.DF);
                o.add(0x1234, 1L << (s - 1), (1L << (s - 2)) & m, 0, "idiv " + Oracle.reg("c", s), X86Cpu.DF);
            }
        }
        System.out.println("MulDivTest divide cases: " + o.check());
    }

    /** The 128-by-64-bit unsigned division (DIV r/m64 with rDX not 0) against BigInteger: edges and random values. */
    @Test
    void dividesA128BitDividendExactly() {
        X86Cpu c = new TestRig().cpu;
        java.util.SplittableRandom rnd = new java.util.SplittableRandom(11);
        long[] edges = {1, 2, 3, 0xffffffffL, 0x100000000L, 0x100000001L, 0x7fffffffffffffffL, Long.MIN_VALUE,
            Long.MIN_VALUE + 1, -2, -1, 0x8000000080000000L, 0xffffffff00000000L, 0x00000001ffffffffL};
        java.util.List<long[]> cases = new java.util.ArrayList<>();
        for (long b : edges) {
            for (long hi : edges) {
                for (long lo : edges) {
                    cases.add(new long[] {hi, lo, b});
                }
                cases.add(new long[] {hi, 0, b});
            }
        }
        for (int i = 0; i < 200_000; i++) {
            long b = rnd.nextLong() >>> rnd.nextInt(64);
            cases.add(new long[] {rnd.nextLong() >>> rnd.nextInt(64), rnd.nextLong(), b == 0 ? 1 : b});
        }
        int n = 0;
        for (long[] k : cases) {
            long hi = k[0], lo = k[1], b = k[2];
            if (hi == 0 || Long.compareUnsigned(hi, b) >= 0) {
                continue; // hi 0 takes Long.divideUnsigned; hi >= b is #DE
            }
            java.math.BigInteger a = u(hi).shiftLeft(64).or(u(lo));
            java.math.BigInteger[] qr = a.divideAndRemainder(u(b));
            MulDiv.divide128(c, hi, lo, b);
            assertEquals(qr[0].longValue(), c.r[0], () -> Long.toHexString(hi) + ":" + Long.toHexString(lo) + " / " + Long.toHexString(b));
            assertEquals(qr[1].longValue(), c.r[2], () -> Long.toHexString(hi) + ":" + Long.toHexString(lo) + " % " + Long.toHexString(b));
            n++;
        }
        assertEquals(true, n > 50_000, "cases: " + n);
    }

    private static java.math.BigInteger u(long v) {
        return new java.math.BigInteger(Long.toUnsignedString(v));
    }

    @Test
    void divideErrors() {
        TestRig rig = new TestRig();
        String[] faulting = {
                "xor %ecx, %ecx\nmov $1, %eax\ndiv %ecx",
                "mov $2, %edx\nmov $1, %ecx\ndiv %ecx", // quotient does not fit 32 bits
                "mov $0x8000, %ax\nmov $-1, %cl\nidiv %cl",
                "movabs $0x8000000000000000, %rax\ncqo\nmov $-1, %rcx\nidiv %rcx",
                "mov $-1, %rdx\nmov $-1, %rcx\ndiv %rcx",
                "mov $1, %rdx\nxor %eax, %eax\nmov $1, %rcx\nidiv %rcx",
        };
        for (String src : faulting) {
            TestRig.Result r = rig.run(src + "\nnop", 64);
            assertEquals(Vectors.DE, r.fault(), src);
        }
        TestRig.Result r = rig.run("mov $0x3f, %ax\naam", 32);
        assertEquals(0x0603, r.reg(X86Cpu.RAX) & 0xffff, "AAM: AH = AL / 10, AL = AL % 10");
        assertEquals(Vectors.DE, rig.run("aam $0\nnop", 32).fault(), "AAM 0 divides by zero");
        assertEquals(Vectors.UD, rig.run(".byte 0xd4, 0x0a\nnop", 64).fault(), "AAM is #UD in 64-bit mode");
    }
}
