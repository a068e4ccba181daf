package dev.jemu.x86.cpu;

import org.junit.jupiter.api.Test;

/**
 * The MOV family, CMOVcc/SETcc, XCHG/CMPXCHG/XADD/CMPXCHG8B/16B, BSWAP, CBW.., BT*, BSF/BSR/POPCNT and the flag
 * instructions, against the host CPU.
 */
class MoveBitTest {
    private static final int[] SIZES = {16, 32, 64};

    @Test
    void conditionalsOverEveryFlagCombination() {
        Oracle o = new Oracle();
        String[] cc = {"o", "no", "b", "ae", "e", "ne", "be", "a", "s", "ns", "p", "np", "l", "ge", "le", "g"};
        long[] flagSets = {0, X86Cpu.CF, X86Cpu.ZF, X86Cpu.SF, X86Cpu.OF, X86Cpu.PF, X86Cpu.SF | X86Cpu.OF,
                X86Cpu.ZF | X86Cpu.CF, X86Cpu.SF | X86Cpu.ZF, Oracle.ALL & ~X86Cpu.DF};
        for (String c : cc) {
            for (long f : flagSets) {
                o.add(0x1111111111111111L, 0x2222222222222222L, 0x3333333333333333L, f,
                        "cmov" + c + " %ecx, %eax\nset" + c + " %dl\ncmov" + c + " %rdx, %rcx", Oracle.ALL);
                o.add(0x1111111111111111L, 0x2222222222222222L, 0, f,
                        "cmov" + c + "w %cx, %ax\nj" + c + " 1f\nmov $5, %edx\n1:", Oracle.ALL);
            }
        }
        System.out.println("MoveBitTest conditional cases: " + o.check());
    }

    /** Every condition right after each kind of flag-setting op (the lazily evaluated flags' fast paths). */
    @Test
    void conditionsAfterEachKindOfOp() {
        Oracle o = new Oracle(24);
        String[] cc = {"o", "no", "b", "ae", "e", "ne", "be", "a", "s", "ns", "p", "np", "l", "ge", "le", "g"};
        for (int s : new int[] {8, 16, 32, 64}) {
            String a = Oracle.reg("a", s), c = Oracle.reg("c", s);
            for (long x : new long[] {0, 1, 0x7f, 0x80, 0xff, 0x7fffffffffffffffL, 0x8000000000000000L, -1}) {
                for (long y : new long[] {0, 1, 0x80, -1, 0x7fffffffffffffffL}) {
                    for (String op : new String[] {"cmp", "sub", "add", "test", "and", "sbb", "adc"}) {
                        o.add(x, y, 0, X86Cpu.CF, eachCondition(cc, op + " " + c + ", " + a), Oracle.ALL);
                    }
                }
                for (String op : new String[] {"inc", "dec", "neg"}) {
                    o.add(x, 0, 0, X86Cpu.CF, eachCondition(cc, op + " " + a), Oracle.ALL);
                }
            }
        }
        System.out.println("MoveBitTest condition-after-op cases: " + o.check());
    }

    /** Runs {@code op} afresh (from rax/rcx as they came in, CF set) before each SETcc; rdx collects the 16 bits. */
    private static String eachCondition(String[] cc, String op) {
        StringBuilder b = new StringBuilder("mov %rax, %r8\nmov %rcx, %r9\nxor %edx, %edx\n");
        for (String c : cc) {
            b.append("mov %r8, %rax\nmov %r9, %rcx\nstc\n").append(op).append("\nset").append(c)
                    .append(" %dl\nror $1, %rdx\n");
        }
        return b.toString();
    }

    @Test
    void movesAndExtensions() {
        Oracle o = new Oracle();
        for (long a : Oracle.edges(64)) {
            o.add(a, a, a, 0, "movzbl %al, %eax\nmovsbq %cl, %rcx\nmovswl %dx, %edx", Oracle.ALL);
            o.add(a, a, a, 0, "movzwq %ax, %rax\nmovslq %ecx, %rcx\nmovsbw %dl, %dx", Oracle.ALL);
            o.add(a, a, a, 0, "cbw\nmov %rcx, %rax\ncwde\nmov %rax, %rcx\nmov %rdx, %rax\ncdqe", Oracle.ALL);
            o.add(a, a, a, 0, "cwd\nmov %rdx, %rcx\ncdq", Oracle.ALL);
            o.add(a, a, a, 0, "cqo", Oracle.ALL);
            o.add(a, a, a, 0, "bswap %eax\nbswap %rcx", Oracle.ALL);
            o.add(a, 0, a, 0, "mov %eax, buf(%rip)\nmovb $0x80, buf+1(%rip)\nmovsbl buf+1(%rip), %ecx\n"
                    + "movw $0x8001, buf+2(%rip)\nmovswq buf+2(%rip), %rdx\nmov buf(%rip), %rax", Oracle.ALL);
            o.add(a, 0, 0, 0, "mov %rax, buf+8(%rip)\nmovabs buf+8, %eax\nmovabs %al, buf+16\nmov buf+16(%rip), %rcx", Oracle.ALL);
            o.add(a, 0, 0, 0, "lea 0x10(%rax,%rax,4), %rcx\nlea -1(%eax), %edx\nlea buf(%rip), %rax\nsub %rax, %rax", Oracle.ALL);
            o.add(a, a, 0, 0, "movq $-2, %rcx\nmovl $-2, %edx\nmovw $-2, %ax\nmovb $7, %ah", Oracle.ALL);
        }
        System.out.println("MoveBitTest move cases: " + o.check());
    }

    @Test
    void exchangesAndCompareExchange() {
        Oracle o = new Oracle();
        for (int s : SIZES) {
            String a = Oracle.reg("a", s), c = Oracle.reg("c", s), d = Oracle.reg("d", s);
            for (long x : new long[] {0, 5, -1, 0x8000000000000000L}) {
                for (long y : new long[] {0, 5, -1}) {
                    o.add(x, y, 0x77, 0, "xchg " + c + ", " + a, Oracle.ALL);
                    o.add(x, y, 0x77, 0, "xadd " + c + ", " + a, Oracle.ALL);
                    o.add(x, y, 5, 0, "cmpxchg " + d + ", " + c, Oracle.ALL);
                    o.add(x, y, 5, 0, "mov %rcx, buf+64(%rip)\nlock cmpxchg " + d + ", buf+64(%rip)\nmov buf+64(%rip), %rdx",
                            Oracle.ALL);
                    o.add(x, y, 5, 0, "mov %rcx, buf+64(%rip)\nlock xadd " + a + ", buf+64(%rip)\nmov buf+64(%rip), %rdx",
                            Oracle.ALL);
                    o.add(x, y, 5, 0, "mov %rcx, buf+64(%rip)\nxchg " + a + ", buf+64(%rip)\nmov buf+64(%rip), %rdx",
                            Oracle.ALL);
                }
            }
        }
        for (long x : new long[] {0, 0x100000002L}) {
            o.add(x, 3, 2, 0, "movabs $0x100000002, %rbx\nmov %rbx, buf+128(%rip)\nmov $4, %ebx\ncmpxchg8b buf+128(%rip)\n"
                    + "mov buf+128(%rip), %rcx", Oracle.ALL);
            o.add(x, 3, 2, 0, "movq $2, buf+144(%rip)\nmovq $7, buf+152(%rip)\nmov $4, %ebx\n"
                    + "cmpxchg16b buf+144(%rip)\nmov buf+144(%rip), %rcx\nadd buf+152(%rip), %rcx", Oracle.ALL);
            o.add(2, 3, 7, 0, "movq $2, buf+144(%rip)\nmovq $7, buf+152(%rip)\nmov $4, %ebx\n"
                    + "lock cmpxchg16b buf+144(%rip)\nmov buf+144(%rip), %rcx\nadd buf+152(%rip), %rcx", Oracle.ALL);
        }
        System.out.println("MoveBitTest exchange cases: " + o.check());
    }

    @Test
    void bitTestsAndScans() {
        Oracle o = new Oracle();
        long onlyCf = X86Cpu.CF | X86Cpu.ZF | X86Cpu.DF;
        for (int s : SIZES) {
            String a = Oracle.reg("a", s), c = Oracle.reg("c", s);
            for (String op : new String[] {"bt", "bts", "btr", "btc"}) {
                for (long bit : new long[] {0, 1, s - 1, s, s + 3, 100, -1, -37}) {
                    o.add(0x5a5a5a5a5a5a5a5aL, bit, 0, X86Cpu.ZF, op + " " + c + ", " + a, onlyCf);
                    // register offsets reach beyond the operand in memory (signed)
                    o.add(0, bit, 0, 0, "lea buf+512(%rip), %rdx\nmovq $-1, -64(%rdx)\nmovabs $0x5a5a5a5a5a5a5a5a, %rax\nmov %rax, (%rdx)\n"
                            + "movq $0x1234, 8(%rdx)\n" + op + " " + c + ", (%rdx)\nmov -64(%rdx), %rax\nxor (%rdx), %rax\n"
                            + "xor 8(%rdx), %rax\nxor %rdx, %rdx", onlyCf);
                    o.add(0x5a5a5a5a5a5a5a5aL, 0, 0, 0, op + Oracle.suffix(s) + " $" + (bit & 0xff) + ", " + a, onlyCf);
                }
            }
            for (long v : new long[] {0, 1, 0x80, 1L << (s - 1), 0x5a5a5a5a5a5a5a5aL & Alu.trunc(-1, s), Alu.trunc(-1, s)}) {
                o.add(0x777, v, 0, 0, "bsf " + c + ", " + a, X86Cpu.ZF);
                o.add(0x777, v, 0, 0, "bsr " + c + ", " + a, X86Cpu.ZF);
                o.add(0x777, v, 0, X86Cpu.CF, "popcnt " + c + ", " + a, Oracle.ALL);
            }
        }
        System.out.println("MoveBitTest bit cases: " + o.check());
    }

    @Test
    void flagInstructions() {
        Oracle o = new Oracle();
        for (long f : new long[] {0, X86Cpu.CF, Oracle.ALL & ~X86Cpu.DF, X86Cpu.ZF | X86Cpu.PF}) {
            o.add(0xff00, 0, 0, f, "lahf", Oracle.ALL);
            o.add(0xd7ff, 0, 0, f, "sahf", Oracle.ALL);
            o.add(0, 0, 0, f, "cmc", Oracle.ALL);
            o.add(0, 0, 0, f, "stc\nstd\nsetc %al\ncld\ncmc", Oracle.ALL);
            o.add(0, 0, 0, f, "clc\nstd\npushfq\npop %rcx\ncld\nand $0xcd5, %ecx", Oracle.ALL);
            o.add(0x8d5, 0, 0, f, "push %rax\npopfq", Oracle.ALL);
            o.add(0x8d5, 0, 0, f, "push %rax\npopfw\npush %rax", Oracle.ALL);
        }
        System.out.println("MoveBitTest flag cases: " + o.check());
    }
}
