package dev.jemu.riscv.cpu;

import static dev.jemu.riscv.cpu.TestRig.*;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.junit.jupiter.api.Test;

/** Random straight-line blocks: a compiled block must leave the same registers and memory as the interpreter. */
class JitDiffTest {
    static final long CODE = RAM_BASE + 0x1000, DATA = RAM_BASE + 0x8000;
    static final int BASE_REG = 31; // holds DATA, never written

    static int randomInsn(Random r) {
        int rd = 1 + r.nextInt(30), rs1 = r.nextInt(31), rs2 = r.nextInt(31);
        int[][] rtype = {{0, 0}, {0x20, 0}, {0, 1}, {0, 2}, {0, 3}, {0, 4}, {0, 5}, {0x20, 5}, {0, 6}, {0, 7},
            {1, 0}, {1, 1}, {1, 2}, {1, 3}, {1, 4}, {1, 5}, {1, 6}, {1, 7}, {0x10, 2}, {0x10, 4}, {0x05, 4},
            {0x05, 7}, {0x30, 1}, {0x24, 5}, {0x20, 7}, {0x34, 1}};
        int[][] wtype = {{0, 0}, {0x20, 0}, {0, 1}, {0, 5}, {0x20, 5}, {1, 0}, {1, 4}, {1, 5}, {1, 6}, {1, 7},
            {0x04, 0}, {0x30, 5}, {0x10, 6}};
        int imm = r.nextInt(4096) - 2048;
        switch (r.nextInt(8)) {
            case 0, 1: {
                int[] t = rtype[r.nextInt(rtype.length)];
                return Asm.r(t[0], rs2, rs1, t[1], rd, 0x33);
            }
            case 2: {
                int[] t = wtype[r.nextInt(wtype.length)];
                return Asm.r(t[0], rs2, rs1, t[1], rd, 0x3b);
            }
            case 3: {
                int f3 = new int[] {0, 2, 3, 4, 6, 7}[r.nextInt(6)];
                return Asm.i(imm, rs1, f3, rd, 0x13);
            }
            case 4: {
                int sh = r.nextInt(64);
                int[] f = {0x000, 0x400, 0x000, 0x600};
                int k = r.nextInt(4);
                return Asm.i(f[k] | sh, rs1, k == 2 ? 1 : 5, rd, 0x13);
            }
            case 5: {
                int sh = r.nextInt(32);
                int k = r.nextInt(4);
                return k == 0 ? Asm.i(imm, rs1, 0, rd, 0x1b)
                        : Asm.i((k == 3 ? 0x400 : 0) | sh, rs1, k == 1 ? 1 : 5, rd, 0x1b);
            }
            case 6: {
                int f3 = r.nextInt(7);
                return Asm.i(r.nextInt(2048) - 1024, BASE_REG, f3, rd, 0x03); // loads near DATA
            }
            default: {
                if (r.nextBoolean()) {
                    return Asm.u(r.nextInt(1 << 20), rd, r.nextBoolean() ? 0x37 : 0x17);
                }
                return Asm.s(r.nextInt(2048) - 1024, rs2, BASE_REG, r.nextInt(4), 0x23);
            }
        }
    }

    static TestRig rig(int[] code, long[] regs) {
        TestRig rig = new TestRig();
        Asm a = new Asm(CODE);
        for (int w : code) {
            a.emit(w);
        }
        a.halt();
        rig.load(a);
        for (int i = 1; i < 32; i++) {
            rig.hart.setReg(i, regs[i]);
        }
        rig.hart.setReg(BASE_REG, DATA);
        byte[] pattern = new byte[4096];
        new Random(7).nextBytes(pattern);
        rig.bus.load(DATA - 2048, pattern);
        rig.hart.setPc(CODE);
        return rig;
    }

    /** The rig's RAM region picked, its data pages in the TLB, and the block at CODE compiled. */
    private static JitBlock compileWarm(TestRig b) {
        b.hart.run(0);
        warmDataTlb(b.hart);
        return Jit.compile(new DecodedPage(CODE, b.ram.segment(), CODE - RAM_BASE, 0), 0, CODE);
    }

    /**
     * Puts the data pages around DATA in the hart's load and store TLBs (as the interpreter's first accesses would):
     * a compiled block leaves at an access that misses them, for the interpreter to do it.
     */
    static void warmDataTlb(Hart h) {
        for (long a = (DATA - 2048) & ~0xfffL; a < DATA + 2048; a += 4096) {
            h.storeSlow(a, 1, h.loadSlow(a, 1, CODE), CODE);
        }
    }

    static boolean isAccess(int[] code, long pc) {
        int opcode = code[(int) (pc - CODE) / 4] & 0x7f;
        return opcode == 0x03 || opcode == 0x23;
    }

    @Test
    void compiledBlocksMatchTheInterpreter() {
        Random r = new Random(1234);
        int ranThrough = 0;
        for (int round = 0; round < 300; round++) {
            int[] code = new int[1 + r.nextInt(40)];
            for (int i = 0; i < code.length; i++) {
                code[i] = randomInsn(r);
            }
            long[] regs = new long[32];
            for (int i = 1; i < 32; i++) {
                regs[i] = switch (r.nextInt(4)) {
                    case 0 -> r.nextInt(16) - 8;
                    case 1 -> r.nextLong();
                    case 2 -> r.nextInt();
                    default -> 1L << r.nextInt(64);
                };
            }
            // interpreter: the block runs once, far below the JIT threshold
            TestRig a = rig(code, regs);
            a.hart.run(code.length + 1); // the block ends with the halt jal
            // compiled: the same code through Jit.compile, run directly
            TestRig b = rig(code, regs);
            Hart h = b.hart;
            h.run(0); // picks the RAM region
            // every other round with the data pages not yet in the TLB: the block leaves at the first access
            boolean warm = round % 2 == 0;
            if (warm) {
                warmDataTlb(h);
            }
            DecodedPage pg = new DecodedPage(CODE, b.ram.segment(), CODE - RAM_BASE, 0);
            JitBlock blk = Jit.compile(pg, 0, CODE);
            // the budget the interpreter had: the halt jal jumps to itself, a loop inside the block
            long pc = blk.run(h, h.x, b.ram.segment().asSlice(0), h.ltag, h.loff, h.stag, h.soff, h.dataKey,
                    code.length + 1, CODE);
            String what = "round " + round;
            long ran = h.jitRetired, blockPc = pc;
            if (ran == code.length + 1) {
                ranThrough++;
            } else { // left at an access that missed the TLB (or crosses a page): the interpreter does the rest
                assertTrue(!warm || isAccess(code, pc), what + " left at " + Long.toHexString(pc));
                h.setPc(pc);
                ran += h.run(code.length + 1 - ran);
                pc = h.pc();
            }
            assertEquals(a.hart.pc(), pc, what + " pc");
            // the same block entered through another virtual address computes pcs relative to it
            if (round == 0) {
                TestRig c = rig(code, regs);
                c.hart.run(0);
                warmDataTlb(c.hart);
                long alias = 0x1_0000_0000L;
                long pc2 = blk.run(c.hart, c.hart.x, c.ram.segment(), c.hart.ltag, c.hart.loff, c.hart.stag,
                        c.hart.soff, c.hart.dataKey, code.length + 1, alias);
                assertEquals(alias + (blockPc - CODE), pc2, "position-independent");
            }
            assertEquals(code.length + 1, ran, what + " retired");
            for (int i = 1; i < 32; i++) {
                assertEquals(a.hart.reg(i), h.reg(i), what + " x" + i + " after " + disasm(code));
            }
            byte[] ma = new byte[4096], mb = new byte[4096];
            a.bus.copyOut(DATA - 2048, ma, 0, 4096);
            b.bus.copyOut(DATA - 2048, mb, 0, 4096);
            org.junit.jupiter.api.Assertions.assertArrayEquals(ma, mb, what + " memory");
        }
        assertTrue(ranThrough > 100, "coverage: blocks run through " + ranThrough);
    }

    /**
     * A block of {@link Jit#MAX_LENGTH} loads and stores makes more than the 8000 bytecode bytes HotSpot compiles at
     * most (it would run in the JVM's bytecode interpreter for ever): the JIT makes it again with fewer instructions.
     * What the shorter block and the interpreter after it do must be what the interpreter alone does.
     */
    @Test
    void aBlockTooLargeForHotSpotIsMadeShorter() {
        Random r = new Random(99);
        int[] code = new int[Jit.MAX_LENGTH - 1];
        for (int i = 0; i < code.length; i++) {
            int rd = 1 + r.nextInt(30);
            code[i] = i % 2 == 0 ? Asm.i(r.nextInt(2048) - 1024, BASE_REG, r.nextInt(7), rd, 0x03)
                    : Asm.s(r.nextInt(2048) - 1024, rd, BASE_REG, r.nextInt(4), 0x23);
        }
        long[] regs = new long[32];
        for (int i = 1; i < 32; i++) {
            regs[i] = r.nextLong();
        }
        TestRig a = rig(code, regs);
        a.hart.run(code.length + 1);
        TestRig b = rig(code, regs);
        Hart h = b.hart;
        JitBlock blk = compileWarm(b);
        assertTrue(Jit.lastCodeLength <= 7999, "run() has " + Jit.lastCodeLength + " bytecode bytes");
        long pc = blk.run(h, h.x, b.ram.segment().asSlice(0), h.ltag, h.loff, h.stag, h.soff, h.dataKey,
                code.length + 1, CODE);
        long ran = h.jitRetired;
        assertTrue(ran > 0 && ran < code.length, "the shorter block ran part of the code: " + ran);
        assertEquals(CODE + 4 * ran, pc, "it leaves after its last instruction");
        h.setPc(pc);
        ran += h.run(code.length + 1 - ran);
        assertEquals(code.length + 1, ran, "retired");
        assertEquals(a.hart.pc(), h.pc(), "pc");
        for (int i = 1; i < 32; i++) {
            assertEquals(a.hart.reg(i), h.reg(i), "x" + i);
        }
        byte[] ma = new byte[4096], mb = new byte[4096];
        a.bus.copyOut(DATA - 2048, ma, 0, 4096);
        b.bus.copyOut(DATA - 2048, mb, 0, 4096);
        org.junit.jupiter.api.Assertions.assertArrayEquals(ma, mb, "memory");
    }

    /**
     * Superblocks: random code with conditional branches (taken, not taken, always, never; to the end or forward
     * into the block) and forward jumps, all JVM jumps inside the block's region. The compiled block runs from the
     * start, with a budget that half of the rounds may run out of at some taken branch (then the block declines, as
     * its forward jumps check no budget, and leaves it all to the interpreter), and the interpreter finishes from
     * wherever it exits; registers, memory and the instruction count must match a
     * run of the interpreter alone. The code ends at a WFI (interrupts off: the hart halts), which the JIT leaves
     * to the interpreter.
     */
    @Test
    void superblocksWithSideExitsMatchTheInterpreter() {
        Random r = new Random(99);
        int followedJumps = 0, declined = 0, ranThrough = 0;
        for (int round = 0; round < 400; round++) {
            int len = 2 + r.nextInt(60);
            int[] code = new int[len + 1];
            for (int i = 0; i < len; i++) {
                int kind = r.nextInt(10);
                int rs1 = r.nextInt(31), rs2 = r.nextInt(31);
                int toEnd = 4 * (len - i), forward = 4 * (1 + r.nextInt(len - i));
                if (kind == 0) { // conditional branch, random condition and target
                    int f3 = new int[] {0, 1, 4, 5, 6, 7}[r.nextInt(6)];
                    code[i] = Asm.b(r.nextBoolean() ? toEnd : forward, rs2, rs1, f3);
                } else if (kind == 1) { // beq x,x (always) or bne x,x (never)
                    code[i] = Asm.b(r.nextBoolean() ? toEnd : forward, rs1, rs1, r.nextInt(2));
                } else if (kind == 2 && i < len - 1) { // jal forward over some instructions, random link register
                    code[i] = Asm.j(forward, r.nextInt(4) == 0 ? 0 : 1 + r.nextInt(30));
                } else {
                    code[i] = randomInsn(r);
                }
            }
            code[len] = 0x10500073; // wfi
            long end = CODE + 4L * len;
            long[] regs = new long[32];
            for (int i = 1; i < 32; i++) {
                regs[i] = r.nextInt(3) == 0 ? r.nextInt(4) : r.nextLong();
            }
            String what = "round " + round + disasm(code);
            // the interpreter alone, up to the WFI
            TestRig a = rig(code, regs);
            long steps = a.hart.run(10_000);
            org.junit.jupiter.api.Assertions.assertTrue(a.hart.isHalted() && a.hart.pc() == end + 4, what);
            // the compiled block, then the interpreter from its exit
            TestRig b = rig(code, regs);
            Hart h = b.hart;
            JitBlock blk = compileWarm(b);
            org.junit.jupiter.api.Assertions.assertNotSame(JitBlock.NONE, blk, what);
            long limit = r.nextBoolean() ? 1 + r.nextInt(1 + len / 4) : 1_000_000;
            long pc = blk.run(h, h.x, b.ram.segment(), h.ltag, h.loff, h.stag, h.soff, h.dataKey, limit, CODE);
            long total = h.jitRetired;
            if (total == 0) { // declined: the budget might run out at one of its forward jumps, which check nothing
                assertEquals(CODE, pc, what + " declined");
                declined++;
            } else if (pc == end) {
                // it passed no taken branch where the budget was spent: so does the interpreter given the same
                TestRig c = rig(code, regs);
                c.hart.run(limit);
                assertTrue(c.hart.pc() == end || c.hart.isHalted() && c.hart.pc() == end + 4,
                        what + " ran past a budget of " + limit);
                ranThrough++;
            } else { // forward jumps only: it runs to its end, but for an access crossing a page
                assertTrue(isAccess(code, pc), what + " left at " + Long.toHexString(pc));
            }
            h.setPc(pc);
            total += h.run(10_000);
            org.junit.jupiter.api.Assertions.assertTrue(h.isHalted() && h.pc() == end + 4, what);
            for (int w : code) {
                followedJumps += (w & 0x7f) == 0x6f ? 1 : 0;
            }
            assertEquals(steps, total, what + " retired");
            for (int i = 1; i < 32; i++) {
                assertEquals(a.hart.reg(i), h.reg(i), what + " x" + i);
            }
            byte[] ma = new byte[4096], mb = new byte[4096];
            a.bus.copyOut(DATA - 2048, ma, 0, 4096);
            b.bus.copyOut(DATA - 2048, mb, 0, 4096);
            org.junit.jupiter.api.Assertions.assertArrayEquals(ma, mb, what + " memory");
        }
        org.junit.jupiter.api.Assertions.assertTrue(declined > 50 && ranThrough > 50 && followedJumps > 50,
                "coverage: declined " + declined + ", ran through " + ranThrough + ", jumps " + followedJumps);
    }

    /**
     * A fault deep in a superblock: the block leaves before the faulting access (a TLB miss) with every register it
     * changed in the hart, and the interpreter takes the trap.
     */
    @Test
    void faultInASuperblockLeavesEveryEarlierWriteVisible() {
        Random r = new Random(5);
        int reachedFault = 0;
        for (int round = 0; round < 50; round++) {
            int len = 3 + r.nextInt(30);
            int[] code = new int[len + 2];
            for (int i = 0; i < len; i++) {
                code[i] = switch (r.nextInt(6)) {
                    case 0 -> Asm.b(4 * (len + 1 - i), 0, 0, 1); // bne x0, x0: never taken
                    case 1 -> Asm.j(4, 1 + r.nextInt(30)); // jal to the next instruction
                    default -> randomInsn(r);
                };
            }
            code[len] = Asm.i(0, 0, 3, 1 + r.nextInt(30), 0x03); // ld from address 0: nothing there
            code[len + 1] = Asm.i(1, 0, 0, 1, 0x13);
            long[] regs = new long[32];
            for (int i = 1; i < 32; i++) {
                regs[i] = r.nextLong();
            }
            String what = "round " + round + disasm(code);
            TestRig a = rig(code, regs);
            a.handlers();
            long steps = a.hart.run(len + 1) - 1; // up to the fault, then the handler's first instruction
            assertEquals(M_HANDLER, a.hart.pc(), what);
            assertEquals(Trap.LOAD_ACCESS, a.hart.csr(Csr.MCAUSE), what);
            TestRig b = rig(code, regs);
            b.handlers();
            Hart h = b.hart;
            JitBlock blk = compileWarm(b);
            long pc = blk.run(h, h.x, b.ram.segment(), h.ltag, h.loff, h.stag, h.soff, h.dataKey, 1_000_000, CODE);
            if (pc == CODE + 4L * len) {
                assertEquals(steps, h.jitRetired, what + " retired before the fault");
                reachedFault++;
            } else { // an access crossing a page came first
                assertTrue(isAccess(code, pc), what + " left at " + Long.toHexString(pc));
            }
            h.setPc(pc);
            for (long left = steps + 1 - h.jitRetired, k = 0; left > 0 && k < 100; k++) { // a trap retires nothing
                left -= h.run(left);
            }
            assertEquals(M_HANDLER, h.pc(), what);
            assertEquals(Trap.LOAD_ACCESS, h.csr(Csr.MCAUSE), what);
            for (int i = 1; i < 32; i++) {
                assertEquals(a.hart.reg(i), h.reg(i), what + " x" + i);
            }
        }
        assertTrue(reachedFault > 25, "coverage: the block got to the fault " + reachedFault);
    }

    static String disasm(int[] code) {
        StringBuilder sb = new StringBuilder();
        for (int w : code) {
            long d = Decoder.decode(w);
            int p = (int) d;
            sb.append(String.format("%n  %08x %s rd=%d rs1=%d rs2=%d imm=%d", w, Op.name(Decoder.op(p)),
                    Decoder.rd(p), Decoder.rs1(p), Decoder.rs2(p), d >> 32));
        }
        return sb.toString();
    }
}
