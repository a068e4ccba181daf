package dev.jemu.riscv.cpu;

import static dev.jemu.riscv.cpu.Asm.*;
import static dev.jemu.riscv.cpu.PageTables.*;
import static dev.jemu.riscv.cpu.TestRig.*;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** Sv39/Sv48/Sv57 translation, permissions, A/D updates, MPRV/SUM/MXR, superpages, TLB maintenance. */
class MmuTest {
    static final long SETUP = RAM_BASE + 0x1000;
    static final long CODE_PA = RAM_BASE + 0x10000, DATA_PA = RAM_BASE + 0x20000, POOL = RAM_BASE + 0x100000;
    static final long CODE_VA = 0x40_0000L, DATA_VA = 0x80_0000L;

    record Setup(TestRig rig, PageTables pt) {
    }

    static Setup setup(int levels) {
        TestRig rig = new TestRig().handlers().openPmp();
        PageTables pt = new PageTables(rig, levels, POOL);
        return new Setup(rig, pt);
    }

    /** Runs {@code body} (placed at CODE_PA, mapped at CODE_VA) in {@code mode} with paging on. */
    static TestRig runPaged(Setup s, int mode, Asm body, long mstatusBits) {
        TestRig rig = s.rig();
        Asm m = new Asm(SETUP).li(T1, s.pt().satp()).csrw(Csr.SATP, T1).sfenceVma();
        if (mstatusBits != 0) {
            m.li(T1, mstatusBits).csrrs(ZERO, Csr.MSTATUS, T1);
        }
        m.enter(mode, CODE_VA);
        rig.load(m);
        rig.load(body);
        rig.hart.setPc(SETUP);
        rig.run(100_000);
        return rig;
    }

    /**
     * Runs a loop {@code body} (at CODE_PA, mapped at CODE_VA) in S-mode with paging on for {@code instructions}
     * (run() would stop at the loop's start seen twice) and checks that it reached its closing ecall.
     */
    static TestRig runLoopPaged(Setup s, Asm body, long instructions) {
        TestRig rig = s.rig();
        Asm m = new Asm(SETUP).li(T1, s.pt().satp()).csrw(Csr.SATP, T1).sfenceVma();
        m.enter(1, CODE_VA);
        rig.load(m);
        rig.load(body);
        rig.hart.setPc(SETUP);
        rig.runFor(instructions);
        assertEcall(rig, 1);
        return rig;
    }

    static void assertFault(TestRig rig, int cause, long tval) {
        assertEquals(M_HANDLER, rig.hart.pc(), "expected a trap");
        assertEquals(cause, rig.hart.csr(Csr.MCAUSE), "mcause");
        assertEquals(tval, rig.hart.csr(Csr.MTVAL), "mtval");
    }

    static void assertEcall(TestRig rig, int mode) {
        assertEquals(M_HANDLER, rig.hart.pc(), "expected the closing ecall");
        assertEquals(mode == 0 ? Trap.ECALL_U : Trap.ECALL_S, rig.hart.csr(Csr.MCAUSE),
                "mcause (mtval " + Long.toHexString(rig.hart.csr(Csr.MTVAL)) + ")");
    }

    private void basicTranslation(int levels) {
        Setup s = setup(levels);
        long codePte = s.pt().map(CODE_VA, CODE_PA, R | X);
        long dataPte = s.pt().map(DATA_VA, DATA_PA, R | W);
        s.rig().write64(DATA_PA + 8, 0x1122334455667788L);
        Asm b = new Asm(CODE_PA).li(A0, DATA_VA).ld(A1, A0, 8).addi(A1, A1, 1).sd(A1, A0, 16).ecall();
        TestRig rig = runPaged(s, 1, b, 0);
        assertEcall(rig, 1);
        assertEquals(0x1122334455667789L, rig.read64(DATA_PA + 16));
        assertEquals(A, rig.read64(codePte) & (A | D), "fetch sets A only");
        assertEquals(A | D, rig.read64(dataPte) & (A | D), "store sets A and D");
        assertEquals(CODE_VA + b.bytes().length - 4, rig.hart.csr(Csr.MEPC));
    }

    @Test
    void sv39() {
        basicTranslation(3);
    }

    @Test
    void sv48() {
        basicTranslation(4);
    }

    @Test
    void sv57() {
        basicTranslation(5);
    }

    @Test
    void loadOnlySetsAccessed() {
        Setup s = setup(3);
        s.pt().map(CODE_VA, CODE_PA, R | X);
        long dataPte = s.pt().map(DATA_VA, DATA_PA, R | W);
        TestRig rig = runPaged(s, 1, new Asm(CODE_PA).li(A0, DATA_VA).ld(A1, A0, 0).ecall(), 0);
        assertEcall(rig, 1);
        assertEquals(A, rig.read64(dataPte) & (A | D));
    }

    @Test
    void storeToReadOnlyPageFaults() {
        Setup s = setup(3);
        s.pt().map(CODE_VA, CODE_PA, R | X);
        s.pt().map(DATA_VA, DATA_PA, R);
        TestRig rig = runPaged(s, 1, new Asm(CODE_PA).li(A0, DATA_VA).sd(A1, A0, 24).ecall(), 0);
        assertFault(rig, Trap.STORE_PAGE_FAULT, DATA_VA + 24);
    }

    @Test
    void amoNeedsWritePermission() {
        Setup s = setup(3);
        s.pt().map(CODE_VA, CODE_PA, R | X);
        s.pt().map(DATA_VA, DATA_PA, R);
        TestRig rig = runPaged(s, 1, new Asm(CODE_PA).li(A0, DATA_VA).amo(0, 3, A2, A0, A1).ecall(), 0);
        assertFault(rig, Trap.STORE_PAGE_FAULT, DATA_VA);
    }

    @Test
    void executeOnlyPageNeedsMxrToLoad() {
        Setup s = setup(3);
        s.pt().map(CODE_VA, CODE_PA, R | X);
        s.pt().map(DATA_VA, DATA_PA, X);
        Asm b = new Asm(CODE_PA).li(A0, DATA_VA).ld(A1, A0, 0).ecall();
        assertFault(runPaged(s, 1, b, 0), Trap.LOAD_PAGE_FAULT, DATA_VA);
        Setup s2 = setup(3);
        s2.pt().map(CODE_VA, CODE_PA, R | X);
        s2.pt().map(DATA_VA, DATA_PA, X);
        assertEcall(runPaged(s2, 1, new Asm(CODE_PA).li(A0, DATA_VA).ld(A1, A0, 0).ecall(), Csr.MSTATUS_MXR), 1);
    }

    @Test
    void fetchFromNonExecutablePageFaults() {
        Setup s = setup(3);
        s.pt().map(CODE_VA, CODE_PA, R | W);
        assertFault(runPaged(s, 1, new Asm(CODE_PA).ecall(), 0), Trap.INSN_PAGE_FAULT, CODE_VA);
    }

    @Test
    void supervisorAccessToUserPagesNeedsSum() {
        Setup s = setup(3);
        s.pt().map(CODE_VA, CODE_PA, R | X);
        s.pt().map(DATA_VA, DATA_PA, R | W | U);
        Asm b = new Asm(CODE_PA).li(A0, DATA_VA).ld(A1, A0, 0).ecall();
        assertFault(runPaged(s, 1, b, 0), Trap.LOAD_PAGE_FAULT, DATA_VA);
        Setup s2 = setup(3);
        s2.pt().map(CODE_VA, CODE_PA, R | X);
        s2.pt().map(DATA_VA, DATA_PA, R | W | U);
        assertEcall(runPaged(s2, 1, new Asm(CODE_PA).li(A0, DATA_VA).ld(A1, A0, 0).ecall(), Csr.MSTATUS_SUM), 1);
    }

    @Test
    void supervisorNeverExecutesUserPages() {
        Setup s = setup(3);
        s.pt().map(CODE_VA, CODE_PA, R | X | U);
        assertFault(runPaged(s, 1, new Asm(CODE_PA).ecall(), Csr.MSTATUS_SUM), Trap.INSN_PAGE_FAULT, CODE_VA);
    }

    @Test
    void userModeNeedsUserPages() {
        Setup s = setup(3);
        s.pt().map(CODE_VA, CODE_PA, R | X | U);
        s.pt().map(DATA_VA, DATA_PA, R | W);
        Asm b = new Asm(CODE_PA).li(A0, DATA_VA).sd(A1, A0, 0).ecall();
        assertFault(runPaged(s, 0, b, 0), Trap.STORE_PAGE_FAULT, DATA_VA);
        Setup ok = setup(3);
        ok.pt().map(CODE_VA, CODE_PA, R | X | U);
        ok.pt().map(DATA_VA, DATA_PA, R | W | U);
        assertEcall(runPaged(ok, 0, new Asm(CODE_PA).li(A0, DATA_VA).sd(A1, A0, 0).ecall(), 0), 0);
        Setup noU = setup(3);
        noU.pt().map(CODE_VA, CODE_PA, R | X);
        assertFault(runPaged(noU, 0, new Asm(CODE_PA).ecall(), 0), Trap.INSN_PAGE_FAULT, CODE_VA);
    }

    @Test
    void mprvTranslatesMachineLoadsAndStores() {
        Setup s = setup(3);
        s.pt().map(DATA_VA, DATA_PA, R | W);
        s.rig().write64(DATA_PA, 0xabcdef);
        TestRig rig = s.rig();
        // MPP = S, MPRV = 1: M-mode data accesses go through Sv39; fetches stay physical
        Asm m = new Asm(SETUP).li(T1, s.pt().satp()).csrw(Csr.SATP, T1)
                .li(T1, 1L << 11 | Csr.MSTATUS_MPRV).csrrs(ZERO, Csr.MSTATUS, T1)
                .li(A0, DATA_VA).ld(A1, A0, 0).sd(A1, A0, 8).halt();
        rig.load(m);
        rig.hart.setPc(SETUP);
        rig.run(10_000);
        assertEquals(0xabcdef, rig.hart.reg(A1));
        assertEquals(0xabcdef, rig.read64(DATA_PA + 8));
        assertEquals(3, rig.hart.privilege());
    }

    @Test
    void megapagesAndMisalignedMegapages() {
        Setup s = setup(3);
        s.pt().map(CODE_VA, CODE_PA, R | X);
        long big = 0x4000_0000L; // 1 GiB, level-1 slot
        s.pt().map(big, RAM_BASE + 0x20_0000, R | W, 1); // 2 MiB page at RAM_BASE + 2 MiB
        s.rig().write64(RAM_BASE + 0x20_0000 + 0x12340, 0x5555);
        TestRig rig = runPaged(s, 1, new Asm(CODE_PA).li(A0, big + 0x12340).ld(A1, A0, 0).ecall(), 0);
        assertEcall(rig, 1);
        assertEquals(0x5555, rig.hart.reg(A1));

        Setup bad = setup(3);
        bad.pt().map(CODE_VA, CODE_PA, R | X);
        bad.pt().map(big, RAM_BASE + 0x20_1000, R | W, 1); // physical address not 2 MiB aligned
        assertFault(runPaged(bad, 1, new Asm(CODE_PA).li(A0, big + 8).ld(A1, A0, 0).ecall(), 0),
                Trap.LOAD_PAGE_FAULT, big + 8);
    }

    @Test
    void gigapage() {
        Setup s = setup(3);
        s.pt().map(CODE_VA, CODE_PA, R | X);
        long va = 0x40_0000_0000L - 0x4000_0000L; // last GiB below 256 GiB
        s.pt().map(va, RAM_BASE, R | W, 2);
        s.rig().write64(RAM_BASE + 0x30_0008, 0x77);
        TestRig rig = runPaged(s, 1, new Asm(CODE_PA).li(A0, va + 0x30_0008).ld(A1, A0, 0).ecall(), 0);
        assertEcall(rig, 1);
        assertEquals(0x77, rig.hart.reg(A1));
    }

    @Test
    void invalidAndReservedPtesFault() {
        long[] bad = {R | W | (1L << 54) /* reserved bit */, W /* W without R */, R | W | (1L << 61) /* PBMT */};
        for (long flags : bad) {
            Setup s = setup(3);
            s.pt().map(CODE_VA, CODE_PA, R | X);
            long pte = s.pt().map(DATA_VA, DATA_PA, 0);
            s.rig().write64(pte, s.rig().read64(pte) | flags);
            assertFault(runPaged(s, 1, new Asm(CODE_PA).li(A0, DATA_VA).ld(A1, A0, 0).ecall(), 0),
                    Trap.LOAD_PAGE_FAULT, DATA_VA);
        }
        Setup s = setup(3);
        s.pt().map(CODE_VA, CODE_PA, R | X);
        long pte = s.pt().map(DATA_VA, DATA_PA, R);
        s.rig().write64(pte, s.rig().read64(pte) & ~V);
        assertFault(runPaged(s, 1, new Asm(CODE_PA).li(A0, DATA_VA).ld(A1, A0, 0).ecall(), 0),
                Trap.LOAD_PAGE_FAULT, DATA_VA);
    }

    @Test
    void nonCanonicalAddressFaults() {
        Setup s = setup(3);
        s.pt().map(CODE_VA, CODE_PA, R | X);
        long va = 1L << 40; // bit 38 clear but bit 40 set: not sign-extended from bit 38
        assertFault(runPaged(s, 1, new Asm(CODE_PA).li(A0, va).ld(A1, A0, 0).ecall(), 0),
                Trap.LOAD_PAGE_FAULT, va);
    }

    @Test
    void pageTableInUnmappedMemoryIsAccessFault() {
        Setup s = setup(3);
        s.pt().map(CODE_VA, CODE_PA, R | X);
        // a non-leaf PTE pointing at address 0x1000 (unmapped)
        long va = 0x8000_0000L;
        long l2 = POOL + ((va >>> 30) & 511) * 8;
        s.rig().write64(l2, (0x1000L >>> 12) << 10 | V);
        assertFault(runPaged(s, 1, new Asm(CODE_PA).li(A0, va).ld(A1, A0, 0).ecall(), 0),
                Trap.LOAD_ACCESS, va);
    }

    @Test
    void sfenceVmaMakesNewMappingsVisible() {
        Setup s = setup(3);
        s.pt().map(CODE_VA, CODE_PA, R | X);
        long pte = s.pt().map(DATA_VA, DATA_PA, R | W);
        s.rig().write64(DATA_PA, 1);
        s.rig().write64(DATA_PA + 0x1000, 2);
        long newPte = ((DATA_PA + 0x1000) >>> 12) << 10 | V | R | W | A | D;
        // load (fills the TLB), remap the PTE through a physical alias mapped RW, sfence, load again
        s.pt().map(DATA_VA + 0x10000, pte & ~0xfffL, R | W); // the page holding the PTE
        long pteVa = DATA_VA + 0x10000 + (pte & 0xfff);
        Asm b = new Asm(CODE_PA).li(A0, DATA_VA).ld(A1, A0, 0)
                .li(T1, newPte).li(T2, pteVa).sd(T1, T2, 0).sfenceVma()
                .ld(A2, A0, 0).ecall();
        TestRig rig = runPaged(s, 1, b, 0);
        assertEcall(rig, 1);
        assertEquals(1, rig.hart.reg(A1));
        assertEquals(2, rig.hart.reg(A2));
    }

    /** SFENCE.VMA rs1: the fenced address sees its new mapping. */
    @Test
    void sfenceVmaForOneAddress() {
        Setup s = setup(3);
        s.pt().map(CODE_VA, CODE_PA, R | X);
        long pte = s.pt().map(DATA_VA, DATA_PA, R | W);
        s.pt().map(DATA_VA + 0x1000, DATA_PA + 0x3000, R | W);
        s.rig().write64(DATA_PA, 1);
        s.rig().write64(DATA_PA + 0x1000, 2);
        s.rig().write64(DATA_PA + 0x3000, 3);
        long newPte = ((DATA_PA + 0x1000) >>> 12) << 10 | V | R | W | A | D;
        s.pt().map(DATA_VA + 0x10000, pte & ~0xfffL, R | W); // the page holding the PTE
        long pteVa = DATA_VA + 0x10000 + (pte & 0xfff);
        Asm b = new Asm(CODE_PA).li(A0, DATA_VA).ld(A1, A0, 0).li(A4, DATA_VA + 0x1000).ld(A3, A4, 0)
                .li(T1, newPte).li(T2, pteVa).sd(T1, T2, 0).emit(0x12000073 | A0 << 15)
                .ld(A2, A0, 0).ld(A5, A4, 0).ecall();
        TestRig rig = runPaged(s, 1, b, 0);
        assertEcall(rig, 1);
        assertEquals(1, rig.hart.reg(A1));
        assertEquals(2, rig.hart.reg(A2), "the fenced page");
        assertEquals(3, rig.hart.reg(A3));
        assertEquals(3, rig.hart.reg(A5), "another page, unchanged");
    }

    /** SFENCE.VMA for one address inside a megapage drops every 4 KiB slice of it that the TLBs hold. */
    @Test
    void sfenceVmaForOneAddressOfASuperpage() {
        Setup s = setup(3);
        long va = 0x200_0000L, pa1 = RAM_BASE + 0x40_0000L, pa2 = RAM_BASE + 0x60_0000L;
        s.pt().map(CODE_VA, CODE_PA, R | X);
        long pte = s.pt().map(va, pa1, R | W, 1);
        s.rig().write64(pa1 + 0x5000, 1);
        s.rig().write64(pa2 + 0x5000, 2);
        long newPte = (pa2 >>> 12) << 10 | V | R | W | A | D;
        s.pt().map(DATA_VA + 0x10000, pte & ~0xfffL, R | W);
        long pteVa = DATA_VA + 0x10000 + (pte & 0xfff);
        Asm b = new Asm(CODE_PA).li(A0, va).li(A4, va + 0x5000).ld(A3, A0, 0).ld(A1, A4, 0)
                .li(T1, newPte).li(T2, pteVa).sd(T1, T2, 0).emit(0x12000073 | A0 << 15)
                .ld(A2, A4, 0).ecall();
        TestRig rig = runPaged(s, 1, b, 0);
        assertEcall(rig, 1);
        assertEquals(1, rig.hart.reg(A1));
        assertEquals(2, rig.hart.reg(A2), "the slice at +0x5000 follows the new megapage");
    }

    static boolean cached(long[] tags, long va) {
        return (tags[(int) (va >>> 12) & Hart.TLB_MASK] & PAGE_MASK_4K) == (va & PAGE_MASK_4K);
    }

    static final long PAGE_MASK_4K = ~0xfffL;

    /**
     * SFENCE.VMA rs1 of a 4 KiB page drops its entry from the fetch, load and store TLBs (the one index each it can
     * sit at) and leaves every other page's entries alone. Data pages A and B are loaded and stored, code pages C
     * and D (a return each) fetched; A and C are fenced.
     */
    @Test
    void sfenceVmaForOnePageDropsItFromEveryTlbAndNothingElse() {
        Setup s = setup(3);
        // TLB indexes 3, 5, 7 and 9: the M-mode handler's page (index 0) evicts none of them
        long pageA = DATA_VA + 0x3000, pageB = DATA_VA + 0x5000, pageC = DATA_VA + 0x7000, pageD = DATA_VA + 0x9000;
        s.pt().map(CODE_VA, CODE_PA, R | X);
        s.pt().map(pageA, DATA_PA + 0x3000, R | W);
        s.pt().map(pageB, DATA_PA + 0x5000, R | W);
        s.pt().map(pageC, DATA_PA + 0x7000, R | X);
        s.pt().map(pageD, DATA_PA + 0x9000, R | X);
        s.rig().load(new Asm(DATA_PA + 0x7800).jalr(ZERO, RA, 0));
        s.rig().load(new Asm(DATA_PA + 0x9800).jalr(ZERO, RA, 0));
        Asm b = new Asm(CODE_PA).li(A0, pageA).li(A1, pageB).li(A2, pageC)
                .li(T0, pageC + 0x800).jalr(RA, T0, 0).li(T0, pageD + 0x800).jalr(RA, T0, 0)
                .ld(T1, A0, 0).sd(T1, A0, 8).ld(T1, A1, 0).sd(T1, A1, 8)
                .emit(0x12000073 | A0 << 15).emit(0x12000073 | A2 << 15).ecall();
        TestRig rig = runPaged(s, 1, b, 0);
        assertEcall(rig, 1);
        Hart h = rig.hart;
        assertFalse(cached(h.ltag, pageA), "load entry of the fenced page");
        assertFalse(cached(h.stag, pageA), "store entry of the fenced page");
        assertFalse(cached(h.ftag, pageC), "fetch entry of the fenced page");
        assertTrue(cached(h.ltag, pageB), "load entry of another page");
        assertTrue(cached(h.stag, pageB), "store entry of another page");
        assertTrue(cached(h.ftag, pageD), "fetch entry of another page");
    }

    /**
     * With a megapage in the TLBs, SFENCE.VMA of an address in it drops its slices at every index, and a fence of
     * a 4 KiB page outside it leaves them.
     */
    @Test
    void sfenceVmaOfASuperpageDropsEverySliceAndOnlyThem() {
        Setup s = setup(3);
        long mega = 0x200_0000L;
        s.pt().map(CODE_VA, CODE_PA, R | X);
        s.pt().map(mega, RAM_BASE + 0x40_0000L, R | W, 1);
        s.pt().map(DATA_VA + 0x3000, DATA_PA, R | W);
        Asm b = new Asm(CODE_PA).li(A0, mega + 0x5000).li(A1, mega + 0x9000).li(A2, DATA_VA + 0x3000).li(A3, mega)
                .ld(T1, A0, 0).ld(T1, A1, 0).ld(T1, A2, 0)
                .emit(0x12000073 | A2 << 15) // the 4 KiB page: the slices stay
                .ld(T1, A2, 0).ecall();
        TestRig rig = runPaged(s, 1, b, 0);
        assertEcall(rig, 1);
        Hart h = rig.hart;
        assertTrue(cached(h.ltag, mega + 0x5000), "a slice, after another page's fence");
        assertTrue(cached(h.ltag, mega + 0x9000), "a slice, after another page's fence");

        Asm c = new Asm(CODE_PA).li(A0, mega + 0x5000).li(A1, mega + 0x9000).li(A2, DATA_VA + 0x3000).li(A3, mega)
                .ld(T1, A0, 0).ld(T1, A1, 0).ld(T1, A2, 0)
                .emit(0x12000073 | A3 << 15) // the megapage's first page: every slice goes
                .ecall();
        rig = runPaged(setupAgain(s), 1, c, 0);
        assertEcall(rig, 1);
        h = rig.hart;
        assertFalse(cached(h.ltag, mega + 0x5000), "a slice of the fenced megapage");
        assertFalse(cached(h.ltag, mega + 0x9000), "a slice of the fenced megapage");
        assertTrue(cached(h.ltag, DATA_VA + 0x3000), "a page outside it");
    }

    /** The same tables, the rig's decoded code dropped (the next program is loaded over the last one). */
    static Setup setupAgain(Setup s) {
        s.rig().hart.setPrivilege(3);
        s.rig().hart.invalidateCode(CODE_PA, 0x1000);
        return s;
    }

    @Test
    void satpWriteSwitchesAddressSpaces() {
        Setup s = setup(3);
        s.pt().map(CODE_VA, CODE_PA, R | X);
        s.pt().map(DATA_VA, DATA_PA, R | W);
        PageTables other = new PageTables(s.rig(), 3, POOL + 0x40000);
        other.map(CODE_VA, CODE_PA, R | X);
        other.map(DATA_VA, DATA_PA + 0x1000, R | W);
        s.rig().write64(DATA_PA, 10);
        s.rig().write64(DATA_PA + 0x1000, 20);
        Asm b = new Asm(CODE_PA).li(A0, DATA_VA).ld(A1, A0, 0).li(T1, other.satp()).csrw(Csr.SATP, T1)
                .ld(A2, A0, 0).ecall();
        TestRig rig = runPaged(s, 1, b, 0);
        assertEcall(rig, 1);
        assertEquals(10, rig.hart.reg(A1));
        assertEquals(20, rig.hart.reg(A2));
    }

    @Test
    void storesToCodeInvalidateDecodedInstructions() {
        TestRig rig = new TestRig().handlers();
        long code = RAM_BASE + 0x1000, target = code + 0x100;
        // call target, patch its first instruction from "addi a0, zero, 1" to "addi a0, zero, 2", call again
        Asm a = new Asm(code);
        a.jal(RA, (int) (target - a.here())).addi(S3, A0, 0)
                .li(T1, Asm.i(2, ZERO, 0, A0, 0x13)).li(T2, target).sw(T1, T2, 0);
        a.jal(RA, (int) (target - a.here())).halt();
        rig.load(a);
        rig.load(new Asm(target).addi(A0, ZERO, 1).jalr(ZERO, RA, 0));
        rig.hart.setPc(code);
        rig.run(10_000);
        assertEquals(1, rig.hart.reg(S3), "first call ran the original instruction");
        assertEquals(2, rig.hart.reg(A0), "second call sees the store");
    }

    @Test
    void selfModifyingCodeInTheSamePage() {
        TestRig rig = new TestRig().handlers();
        long code = RAM_BASE + 0x1000;
        Asm a = new Asm(code);
        a.li(T1, Asm.i(5, ZERO, 0, A0, 0x13)).auipc(T2, 0);
        long patched = a.here() + 4; // the instruction right after the store
        a.sw(T1, T2, (int) (patched - (a.here() - 4))).addi(A0, ZERO, 9).halt();
        rig.load(a);
        rig.hart.setPc(code);
        rig.run(1000);
        assertEquals(5, rig.hart.reg(A0), "the next instruction was rewritten by the store before it");
    }

    @Test
    void fenceIPicksUpDmaWrittenCode() {
        TestRig rig = new TestRig().handlers();
        long code = RAM_BASE + 0x1000, target = RAM_BASE + 0x4000;
        rig.load(new Asm(target).addi(A0, ZERO, 1).jalr(ZERO, RA, 0));
        rig.load(new Asm(code).li(T1, target).jalr(RA, T1, 0).addi(S2, A0, 0).halt());
        rig.hart.setPc(code);
        rig.run(1000);
        assertEquals(1, rig.hart.reg(S2));
        // a device rewrites the target behind the hart's back (not through a CPU store)
        rig.ram.writeInt(target - RAM_BASE, Asm.i(3, ZERO, 0, A0, 0x13));
        rig.load(new Asm(code + 0x100).fenceI().li(T1, target).jalr(RA, T1, 0).addi(S3, A0, 0).halt());
        rig.hart.setPc(code + 0x100);
        rig.run(1000);
        assertEquals(3, rig.hart.reg(S3));
    }

    /**
     * A device rewrites code the hart has not run yet, the hart runs it before any FENCE.I, and the device writes
     * the old bytes back. RAM then equals what the page held when it was decoded, so the FENCE.I keeps its decoded
     * slots: the slot run in between must have been decoded from that copy, not from the rewritten RAM, or the
     * rewritten instruction would outlive the FENCE.I.
     */
    @Test
    void codeRewrittenAndRestoredBehindTheHartsBackRunsAsRestoredAfterFenceI() {
        TestRig rig = new TestRig().handlers();
        long code = RAM_BASE + 0x1000, target = RAM_BASE + 0x4000, second = target + 8;
        rig.load(new Asm(target).addi(A0, ZERO, 1).jalr(ZERO, RA, 0).addi(A0, ZERO, 2).jalr(ZERO, RA, 0));
        rig.load(new Asm(code).li(T1, target).jalr(RA, T1, 0).addi(S2, A0, 0).halt());
        rig.hart.setPc(code);
        rig.run(1000);
        assertEquals(1, rig.hart.reg(S2), "the page is decoded, its second function not yet");
        int original = rig.ram.readInt(second - RAM_BASE);
        rig.ram.writeInt(second - RAM_BASE, Asm.i(5, ZERO, 0, A0, 0x13));
        rig.load(new Asm(code + 0x100).li(T1, second).jalr(RA, T1, 0).addi(S3, A0, 0).halt());
        rig.hart.setPc(code + 0x100);
        rig.run(1000);
        long before = rig.hart.reg(S3);
        assertTrue(before == 2 || before == 5, "without a FENCE.I either the old or the new code may run: " + before);
        rig.ram.writeInt(second - RAM_BASE, original);
        rig.load(new Asm(code + 0x200).fenceI().li(T1, second).jalr(RA, T1, 0).addi(T5, A0, 0).halt());
        rig.hart.setPc(code + 0x200);
        rig.run(1000);
        assertEquals(2, rig.hart.reg(T5), "after the FENCE.I the hart runs what RAM holds");
    }

    /**
     * DMA started by an MMIO store, inside one run: the FENCE.I after it must see the new code, although an
     * earlier FENCE.I of the same run (with nothing in between) had nothing to do.
     */
    @Test
    void fenceIAfterAnMmioTriggeredDmaInTheSameRun() {
        TestRig rig = new TestRig().handlers();
        long code = RAM_BASE + 0x1000, target = RAM_BASE + 0x4000, dma = 0x2000_0000L;
        rig.bus.addMmio("dma", dma, 0x1000, new dev.jemu.core.memory.MmioDevice() {
            @Override
            public long read(long offset, int size) {
                return 0;
            }

            @Override
            public void write(long offset, int size, long value) { // rewrites the target: addi a0, zero, value
                rig.ram.writeInt(target - RAM_BASE, Asm.i((int) value, ZERO, 0, A0, 0x13));
            }
        });
        rig.load(new Asm(target).addi(A0, ZERO, 1).jalr(ZERO, RA, 0));
        rig.load(new Asm(code).li(T1, target).jalr(RA, T1, 0).addi(S2, A0, 0)
                .fenceI().fenceI().jalr(RA, T1, 0).addi(S3, A0, 0)
                .li(T2, dma).li(T3, 7).sw(T3, T2, 0).fenceI().jalr(RA, T1, 0).addi(A3, A0, 0).halt());
        rig.hart.setPc(code);
        rig.run(1000);
        assertEquals(1, rig.hart.reg(S2));
        assertEquals(1, rig.hart.reg(S3));
        assertEquals(7, rig.hart.reg(A3), "the code the device wrote runs after the FENCE.I");
    }

    @Test
    void instructionCrossingAPageBoundary() {
        TestRig rig = new TestRig().handlers();
        long page = RAM_BASE + 0x5000;
        // c.nop at page-2... no: a 32-bit addi starting 2 bytes before the page end
        rig.load(new Asm(page - 6).emit16(0x0001).emit16(0x0001).emit(Asm.i(42, ZERO, 0, A0, 0x13)).halt());
        rig.hart.setPc(page - 6);
        rig.run(1000);
        assertEquals(42, rig.hart.reg(A0));
        assertEquals(page + 2, rig.hart.pc());
    }

    @Test
    void crossingFetchFaultOnSecondPage() {
        Setup s = setup(3);
        s.pt().map(CODE_VA, CODE_PA, R | X); // the next page is not mapped
        s.rig().bus.write(CODE_PA + 0xffe, 2, 0x0513); // low half of a 32-bit instruction
        Asm b = new Asm(CODE_PA).li(T1, CODE_VA + 0xffe).jalr(ZERO, T1, 0);
        TestRig rig = runPaged(s, 1, b, 0);
        assertEquals(M_HANDLER, rig.hart.pc());
        assertEquals(Trap.INSN_PAGE_FAULT, rig.hart.csr(Csr.MCAUSE));
        assertEquals(CODE_VA + 0xffe, rig.hart.csr(Csr.MEPC));
        assertEquals(CODE_VA + 0x1000, rig.hart.csr(Csr.MTVAL));
    }

    /**
     * A hot loop (compiled) and the interpreter before it load and store 2, 4 and 8 bytes at the last bytes of a
     * page and across into the next virtual page, which is not the next physical one: a TLB hit must never reach
     * past its page (the crossing accesses go to the slow path, which splits them).
     */
    @Test
    void accessesCrossingIntoADiscontiguousPage() {
        Setup s = setup(3);
        s.pt().map(CODE_VA, CODE_PA, R | X);
        s.pt().map(DATA_VA, DATA_PA, R | W);
        s.pt().map(DATA_VA + 0x1000, DATA_PA + 0x3000, R | W);
        byte[] fill = new byte[4096];
        java.util.Arrays.fill(fill, (byte) 0x5a);
        s.rig().bus.load(DATA_PA + 0x1000, fill); // the physically next page: never touched
        int iterations = 2 * Jit.THRESHOLD + 100;
        Asm b = new Asm(CODE_PA).li(A0, iterations).li(A1, 0).li(S0, DATA_VA + 0xff8);
        long loop = b.here();
        b.andi(T1, A0, 15).add(T1, T1, S0)
                .sd(A1, T1, 0).ld(T3, T1, 1).add(A1, A1, T3)
                .sw(A1, T1, 2).lw(T3, T1, 0).op(0, 4, A1, A1, T3)
                .store(1, A1, T1, 3).load(5, T3, T1, 1).add(A1, A1, T3)
                .add(A1, A1, A0).addi(A0, A0, -1);
        b.bne(A0, ZERO, (int) (loop - b.here())).ecall();
        TestRig rig = runLoopPaged(s, b, 20L * iterations);

        java.nio.ByteBuffer v = java.nio.ByteBuffer.allocate(0x2000).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        long sum = 0;
        for (long i = iterations; i != 0; i--) {
            int p = 0xff8 + (int) (i & 15);
            v.putLong(p, sum);
            sum += v.getLong(p + 1);
            v.putInt(p + 2, (int) sum);
            sum ^= v.getInt(p);
            v.putShort(p + 3, (short) sum);
            sum += v.getShort(p + 1) & 0xffffL;
            sum += i;
        }
        assertEquals(sum, rig.hart.reg(A1));
        for (int off = 0xff8; off < 0x1018; off += 8) {
            long pa = off < 0x1000 ? DATA_PA + off : DATA_PA + 0x3000 + off - 0x1000;
            assertEquals(v.getLong(off), rig.read64(pa), "guest memory at +0x" + Integer.toHexString(off));
        }
        for (int off = 0; off < 0x20; off += 8) {
            assertEquals(0x5a5a5a5a5a5a5a5aL, rig.read64(DATA_PA + 0x1000 + off), "the physically next page");
        }
        if (Jit.ENABLED) {
            JitBlock blk = rig.hart.code.get(CODE_PA).blocks[(int) (loop & 0xfff) >>> 1];
            assertTrue(blk != null && blk != JitBlock.NONE, "the loop was compiled");
        }
    }
    /**
     * A compiled loop whose base register alternates between two virtual pages that map to physical pages apart
     * (the physically next page never touched): every access must go to its own page, so a block's page cache for
     * the register (one page and its host address per register) must notice every change of page, and a load
     * through it that crosses into the next page (not the physically next one) must not take the cached page.
     */
    @Test
    void aBaseRegisterAlternatingBetweenPagesReachesEachPage() {
        Setup s = setup(3);
        s.pt().map(CODE_VA, CODE_PA, R | X);
        s.pt().map(DATA_VA, DATA_PA, R | W);
        s.pt().map(DATA_VA + 0x1000, DATA_PA + 0x3000, R | W);
        s.pt().map(DATA_VA + 0x2000, DATA_PA + 0x5000, R | W);
        byte[] fill = new byte[4096];
        java.util.Arrays.fill(fill, (byte) 0x5a);
        s.rig().bus.load(DATA_PA + 0x1000, fill); // the physically next pages: never touched
        s.rig().bus.load(DATA_PA + 0x4000, fill);
        s.rig().write64(DATA_PA + 0x5000, 0x01020304L);
        int iterations = 2 * Jit.THRESHOLD + 101;
        Asm b = new Asm(CODE_PA).li(A0, iterations).li(A1, 0).li(S0, DATA_VA + 0xff0).li(S2, 0x1ff0 ^ 0x0ff0);
        long loop = b.here();
        b.ld(T3, S0, 0).add(A1, A1, T3).sd(A0, S0, 0).sd(A1, S0, 8)
                .op(0, 4, S0, S0, S2) // xor: the other page
                .ld(T3, S0, 8).add(A1, A1, T3)
                .ld(T3, S0, 12).add(A1, A1, T3) // crosses into the next virtual page
                .addi(A0, A0, -1);
        b.bne(A0, ZERO, (int) (loop - b.here())).ecall();
        TestRig rig = runLoopPaged(s, b, 20L * iterations);

        long[][] mem = new long[2][2]; // [page][word at 0xff0, 0xff8]
        long sum = 0;
        int page = 0;
        for (long i = iterations; i != 0; i--) {
            sum += mem[page][0];
            mem[page][0] = i;
            mem[page][1] = sum;
            page ^= 1;
            sum += mem[page][1];
            sum += (mem[page][1] >>> 32) | (page == 0 ? 0 : 0x01020304L) << 32;
        }
        assertEquals(sum, rig.hart.reg(A1));
        assertEquals(mem[0][0], rig.read64(DATA_PA + 0xff0));
        assertEquals(mem[0][1], rig.read64(DATA_PA + 0xff8));
        assertEquals(mem[1][0], rig.read64(DATA_PA + 0x3ff0));
        assertEquals(mem[1][1], rig.read64(DATA_PA + 0x3ff8));
        for (int off = 0; off < 4096; off += 8) {
            assertEquals(0x5a5a5a5a5a5a5a5aL, rig.read64(DATA_PA + 0x1000 + off), "the physically next page");
        }
        if (Jit.ENABLED) {
            JitBlock blk = rig.hart.code.get(CODE_PA).blocks[(int) (loop & 0xfff) >>> 1];
            assertTrue(blk != null && blk != JitBlock.NONE, "the loop was compiled");
        }
    }
}
