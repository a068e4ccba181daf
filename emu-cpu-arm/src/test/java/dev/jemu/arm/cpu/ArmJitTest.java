package dev.jemu.arm.cpu;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Compiled blocks against the interpreter: seeded random A64 programs (ALU with and without flags, moves,
 * conditional selects and compares, multiply/divide, bitfields, loads and stores, forward branches, calls,
 * a faulting load and an SVC taken to a handler, a store rewriting an instruction of the running code) run in a loop on
 * two CPUs, one interpreting and one compiling every block start at its first entry, under the same odd run
 * budgets; after every run both must have retired the same count and hold the same registers, flags, pc and
 * data page.
 */
class ArmJitTest {
    private static final String[] ALU = {"add", "sub", "adds", "subs", "and", "orr", "eor", "ands", "bic", "orn"};
    private static final String[] ARITH = {"add", "sub", "adds", "subs"};
    private static final String[] CONDS = {"eq", "ne", "cs", "cc", "mi", "pl", "vs", "vc", "hi", "ls", "ge", "lt",
        "gt", "le"};
    private static final String[] SIZES = {"x", "w"};

    private static String r(Random rnd) {
        return "x" + rnd.nextInt(16);
    }

    private static String w(Random rnd) {
        return "w" + rnd.nextInt(16);
    }

    /** One random instruction that neither branches nor writes x19..x30 (the harness's registers). */
    private static String straight(Random rnd) {
        switch (rnd.nextInt(16)) {
            case 0, 1: {
                String op = ALU[rnd.nextInt(ALU.length)];
                boolean logical = !op.startsWith("add") && !op.startsWith("sub");
                String shift = logical ? new String[] {"lsl", "lsr", "asr", "ror"}[rnd.nextInt(4)]
                        : new String[] {"lsl", "lsr", "asr"}[rnd.nextInt(3)];
                return op + " " + r(rnd) + ", " + r(rnd) + ", " + r(rnd) + ", " + shift + " #" + rnd.nextInt(64);
            }
            case 2:
                return ALU[rnd.nextInt(ALU.length)] + " " + w(rnd) + ", " + w(rnd) + ", " + w(rnd);
            case 3:
                return ARITH[rnd.nextInt(4)] + " " + (rnd.nextBoolean() ? r(rnd) + ", " + r(rnd) : w(rnd) + ", " + w(rnd))
                        + ", #" + rnd.nextInt(4096) + (rnd.nextBoolean() ? ", lsl #12" : "");
            case 4:
                return (rnd.nextBoolean() ? "movz " : "movk ") + r(rnd) + ", #" + rnd.nextInt(65536) + ", lsl #"
                        + 16 * rnd.nextInt(4);
            case 5:
                return new String[] {"csel", "csinc", "csinv", "csneg"}[rnd.nextInt(4)] + " " + r(rnd) + ", "
                        + r(rnd) + ", " + r(rnd) + ", " + CONDS[rnd.nextInt(CONDS.length)];
            case 6:
                return (rnd.nextBoolean() ? "ccmp " : "ccmn ") + r(rnd) + ", " + r(rnd) + ", #" + rnd.nextInt(16)
                        + ", " + CONDS[rnd.nextInt(CONDS.length)];
            case 7:
                return new String[] {"mul", "udiv", "sdiv", "umulh", "smulh", "lslv", "rorv"}[rnd.nextInt(7)] + " "
                        + r(rnd) + ", " + r(rnd) + ", " + r(rnd);
            case 8: {
                int lsb = rnd.nextInt(64), width = 1 + rnd.nextInt(64 - lsb);
                return new String[] {"ubfx", "sbfx", "bfi", "bfxil"}[rnd.nextInt(4)] + " " + r(rnd) + ", " + r(rnd)
                        + ", #" + lsb + ", #" + width;
            }
            case 9, 10: {
                int size = rnd.nextInt(4); // b, h, w, x
                String op = rnd.nextBoolean() ? "ldr" : "str";
                String reg = size == 3 ? r(rnd) : w(rnd);
                String suffix = size == 0 ? "b" : size == 1 ? "h" : "";
                return op + suffix + " " + reg + ", [x28, #" + (rnd.nextInt(4096 >> size) << size & 0xff8) + "]";
            }
            case 11:
                return (rnd.nextBoolean() ? "ldp " : "stp ") + r(rnd) + ", " + r(rnd) + ", [x28, #" + 16 * rnd.nextInt(32)
                        + "]";
            case 12:
                return "and x16, " + r(rnd) + ", #0xff8\n ldr " + r(rnd) + ", [x28, x16]";
            case 13:
                return rnd.nextBoolean() ? "mrs x17, nzcv" : "msr nzcv, " + r(rnd);
            case 14:
                return new String[] {"lsl", "lsr", "asr", "ror"}[rnd.nextInt(4)] + " " + r(rnd) + ", " + r(rnd) + ", #"
                        + rnd.nextInt(64);
            default:
                return "adc" + (rnd.nextBoolean() ? "s " : " ") + r(rnd) + ", " + r(rnd) + ", " + r(rnd);
        }
    }

    /** The exception handler of the test programs: counts the exception in x23 and returns past the instruction. */
    private static final String SKIP_FAULTING = "mrs x24, elr_el1\nadd x24, x24, #4\nmsr elr_el1, x24\nadd x23, x23, #1\neret\n";

    private static String program(long seed) {
        Random rnd = new Random(seed);
        StringBuilder b = new StringBuilder();
        b.append("adr x20, vectors\nmsr vbar_el1, x20\nadr x28, data\nadr x27, patch\nmov x26, #0\nmov x25, #60\n");
        b.append("top:\n");
        int n = 40 + rnd.nextInt(80), label = 0;
        boolean patched = false;
        for (int i = 0; i < n; i++) {
            int kind = rnd.nextInt(24);
            if (!patched && i >= 3 * n / 4) {
                b.append("patch: add x0, x0, #1\n");
                patched = true;
            }
            if (kind == 0) {
                b.append("b.").append(CONDS[rnd.nextInt(CONDS.length)]).append(" L").append(label).append('\n')
                        .append(straight(rnd)).append("\nL").append(label++).append(":\n");
            } else if (kind == 1) {
                b.append(rnd.nextBoolean() ? "cbz " : "cbnz ").append(r(rnd)).append(", L").append(label).append('\n')
                        .append(straight(rnd)).append("\nL").append(label++).append(":\n");
            } else if (kind == 2) {
                b.append(rnd.nextBoolean() ? "tbz " : "tbnz ").append(r(rnd)).append(", #").append(rnd.nextInt(64))
                        .append(", L").append(label).append('\n').append(straight(rnd)).append("\nL").append(label++)
                        .append(":\n");
            } else if (kind == 3) {
                b.append("bl leaf\n");
            } else if (kind == 4 && rnd.nextInt(2) == 0) {
                // rewrites the patch instruction (add #1 <-> add #3): drops the running page's code and blocks
                b.append("ldr w17, [x27]\neor w17, w17, #0x800\nstr w17, [x27]\n");
                if (!patched) {
                    b.append("patch: add x0, x0, #1\n"); // in the block of the store that rewrites it
                    patched = true;
                }
            } else if (kind == 5 && rnd.nextInt(3) == 0) {
                b.append(rnd.nextBoolean() ? "ldr x18, [x26]\n" : "svc #0\nadd x1, x1, #1\n"); // handler skips one
            } else {
                b.append(straight(rnd)).append('\n');
            }
        }
        if (!patched) b.append("patch: add x0, x0, #1\n");
        b.append("subs x25, x25, #1\nb.ne top\ndone: b done\n");
        b.append("leaf: add x2, x2, #3\nret\n");
        b.append(".balign 2048\nvectors:\n.skip 0x200\n");
        b.append(SKIP_FAULTING);
        b.append(".balign 4096\ndata:\n.skip 4096\n");
        return b.toString();
    }

    /**
     * A block that branches back to its own start runs as a JVM loop: register-offset loads and stores, flags,
     * calls of non-emitted ops (ADC, CLZ, UDIV) inside the loop, and one load that faults in the middle of pass
     * 1000 (the handler skips it), under the same odd budgets as the interpreter.
     */
    @ParameterizedTest
    @ValueSource(longs = {1, 2, 3})
    void loopingBlocksMatchTheInterpreter(long seed) {
        String src = """
                adr x20, vectors
                msr vbar_el1, x20
                adr x28, data
                mov x25, #3000
                mov x3, #0
            top:
                ldr x1, [x28, x3]
                add x2, x2, x1
                str x2, [x28, x3]
                add x3, x3, #8
                and x3, x3, #0xff8
                adds x4, x4, x2, lsr #3
                adc x9, x9, x4
                csel x5, x4, x2, cs
                clz x8, x5
                udiv x10, x2, x25
                cmp x25, #1000
                csel x7, xzr, x28, eq
                ldr x6, [x7, #16]
                stp x5, x6, [x28, #-16]!
                ldp x11, x12, [x28], #16
                subs x25, x25, #1
                b.ne top
            done: b done
            .balign 2048
            vectors:
            .skip 0x200
            """ + SKIP_FAULTING + """
            .balign 4096
                .skip 16
            data:
            .skip 4096
            """;
        ArmCpu jit = compare(src, seed, 60_000);
        assertEquals(1, jit.x[23], "the load of pass 1000 faulted once");
        assertEquals(0, jit.x[25], "the loop ran to its end");
    }

    /**
     * Flags a block keeps in locals must be in ArmCpu's fields whenever anything else can see them: a data abort in
     * the middle of the block (the handler reads NZCV with MRS and folds it into x21), a call of a non-emitted op that
     * reads C (ADC) and one that writes NZCV (MSR), and the block's exits (B.cond after the block's own compare).
     */
    @ParameterizedTest
    @ValueSource(longs = {1, 2})
    void flagsInLocalsAreSeenByHandlersAndCalledOps(long seed) {
        String src = """
                adr x20, vectors
                msr vbar_el1, x20
                adr x28, data
                mov x26, #0
                mov x25, #500
            top:
                subs x1, x25, #250
                ands x2, x1, #0x3
                ccmp x2, #1, #4, ne
                csinc x3, x3, x3, ge
                adcs x4, x4, x1
                add x9, x9, x4
                cmn x1, #7
                tbnz x25, #4, skip
                ldr x18, [x26]
            skip:
                csel x5, x1, x2, lt
                msr nzcv, x5
                adc x6, x6, x6
                subs x7, x25, x2
                b.hi on
                add x8, x8, #1
            on:
                subs x25, x25, #1
                b.ne top
            done: b done
            .balign 2048
            vectors:
            .skip 0x200
                mrs x22, nzcv
                add x21, x21, x22, lsr #28
            """ + SKIP_FAULTING + """
            .balign 4096
            data:
            .skip 4096
            """;
        ArmCpu jit = compare(src, seed, 12_000);
        assertTrue(jit.x[23] > 100, "the load faulted in many passes");
        assertTrue(jit.x[21] > 0, "the handler saw flags set");
    }

    /** 64 loads and stores: a block whose run would pass HotSpot's huge-method limit (never compiled). */
    private static String memoryRun(long seed) {
        Random rnd = new Random(seed);
        StringBuilder b = new StringBuilder("adr x28, data\nmov x25, #50\ntop:\n");
        for (int i = 0; i < 70; i++) {
            int k = rnd.nextInt(4);
            String reg = "x" + rnd.nextInt(16), reg2 = "x" + rnd.nextInt(16);
            int off = 16 * rnd.nextInt(32);
            b.append(switch (k) {
                case 0 -> "ldr " + reg + ", [x28, #" + off + "]";
                case 1 -> "str " + reg + ", [x28, #" + off + "]";
                case 2 -> "ldp " + reg + ", " + reg2 + ", [x28, #" + off + "]";
                default -> "stp " + reg + ", " + reg2 + ", [x28, #" + off + "]";
            }).append('\n');
        }
        b.append("subs x25, x25, #1\nb.ne top\ndone: b done\n.balign 4096\ndata:\n.skip 4096\n");
        return b.toString();
    }

    /** A block too large for HotSpot to compile is cut short until its run fits (and still runs as the interpreter). */
    @ParameterizedTest
    @ValueSource(longs = {1, 2})
    void blocksStayCompilableByHotSpot(long seed) {
        String src = memoryRun(seed);
        TestRig rig = new TestRig().asm(src);
        int[] insns = new int[ArmJit.MAX_LENGTH];
        CodeCache.Page page = rig.cpu.code.page(TestRig.RAM);
        for (int i = 0; i < insns.length; i++) insns[i] = page.word(2 + i); // from top: 64 loads and stores
        ArmJit.Generated g = ArmJit.generateFitting(insns, insns.length);
        assertTrue(g.n() < insns.length, "a block of 64 memory instructions is cut (" + g.n() + ")");
        assertTrue(g.n() > 8, "but not to nothing (" + g.n() + ")");
        assertTrue(ArmJit.runSize(g.bytes()) <= 8000, "run fits HotSpot's HugeMethodLimit");
        compare(src, seed, 20_000);
    }

    @ParameterizedTest
    @ValueSource(longs = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12})
    void compiledBlocksMatchTheInterpreter(long seed) {
        String src = program(seed);
        compare(src, seed, 60_000);
    }

    /** Runs src on an interpreting and a compiling CPU in step; returns the compiling one. */
    private static ArmCpu compare(String src, long seed, long instructions) {
        TestRig interp = new TestRig().asm(src), jit = new TestRig().asm(src);
        interp.cpu.jit = false;
        jit.cpu.jit = true;
        jit.cpu.jitThreshold = 1 + (int) (seed % 2); // every block start compiled at its first or second entry
        Random init = new Random(~seed);
        for (int i = 0; i < 16; i++) {
            long v = init.nextLong();
            interp.cpu.setReg(i, v);
            jit.cpu.setReg(i, v);
        }
        Random budgets = new Random(seed * 31);
        long total = 0;
        while (total < instructions) {
            long budget = 1 + budgets.nextInt(300);
            long a = interp.run(budget), b = jit.run(budget);
            assertEquals(a, b, "retired in one run, seed " + seed + " after " + total);
            total += a;
            // X0..X30 and SP (not the sink of XZR writes, which compiled code never stores)
            assertArrayEquals(java.util.Arrays.copyOf(interp.cpu.x, Regs.ZR), java.util.Arrays.copyOf(jit.cpu.x, Regs.ZR),
                    "registers, seed " + seed + " after " + total);
            assertEquals(interp.cpu.pc, jit.cpu.pc, "pc, seed " + seed + " after " + total);
            assertEquals(interp.cpu.nzcv(), jit.cpu.nzcv(), "nzcv, seed " + seed + " after " + total);
        }
        assertTrue(interp.cpu.x[23] > 0 || !src.contains("svc") && !src.contains("[x26]"), "the handler ran");
        for (long a = TestRig.RAM; a < TestRig.RAM + 0x4000; a += 8) {
            assertEquals(interp.bus.read(a, 8), jit.bus.read(a, 8), "memory at 0x" + Long.toHexString(a));
        }
        assertEquals(interp.cpu.retired(), jit.cpu.retired());
        return jit.cpu;
    }
}
