package dev.jemu.x86.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** ADD..CMP, TEST, INC/DEC, NEG/NOT at every size with edge values, against the host CPU. */
class AluFlagsTest {
    private static final int[] SIZES = {8, 16, 32, 64};
    private static final long NO_AF = Oracle.ALL & ~X86Cpu.AF;

    @Test
    void twoOperandOpsRegisterForms() {
        Oracle o = new Oracle();
        for (String op : new String[] {"add", "or", "adc", "sbb", "and", "sub", "xor", "cmp", "test"}) {
            boolean logic = op.equals("or") || op.equals("and") || op.equals("xor") || op.equals("test");
            for (int s : SIZES) {
                for (long a : Oracle.edges(s)) {
                    for (long b : Oracle.edges(s)) {
                        for (long cf : new long[] {0, 1}) {
                            o.add(a, b, 0, cf | (a == b ? X86Cpu.ZF | X86Cpu.OF : X86Cpu.AF),
                                    op + " " + Oracle.reg("c", s) + ", " + Oracle.reg("a", s), logic ? NO_AF : Oracle.ALL);
                        }
                    }
                }
            }
        }
        System.out.println("AluFlagsTest two-operand cases: " + o.check());
    }

    @Test
    void immediateAndMemoryForms() {
        Oracle o = new Oracle();
        String[] ops = {"add", "or", "adc", "sbb", "and", "sub", "xor", "cmp"};
        long[] imms = {0, 1, -1, 0x7f, -0x80, 0x12345678, -0x7fffffff};
        for (String op : ops) {
            boolean logic = op.equals("or") || op.equals("and") || op.equals("xor");
            for (int s : SIZES) {
                for (long a : Oracle.edges(s)) {
                    for (long imm : imms) {
                        long i = s == 8 ? (byte) imm : s == 16 ? (short) imm : imm;
                        o.add(a, 0, 0, a & 1, op + Oracle.suffix(s) + " $" + i + ", " + Oracle.reg("a", s),
                                logic ? NO_AF : Oracle.ALL);
                    }
                    // memory destination and memory source
                    o.add(a, 0x5555555555555555L, 0, 1, "mov %rcx, buf+3000(%rip)\n" + op + " " + Oracle.reg("a", s)
                            + ", buf+3000(%rip)\nmov buf+3000(%rip), %rcx", logic ? NO_AF : Oracle.ALL);
                    o.add(a, 0x8000000000000001L, 0, 0, "mov %rcx, buf+3008(%rip)\n" + op + " buf+3008(%rip), "
                            + Oracle.reg("a", s), logic ? NO_AF : Oracle.ALL);
                }
            }
        }
        System.out.println("AluFlagsTest immediate/memory cases: " + o.check());
    }

    @Test
    void oneOperandOps() {
        Oracle o = new Oracle();
        for (String op : new String[] {"inc", "dec", "neg", "not"}) {
            for (int s : SIZES) {
                for (long a : Oracle.edges(s)) {
                    for (long f : new long[] {0, Oracle.ALL & ~X86Cpu.DF}) {
                        o.add(a, 0, 0, f, op + " " + Oracle.reg("a", s), Oracle.ALL);
                        o.add(0, a, 0, f, "mov %rcx, buf+2000(%rip)\n" + op + Oracle.suffix(s)
                                + " buf+2000(%rip)\nmov buf+2000(%rip), %rcx", Oracle.ALL);
                    }
                }
            }
        }
        System.out.println("AluFlagsTest one-operand cases: " + o.check());
    }

    @Test
    void highByteRegistersAndZeroExtension() {
        Oracle o = new Oracle();
        o.add(0x1122334455667788L, 0x99aabbccddeeff00L, 0, 0, "add %ch, %ah\nsub %ah, %cl", Oracle.ALL);
        o.add(0x1122334455667788L, 0x99aabbccddeeff00L, 0, 0, "add %ecx, %eax", Oracle.ALL);
        o.add(0x1122334455667788L, 0x99aabbccddeeff00L, 0, 0, "add %cx, %ax", Oracle.ALL);
        o.add(0x1122334455667788L, 0x99aabbccddeeff00L, 0, 0, "mov %r9, %rdx\nmov $-1, %r9b\nadd %r9, %rax", Oracle.ALL);
        o.add(-1, -1, -1, 0, "xor %eax, %eax\nnot %cx\nneg %edx", Oracle.ALL);
        assertEquals(5, o.check());
    }
}
