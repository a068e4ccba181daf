package dev.jemu.riscv.cpu;

import static dev.jemu.riscv.cpu.Asm.*;
import static dev.jemu.riscv.cpu.TestRig.*;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/**
 * Blocks that are regions of their page (both sides of a branch, loops inside the block): what the guest sees
 * stays what the interpreter gives, when the code under a region is rewritten, when an instruction reached
 * through a jump inside the region traps, and when an interrupt comes while a hart spins in a region.
 */
class JitRegionTest {
    static final long CODE = RAM_BASE + 0x1000;

    static void assertCompiled(TestRig rig, long pc) {
        if (Jit.ENABLED) {
            DecodedPage pg = rig.hart.code.get(pc & ~0xfffL);
            JitBlock b = pg.blocks[(int) (pc & 0xfff) >>> 1];
            assertNotNull(b, "the loop was compiled");
            assertNotSame(JitBlock.NONE, b);
        }
    }

    /**
     * An if/else loop whose else side is rewritten (a store and FENCE.I) after the first pass: the later passes,
     * compiled again, run the new code.
     */
    @Test
    void codeRewrittenUnderARegionRunsTheNewCode() {
        TestRig rig = new TestRig().handlers();
        int inner = 2 * Jit.THRESHOLD + 10; // even: as many odd as even counts per pass
        long loop = CODE + 0x100;
        int oldWord = Asm.i(1, A2, 0, A2, 0x13), newWord = Asm.i(5, A2, 0, A2, 0x13); // addi a2, a2, 1 / 5
        Asm a = new Asm(loop).sw(A3, S0, 0).fenceI().li(T0, inner); // the store: the same word the first time
        long top = a.here(), even = top + 16;
        a.andi(T1, T0, 1)              // top
                .beq(T1, ZERO, 12)     // -> even
                .addi(A1, A1, 1)
                .jal(ZERO, 8)          // -> next
                .emit(oldWord)         // even: rewritten after the first pass
                .addi(T0, T0, -1)      // next
                .bne(T0, ZERO, (int) (top - a.here()))
                .addi(A3, A5, 0)
                .addi(A4, A4, -1);
        a.bne(A4, ZERO, (int) (loop - a.here())).halt();
        Asm pro = new Asm(CODE).li(S0, even).li(A3, oldWord).li(A5, newWord).li(A4, 3);
        pro.jal(ZERO, (int) (loop - pro.here()));
        rig.load(pro).load(a);
        rig.hart.setPc(CODE);
        rig.run(100L * inner);
        assertEquals(0, rig.hart.reg(A4), "all three passes ran");
        assertEquals(3L * inner / 2, rig.hart.reg(A1));
        assertEquals(inner / 2 + 2L * 5 * (inner / 2), rig.hart.reg(A2), "the second and third passes add 5");
        assertCompiled(rig, top);
    }

    /**
     * A store inside the region rewrites the region's else side, on one pass well after the loop was compiled: the
     * block leaves right after the store, and the passes after it run the new code (the interpreter's own stores
     * to code take effect at once).
     */
    @Test
    void storeInsideARegionToItsOwnCodeTakesEffectAtOnce() {
        TestRig rig = new TestRig().handlers();
        int inner = 2 * Jit.THRESHOLD + 10, storeAt = 1001;
        long loop = CODE + 0x100;
        int newWord = Asm.i(5, A2, 0, A2, 0x13); // addi a2, a2, 5
        Asm a = new Asm(loop).li(T0, inner);
        long top = a.here(), even = top + 16;
        a.andi(T1, T0, 1)              // top
                .beq(T1, ZERO, 12)     // -> even
                .addi(A1, A1, 1)
                .jal(ZERO, 8)          // -> next
                .addi(A2, A2, 1)       // even: rewritten when t0 == storeAt
                .bne(T0, A6, 8)        // next: -> skip
                .sw(A3, S0, 0)
                .addi(T0, T0, -1)      // skip
                .bne(T0, ZERO, (int) (top - a.here()));
        a.halt();
        Asm pro = new Asm(CODE).li(S0, even).li(A3, newWord).li(A6, storeAt);
        pro.jal(ZERO, (int) (loop - pro.here()));
        rig.load(pro).load(a);
        rig.hart.setPc(CODE);
        rig.run(100L * inner);
        long a2 = 0;
        for (long t = inner; t != 0; t--) {
            a2 += (t & 1) != 0 ? 0 : t > storeAt ? 1 : 5;
        }
        assertEquals(0, rig.hart.reg(T0));
        assertEquals(inner / 2, rig.hart.reg(A1));
        assertEquals(a2, rig.hart.reg(A2), "the passes after the store add 5");
    }

    /**
     * A load reached only through a taken branch inside the region faults: the trap is precise (mepc, mtval, every
     * register) and the instructions retired before it are exactly the interpreter's (minstret read by the handler).
     */
    @Test
    void trapAfterAJumpInsideTheRegionIsExact() {
        TestRig rig = new TestRig().handlers();
        int k = Jit.THRESHOLD + 10_000; // even passes; the k-th load faults
        long end = RAM_BASE + RAM_SIZE;
        rig.load(new Asm(M_HANDLER).csrr(S2, Csr.MINSTRET).halt());
        Asm a = new Asm(CODE).li(A0, end - 8L * (k - 1)).li(A1, 0).li(A3, 0);
        long loop = a.here();
        a.addi(A1, A1, 1)              // loop
                .andi(T1, A1, 1)
                .beq(T1, ZERO, 12)     // -> even
                .addi(A3, A3, 1)
                .jal(ZERO, -16)        // -> loop
                .ld(A2, A0, 0)         // even
                .addi(A0, A0, 8)
                .jal(ZERO, -28);       // -> loop
        rig.load(a);
        rig.hart.setPc(CODE);
        long before = rig.hart.csr(Csr.MINSTRET);
        rig.run(100L * k);
        assertEquals(M_HANDLER + 4, rig.hart.pc());
        assertEquals(Trap.LOAD_ACCESS, rig.hart.csr(Csr.MCAUSE));
        assertEquals(end, rig.hart.csr(Csr.MTVAL));
        assertEquals(loop + 20, rig.hart.csr(Csr.MEPC));
        assertEquals(2L * k, rig.hart.reg(A1));
        assertEquals(k, rig.hart.reg(A3));
        assertEquals(end, rig.hart.reg(A0));
        long setup = (loop - CODE) / 4;
        // k odd passes of 5, k - 1 even passes of 6, then addi, andi, beq before the faulting load
        assertEquals(setup + 5L * k + 6L * (k - 1) + 3, rig.hart.reg(S2) - before, "retired before the trap");
        assertCompiled(rig, loop);
    }

    /**
     * A hart spinning in a compiled if/else loop with a budget it would need hours for takes a machine software
     * interrupt raised from another thread: the region's backward jump sees the hart's kick.
     */
    @Test
    void interruptDuringALongLoopInsideARegionIsTaken() throws Exception {
        TestRig rig = new TestRig();
        rig.load(new Asm(M_HANDLER).csrw(Csr.MIE, ZERO).wfi().halt()); // nothing enabled: the WFI halts the hart
        rig.hart.setCsr(Csr.MTVEC, M_HANDLER);
        Asm a = new Asm(CODE);
        a.addi(A0, A0, 1)              // loop
                .andi(T1, A0, 1)
                .beq(T1, ZERO, 12)     // -> even
                .addi(A1, A1, 1)
                .jal(ZERO, 8)          // -> next
                .addi(A2, A2, 1)       // even
                .jal(ZERO, -24);       // next: -> loop
        rig.load(a);
        rig.hart.setPc(CODE);
        rig.hart.setCsr(Csr.MIE, Csr.MIP_MSIP);
        rig.hart.setCsr(Csr.MSTATUS, rig.hart.csr(Csr.MSTATUS) | Csr.MSTATUS_MIE);
        rig.runFor(10L * Jit.THRESHOLD); // warm: the loop gets compiled
        assertCompiled(rig, CODE);
        long budget = 1L << 50;
        long[] ran = new long[1];
        Thread t = new Thread(() -> ran[0] = rig.hart.run(budget), "spinning hart");
        t.setDaemon(true); // should the test fail, the hart spins on without keeping the JVM alive
        t.start();
        Thread.sleep(100);
        rig.hart.setInterruptPending(3, true);
        t.join(20_000);
        assertFalse(t.isAlive(), "the interrupt ended the run (the handler halts the hart)");
        assertTrue(ran[0] < budget);
        assertEquals(1L << 63 | 3, rig.hart.csr(Csr.MCAUSE));
        long mepc = rig.hart.csr(Csr.MEPC);
        assertTrue(mepc >= CODE && mepc < CODE + 28, "mepc in the loop: " + Long.toHexString(mepc));
        long behind = rig.hart.reg(A0) - rig.hart.reg(A1) - rig.hart.reg(A2);
        assertTrue(behind == 0 || behind == 1, "a0 counts passes, a1 and a2 their sides: " + behind);
    }
}
