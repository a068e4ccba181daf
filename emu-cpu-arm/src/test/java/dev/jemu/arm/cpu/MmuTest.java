package dev.jemu.arm.cpu;

import static dev.jemu.arm.cpu.ExceptionsTest.VBAR;
import static dev.jemu.arm.cpu.ExceptionsTest.rig;
import static dev.jemu.arm.cpu.ExceptionsTest.step;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

/**
 * The stage-1 walk with tables written from Java: 4 KiB (39-bit VA, start level 1) and 64 KiB granules, TTBR1
 * addresses, fault syndromes with level, permissions, ASID-tagged TLB entries, TLBI, AT.
 */
class MmuTest {
    static final long RAM = TestRig.RAM;
    static final long L1 = RAM + 0x10_0000, L2 = RAM + 0x10_1000, L3 = RAM + 0x10_2000, L1_HI = RAM + 0x10_3000;
    static final long AF = 1L << 10, NG = 1L << 11, UXN = 1L << 54, PXN = 1L << 53;
    static final long EL1_RW = 0, EL0_RW = 1L << 6, EL1_RO = 2L << 6, EL0_RO = 3L << 6;
    static final long DEVICE = 1L << 2; // AttrIndx 1
    /** T0SZ = T1SZ = 25, TG0 4K, TG1 4K, IPS 48 bits, 16-bit ASIDs (A1 = 0: TTBR0's ASID). */
    static final long TCR_4K = 25 | 25L << 16 | 2L << 30 | 5L << 32 | 1L << 36;

    final TestRig r = rig("tlbi aside1, x1\ntlbi vae1, x1\nat s1e1r, x0\nat s1e0w, x0\nnop");
    final ArmCpu c = r.cpu;

    void put(long addr, long value) {
        r.bus.write(addr, 8, value);
    }

    static long page(long pa, long attrs) {
        return pa | attrs | AF | 3;
    }

    /** The 4 KiB tables: code identity-mapped by a 1 GiB block, test pages at VA 0x200000, a 2 MiB block at 0x400000. */
    void tables4k(int asid) {
        put(L1, L2 | 3);
        put(L1 + 8, RAM | AF | EL1_RW | 1); // VA 0x40000000: the code, identity
        put(L2 + 8, L3 | 3); // VA 0x200000
        put(L2 + 16, RAM + 0x40_0000 | AF | NG | EL1_RW | 1); // VA 0x400000: 2 MiB block
        put(L3, page(RAM + 0x20_0000, EL0_RW | NG));
        put(L3 + 8, (RAM + 0x20_1000) | EL1_RW | 3); // AF clear
        put(L3 + 16, page(RAM + 0x20_2000, EL1_RO));
        // L3[3] invalid
        put(L3 + 32, page(RAM + 0x20_4000, EL1_RW | DEVICE));
        put(L3 + 40, page(RAM + 0x21_0000, EL0_RO)); // EL0 executable
        put(L3 + 48, page(RAM + 0x23_0000, EL1_RW));
        put(L3 + 56, page(RAM + 0x25_0000, EL1_RW));
        put(L1_HI, RAM | AF | EL1_RW | 1); // VA 0xffffff8000000000: RAM
        SysRegs s = c.sysregs;
        s.write(SysRegs.MAIR, 0, 0x00ffL); // attr0 Normal WB, attr1 Device-nGnRnE
        s.write(SysRegs.TCR, 0, TCR_4K);
        s.write(SysRegs.TTBR0, 0, (long) asid << 48 | L1);
        s.write(SysRegs.TTBR1, 0, L1_HI);
        s.write(SysRegs.SCTLR, 0, s.sctlr | SysRegs.SCTLR_M);
    }

    /** The data abort {@code access} raises: ESR's ISS (DFSC, WnR) and FAR checked. */
    void abort(Runnable access, long va, int ec, int iss) {
        assertThrows(ArmException.class, access::run);
        assertEquals(ec, c.excClass);
        assertEquals(iss, c.excIss);
        assertEquals(va, c.excFar);
        assertEquals(true, c.excFarValid);
    }

    @Test
    void pagesBlocksAndTtbr1Translate() {
        tables4k(1);
        put(RAM + 0x20_0008, 0x1111);
        put(RAM + 0x40_1238, 0x2222);
        put(RAM + 0x1000, 0x3333);
        assertEquals(0x1111, c.read64(0x20_0008));
        assertEquals(0x2222, c.read64(0x40_1238));
        assertEquals(0x3333, c.read64(0xffff_ff80_0000_1000L));
        c.write32(0x20_0010, 0xabcd);
        assertEquals(0xabcd, r.bus.read(RAM + 0x20_0010, 4));
    }

    @Test
    void faultsReportTheirKindAndLevel() {
        tables4k(1);
        int dabt = Syndrome.EC_DABT_SAME;
        abort(() -> c.read64(0x20_1000), 0x20_1000, dabt, 0x0b); // access flag, level 3
        abort(() -> c.read64(0x20_3008), 0x20_3008, dabt, 0x07); // translation, level 3
        abort(() -> c.read64(0x8000_0000L), 0x8000_0000L, dabt, 0x05); // translation, level 1
        abort(() -> c.read64(0x80_0000_0000L), 0x80_0000_0000L, dabt, 0x04); // outside T0SZ: level 0
        abort(() -> c.write64(0x20_2000, 1), 0x20_2000, dabt, 0x4f); // permission, level 3, WnR
        abort(() -> c.read32(0x20_4002), 0x20_4002, dabt, 0x21); // unaligned to Device memory
        assertEquals(0, c.read32(0x20_4004)); // aligned Device access is fine
        c.sysregs.write(SysRegs.TCR, 0, TCR_4K | 1L << 7); // EPD0
        abort(() -> c.read64(0x20_0000), 0x20_0000, dabt, 0x04);
    }

    @Test
    void el0PermissionsAndExecuteNever() {
        tables4k(1);
        c.el = 0;
        c.mmu.levelChanged();
        assertEquals(0, c.read64(0x20_0000)); // EL0 RW page
        c.write64(0x20_0000, 5);
        abort(() -> c.read64(0x4000_0000L), 0x4000_0000L, Syndrome.EC_DABT_LOWER, 0x0d); // EL1-only block, level 1
        abort(() -> c.write64(0x20_5000, 1), 0x20_5000, Syndrome.EC_DABT_LOWER, 0x4f); // EL0 read-only
        // EL1 accessing as EL0 (LDTR): the same checks, taken to EL1 as a same-EL abort
        c.el = 1;
        c.mmu.levelChanged();
        abort(() -> c.mmu.readUnprivileged(0x4000_0000L, 8), 0x4000_0000L, Syndrome.EC_DABT_SAME, 0x0d);
        assertEquals(5, c.mmu.readUnprivileged(0x20_0000, 8));
    }

    @Test
    void fetchPermissions() {
        tables4k(1);
        r.bus.write(RAM + 0x21_0000, 4, 0xd503201fL); // nop at VA 0x205000
        c.el = 0;
        c.mmu.levelChanged();
        c.setPc(0x20_5000);
        step(r, 1);
        assertEquals(0x20_5004, c.pc); // EL0 runs its read-only page
        // EL1 may not execute a page EL0 can write (implicit PXN)
        c.el = 1;
        c.mmu.levelChanged();
        c.setPc(0x20_0000);
        step(r, 1);
        assertEquals(VBAR + 0x200, c.pc);
        assertEquals(0x8600_000fL, c.sysregs.esr); // EC 0x21, IL, permission level 3
        assertEquals(0x20_0000, c.sysregs.far);
        // UXN: an EL0 fetch aborts with a lower-EL instruction abort
        put(L3 + 40, page(RAM + 0x21_0000, EL0_RO | UXN));
        c.mmu.flushTlb();
        c.el = 0;
        c.mmu.levelChanged();
        c.setPc(0x20_5000);
        step(r, 1);
        assertEquals(VBAR + 0x400, c.pc);
        assertEquals(0x8200_000fL, c.sysregs.esr); // EC 0x20
    }

    @Test
    void pageCrossingAccessUsesBothTranslations() {
        tables4k(1);
        put(RAM + 0x23_0ff8, 0x4433_2211_0000_0000L);
        put(RAM + 0x25_0000, 0x0000_0000_8877_6655L);
        assertEquals(0x8877_6655_4433_2211L, c.read64(0x20_6ffc));
        c.write64(0x20_6ffe, 0x0102_0304_0506_0708L);
        assertEquals(0x0708, r.bus.read(RAM + 0x23_0ffe, 2));
        assertEquals(0x0102_0304_0506L, r.bus.read(RAM + 0x25_0000, 8) & 0xffff_ffff_ffffL);
    }

    @Test
    void asidTaggedEntriesSurviveAnAsidSwitchUntilTlbiAside1() {
        tables4k(1);
        put(RAM + 0x20_0000, 0xa);
        put(RAM + 0x22_0000, 0xb);
        assertEquals(0xa, c.read64(0x20_0000)); // cached under ASID 1
        put(L3, page(RAM + 0x22_0000, EL0_RW | NG)); // remapped without TLBI
        assertEquals(0xa, c.read64(0x20_0000));
        c.sysregs.write(SysRegs.TTBR0, 0, 2L << 48 | L1);
        assertEquals(0xb, c.read64(0x20_0000)); // ASID 2 walks
        c.sysregs.write(SysRegs.TTBR0, 0, 1L << 48 | L1);
        assertEquals(0xa, c.read64(0x20_0000)); // ASID 1's entry is still there
        c.x[1] = 1L << 48;
        c.setPc(RAM); // tlbi aside1, x1
        step(r, 1);
        assertEquals(0xb, c.read64(0x20_0000));
    }

    @Test
    void tlbiVae1DropsEverySliceOfABlock() {
        tables4k(1);
        put(RAM + 0x40_0000, 1);
        put(RAM + 0x40_1000, 2);
        put(RAM + 0x60_0000, 3);
        put(RAM + 0x60_1000, 4);
        assertEquals(1, c.read64(0x40_0000));
        assertEquals(2, c.read64(0x40_1000));
        put(L2 + 16, RAM + 0x60_0000 | AF | NG | EL1_RW | 1);
        assertEquals(2, c.read64(0x40_1000)); // stale until the TLBI
        c.x[1] = 1L << 48 | 0x40_0000 >>> 12;
        c.setPc(RAM + 4); // tlbi vae1, x1
        step(r, 1);
        assertEquals(3, c.read64(0x40_0000));
        assertEquals(4, c.read64(0x40_1000));
    }

    /** TLBI by VA looks only at a page's own indices when no larger mapping covers it: under every ASID slot. */
    @Test
    void tlbiByVaDropsAPageCachedUnderEveryAsid() {
        tables4k(1);
        put(RAM + 0x20_0000, 0xa);
        put(RAM + 0x22_0000, 0xb);
        assertEquals(0xa, c.read64(0x20_0000)); // ASID 1
        c.sysregs.write(SysRegs.TTBR0, 0, 2L << 48 | L1);
        assertEquals(0xa, c.read64(0x20_0000)); // ASID 2
        put(L3, page(RAM + 0x22_0000, EL0_RW | NG));
        assertEquals(0xa, c.read64(0x20_0000)); // stale until the TLBI
        c.mmu.flushVa(0x20_0000);
        assertEquals(0xb, c.read64(0x20_0000));
        c.sysregs.write(SysRegs.TTBR0, 0, 1L << 48 | L1);
        assertEquals(0xb, c.read64(0x20_0000));
    }

    /** A block's slices sit at any index: TLBI by VA inside a 2 MiB block entered (no 1 GiB one) still finds them. */
    @Test
    void tlbiByVaFindsTheSlicesOfABlockWithoutAGigabyteMapping() {
        tables4k(1);
        put(RAM + 0x40_1000, 2);
        put(RAM + 0x60_1000, 4);
        assertEquals(2, c.read64(0x40_1000));
        put(L2 + 16, RAM + 0x60_0000 | AF | NG | EL1_RW | 1);
        c.mmu.flushVa(0x40_0000); // another slice of the block than the one cached
        assertEquals(4, c.read64(0x40_1000));
    }

    @Test
    void innerShareableTlbiAndCodeStoresReachTheOtherCpu() {
        tables4k(1);
        ArmCpu other = new ArmCpu(1, CpuModels.byName("cortex-a57"), r.bus, r.loop,
                new dev.jemu.core.time.Timebase(r.clock, 62_500_000));
        SysRegs o = other.sysregs;
        o.write(SysRegs.MAIR, 0, 0xff);
        o.write(SysRegs.TCR, 0, TCR_4K);
        o.write(SysRegs.TTBR0, 0, 1L << 48 | L1);
        o.write(SysRegs.SCTLR, 0, o.sctlr | SysRegs.SCTLR_M);
        put(RAM + 0x40_0000, 1);
        put(RAM + 0x60_0000, 3);
        assertEquals(1, other.read64(0x40_0000));
        put(L2 + 16, RAM + 0x60_0000 | AF | NG | EL1_RW | 1);
        assertEquals(1, other.read64(0x40_0000));
        r.load(0xd508831f); // tlbi vmalle1is (aarch64-linux-gnu-as)
        c.setPc(RAM);
        step(r, 1);
        assertEquals(3, other.read64(0x40_0000));
        // the other CPU decodes a page; this CPU's store to it is seen there
        r.bus.write(RAM + 0x8000, 4, 0xd503201fL);
        other.setPc(RAM + 0x8000);
        other.run(1);
        c.write32(RAM + 0x8004, 0xd4200060L); // brk #3
        other.sysregs.vbar = VBAR;
        other.run(1);
        assertEquals(0xf200_0003L, other.sysregs.esr);
    }

    @Test
    void atWritesParEl1() {
        tables4k(1);
        c.x[0] = 0x20_0123;
        c.setPc(RAM + 8); // at s1e1r, x0
        step(r, 1);
        assertEquals(0xffL << 56 | (RAM + 0x20_0000) | 1L << 9 | 1L << 11, c.sysregs.par); // attrs, PA, NS
        c.x[0] = 0x20_2000; // EL1 read-only: an EL0 write is a permission fault, level 3
        step(r, 1);
        assertEquals(1 | 0x0fL << 1 | 1L << 11, c.sysregs.par);
        c.x[0] = 0x20_3000;
        c.setPc(RAM + 8);
        step(r, 1);
        assertEquals(1 | 0x07L << 1 | 1L << 11, c.sysregs.par); // translation fault, level 3
    }

    @Test
    void atWithTheMmuOffReportsDeviceAsQemu() {
        c.x[0] = RAM + 0x1_0000;
        c.setPc(RAM + 8); // at s1e1r, x0
        step(r, 1);
        assertEquals(RAM + 0x1_0a00, c.sysregs.par); // QEMU 7.2 -cpu cortex-a57 gives 0x40010a00 for this
    }

    @Test
    void granule64k() {
        long l2 = RAM + 0x30_0000, l3 = RAM + 0x31_0000;
        put(l2, l3 | 3);
        put(l2 + 8, RAM | AF | EL1_RW | 1); // VA 0x20000000: 512 MiB block
        put(l3 + 8, page(RAM + 0x40_0000, EL1_RW)); // VA 0x10000: 64 KiB page
        put(RAM + 0x40_fff8, 0x64);
        put(RAM + 0x1000, 0x512);
        SysRegs s = c.sysregs;
        s.write(SysRegs.MAIR, 0, 0xff);
        s.write(SysRegs.TCR, 0, 22 | 1L << 14 | 25L << 16 | 2L << 30 | 5L << 32); // T0SZ 22 (42 bits), TG0 64K
        s.write(SysRegs.TTBR0, 0, l2);
        s.write(SysRegs.SCTLR, 0, s.sctlr | SysRegs.SCTLR_M);
        assertEquals(0x64, c.read64(0x1_fff8));
        assertEquals(0x512, c.read64(0x2000_1000L));
        abort(() -> c.read64(0x2_0000), 0x2_0000, Syndrome.EC_DABT_SAME, 0x07);
    }

    @Test
    void storesToDecodedCodeAreSeen() {
        TestRig t = rig("nop\nnop\nnop\nnop");
        step(t, 1);
        t.cpu.write32(RAM + 4, 0xd4200060L); // brk #3 over the decoded NOP
        step(t, 1);
        assertEquals(VBAR + 0x200, t.cpu.pc);
        assertEquals(0xf200_0003L, t.cpu.sysregs.esr);
    }

    @Test
    void codeDecodedAfterAWriteEntryStillSeesStores() {
        TestRig t = rig("nop");
        long code = RAM + 0x5000;
        t.cpu.write32(code, 0xd503201fL); // fills a write entry for the page while it has no code
        t.cpu.setPc(code);
        step(t, 1); // decodes the page
        t.cpu.write32(code + 4, 0xd4200060L); // brk #3
        step(t, 1);
        assertEquals(0xf200_0003L, t.cpu.sysregs.esr);
    }

    @Test
    void icIvauDropsCodeThatDmaRewrote() {
        TestRig t = rig("nop\nnop\nic ivau, x1");
        t.cpu.x[1] = RAM + 4;
        step(t, 2); // both NOPs decoded
        t.ram.writeInt(4, 0xd4200060); // brk #3 written behind the CPU's back, as a device's DMA would
        t.cpu.setPc(RAM);
        step(t, 2);
        assertEquals(RAM + 8, t.cpu.pc); // the stale decoded NOP ran
        step(t, 1); // ic ivau drops the page
        t.cpu.setPc(RAM + 4);
        step(t, 1); // the BRK is decoded afresh
        assertEquals(0xf200_0003L, t.cpu.sysregs.esr);
        assertEquals(RAM + 4, t.cpu.sysregs.elr);
    }

    @Test
    void dcZvaZeroesA64ByteBlock() {
        TestRig t = rig("dc zva, x1\ndc zva, x1");
        for (int i = 0; i < 128; i += 8) t.bus.write(RAM + 0x1000 + i, 8, -1L);
        t.cpu.x[1] = RAM + 0x1010;
        step(t, 1);
        for (int i = 0; i < 64; i += 8) assertEquals(0, t.bus.read(RAM + 0x1000 + i, 8));
        assertEquals(-1L, t.bus.read(RAM + 0x1040, 8));
        t.cpu.el = 0; // DZE clear: EL0 traps
        step(t, 1);
        assertEquals(0x6200_0000L | 1 << 20 | 1 << 17 | 3 << 14 | 7 << 10 | 1 << 5 | 4 << 1, t.cpu.sysregs.esr);
    }
}
