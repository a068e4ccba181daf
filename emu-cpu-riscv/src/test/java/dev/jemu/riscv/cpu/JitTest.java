package dev.jemu.riscv.cpu;

import static dev.jemu.riscv.cpu.Asm.*;
import static dev.jemu.riscv.cpu.TestRig.*;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** The block compiler: hot loops get compiled and compute what the interpreter computes. */
class JitTest {
    static final long CODE = RAM_BASE + 0x1000, DATA = RAM_BASE + 0x3000;

    static DecodedPage page(TestRig rig, long pa) {
        return rig.hart.code.get(pa & ~0xfffL);
    }

    @Test
    void hotLoopIsCompiledAndCorrect() {
        TestRig rig = new TestRig().handlers();
        // sum = 0; for (i = N; i != 0; i--) { sum += i * 3; mem[i & 7] = sum; sum ^= mem[(i+1) & 7] >> 1 }
        int iterations = 2 * Jit.THRESHOLD + 100;
        Asm a = new Asm(CODE).li(A0, iterations).li(A1, 0).li(S0, DATA);
        long loop = a.here();
        a.slli(T0, A0, 1).add(T0, T0, A0).add(A1, A1, T0)
                .andi(T1, A0, 7).slli(T1, T1, 3).add(T1, T1, S0).sd(A1, T1, 0)
                .addi(T2, A0, 1).andi(T2, T2, 7).slli(T2, T2, 3).add(T2, T2, S0).ld(T3, T2, 0).srai(T3, T3, 1)
                .op(0, 4, A1, A1, T3)
                .addi(A0, A0, -1);
        a.bne(A0, ZERO, (int) (loop - a.here())).halt();
        rig.load(a);
        rig.hart.setPc(CODE);
        rig.run(100L * iterations);
        // reference computed in Java
        long sum = 0;
        long[] mem = new long[8];
        for (long i = iterations; i != 0; i--) {
            sum += i * 3;
            mem[(int) (i & 7)] = sum;
            sum ^= mem[(int) ((i + 1) & 7)] >> 1;
        }
        assertEquals(sum, rig.hart.reg(A1));
        assertEquals(0, rig.hart.reg(A0));
        if (Jit.ENABLED) {
            DecodedPage pg = page(rig, loop);
            JitBlock b = pg.blocks[(int) (loop & 0xfff) >>> 1];
            assertNotNull(b, "the loop body was compiled");
            assertNotSame(JitBlock.NONE, b);
        }
    }

    @Test
    void everySupportedOpCompiles() {
        TestRig rig = new TestRig();
        Asm a = new Asm(CODE);
        int[][] rtype = {{0, 0}, {0x20, 0}, {0, 1}, {0, 2}, {0, 3}, {0, 4}, {0, 5}, {0x20, 5}, {0, 6}, {0, 7},
            {1, 0}, {1, 1}, {1, 2}, {1, 3}, {1, 4}, {1, 5}, {1, 6}, {1, 7}, {0x10, 2}, {0x05, 4}, {0x30, 1},
            {0x24, 5}, {0x20, 7}};
        for (int[] r : rtype) {
            a.op(r[0], r[1], A2, A0, A1);
        }
        int[][] wtype = {{0, 0}, {0x20, 0}, {0, 1}, {0, 5}, {0x20, 5}, {1, 0}, {1, 4}, {1, 5}, {1, 6}, {1, 7},
            {0x04, 0}, {0x30, 5}};
        for (int[] r : wtype) {
            a.op32(r[0], r[1], A2, A0, A1);
        }
        a.addi(A2, A0, -5).emit(Asm.i(-5, A0, 2, A2, 0x13)).emit(Asm.i(-5, A0, 3, A2, 0x13))
                .emit(Asm.i(0x555, A0, 4, A2, 0x13)).ori(A2, A0, 3).andi(A2, A0, 3).slli(A2, A0, 3)
                .srli(A2, A0, 3).srai(A2, A0, 3).addiw(A2, A0, 3).emit(Asm.i(3, A0, 1, A2, 0x1b))
                .emit(Asm.i(3, A0, 5, A2, 0x1b)).emit(Asm.i(0x400 | 3, A0, 5, A2, 0x1b)).lui(A2, 0x12345)
                .auipc(A2, 1).emit(Asm.i(0x600, A0, 1, A2, 0x13)).emit(0x0000000f)
                .li(S0, DATA).lb(A2, S0, 0).lbu(A2, S0, 1).load(1, A2, S0, 2).load(5, A2, S0, 2).lw(A2, S0, 4)
                .load(6, A2, S0, 4).ld(A2, S0, 8).sb(A2, S0, 16).store(1, A2, S0, 16).sw(A2, S0, 16)
                .sd(A2, S0, 16).jal(RA, 8);
        rig.load(a);
        DecodedPage pg = new DecodedPage(CODE, rig.ram.segment(), CODE - RAM_BASE, 0);
        JitBlock b = Jit.compile(pg, 0, CODE);
        assertNotSame(JitBlock.NONE, b, "bytecode generation failed");
        assertTrue(b.getClass().isHidden());
    }

    @Test
    void faultInsideACompiledBlockIsPrecise() {
        TestRig rig = new TestRig().handlers();
        // a loop whose load eventually walks off the end of RAM
        long end = RAM_BASE + RAM_SIZE;
        Asm a = new Asm(CODE).li(A0, end - 8 * 200).li(A1, 0);
        long loop = a.here();
        a.addi(A1, A1, 1).ld(A2, A0, 0).addi(A0, A0, 8).jal(ZERO, (int) (loop - a.here()));
        rig.load(a);
        rig.hart.setPc(CODE);
        long before = rig.hart.csr(Csr.MINSTRET);
        rig.run(100_000);
        assertEquals(M_HANDLER, rig.hart.pc());
        assertEquals(Trap.LOAD_ACCESS, rig.hart.csr(Csr.MCAUSE));
        assertEquals(end, rig.hart.csr(Csr.MTVAL));
        assertEquals(loop + 4, rig.hart.csr(Csr.MEPC));
        assertEquals(201, rig.hart.reg(A1), "registers written before the fault are visible");
        assertEquals(end, rig.hart.reg(A0));
        long setup = (loop - CODE) / 4;
        // instructions retired: setup + 200 full passes + the addi of the faulting pass, then the handler's jal
        long retired = rig.hart.csr(Csr.MINSTRET) - before;
        assertTrue(retired >= setup + 200 * 4 + 1 && retired <= setup + 200 * 4 + 1 + 2000, "retired " + retired);
    }

    @Test
    void codeAfterAnAtomicInALoopIsCompiledToo() {
        TestRig rig = new TestRig().handlers();
        // for (i = N; i != 0; i--) { k++; old = amoadd(mem, k); s += old; t ^= s }: the JIT leaves the AMO to the
        // interpreter, so the loop's block ends there; the code after it must become a block of its own
        int iterations = 2 * Jit.THRESHOLD + 100;
        Asm a = new Asm(CODE).li(A0, iterations).li(A1, 0).li(A2, 0).li(A3, 0).li(S0, DATA).sd(ZERO, S0, 0);
        long loop = a.here();
        a.addi(A1, A1, 1).amo(0, 3, T0, S0, A1);
        long after = a.here();
        a.add(A2, A2, T0).op(0, 4, A3, A3, A2).addi(A0, A0, -1);
        a.bne(A0, ZERO, (int) (loop - a.here())).halt();
        rig.load(a);
        rig.hart.setPc(CODE);
        rig.run(100L * iterations);
        long k = 0, mem = 0, s = 0, t = 0;
        for (long i = iterations; i != 0; i--) {
            k++;
            long old = mem;
            mem += k;
            s += old;
            t ^= s;
        }
        assertEquals(0, rig.hart.reg(A0));
        assertEquals(s, rig.hart.reg(A2));
        assertEquals(t, rig.hart.reg(A3));
        assertEquals(mem, rig.ram.segment().get(java.lang.foreign.ValueLayout.JAVA_LONG_UNALIGNED, DATA - RAM_BASE));
        if (Jit.ENABLED) {
            JitBlock b = page(rig, after).blocks[(int) (after & 0xfff) >>> 1];
            assertNotNull(b, "the code after the AMO was compiled");
            assertNotSame(JitBlock.NONE, b);
        }
    }
}
