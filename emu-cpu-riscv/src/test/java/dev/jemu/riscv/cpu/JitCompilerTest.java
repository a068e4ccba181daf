package dev.jemu.riscv.cpu;

import static dev.jemu.riscv.cpu.Asm.*;
import static dev.jemu.riscv.cpu.TestRig.RAM_BASE;
import static org.junit.jupiter.api.Assertions.*;

import org.junit.jupiter.api.Test;

/** The background compiler: blocks arrive while the hart runs on, and never from code that went meanwhile. */
class JitCompilerTest {
    static final long CODE = RAM_BASE + 0x1000;

    /** The loop's start: after a0 = n (lui, addiw) and a1 = 0. */
    static final long LOOP = CODE + 12;

    /** A counting loop: a0 counts down from {@code n} (>= 4096), a1 sums. */
    static TestRig loopRig(int n) {
        TestRig rig = new TestRig().handlers();
        Asm a = new Asm(CODE).lui(A0, n >>> 12).addiw(A0, A0, 0).li(A1, 0);
        long loop = a.here();
        assertEquals(LOOP, loop);
        a.add(A1, A1, A0).addi(A0, A0, -1).bne(A0, ZERO, (int) (loop - a.here())).halt();
        rig.load(a);
        rig.hart.setPc(CODE);
        return rig;
    }

    @Test
    void aHotLoopIsCompiledInTheBackgroundAndRunsOn() throws InterruptedException {
        if (!Jit.ENABLED) {
            return;
        }
        int n = 4096 * (4 * Jit.THRESHOLD / 4096 + 1);
        TestRig rig = loopRig(n);
        rig.hart.compileInBackground = true;
        rig.hart.run(4L * Jit.THRESHOLD); // past the threshold: the request is made
        assertTrue(JitCompiler.awaitIdle(60_000), "the compiler thread answered");
        DecodedPage pg = rig.hart.code.get(CODE & ~0xfffL);
        JitBlock b = pg.blocks[(int) (LOOP & 0xfff) >>> 1];
        assertNotNull(b, "the loop was compiled by the background thread");
        assertNotSame(JitBlock.NONE, b);
        rig.run(100L * n);
        assertEquals(0, rig.hart.reg(A0));
        assertEquals((long) n * (n + 1) / 2, rig.hart.reg(A1));
    }

    @Test
    void aBlockOfCodeThatWentIsNotInstalled() {
        if (!Jit.ENABLED) {
            return;
        }
        TestRig rig = loopRig(4096);
        DecodedPage pg = new DecodedPage(CODE & ~0xfffL, rig.ram.segment(), (CODE & ~0xfffL) - RAM_BASE, 0);
        int idx = (int) (LOOP & 0xfff) >>> 1;
        int before = pg.epoch();
        JitBlock b = Jit.compile(pg, idx, LOOP);
        assertNotSame(JitBlock.NONE, b);

        pg.revalidate(1); // same bytes: the code stays, so does the block
        assertTrue(pg.install(idx, b, before));
        assertSame(b, pg.blocks[idx]);

        rig.write64(CODE, rig.read64(CODE) ^ (1L << 20)); // the code changes (by DMA, say), then a FENCE.I
        pg.revalidate(2);
        assertNull(pg.blocks[idx], "the revalidation dropped the block");
        assertFalse(pg.install(idx, b, before), "compiled from the old bytes");
        assertNull(pg.blocks[idx]);
        int now = pg.epoch();
        assertTrue(pg.install(idx, b, now));

        pg.kill();
        assertFalse(pg.install(idx, b, now), "the page is dead");
        assertFalse(pg.install(idx, b, pg.epoch()), "the page is dead");
        assertNull(pg.blocks[idx]);
    }
}
