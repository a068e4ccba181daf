package dev.jemu.x86.cpu;

import org.junit.jupiter.api.Test;

/**
 * Shifts and rotates (by 1, CL and imm8), RCL/RCR, SHLD/SHRD at every size with counts 0, 1, size-1, size and
 * beyond, against the host CPU. Flags the SDM leaves undefined (AF after shifts; OF when the count is not 1) are
 * masked out.
 */
class ShiftRotateTest {
    private static final int[] SIZES = {8, 16, 32, 64};

    private static long[] counts(int s) {
        return new long[] {0, 1, 2, 7, s - 1, s, s + 1, 31, 32, 63, 64, 0x41};
    }

    private static long mask(long count, int s) {
        long m = Oracle.ALL & ~X86Cpu.AF;
        int n = (int) count & (s == 64 ? 63 : 31);
        if (n != 1) {
            m &= ~X86Cpu.OF;
        }
        return m;
    }

    @Test
    void shiftsAndRotatesByCl() {
        Oracle o = new Oracle();
        for (String op : new String[] {"rol", "ror", "rcl", "rcr", "shl", "shr", "sar"}) {
            for (int s : SIZES) {
                for (long a : new long[] {0, 1, 0x81, Alu.trunc(-1, s), 1L << (s - 1), 0x5a5a5a5a5a5a5a5aL & Alu.trunc(-1, s)}) {
                    for (long n : counts(s)) {
                        for (long cf : new long[] {0, 1}) {
                            o.add(a, n, 0, cf | X86Cpu.ZF | X86Cpu.OF, op + " %cl, " + Oracle.reg("a", s), mask(n, s));
                        }
                    }
                }
            }
        }
        System.out.println("ShiftRotateTest by-CL cases: " + o.check());
    }

    @Test
    void byOneAndImmediateAndMemory() {
        Oracle o = new Oracle();
        for (String op : new String[] {"rol", "ror", "rcl", "rcr", "shl", "shr", "sar"}) {
            for (int s : SIZES) {
                for (long a : Oracle.edges(s)) {
                    o.add(a, 0, 0, 1, op + Oracle.suffix(s) + " " + Oracle.reg("a", s), mask(1, s));
                    o.add(a, 0, 0, 0, op + Oracle.suffix(s) + " $1, " + Oracle.reg("a", s), mask(1, s));
                    o.add(a, 0, 0, 1, op + Oracle.suffix(s) + " $5, " + Oracle.reg("a", s), mask(5, s));
                    o.add(0, a, 0, 1, "mov %rcx, buf+1000(%rip)\n" + op + Oracle.suffix(s)
                            + " $3, buf+1000(%rip)\nmov buf+1000(%rip), %rcx", mask(3, s));
                }
            }
        }
        System.out.println("ShiftRotateTest by-1/imm/memory cases: " + o.check());
    }

    @Test
    void doublePrecisionShifts() {
        Oracle o = new Oracle();
        for (String op : new String[] {"shld", "shrd"}) {
            for (int s : new int[] {16, 32, 64}) {
                for (long a : new long[] {0, 1, 0x8001, 0x5a5a5a5a5a5a5a5aL & Alu.trunc(-1, s), Alu.trunc(-1, s)}) {
                    for (long b : new long[] {0, 0x8000000000000001L & Alu.trunc(-1, s), 0x123456789abcdef0L & Alu.trunc(-1, s)}) {
                        for (long n : new long[] {0, 1, 2, 7, s - 1, s, 31, 63}) {
                            if (s == 16 && (n & 31) > 16) {
                                continue; // undefined result
                            }
                            o.add(a, n, b, 1, op + " %cl, " + Oracle.reg("d", s) + ", " + Oracle.reg("a", s), mask(n, s));
                        }
                    }
                }
            }
        }
        System.out.println("ShiftRotateTest SHLD/SHRD cases: " + o.check());
    }
}
