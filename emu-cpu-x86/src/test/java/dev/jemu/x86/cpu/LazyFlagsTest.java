package dev.jemu.x86.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/**
 * Lazy flags (X86Cpu.lazyOp): every kind of flag reader right after every kind of lazily kept ALU result, against
 * the host CPU. A reader that computes one flag from the kept result (Jcc/SETcc/CMOVcc through cond, ADC/SBB's
 * carry in, INC/DEC keeping CF, LOOPE) or all of them (LAHF, PUSHF), and a writer of single flags (CMC, BT, SAHF)
 * between a lazy result and the next reader, must all see what eagerly computed flags would give.
 */
class LazyFlagsTest {
    private static final int[] SIZES = {8, 16, 32, 64};
    private static final String[] WRITERS = {"add", "adc", "sub", "sbb", "cmp", "and", "or", "xor", "test"};
    private static final String[] CC = {"o", "no", "b", "ae", "e", "ne", "be", "a", "s", "ns", "p", "np", "l", "ge",
            "le", "g"};

    /** The 16 conditions as 16 bits of RDX (SETcc into R8B, shifted in with LEA: MOV and LEA leave the flags). */
    private static String readConditions() {
        StringBuilder s = new StringBuilder();
        for (String cc : CC) {
            s.append("mov $0, %r8d\nset").append(cc).append(" %r8b\nlea (%r8,%r9,2), %r9\n");
        }
        return s.append("mov %r9, %rdx\n").toString();
    }

    /** Operand pairs per size: the edges where carries, borrows, overflows and sign changes happen. */
    private static long[] operands(int s) {
        long m = Alu.trunc(-1, s), sign = 1L << (s - 1);
        return new long[] {0, 1, 0xf, sign - 1, sign, m};
    }

    @Test
    void everyConditionAfterEveryTwoOperandWriter() {
        Oracle o = new Oracle(40);
        for (String op : WRITERS) {
            boolean logic = op.equals("and") || op.equals("or") || op.equals("xor") || op.equals("test");
            for (int s : SIZES) {
                for (long a : operands(s)) {
                    for (long b : operands(s)) {
                        for (long cf : new long[] {0, X86Cpu.CF}) {
                            // the writer's flags are read 16 times by SETcc, then all at once by LAHF (into AH;
                            // not after logic ops, whose AF the SDM leaves undefined)
                            o.add(a, b, 0, cf, "mov $0, %r9d\n" + op + " " + Oracle.reg("c", s) + ", "
                                    + Oracle.reg("a", s) + "\n" + readConditions() + (logic ? "" : "lahf"),
                                    logic ? Oracle.ALL & ~X86Cpu.AF : Oracle.ALL);
                        }
                    }
                }
            }
        }
        int n = o.check();
        assertTrue(n > 800, "cases: " + n);
    }

    @Test
    void carryReadersAndPartialWritersAfterLazyResults() {
        Oracle o = new Oracle(60);
        String[] readers = {
                "adc %rcx, %rdx",           // CF in
                "sbb %ecx, %edx",           // CF in
                "inc %rdx\njc 1f\nadd $7, %rdx\n1:",  // INC keeps CF: Jc reads it through INC's kept result
                "dec %dl\nsetc %dh\nsetz %cl",
                "cmc\nsetc %dl\nseto %dh",  // CMC writes CF only: the others stay the writer's
                "bt $3, %rax\nsetz %dl\nsetc %dh\nsets %cl",
                "mov $0xd5, %ah\nsahf\nseto %dl",  // SAHF writes five flags; OF stays the writer's
                "cmovb %rcx, %rdx\ncmovle %rax, %rcx",
                "pushfq\nandq $-529, (%rsp)\npop %rdx", // all but AF (undefined after logic) and IF
                "rcl $1, %rdx\nsetc %cl",
                "neg %rcx\nsetc %dl",
        };
        for (String op : new String[] {"add", "sub", "and", "inc", "dec", "neg"}) {
            boolean two = op.equals("add") || op.equals("sub") || op.equals("and");
            for (int s : SIZES) {
                for (long a : operands(s)) {
                    for (String r : readers) {
                        String w = two ? op + " " + Oracle.reg("c", s) + ", " + Oracle.reg("a", s)
                                : op + " " + Oracle.reg("a", s);
                        long mask = op.equals("and") ? Oracle.ALL & ~X86Cpu.AF : Oracle.ALL;
                        o.add(a, 0x8000000000000001L, 0x7f, X86Cpu.CF, w + "\n" + r, mask);
                    }
                }
            }
        }
        int n = o.check();
        assertEquals(6 * 4 * 6 * readers.length, n);
    }
}
