package dev.jemu.riscv.cpu;

import static dev.jemu.riscv.cpu.Asm.*;
import static dev.jemu.riscv.cpu.PageTables.*;
import static dev.jemu.riscv.cpu.TestRig.*;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.jemu.core.memory.GuestRam;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Blocks whose region runs on into other pages (Jit's Region and page guards; off by default, on here): a loop that starts near the end of
 * one page and closes in the next is one block, and what the guest sees stays the interpreter's when the second
 * page's bytes change under the block (rewritten behind the hart's back, then FENCE.I), when its virtual page is
 * mapped elsewhere (SFENCE.VMA), and when an access in the second page traps.
 */
class JitPagesTest {
    private int savedPages;
    private boolean savedBefore;

    @BeforeEach
    void regionsSpanPages() {
        savedPages = Jit.maxPages;
        savedBefore = Jit.before;
        Jit.maxPages = 4;
        Jit.before = true;
    }

    @AfterEach
    void restore() {
        Jit.maxPages = savedPages;
        Jit.before = savedBefore;
    }

    static final long PRO = RAM_BASE + 0x1000;
    /** HEAD: a fence (FENCE.I or SFENCE.VMA, interpreted); LOOP: the loop, 4 instructions before the page end. */
    static final long HEAD = RAM_BASE + 0x10fec, LOOP = HEAD + 4, PAGE_B = RAM_BASE + 0x11000;
    static final int ADD_1 = Asm.i(1, A2, 0, A2, 0x13), ADD_5 = Asm.i(5, A2, 0, A2, 0x13); // addi a2, a2, 1 / 5

    /** The loop's page-A half at HEAD: the fence, then a1 += 1 and padding up to the page end. */
    static Asm firstHalf(Asm fence) {
        return fence.addi(A1, A1, 1).addi(A3, A3, 2).addi(A4, A4, 3).addi(A5, A5, 4);
    }

    /** The loop's page-B half: a2 += 1 (or 5), then s3's count down and the jump back to LOOP, then a halt. */
    static Asm secondHalf(long at, int addWord) {
        return new Asm(at).emit(addWord).addi(S3, S3, -1).bne(S3, ZERO, (int) (LOOP - PAGE_B - 8)).halt();
    }

    /** The loop at LOOP was compiled into a block that spans both pages. */
    static void assertTwoPageBlock(TestRig rig, long loopVa) {
        if (Jit.ENABLED) {
            DecodedPage pg = rig.hart.code.get(LOOP & ~0xfffL);
            Jit.compile(pg, (int) (LOOP & 0xfff) >>> 1, loopVa, rig.hart.codePages);
            assertEquals(2, Jit.lastPages, "the block at the loop runs on into the next page");
        }
    }

    /** A prologue at PRO: {@code a}, then a jump to HEAD. */
    static Asm prologue(Asm a) {
        return a.jal(ZERO, (int) (HEAD - a.here()));
    }

    /**
     * The second page's code is rewritten behind the hart's back (as DMA would: no store through the hart, so the
     * decoded page stays), then the guest runs FENCE.I: the loop's block, compiled from the old bytes, must not run
     * them again (the decoded page's epoch moved although the fetch TLB maps the same decoded page).
     */
    @Test
    void secondPageRewrittenThenFenceIRunsTheNewCode() {
        TestRig rig = new TestRig();
        int n1 = Jit.THRESHOLD + 5000, n2 = 1000;
        rig.load(prologue(new Asm(PRO).li(S3, n1)));
        rig.load(firstHalf(new Asm(HEAD).fenceI()));
        rig.load(secondHalf(PAGE_B, ADD_1));
        rig.hart.setPc(PRO);
        rig.run(100L * n1);
        assertEquals(n1, rig.hart.reg(A2), "first run: a2 += 1 per pass");
        assertTwoPageBlock(rig, LOOP);

        rig.ram.segment().set(GuestRam.INT, PAGE_B - RAM_BASE, ADD_5); // not through the hart: no code-page kill
        rig.hart.setReg(S3, n2);
        rig.hart.setPc(HEAD);
        rig.run(100L * n2);
        assertEquals(0, rig.hart.reg(S3));
        assertEquals(n1 + n2, rig.hart.reg(A1));
        assertEquals(n1 + 5L * n2, rig.hart.reg(A2), "after FENCE.I: a2 += 5 per pass");
    }

    /**
     * The loop runs paged in S-mode; its second virtual page is then mapped to another physical page (a2 += 5
     * there) and the guest runs SFENCE.VMA: the loop's block, compiled with the old mapping, must leave at the
     * page crossing and the new page's code run.
     */
    @Test
    void secondPageRemappedRunsTheNewPagesCode() {
        long va = 0x40_0000L, loopVa = va + (LOOP & 0xfff), headVa = loopVa - 4, pageBVa = va + 0x1000;
        long newB = RAM_BASE + 0x30000, pool = RAM_BASE + 0x100000;
        TestRig rig = new TestRig().handlers().openPmp();
        PageTables pt = new PageTables(rig, 3, pool);
        pt.map(va, LOOP & ~0xfffL, R | X | A | D);
        pt.map(pageBVa, PAGE_B, R | X | A | D);
        int n1 = Jit.THRESHOLD + 5000, n2 = 1000;
        rig.load(new Asm(PRO).li(S3, n1).li(T1, pt.satp()).csrw(Csr.SATP, T1).sfenceVma().enter(1, headVa));
        rig.load(firstHalf(new Asm(HEAD).sfenceVma()));
        rig.load(secondHalf(PAGE_B, ADD_1));
        rig.load(secondHalf(newB, ADD_5));
        rig.hart.setPc(PRO);
        rig.runFor(8L * n1 + 100);
        assertEquals(0, rig.hart.reg(S3));
        assertEquals(1, rig.hart.privilege());
        assertEquals(n1, rig.hart.reg(A2), "first run: a2 += 1 per pass");
        assertTwoPageBlock(rig, loopVa);

        pt.map(pageBVa, newB, R | X | A | D);
        rig.hart.setReg(S3, n2);
        rig.hart.setPc(headVa);
        rig.runFor(8L * n2 + 100);
        assertEquals(0, rig.hart.reg(S3));
        assertEquals(n1 + n2, rig.hart.reg(A1));
        assertEquals(n1 + 5L * n2, rig.hart.reg(A2), "after the remap: a2 += 5 per pass");
    }

    /**
     * A load in the second page faults on the k-th pass, well after the loop was compiled: the trap is precise
     * (mepc, mtval, registers) and the count retired before it is the interpreter's (minstret read by the handler).
     */
    @Test
    void trapInTheSecondPageIsExact() {
        TestRig rig = new TestRig().handlers();
        int k = Jit.THRESHOLD + 5000;
        long end = RAM_BASE + RAM_SIZE;
        rig.load(new Asm(M_HANDLER).csrr(S2, Csr.MINSTRET).halt());
        Asm pro = prologue(new Asm(PRO).li(A0, end - 8L * (k - 1)));
        rig.load(pro);
        rig.load(firstHalf(new Asm(HEAD).fenceI()));
        Asm b = new Asm(PAGE_B).ld(A6, A0, 0).addi(A0, A0, 8).addi(A2, A2, 1);
        rig.load(b.jal(ZERO, (int) (LOOP - b.here())));
        rig.hart.setPc(PRO);
        long before = rig.hart.csr(Csr.MINSTRET);
        rig.run(100L * k);
        assertEquals(M_HANDLER + 4, rig.hart.pc());
        assertEquals(Trap.LOAD_ACCESS, rig.hart.csr(Csr.MCAUSE));
        assertEquals(end, rig.hart.csr(Csr.MTVAL));
        assertEquals(PAGE_B, rig.hart.csr(Csr.MEPC));
        assertEquals(end, rig.hart.reg(A0));
        assertEquals(k - 1, rig.hart.reg(A2));
        assertEquals(k, rig.hart.reg(A1));
        // the prologue, the fence, k - 1 passes of 8, then the 4 of page A before the load
        long expected = (pro.here() - PRO) / 4 + 1 + 8L * (k - 1) + 4;
        assertEquals(expected, rig.hart.reg(S2) - before, "retired before the trap");
        assertTwoPageBlock(rig, LOOP);
    }
}
