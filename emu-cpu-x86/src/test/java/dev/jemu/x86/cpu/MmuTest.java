package dev.jemu.x86.cpu;

import static dev.jemu.x86.cpu.MmuRig.A;
import static dev.jemu.x86.cpu.MmuRig.D;
import static dev.jemu.x86.cpu.MmuRig.G;
import static dev.jemu.x86.cpu.MmuRig.NX;
import static dev.jemu.x86.cpu.MmuRig.P;
import static dev.jemu.x86.cpu.MmuRig.RW;
import static dev.jemu.x86.cpu.MmuRig.US;
import static dev.jemu.x86.cpu.MmuRig.pf;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Page walks of every paging mode, permissions, A/D bits, #PF error codes, page-crossing accesses and the TLBs. */
class MmuTest {
    private static final long LA = 0x0000_7f12_3456_7000L, KLA = 0xffff_8000_0040_0000L;

    // ---------------------------------------------------------------- paging off, the bus

    @Test
    void pagingOffIsPhysicalAndWrapsAt4GiB() {
        MmuRig r = new MmuRig();
        r.mmu.write32(0x2000, 0xdeadbeefL);
        assertEquals(0xdeadbeef, r.ram.readInt(0x2000));
        assertEquals(0xbeef, r.mmu.read16(0x2000));
        // a 4-byte store at 0xfffffffe: two bytes into nothing (dropped), two at 0 and 1
        r.mmu.write32(0xffff_fffeL, 0x4433_2211L);
        assertEquals(0x33, r.ram.readByte(0) & 0xff);
        assertEquals(0x44, r.ram.readByte(1) & 0xff);
        assertEquals(0x4433_ffffL, r.mmu.read32(0xffff_fffeL), "unassigned bytes read as ones, the rest wraps to 0");
    }

    @Test
    void unassignedReadsAllOnesAndWritesAreDropped() {
        MmuRig r = new MmuRig();
        assertEquals(-1L, r.mmu.read64(0x2000_0000L));
        assertEquals(0xffff_ffffL, r.mmu.read32(0x2000_0000L));
        assertEquals(0xff, r.mmu.read8(0x2000_0000L));
        assertEquals("no fault", r.fault(() -> r.mmu.write64(0x2000_0000L, 1)));
    }

    @Test
    void mmioGoesToTheDeviceEveryTime() {
        MmuRig r = new MmuRig();
        assertEquals(0x5566_7788L, r.mmu.read32(MmuRig.MMIO + 8));
        assertEquals(0x5566_7788L, r.mmu.read32(MmuRig.MMIO + 8));
        r.mmu.write16(MmuRig.MMIO + 4, 0x12345);
        assertEquals(List.of("r 8 4", "r 8 4", "w 4 2 2345"), r.mmio);
    }

    @Test
    void romIsReadThroughTheTlbAndIgnoresWrites() {
        MmuRig r = new MmuRig();
        dev.jemu.core.memory.GuestRam rom = new dev.jemu.core.memory.GuestRam(0x1000);
        rom.writeInt(0x10, 0x1234_5678);
        r.bus.addRom("rom", 0xffff_f000L, rom);
        assertEquals(0x1234_5678, r.mmu.read32(0xffff_f010L));
        r.mmu.write32(0xffff_f010L, 0);
        assertEquals(0x1234_5678, r.mmu.read32(0xffff_f010L));
        assertEquals(0x78, r.mmu.fetch8(0xffff_f010L));
    }

    // ---------------------------------------------------------------- 4-level paging

    @Test
    void longMode4KiBPageTranslatesAndSetsAccessedAndDirty() {
        MmuRig r = new MmuRig().longMode();
        long pte = r.map4k(LA, 0x5000, RW);
        r.mmu.write64(LA + 0x10, 0x0102_0304_0506_0708L);
        assertEquals(0x0102_0304_0506_0708L, r.ram.readLong(0x5010));
        assertEquals(0x0506_0708L, r.mmu.read32(LA + 0x10));
        assertEquals(A | D, r.ram.readLong(pte) & (A | D));
        for (int level = 4; level >= 2; level--) {
            assertEquals(A, r.ram.readLong(r.entryAddr(LA, level)) & (A | D), "A set, D untouched, at level " + level);
        }
    }

    @Test
    void aReadSetsAccessedButNotDirty() {
        MmuRig r = new MmuRig().longMode();
        long pte = r.map4k(LA, 0x5000, RW);
        r.mmu.read8(LA);
        assertEquals(A, r.ram.readLong(pte) & (A | D));
        r.mmu.write8(LA, 1); // the read entry gives no write permission: the walk sets D
        assertEquals(A | D, r.ram.readLong(pte) & (A | D));
    }

    @Test
    void notPresentFaultsGiveErrorCodeAndCr2() {
        MmuRig r = new MmuRig().longMode();
        r.map4k(LA, 0x5000, RW | US);
        long missing = LA + 0x1000 + 0x123;
        assertEquals(pf(0), r.fault(() -> r.mmu.read32(missing)));
        assertEquals(missing, r.c.cr2);
        assertEquals(pf(Mmu.PF_W), r.fault(() -> r.mmu.write32(missing, 0)));
        assertEquals(pf(Mmu.PF_ID), r.fault(() -> r.mmu.fetch8(missing)), "I/D with EFER.NXE");
        r.user();
        assertEquals(pf(Mmu.PF_U | Mmu.PF_W), r.fault(() -> r.mmu.write8(missing, 0)));
        assertEquals(pf(Mmu.PF_U), r.fault(() -> r.mmu.read8(0x0000_6000_0000_0000L)), "no PML4 entry");
    }

    @Test
    void userAccessToASupervisorPageIsAProtectionFault() {
        MmuRig r = new MmuRig().longMode();
        r.map4k(KLA, 0x6000, RW);
        assertEquals("no fault", r.fault(() -> r.mmu.read8(KLA)), "the supervisor may read it");
        r.user();
        assertEquals(pf(Mmu.PF_P | Mmu.PF_U), r.fault(() -> r.mmu.read8(KLA)), "the TLB must not leak the entry");
        assertEquals(pf(Mmu.PF_P | Mmu.PF_U | Mmu.PF_W), r.fault(() -> r.mmu.write8(KLA, 0)));
        assertEquals(pf(Mmu.PF_P | Mmu.PF_U | Mmu.PF_ID), r.fault(() -> r.mmu.fetch8(KLA)));
        assertEquals(0, r.mmu.readSupervisor(KLA, 4), "an implicit supervisor access (GDT, IDT, TSS) at CPL 3");
        r.mmu.writeSupervisor(KLA + 8, 8, 0x55);
        assertEquals(0x55, r.ram.readLong(0x6008));
        r.map4k(KLA + 0x1000, 0x7000, 0); // read-only: a supervisor fault, without U, even at CPL 3
        assertEquals(pf(Mmu.PF_P | Mmu.PF_W), r.fault(() -> r.mmu.writeSupervisor(KLA + 0x1000, 4, 1)));
    }

    @Test
    void theSupervisorMayRunAndReadUserPages() {
        MmuRig r = new MmuRig().longMode();
        r.map4k(LA, 0x5000, US);
        r.ram.writeByte(0x5000, (byte) 0xf4);
        assertEquals(0xf4, r.mmu.fetch8(LA), "no SMEP");
        assertEquals(0xf4, r.mmu.read8(LA), "no SMAP");
        r.user();
        assertEquals(0xf4, r.mmu.fetch8(LA));
    }

    @Test
    void userBitMustBeSetAtEveryLevel() {
        MmuRig r = new MmuRig().longMode();
        r.map4k(LA, 0x5000, RW | US);
        long pde = r.entryAddr(LA, 2);
        r.ram.writeLong(pde, r.ram.readLong(pde) & ~US);
        r.user();
        assertEquals(pf(Mmu.PF_P | Mmu.PF_U), r.fault(() -> r.mmu.read8(LA)));
    }

    @Test
    void readOnlyPagesAndCr0Wp() {
        MmuRig r = new MmuRig().longMode();
        long pte = r.map4k(LA, 0x5000, US); // read-only user page
        assertEquals(pf(Mmu.PF_P | Mmu.PF_W), r.fault(() -> r.mmu.write8(LA, 1)), "CR0.WP=1: the supervisor too");
        assertEquals(0, r.ram.readLong(pte) & D, "no D on a faulting write");
        r.mmu.writeCr0(r.c.cr0 & ~X86Cpu.CR0_WP);
        assertEquals("no fault", r.fault(() -> r.mmu.write8(LA, 1)), "CR0.WP=0: supervisor writes ignore R/W");
        assertEquals(1, r.ram.readByte(0x5000));
        r.user();
        assertEquals(pf(Mmu.PF_P | Mmu.PF_W | Mmu.PF_U), r.fault(() -> r.mmu.write8(LA, 2)), "users never");
        assertEquals(1, r.mmu.read8(LA));
    }

    @Test
    void noExecuteWithAndWithoutEferNxe() {
        MmuRig r = new MmuRig().longMode();
        r.map4k(LA, 0x5000, RW | NX);
        r.ram.writeByte(0x5000, (byte) 0x90);
        assertEquals(0x90, r.mmu.read8(LA), "NX pages are readable");
        assertEquals(pf(Mmu.PF_P | Mmu.PF_ID), r.fault(() -> r.mmu.fetch8(LA)));
        assertEquals(LA, r.c.cr2);
        r.mmu.setEfer(r.c.efer & ~X86Cpu.EFER_NXE);
        assertEquals(pf(Mmu.PF_P | Mmu.PF_RSVD), r.fault(() -> r.mmu.read8(LA)), "bit 63 is reserved without NXE");
        long other = LA + 0x1000;
        r.map4k(other, 0x7000, RW);
        r.ram.writeByte(0x7000, (byte) 0xc3);
        assertEquals(0xc3, r.mmu.fetch8(other));
        assertEquals(pf(0), r.fault(() -> r.mmu.fetch8(other + 0x1000)), "no I/D without NXE");
    }

    @Test
    void nxInAnUpperLevelForbidsFetches() {
        MmuRig r = new MmuRig().longMode();
        r.map4k(LA, 0x5000, RW);
        long pdpte = r.entryAddr(LA, 3);
        r.ram.writeLong(pdpte, r.ram.readLong(pdpte) | NX);
        assertEquals(pf(Mmu.PF_P | Mmu.PF_ID), r.fault(() -> r.mmu.fetch8(LA)));
    }

    @Test
    void reservedBitsAtEachLevel() {
        MmuRig r = new MmuRig().longMode();
        long pte = r.map4k(LA, 0x5000, RW);
        r.ram.writeLong(pte, r.ram.readLong(pte) | 1L << 45); // above the 40 physical address bits
        assertEquals(pf(Mmu.PF_P | Mmu.PF_RSVD), r.fault(() -> r.mmu.read8(LA)));
        r.ram.writeLong(pte, 0x5000 | P | RW);
        long pml4e = r.entryAddr(LA, 4);
        r.ram.writeLong(pml4e, r.ram.readLong(pml4e) | MmuRig.PS);
        assertEquals(pf(Mmu.PF_P | Mmu.PF_RSVD | Mmu.PF_W), r.fault(() -> r.mmu.write8(LA, 0)), "PS in a PML4E");
        r.ram.writeLong(pml4e, r.ram.readLong(pml4e) & ~MmuRig.PS);
        assertEquals("no fault", r.fault(() -> r.mmu.read8(LA)));
        // a 2 MiB page with address bits 20:13 set
        long big = 0x0000_0040_0000_0000L;
        r.mapLarge(big, 0x20_0000 | 1 << 13, 2, RW);
        assertEquals(pf(Mmu.PF_P | Mmu.PF_RSVD), r.fault(() -> r.mmu.read8(big)));
        // bit 12 of a large page is PAT, not an address bit
        long pat = 0x0000_0050_0000_0000L;
        r.mapLarge(pat, 0x20_0000 | 1 << 12, 2, RW);
        assertEquals("no fault", r.fault(() -> r.mmu.read8(pat + 0x1234)));
    }

    @Test
    void largePages2MiBAnd1GiB() {
        MmuRig r = new MmuRig().longMode();
        r.mapLarge(KLA, 0x20_0000, 2, RW | G);
        r.mmu.write32(KLA + 0x1_2344, 0xabcd);
        assertEquals(0xabcd, r.ram.readInt(0x21_2344));
        long gig = 0xffff_ff80_0000_0000L;
        r.mapLarge(gig, 0, 3, RW);
        r.mmu.write32(gig + 0x30_0008, 0x5678);
        assertEquals(0x5678, r.ram.readInt(0x30_0008));
        assertEquals(0x5678, r.mmu.read32(gig + 0x30_0008));
    }

    @Test
    void oneGiBPagesAreReservedWithoutPdpe1gb() {
        MmuRig r = new MmuRig().longMode();
        r.c.model = X86Model.QEMU64;
        long gig = 0xffff_ff80_0000_0000L;
        r.mapLarge(gig, 0, 3, RW);
        assertEquals(pf(Mmu.PF_P | Mmu.PF_RSVD), r.fault(() -> r.mmu.read8(gig)));
    }

    @Test
    void nonCanonicalAddressesAreGeneralProtectionFaults() {
        MmuRig r = new MmuRig().longMode();
        r.map4k(0x0000_7fff_ffff_f000L, 0x5000, RW);
        assertEquals(Vectors.GP + ":0", r.fault(() -> r.mmu.read8(0x0000_8000_0000_0000L)));
        assertEquals(Vectors.GP + ":0", r.fault(() -> r.mmu.write64(0x0000_7fff_ffff_fffcL, 0)),
                "the second half of a crossing access is non-canonical");
    }

    // ---------------------------------------------------------------- PAE and 32-bit paging

    @Test
    void paePaging4KiBAnd2MiB() {
        MmuRig r = new MmuRig().paeMode();
        r.map4k(0xc000_1000L, 0x9000, RW);
        r.mmu.write32(0xc000_1004L, 0x1234_5678);
        assertEquals(0x1234_5678, r.ram.readInt(0x9004));
        r.mapLarge(0x8040_0000L, 0x40_0000, 2, RW | NX);
        r.ram.writeInt(0x40_9004, 0x1234_5678);
        assertEquals(0x1234_5678L, r.mmu.read32(0x8040_9004L), "reads land in the 2 MiB page");
        assertEquals(pf(Mmu.PF_P | Mmu.PF_ID), r.fault(() -> r.mmu.fetch8(0x8040_0000L)));
        // PDPTEs have no R/W, U/S or NX bits: NX there is reserved
        long pdpte = r.root + (0xc000_1000L >>> 30) * 8;
        r.ram.writeLong(pdpte, r.ram.readLong(pdpte) | NX);
        r.mmu.flushTlb();
        assertEquals(pf(Mmu.PF_P | Mmu.PF_RSVD), r.fault(() -> r.mmu.read8(0xc000_1000L)));
    }

    @Test
    void paging32With4KiBAnd4MiBPagesAndPse36() {
        MmuRig r = new MmuRig().paging32();
        long pte = r.map32(0xc000_3000L, 0xa000, RW);
        r.mmu.write16(0xc000_3ffeL, 0xbeef);
        assertEquals((short) 0xbeef, r.ram.readShort(0xaffe));
        assertEquals(A | D, r.ram.readInt(pte) & (A | D));
        r.map32Large(0x8000_0000L, 0x40_0000 | RW);
        r.mmu.write8(0x8012_3456L, 0x5a);
        assertEquals(0x5a, r.ram.readByte(0x52_3456));
        // PSE-36: PDE bits 20:13 are physical bits 39:32, so this maps above 4 GiB where nothing answers
        r.map32Large(0x8040_0000L, 0x40_0000 | 1 << 13 | RW);
        assertEquals(0xff, r.mmu.read8(0x8040_0000L));
        r.map32Large(0x8080_0000L, 1 << 21 | RW);
        assertEquals(pf(Mmu.PF_P | Mmu.PF_RSVD), r.fault(() -> r.mmu.read8(0x8080_0000L)), "bit 21 is reserved");
        r.user();
        assertEquals(pf(Mmu.PF_P | Mmu.PF_U), r.fault(() -> r.mmu.read8(0x8000_0000L)));
        assertEquals(pf(Mmu.PF_U), r.fault(() -> r.mmu.fetch8(0x4000_0000L)), "no I/D in 32-bit paging");
    }

    @Test
    void psIsIgnoredIn32BitPagingWithoutCr4Pse() {
        MmuRig r = new MmuRig().paging32();
        long table = r.alloc();
        r.ram.writeInt(table + 5 * 4, (int) (0x7000 | P | RW));
        r.ram.writeInt(r.root + (0x8000_0000L >>> 22) * 4, (int) (table | P | RW | MmuRig.PS));
        r.mmu.writeCr4(r.c.cr4 & ~X86Cpu.CR4_PSE);
        r.mmu.write8(0x8000_5001L, 0x77);
        assertEquals(0x77, r.ram.readByte(0x7001));
    }

    // ---------------------------------------------------------------- page-crossing accesses

    @Test
    void crossingAccessesTranslateEachPage() {
        MmuRig r = new MmuRig().longMode();
        r.map4k(LA, 0x5000, RW);
        r.map4k(LA + 0x1000, 0x9000, RW); // not physically contiguous
        r.mmu.write64(LA + 0xffd, 0x8877_6655_4433_2211L);
        assertEquals(0x33, r.ram.readByte(0x5fff) & 0xff);
        assertEquals(0x44, r.ram.readByte(0x9000) & 0xff);
        assertEquals(0x8877_6655_4433_2211L, r.mmu.read64(LA + 0xffd));
        assertEquals(0x6655_4433L, r.mmu.read32(LA + 0xfff));
    }

    @Test
    void crossingAccessesTranslateEachPageWhenBothPagesAreInTheTlb() {
        // the TLB hit path must send an access that crosses the page end to the slow path even when the first page's
        // entry is there (else it reads or writes past that page, in the physical page that follows it)
        MmuRig r = new MmuRig().longMode();
        r.map4k(LA, 0x5000, RW);
        r.map4k(LA + 0x1000, 0x9000, RW); // not physically contiguous
        for (int size = 2; size <= 8; size *= 2) {
            for (int before = 1; before < size; before++) {
                r.ram.writeLong(0x5ff8, 0);
                r.ram.writeLong(0x9000, 0);
                r.ram.writeLong(0x6000, 0);
                r.mmu.write8(LA, 0); // both pages' read and write entries filled
                r.mmu.write8(LA + 0x1000, 0);
                r.mmu.read8(LA);
                r.mmu.read8(LA + 0x1000);
                long la = LA + 0x1000 - before, v = 0x8877_6655_4433_2211L & (size == 8 ? -1L : (1L << 8 * size) - 1);
                switch (size) {
                    case 2 -> r.mmu.write16(la, v);
                    case 4 -> r.mmu.write32(la, v);
                    default -> r.mmu.write64(la, v);
                }
                assertEquals(0x11, r.ram.readByte(0x6000 - before) & 0xff, size + "/" + before);
                assertEquals((v >>> 8 * before) & 0xff, r.ram.readByte(0x9000) & 0xff, size + "/" + before);
                assertEquals(0, r.ram.readByte(0x6000), "nothing past the first physical page");
                long back = switch (size) {
                    case 2 -> r.mmu.read16(la);
                    case 4 -> r.mmu.read32(la);
                    default -> r.mmu.read64(la);
                };
                assertEquals(v, back, size + "/" + before);
            }
        }
    }

    @Test
    void aCrossingFaultReportsTheSecondPageAndWritesNothing() {
        MmuRig r = new MmuRig().longMode();
        r.map4k(LA, 0x5000, RW);
        r.map4k(LA + 0x1000, 0x9000, 0); // read-only
        assertEquals(pf(Mmu.PF_P | Mmu.PF_W), r.fault(() -> r.mmu.write32(LA + 0xffe, 0xffff_ffffL)));
        assertEquals(LA + 0x1000, r.c.cr2);
        assertEquals(0, r.ram.readShort(0x5ffe), "the first page is untouched");
        assertEquals(pf(0), r.fault(() -> r.mmu.read16(LA + 0x1fff)));
        assertEquals(LA + 0x2000, r.c.cr2);
    }

    // ---------------------------------------------------------------- TLB maintenance

    @Test
    void theTlbKeepsAStaleTranslationUntilInvlpg() {
        MmuRig r = new MmuRig().longMode();
        long pte = r.map4k(LA, 0x5000, RW);
        r.ram.writeInt(0x5000, 1);
        r.ram.writeInt(0x6000, 2);
        assertEquals(1, r.mmu.read32(LA));
        r.ram.writeLong(pte, 0x6000 | P | RW);
        assertEquals(1, r.mmu.read32(LA), "cached");
        r.mmu.invlpg(LA + 0x800);
        assertEquals(2, r.mmu.read32(LA));
    }

    @Test
    void cr3WritesKeepGlobalEntriesUntilPgeToggles() {
        MmuRig r = new MmuRig().longMode();
        long gpte = r.map4k(KLA, 0x5000, RW | G);
        long upte = r.map4k(LA, 0x6000, RW);
        r.ram.writeInt(0x5000, 1);
        r.ram.writeInt(0x6000, 2);
        r.ram.writeInt(0x7000, 3);
        assertEquals(1, r.mmu.read32(KLA));
        assertEquals(2, r.mmu.read32(LA));
        r.ram.writeLong(gpte, 0x7000 | P | RW | G);
        r.ram.writeLong(upte, 0x7000 | P | RW);
        r.mmu.writeCr3(r.c.cr3);
        assertEquals(1, r.mmu.read32(KLA), "the global entry survives a CR3 write");
        assertEquals(3, r.mmu.read32(LA), "the other does not");
        r.mmu.writeCr4(r.c.cr4 & ~X86Cpu.CR4_PGE);
        assertEquals(3, r.mmu.read32(KLA), "toggling CR4.PGE drops global entries");
    }

    @Test
    void cr3WritesDropNonGlobalReadWriteAndFetchEntries() {
        MmuRig r = new MmuRig().longMode();
        long gpte = r.map4k(KLA, 0x5000, RW | G);
        long upte = r.map4k(LA, 0x6000, RW);
        r.ram.writeInt(0x5000, 1);
        r.ram.writeInt(0x6000, 2);
        assertEquals(1, r.mmu.read32(KLA));
        r.mmu.write32(LA + 4, 5);
        assertEquals(0x6010, r.mmu.fetchPhys(LA + 0x10));
        r.ram.writeLong(upte, 0x7000 | P | RW);
        r.mmu.writeCr3(r.c.cr3);
        r.mmu.write32(LA + 4, 6);
        assertEquals(6, r.ram.readInt(0x7004), "the write entry went");
        assertEquals(5, r.ram.readInt(0x6004));
        assertEquals(0x7010, r.mmu.fetchPhys(LA + 0x10), "the fetch entry went");
        r.ram.writeLong(gpte, 0x7000 | P | RW | G);
        r.mmu.writeCr3(r.c.cr3);
        assertEquals(1, r.mmu.read32(KLA), "the global entry stays");
    }

    @Test
    void cr3WritesDropNonGlobalEntriesPastTheNotedSlots() {
        // more non-global fills than a CR3 write notes one by one (Mmu.NON_GLOBAL_SLOTS): it scans every slot;
        // then a few, which it drops one by one
        MmuRig r = new MmuRig().longMode();
        r.map4k(KLA, 0x5000, RW | G);
        r.mmu.read32(KLA); // a global entry: else a CR3 write just empties the TLBs
        int n = Mmu.NON_GLOBAL_SLOTS + 50;
        long[] ptes = new long[n];
        for (int i = 0; i < n; i++) {
            ptes[i] = r.map4k(LA + i * 4096L, 0x40_0000 + i * 4096L, RW);
            r.ram.writeInt(0x40_0000 + i * 4096L, i);
            r.ram.writeInt(0x80_0000 + i * 4096L, -i);
        }
        for (int used : new int[] {n, 3}) {
            for (int i = 0; i < used; i++) {
                assertEquals(i, r.mmu.read32(LA + i * 4096L));
                r.ram.writeLong(ptes[i], 0x80_0000 + i * 4096L | P | RW);
            }
            r.mmu.writeCr3(r.c.cr3);
            for (int i = 0; i < used; i++) {
                assertEquals(-i & 0xffff_ffffL, r.mmu.read32(LA + i * 4096L), "page " + i + " of " + used + " after the CR3 write");
                r.ram.writeLong(ptes[i], 0x40_0000 + i * 4096L | P | RW);
            }
            r.mmu.writeCr3(r.c.cr3);
        }
    }

    @Test
    void cr3WritesDropANonGlobalLargePageAndKeepAGlobalOne() {
        MmuRig r = new MmuRig().longMode();
        long gpde = mapLargeWithMarks(r); // global, KLA
        long ula = LA & ~0x1f_ffffL;
        long upde = r.mapLarge(ula, 0x20_0000, 2, RW); // the same 2 MiB, not global
        assertEquals(1, r.mmu.read32(KLA));
        assertEquals(2, r.mmu.read32(ula + 0x1f_f000));
        r.ram.writeLong(upde, 0x40_0000 | P | RW | MmuRig.PS);
        r.ram.writeLong(gpde, 0x40_0000 | P | RW | MmuRig.PS | G);
        r.mmu.writeCr3(r.c.cr3);
        assertEquals(4, r.mmu.read32(ula + 0x1f_f000), "the non-global large page went");
        assertEquals(1, r.mmu.read32(KLA), "the global one stays");
        r.mmu.writeCr3(r.c.cr3);
        r.mmu.invlpg(KLA + 0x1000);
        assertEquals(3, r.mmu.read32(KLA), "INVLPG still finds the global large page after CR3 writes");
    }

    /**
     * Maps KLA to the global 2 MiB page at 0x200000 and marks the first and last 4 KiB of it (1, 2) and of the next
     * 2 MiB page (3, 4); returns the PDE's address, so a test can remap KLA to the next page.
     */
    private static long mapLargeWithMarks(MmuRig r) {
        long pde = r.mapLarge(KLA, 0x20_0000, 2, RW | G);
        r.ram.writeInt(0x20_0000, 1);
        r.ram.writeInt(0x3f_f000, 2);
        r.ram.writeInt(0x40_0000, 3);
        r.ram.writeInt(0x5f_f000, 4);
        return pde;
    }

    @Test
    void invlpgDropsEverySliceOfALargePage() {
        MmuRig r = new MmuRig().longMode();
        long pde = mapLargeWithMarks(r);
        assertEquals(1, r.mmu.read32(KLA));
        assertEquals(2, r.mmu.read32(KLA + 0x1f_f000));
        r.ram.writeLong(pde, 0x40_0000 | P | RW | MmuRig.PS | G);
        r.mmu.writeCr3(r.c.cr3);
        assertEquals(2, r.mmu.read32(KLA + 0x1f_f000), "global, still cached");
        r.mmu.invlpg(KLA + 0x1000);
        assertEquals(3, r.mmu.read32(KLA));
        assertEquals(4, r.mmu.read32(KLA + 0x1f_f000), "another slice of the same 2 MiB page went too");
    }

    @Test
    void invlpgFindsALargePageFilledAgainAfterAFullFlush() {
        MmuRig r = new MmuRig().longMode();
        long pde = mapLargeWithMarks(r);
        assertEquals(1, r.mmu.read32(KLA)); // the large page is noted (the last one noted)
        r.mmu.flushTlb(); // forgets every noted large page
        assertEquals(1, r.mmu.read32(KLA)); // noted afresh, though it was the last one noted before the flush
        assertEquals(2, r.mmu.read32(KLA + 0x1f_f000));
        r.ram.writeLong(pde, 0x40_0000 | P | RW | MmuRig.PS | G);
        r.mmu.invlpg(KLA + 0x1000);
        assertEquals(3, r.mmu.read32(KLA));
        assertEquals(4, r.mmu.read32(KLA + 0x1f_f000), "every slice of the 2 MiB page went");
    }

    @Test
    void aCr0WpChangeDropsEntries() {
        MmuRig r = new MmuRig().longMode();
        r.map4k(LA, 0x5000, 0);
        r.mmu.writeCr0(r.c.cr0 & ~X86Cpu.CR0_WP);
        r.mmu.write8(LA, 1); // fills a write entry under WP=0
        r.mmu.writeCr0(r.c.cr0 | X86Cpu.CR0_WP);
        assertEquals(pf(Mmu.PF_P | Mmu.PF_W), r.fault(() -> r.mmu.write8(LA, 2)));
    }

    // ---------------------------------------------------------------- decoded code

    @Test
    void storesToPagesWithCodeReachTheCodeWatch() {
        MmuRig r = new MmuRig().longMode();
        r.map4k(LA, 0x5000, RW);
        r.map4k(LA + 0x1000, 0x6000, RW);
        List<String> seen = new ArrayList<>();
        long[] codePage = {-1};
        r.mmu.setCodeWatch(new CodeWatch() {
            @Override
            public boolean hasCode(long pa) {
                return (pa & ~0xfffL) == codePage[0];
            }

            @Override
            public void written(long pa, int size) {
                seen.add(Long.toHexString(pa) + "/" + size + "=" + r.ram.readByte(pa));
            }
        });
        r.mmu.write8(LA + 1, 7); // fills a write entry: no code there yet
        codePage[0] = 0x5000;
        r.mmu.codePageDecoded(0x5000);
        r.mmu.write8(LA + 2, 8);
        r.mmu.write32(LA + 4, 9);
        r.mmu.write8(LA + 0x1000, 1); // the page without code
        assertEquals(List.of("5002/1=8", "5004/4=9"), seen);
        r.mmu.write16(LA + 0xfff, 0x0c0d);
        assertEquals("5fff/1=13", seen.get(2), "the part of a crossing store in the code page");
        assertEquals(3, seen.size());
    }

    @Test
    void fetchEntriesCarryTheDecodedPage() {
        MmuRig r = new MmuRig().longMode();
        r.map4k(LA, 0x5000, RW);
        assertEquals(null, r.mmu.fetchCode(LA));
        assertEquals(0x5123, r.mmu.fetchPhys(LA + 0x123));
        long pte = r.entryAddr(LA, 1);
        r.ram.writeLong(pte, 0x9000 | P);
        assertEquals(0x5456, r.mmu.fetchPhys(LA + 0x456), "from the fetch TLB");
        Object page = new Object();
        r.mmu.rememberCode(LA, page);
        assertEquals(page, r.mmu.fetchCode(LA + 0x456));
        r.mmu.invlpg(LA);
        assertEquals(null, r.mmu.fetchCode(LA), "INVLPG drops the entry with its decoded page");
        assertEquals(0x9456, r.mmu.fetchPhys(LA + 0x456));
        r.mmu.rememberCode(LA, page);
        r.mmu.writeCr3(r.c.cr3);
        assertEquals(null, r.mmu.fetchCode(LA), "so does a CR3 write (a non-global entry)");
    }

    @Test
    void dirtyLogIsMarkedWhenAWriteEntryIsFilled() {
        MmuRig r = new MmuRig().longMode();
        r.map4k(LA, 0x5000, RW);
        r.ram.dirtyLog().start();
        r.ram.dirtyLog().take();
        r.mmu.write8(LA, 1);
        long[] bits = r.ram.dirtyLog().take();
        assertTrue((bits[0] & 1L << 5) != 0, "page 5 marked");
    }
}
