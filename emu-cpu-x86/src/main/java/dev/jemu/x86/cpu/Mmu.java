package dev.jemu.x86.cpu;

import dev.jemu.core.memory.BusError;
import dev.jemu.core.memory.GuestRam;
import dev.jemu.core.memory.RawMemory;
import dev.jemu.core.memory.Region;
import java.lang.foreign.MemorySegment;
import java.util.Arrays;

/**
 * Linear to physical translation and memory access for one {@link X86Cpu}: paging off (linear = physical, 32
 * bits), 32-bit paging (4 KiB pages, 4 MiB pages with CR4.PSE and PSE-36), PAE paging and 4-level long-mode
 * paging (2 MiB pages, 1 GiB pages where the model has PDPE1GB), with U/S, R/W, NX (EFER.NXE), CR0.WP, global
 * pages (CR4.PGE), accessed/dirty updates, reserved-bit checks and the #PF error code and CR2.
 *
 * <p>TLBs: direct-mapped software TLBs per access kind (read, write, fetch) of {@link #TLB_SIZE} entries,
 * indexed by the linear page number. A tag is the linear page (all 64 bits) with the privilege in bit 0 (1 for
 * CPL 3), -1 when empty; an entry is one 4 KiB slice of a page of any size. Read, write and fetch entries hold
 * an addend from the linear address to the host memory of RAM (ROM too for read and fetch), so a hit is one
 * compare and one plain host access ({@link RawMemory}). MMIO, page-crossing accesses and stores to pages
 * with decoded code take the slow path. A page with decoded code never has a write entry ({@link CodeWatch}).
 * Entries remember their page size and G bit, for INVLPG and for CR3 writes, which keep global entries.
 *
 * <p>An access that no region answers is not a fault on a PC: a read returns all ones and a write is dropped,
 * as the ISA/PCI bus does (and QEMU's unassigned memory). Page-table entries read there are all ones too, so a
 * walk through nothing ends in a reserved-bit #PF.
 *
 * <p>Who calls what: the owner of MOV CRn calls {@link #writeCr0}, {@link #writeCr3}, {@link #writeCr4} and
 * {@link #setEfer} (never assign those fields directly once paging may be on); INVLPG calls {@link #invlpg};
 * descriptor-table, TSS and IDT accesses made on the CPU's behalf use {@link #readSupervisor} /
 * {@link #writeSupervisor}.
 */
public final class Mmu {
    static final int TLB_BITS = 10, TLB_SIZE = 1 << TLB_BITS, TLB_MASK = TLB_SIZE - 1;
    static final long PAGE_MASK = ~0xfffL;
    private static final int READ = 0, WRITE = 1, FETCH = 2;

    // page-table entry bits
    static final long PTE_P = 1, PTE_RW = 2, PTE_US = 4, PTE_A = 32, PTE_D = 64, PTE_PS = 128, PTE_G = 256,
            PTE_NX = 1L << 63;
    // #PF error code bits
    public static final int PF_P = 1, PF_W = 2, PF_U = 4, PF_RSVD = 8, PF_ID = 16;
    /** Physical address bits (CPUID 0x80000008, as QEMU's TCG CPUs: 40). */
    public static final int PHYS_BITS = 40;
    /** Address bits of a table entry (51:12); those at or above PHYS_BITS are reserved. */
    private static final long ADDR_MASK = 0x000f_ffff_ffff_f000L;
    private static final long PHYS_RSVD = ADDR_MASK & -(1L << PHYS_BITS);
    private static final long PA_MASK = ADDR_MASK & ((1L << PHYS_BITS) - 1);
    /** Marks a global entry in the meta arrays (beside the leaf's offset mask). */
    private static final long GLOBAL = 1L << 62;

    private final X86Cpu c;

    // ---- TLBs: tag = linear page | user bit (-1 empty); off = host address (or RAM offset) - linear page;
    // meta = the mapping's offset mask (0xfff, 2 MiB - 1, ...) | GLOBAL
    // read and write entries keep tag and off side by side (tag at 2t, off at 2t + 1): a hit reads one cache line
    final long[] rtlb = new long[2 * TLB_SIZE], rmeta = new long[TLB_SIZE];
    final long[] wtlb = new long[2 * TLB_SIZE], wmeta = new long[TLB_SIZE];
    final long[] ftag = new long[TLB_SIZE], foff = new long[TLB_SIZE], fmeta = new long[TLB_SIZE];
    /** The physical page of each write and fetch entry. */
    final long[] wphys = new long[TLB_SIZE], fphys = new long[TLB_SIZE];
    /** What the decoded-code cache attached to each fetch entry (see {@link #fetchCode}); null after a fill. */
    final Object[] fcode = new Object[TLB_SIZE];
    /** Whether any entry is global (else a CR3 write just empties the TLBs). */
    private boolean anyGlobal;
    /** The large pages (linear base, offset mask) entries were filled from since the last full flush (INVLPG). */
    private final long[] largeBase = new long[64], largeMask = new long[64];
    private int largeCount;
    private boolean largeOverflow;
    /**
     * The index {@link #rememberLarge} last found or added: a large page's slices sit in consecutive TLB slots, so a
     * CR3 write's rebuild asks for the same page hundreds of times in a row (valid only below largeCount).
     */
    private int lastLarge;
    /**
     * The TLB slots non-global entries were filled into since the last CR3 write or full flush (repeats allowed):
     * a CR3 write drops just those instead of scanning every slot of the three TLBs and rebuilding the large-page
     * list (a process switch refills tens of pages, and the kernel's global entries stay). Past
     * {@link #NON_GLOBAL_SLOTS} fills, or once a non-global large page was noted, the CR3 write scans as before.
     */
    static final int NON_GLOBAL_SLOTS = 256;
    private final int[] nonGlobalSlots = new int[NON_GLOBAL_SLOTS];
    private int nonGlobalCount;
    private boolean largeNonGlobal;

    /**
     * The RAM the entries point into: with {@link RawMemory} on, an entry's addend gives a host address in any
     * RAM or ROM region and {@link #mem} is only a placeholder; with it off, only the largest RAM region is cached
     * and the addend is an offset into {@link #mem}.
     */
    private MemorySegment mem = MemorySegment.NULL;
    private Region memRegion;

    private CodeWatch code = CodeWatch.NONE;

    // the last walk's leaf (no allocation per walk)
    private long walkMask;
    private boolean walkGlobal;

    Mmu(X86Cpu c) {
        this.c = c;
        Arrays.fill(rtlb, -1);
        Arrays.fill(wtlb, -1);
        Arrays.fill(ftag, -1);
    }

    /** Connects the decoded-code cache (x86core): stores to pages with code reach {@link CodeWatch#written}. */
    public void setCodeWatch(CodeWatch watch) {
        this.code = watch == null ? CodeWatch.NONE : watch;
        dropWriteMappings();
    }

    /** The privilege bit of a tag: 1 at CPL 3 (user), 0 at CPL 0-2 (supervisor). */
    private int key() {
        int p = c.cpl;
        return p >>> 1 & p;
    }

    // ---------------------------------------------------------------- the fast paths

    // The hits read a slot's tag and addend without a range check where RawMemory is on (the index is masked to the
    // TLB's size), and compare the tag with the page of the access's last byte: one compare also sends an access
    // that crosses into the next page to the slow path (slot t never holds the next page, whose slot is t + 1).

    public long read8(long la) {
        int t = (int) (la >>> 12) & TLB_MASK;
        return tag(rtlb, t) == ((la & PAGE_MASK) | key()) ? RawMemory.ld8(mem, 0, la + off(rtlb, t)) & 0xffL
                : readSlow(la, 1, key());
    }

    public long read16(long la) {
        int t = (int) (la >>> 12) & TLB_MASK;
        return tag(rtlb, t) == ((la + 1 & PAGE_MASK) | key())
                ? RawMemory.ld16(mem, 0, la + off(rtlb, t)) & 0xffffL : readSlow(la, 2, key());
    }

    public long read32(long la) {
        int t = (int) (la >>> 12) & TLB_MASK;
        return tag(rtlb, t) == ((la + 3 & PAGE_MASK) | key())
                ? RawMemory.ld32(mem, 0, la + off(rtlb, t)) & 0xffff_ffffL : readSlow(la, 4, key());
    }

    public long read64(long la) {
        int t = (int) (la >>> 12) & TLB_MASK;
        return tag(rtlb, t) == ((la + 7 & PAGE_MASK) | key())
                ? RawMemory.ld64(mem, 0, la + off(rtlb, t)) : readSlow(la, 8, key());
    }

    public void write8(long la, long v) {
        int t = (int) (la >>> 12) & TLB_MASK;
        if (tag(wtlb, t) == ((la & PAGE_MASK) | key())) {
            RawMemory.st8(mem, 0, la + off(wtlb, t), (byte) v);
        } else {
            writeSlow(la, 1, v, key());
        }
    }

    public void write16(long la, long v) {
        int t = (int) (la >>> 12) & TLB_MASK;
        if (tag(wtlb, t) == ((la + 1 & PAGE_MASK) | key())) {
            RawMemory.st16(mem, 0, la + off(wtlb, t), (short) v);
        } else {
            writeSlow(la, 2, v, key());
        }
    }

    public void write32(long la, long v) {
        int t = (int) (la >>> 12) & TLB_MASK;
        if (tag(wtlb, t) == ((la + 3 & PAGE_MASK) | key())) {
            RawMemory.st32(mem, 0, la + off(wtlb, t), (int) v);
        } else {
            writeSlow(la, 4, v, key());
        }
    }

    public void write64(long la, long v) {
        int t = (int) (la >>> 12) & TLB_MASK;
        if (tag(wtlb, t) == ((la + 7 & PAGE_MASK) | key())) {
            RawMemory.st64(mem, 0, la + off(wtlb, t), v);
        } else {
            writeSlow(la, 8, v, key());
        }
    }

    @SuppressWarnings({"removal", "deprecation"})
    private static final long LONG_BASE = sun.misc.Unsafe.ARRAY_LONG_BASE_OFFSET;

    /** The tag of entry {@code t} (below TLB_SIZE) of rtlb or wtlb, without the range check where RawMemory is on. */
    @SuppressWarnings({"removal", "deprecation"})
    private static long tag(long[] tlb, int t) {
        return RawMemory.ENABLED ? RawMemory.U.getLong(tlb, LONG_BASE + ((long) t << 4)) : tlb[2 * t];
    }

    /** The addend of entry {@code t} of rtlb or wtlb (as {@link #tag}). */
    @SuppressWarnings({"removal", "deprecation"})
    private static long off(long[] tlb, int t) {
        return RawMemory.ENABLED ? RawMemory.U.getLong(tlb, LONG_BASE + 8 + ((long) t << 4)) : tlb[2 * t + 1];
    }

    /** An instruction byte at a linear address (execute permission checked; fetch faults have I/D set). */
    public long fetch8(long la) {
        int t = (int) (la >>> 12) & TLB_MASK;
        if (ftag[t] == ((la & PAGE_MASK) | key())) {
            return RawMemory.ld8(mem, 0, la + foff[t]) & 0xffL;
        }
        return fetchSlow(la);
    }

    /**
     * What the decoded-code cache attached to the fetch entry of {@code la} with {@link #rememberCode}, while
     * that entry lives (one compare, no walk); null on a miss: then {@link #fetchPhys} and remember.
     */
    public Object fetchCode(long la) {
        int t = (int) (la >>> 12) & TLB_MASK;
        return ftag[t] == ((la & PAGE_MASK) | key()) ? fcode[t] : null;
    }

    /** Attaches {@code page} to the fetch entry {@link #fetchPhys} just filled for {@code la}. */
    public void rememberCode(long la, Object page) {
        int t = (int) (la >>> 12) & TLB_MASK;
        if (ftag[t] == ((la & PAGE_MASK) | key())) {
            fcode[t] = page;
            c.chainsChanged();
        }
    }

    /** Implicit supervisor-mode reads (GDT, LDT, IDT, TSS) whatever the CPL. {@code size} is 1, 2, 4 or 8. */
    public long readSupervisor(long la, int size) {
        int t = (int) (la >>> 12) & TLB_MASK;
        if (rtlb[2 * t] == (la & PAGE_MASK) && (la & 0xfff) <= 4096 - size) {
            return RawMemory.load(mem, 0, la + rtlb[2 * t + 1], size);
        }
        return readSlow(la, size, 0);
    }

    /** Implicit supervisor-mode writes (descriptor accessed/busy bits, TSS) whatever the CPL. */
    public void writeSupervisor(long la, int size, long v) {
        int t = (int) (la >>> 12) & TLB_MASK;
        if (wtlb[2 * t] == (la & PAGE_MASK) && (la & 0xfff) <= 4096 - size) {
            RawMemory.store(mem, 0, la + wtlb[2 * t + 1], size, v);
        } else {
            writeSlow(la, size, v, 0);
        }
    }

    // ---------------------------------------------------------------- slow paths

    /** The linear address of the page after {@code la}'s (wrapping at 4 GiB outside 64-bit mode). */
    private long nextPage(long la) {
        long n = (la & PAGE_MASK) + 4096;
        return c.codeBits == 64 ? n : n & 0xffff_ffffL;
    }

    private long readSlow(long la, int size, int key) {
        int first = 4096 - (int) (la & 0xfff);
        if (first < size) {
            long la2 = nextPage(la);
            long pa0 = translate(la, READ, key);
            long pa1 = translate(la2, READ, key); // its fault reports the second page's address
            return readPhys(pa0, first) | readPhys(pa1, size - first) << (8 * first);
        }
        long pa = translate(la, READ, key);
        Region r = c.bus.find(pa);
        if (r == null || !r.contains(pa + size - 1)) {
            return readPhys(pa, size); // unassigned or straddling regions: byte by byte
        }
        if (!r.isMemory()) {
            return readDevice(r, pa, size);
        }
        long off = fillOffset(r, pa);
        if (off != Long.MIN_VALUE) {
            int t = (int) (la >>> 12) & TLB_MASK;
            rtlb[2 * t] = (la & PAGE_MASK) | key;
            rtlb[2 * t + 1] = off - (la & PAGE_MASK);
            rmeta[t] = meta(la);
        }
        return GuestRam.readFrom(r.ram().segment(), pa - r.base(), size);
    }

    private void writeSlow(long la, int size, long v, int key) {
        int first = 4096 - (int) (la & 0xfff);
        if (first < size) {
            // both pages are checked before either is written, so a fault leaves memory untouched
            long la2 = nextPage(la);
            long pa0 = translate(la, WRITE, key);
            long pa1 = translate(la2, WRITE, key);
            writePhys(pa0, first, v);
            writePhys(pa1, size - first, v >>> (8 * first));
            return;
        }
        long pa = translate(la, WRITE, key);
        Region r = c.bus.find(pa);
        if (r == null || !r.contains(pa + size - 1)) {
            writePhys(pa, size, v);
            return;
        }
        switch (r.kind()) {
            case RAM -> {
                long off = pa - r.base();
                GuestRam.writeTo(r.ram().segment(), off, size, v);
                r.ram().dirtyLog().markStore(off); // every write entry is filled here, so hits need no mark
                if (code.hasCode(pa)) {
                    code.written(pa, size); // and no write entry while the page has code
                } else {
                    long host = fillOffset(r, pa);
                    if (host != Long.MIN_VALUE) {
                        int t = (int) (la >>> 12) & TLB_MASK;
                        wtlb[2 * t] = (la & PAGE_MASK) | key;
                        wtlb[2 * t + 1] = host - (la & PAGE_MASK);
                        wmeta[t] = meta(la);
                        wphys[t] = pa & PAGE_MASK;
                    }
                }
            }
            case ROM -> {
            } // writes to ROM are dropped
            case MMIO -> {
                writeDevice(r, pa, size, v);
                c.endBlock(); // the device may have raised an interrupt
            }
        }
    }

    private long fetchSlow(long la) {
        long pa = fetchPhys(la);
        Region r = c.bus.find(pa);
        if (r == null) {
            return 0xff;
        }
        return r.isMemory() ? GuestRam.readFrom(r.ram().segment(), pa - r.base(), 1) : readDevice(r, pa, 1);
    }

    /**
     * The physical address an instruction fetch at {@code la} reads, with the execute checks (a #PF with I/D
     * where the paging mode has NX): from the fetch TLB, or a walk that fills it for RAM and ROM.
     */
    public long fetchPhys(long la) {
        int key = key();
        int t = (int) (la >>> 12) & TLB_MASK;
        if (ftag[t] == ((la & PAGE_MASK) | key)) {
            return fphys[t] | (la & 0xfff);
        }
        long pa = translate(la, FETCH, key);
        Region r = c.bus.find(pa);
        if (r != null && r.isMemory()) {
            long off = fillOffset(r, pa);
            if (off != Long.MIN_VALUE) {
                ftag[t] = (la & PAGE_MASK) | key;
                foff[t] = off - (la & PAGE_MASK);
                fmeta[t] = meta(la);
                fphys[t] = pa & PAGE_MASK;
                fcode[t] = null;
                c.chainsChanged(); // the entry may have held another page
            }
        }
        return pa;
    }

    /** The addend base for an entry on RAM/ROM page {@code pa} of {@code r}, or MIN_VALUE if not cacheable. */
    private long fillOffset(Region r, long pa) {
        if (RawMemory.ENABLED) {
            return r.ram().segment().address() + ((pa & PAGE_MASK) - r.base());
        }
        if (memRegion == null) {
            for (Region x : c.bus.regions()) {
                if (x.kind() == Region.Kind.RAM && (memRegion == null || x.size() > memRegion.size())) memRegion = x;
            }
            if (memRegion != null) mem = memRegion.ram().segment();
        }
        return r == memRegion ? (pa & PAGE_MASK) - r.base() : Long.MIN_VALUE;
    }

    /** The meta word of an entry filled for {@code la} from the last walk, noting what a CR3 write must drop. */
    private long meta(long la) {
        long m = walkMask | (walkGlobal ? GLOBAL : 0);
        if (walkMask != 0xfff) {
            rememberLarge(la & ~walkMask, walkMask);
            largeNonGlobal |= !walkGlobal;
        }
        if (walkGlobal) {
            anyGlobal = true;
        } else if (nonGlobalCount < NON_GLOBAL_SLOTS) {
            nonGlobalSlots[nonGlobalCount++] = (int) (la >>> 12) & TLB_MASK;
        } else {
            nonGlobalCount = NON_GLOBAL_SLOTS + 1; // past the array (and never wrapping): the CR3 write scans
        }
        return m;
    }

    /**
     * Reads {@code n} (1-8) bytes of physical memory, byte by byte where regions end or {@code n} is not a power of
     * two (one page's part of a crossing access); nothing there reads 0xff.
     */
    private long readPhys(long pa, int n) {
        Region r = c.bus.find(pa);
        if (r != null && r.contains(pa + n - 1) && (n & (n - 1)) == 0) {
            return r.isMemory() ? GuestRam.readFrom(r.ram().segment(), pa - r.base(), n) : readDevice(r, pa, n);
        }
        long v = 0;
        for (int i = 0; i < n; i++) {
            Region b = c.bus.find(pa + i);
            long x = b == null ? 0xff
                    : b.isMemory() ? GuestRam.readFrom(b.ram().segment(), pa + i - b.base(), 1) : readDevice(b, pa + i, 1);
            v |= (x & 0xff) << (8 * i);
        }
        return v;
    }

    /** Writes {@code n} (1-8) bytes of physical memory (one page's part of an access, or a PTE update). */
    private void writePhys(long pa, int n, long v) {
        Region r = c.bus.find(pa);
        if (r != null && r.contains(pa + n - 1) && (n & (n - 1)) == 0) {
            writeRegion(r, pa, n, v);
            return;
        }
        for (int i = 0; i < n; i++) {
            Region b = c.bus.find(pa + i);
            if (b != null) {
                writeRegion(b, pa + i, 1, v >>> (8 * i));
            }
        }
    }

    private void writeRegion(Region r, long pa, int n, long v) {
        switch (r.kind()) {
            case RAM -> {
                GuestRam.writeTo(r.ram().segment(), pa - r.base(), n, v);
                r.ram().dirtyLog().markStore(pa - r.base());
                if (code.hasCode(pa)) {
                    code.written(pa, n);
                }
            }
            case ROM -> {
            }
            case MMIO -> {
                writeDevice(r, pa, n, v);
                c.endBlock();
            }
        }
    }

    private long readDevice(Region r, long pa, int size) {
        c.interruptsMayChange(); // a read may acknowledge a device's interrupt
        long v;
        try {
            v = r.device().read(pa - r.base(), size);
        } catch (BusError e) {
            v = -1; // the device does not answer: all ones, as on a PC bus
        }
        return size == 8 ? v : v & ((1L << (8 * size)) - 1);
    }

    private void writeDevice(Region r, long pa, int size, long v) {
        c.interruptsMayChange();
        try {
            r.device().write(pa - r.base(), size, size == 8 ? v : v & ((1L << (8 * size)) - 1));
        } catch (BusError e) {
            // dropped, as on a PC bus
        }
    }

    // ---------------------------------------------------------------- the page walk

    /** A page-table entry (4 or 8 bytes) at physical {@code pa}; all ones where nothing answers. */
    private long readEntry(long pa, int size) {
        return readPhys(pa, size);
    }

    /**
     * Translates {@code la} for an access of {@code kind} at privilege {@code key} (1 user) into a physical
     * address: the permission checks, A/D updates and #PF (or #GP for a non-canonical address in long mode).
     * Leaves the leaf's offset mask and G bit in walkMask/walkGlobal.
     */
    private long translate(long la, int kind, int key) {
        if (X86Stats.ON) {
            X86Stats.walks[kind]++;
        }
        long cr0 = c.cr0;
        walkGlobal = false;
        walkMask = 0xfff;
        if ((cr0 & X86Cpu.CR0_PG) == 0) {
            return la & 0xffff_ffffL;
        }
        long cr4 = c.cr4, efer = c.efer;
        boolean user = key != 0;
        if ((cr4 & X86Cpu.CR4_PAE) == 0) {
            return walk32(la & 0xffff_ffffL, kind, user, cr0, cr4);
        }
        boolean nxe = (efer & X86Cpu.EFER_NXE) != 0;
        // bits reserved in every PAE/long-mode entry: address bits above PHYS_BITS, and NX without EFER.NXE
        long rsvd = PHYS_RSVD | (nxe ? 0 : PTE_NX);
        long table;
        long acc = PTE_RW | PTE_US; // R/W and U/S of every level so far, ANDed
        boolean nx = false;
        int level; // the level the walk continues at: 4 = PML4, 3 = PDPT, 2 = PD, 1 = PT
        if ((efer & X86Cpu.EFER_LMA) != 0) {
            if (la << 16 >> 16 != la) {
                throw c.fault(Vectors.GP, 0); // a non-canonical address (QEMU raises #GP(0) too)
            }
            table = c.cr3 & PA_MASK;
            level = 4;
        } else {
            // PAE: the four PDPTEs, indexed by bits 31:30 (bits 2:1, 8:5 and 63:PHYS_BITS reserved, NX too)
            long a = (c.cr3 & 0xffff_ffe0L) | (la >>> 30 & 3) << 3;
            long e = readEntry(a, 8);
            if ((e & PTE_P) == 0) {
                throw pageFault(la, kind, user, efer, cr4, 0);
            }
            if ((e & (PHYS_RSVD | PTE_NX | 0x1e6L | 0x7ff0_0000_0000_0000L)) != 0) {
                throw pageFault(la, kind, user, efer, cr4, PF_P | PF_RSVD);
            }
            table = e & PA_MASK;
            level = 2;
        }
        while (true) {
            int shift = 12 + 9 * (level - 1);
            long a = table | (la >>> shift & 0x1ff) << 3;
            long e = readEntry(a, 8);
            if ((e & PTE_P) == 0) {
                throw pageFault(la, kind, user, efer, cr4, 0);
            }
            if ((e & rsvd) != 0) {
                throw pageFault(la, kind, user, efer, cr4, PF_P | PF_RSVD);
            }
            boolean leaf = level == 1 || (e & PTE_PS) != 0;
            if (leaf && level == 4) {
                throw pageFault(la, kind, user, efer, cr4, PF_P | PF_RSVD); // no pages of 512 GiB
            }
            if (leaf) {
                long mask = (1L << shift) - 1;
                if (level == 3 && !c.model.has(CpuFeature.PDPE1GB)) {
                    throw pageFault(la, kind, user, efer, cr4, PF_P | PF_RSVD); // PS is reserved without 1 GiB pages
                }
                if (level > 1 && (e & mask & ~0x1fffL) != 0) { // a large page's address bits below its size, bar PAT
                    throw pageFault(la, kind, user, efer, cr4, PF_P | PF_RSVD);
                }
                acc &= e;
                nx |= (e & PTE_NX) != 0;
                check(la, kind, user, acc, nx && nxe, cr0, cr4, efer);
                setAccessedDirty(a, e, kind == WRITE);
                walkMask = mask;
                walkGlobal = (e & PTE_G) != 0 && (cr4 & X86Cpu.CR4_PGE) != 0;
                return (e & PA_MASK & ~mask) | (la & mask);
            }
            setAccessed(a, e);
            acc &= e;
            nx |= (e & PTE_NX) != 0;
            table = e & PA_MASK;
            level--;
        }
    }

    /** 32-bit paging: a page directory of 1024 4-byte entries; 4 MiB pages with CR4.PSE (PSE-36 addresses). */
    private long walk32(long la, int kind, boolean user, long cr0, long cr4) {
        long efer = c.efer;
        long pdeAddr = (c.cr3 & 0xffff_f000L) | (la >>> 22) << 2;
        long pde = readEntry(pdeAddr, 4);
        if ((pde & PTE_P) == 0) {
            throw pageFault(la, kind, user, efer, cr4, 0);
        }
        if ((pde & PTE_PS) != 0 && (cr4 & X86Cpu.CR4_PSE) != 0) {
            if ((pde & (1 << 21)) != 0) { // bit 21 is reserved; 20:13 are physical address bits 39:32
                throw pageFault(la, kind, user, efer, cr4, PF_P | PF_RSVD);
            }
            check(la, kind, user, pde, false, cr0, cr4, efer);
            setAccessedDirty(pdeAddr, pde, kind == WRITE);
            walkMask = 0x3f_ffff;
            walkGlobal = (pde & PTE_G) != 0 && (cr4 & X86Cpu.CR4_PGE) != 0;
            return (pde & 0xffc0_0000L) | (pde & 0x1f_e000L) << 19 | (la & 0x3f_ffff);
        }
        setAccessed(pdeAddr, pde);
        long pteAddr = (pde & 0xffff_f000L) | (la >>> 12 & 0x3ff) << 2;
        long pte = readEntry(pteAddr, 4);
        if ((pte & PTE_P) == 0) {
            throw pageFault(la, kind, user, efer, cr4, 0);
        }
        check(la, kind, user, pde & pte, false, cr0, cr4, efer);
        setAccessedDirty(pteAddr, pte, kind == WRITE);
        walkGlobal = (pte & PTE_G) != 0 && (cr4 & X86Cpu.CR4_PGE) != 0;
        return (pte & 0xffff_f000L) | (la & 0xfff);
    }

    /**
     * The permission check of a translated access (SDM 4.6): {@code acc} holds R/W and U/S ANDed over the levels.
     * User accesses need U/S, user writes R/W; supervisor writes need R/W only with CR0.WP; fetches need no NX.
     */
    private void check(long la, int kind, boolean user, long acc, boolean nx, long cr0, long cr4, long efer) {
        boolean ok;
        if (user && (acc & PTE_US) == 0) {
            ok = false;
        } else if (kind == WRITE) {
            ok = (acc & PTE_RW) != 0 || (!user && (cr0 & X86Cpu.CR0_WP) == 0);
        } else {
            ok = kind != FETCH || !nx;
        }
        if (!ok) {
            throw pageFault(la, kind, user, efer, cr4, PF_P);
        }
    }

    private void setAccessed(long a, long e) {
        if ((e & PTE_A) == 0) {
            writePhys(a, 4, e | PTE_A); // A (bit 5) and D (bit 6) are in the low dword
        }
    }

    private void setAccessedDirty(long a, long e, boolean write) {
        long need = PTE_A | (write ? PTE_D : 0);
        if ((e & need) != need) {
            writePhys(a, 4, e | need);
        }
    }

    /** Records CR2 and returns the #PF to throw; {@code bits} holds P and RSVD, the access adds W, U and I/D. */
    private X86Exception pageFault(long la, int kind, boolean user, long efer, long cr4, int bits) {
        int err = bits | (kind == WRITE ? PF_W : 0) | (user ? PF_U : 0);
        // I/D is reported where the paging mode has execute-disable (PAE or long mode with EFER.NXE)
        if (kind == FETCH && (efer & X86Cpu.EFER_NXE) != 0 && (cr4 & X86Cpu.CR4_PAE) != 0) {
            err |= PF_ID;
        }
        c.cr2 = la;
        return c.fault(Vectors.PF, err);
    }

    // ---------------------------------------------------------------- control registers and TLB maintenance

    /** MOV to CR0 (after the caller's checks): a change of PG, WP or PE drops every translation. */
    public void writeCr0(long v) {
        long old = c.cr0;
        c.cr0 = v;
        if (((old ^ v) & (X86Cpu.CR0_PG | X86Cpu.CR0_WP | X86Cpu.CR0_PE)) != 0) {
            flushTlb();
        }
    }

    /** MOV to CR3: drops every non-global translation (all of them if CR4.PGE is clear). */
    public void writeCr3(long v) {
        c.cr3 = v;
        flushNonGlobal();
    }

    /** MOV to CR4 (after the caller's checks): a change of PGE, PAE, PSE or PCIDE drops every translation. */
    public void writeCr4(long v) {
        long old = c.cr4;
        c.cr4 = v;
        if (((old ^ v) & (X86Cpu.CR4_PGE | X86Cpu.CR4_PAE | X86Cpu.CR4_PSE | X86Cpu.CR4_PCIDE)) != 0) {
            flushTlb();
        }
    }

    /** EFER changed (WRMSR, or LMA set or cleared with paging): NXE, LME or LMA changes drop every translation. */
    public void setEfer(long v) {
        long old = c.efer;
        c.efer = v;
        if (((old ^ v) & (X86Cpu.EFER_NXE | X86Cpu.EFER_LME | X86Cpu.EFER_LMA)) != 0) {
            flushTlb();
        }
    }

    /** Drops every translation, global ones too (reset, state load, paging mode changes). */
    public void flushTlb() {
        if (X86Stats.ON) {
            X86Stats.tlbFlushes++;
        }
        Arrays.fill(rtlb, -1);
        Arrays.fill(wtlb, -1);
        Arrays.fill(ftag, -1);
        Arrays.fill(fcode, null);
        c.chainsChanged();
        anyGlobal = false;
        largeCount = 0;
        largeOverflow = false;
        nonGlobalCount = 0;
        largeNonGlobal = false;
        memRegion = null;
        mem = MemorySegment.NULL;
    }

    /** What a CR3 write drops: every entry that is not global. */
    void flushNonGlobal() {
        if (X86Stats.ON) {
            X86Stats.cr3Flushes++;
        }
        c.chainsChanged();
        if (!anyGlobal) {
            flushTlb();
            return;
        }
        if (nonGlobalCount <= NON_GLOBAL_SLOTS && !largeNonGlobal) {
            // only the noted slots can hold non-global entries; the large-page list holds global pages only
            for (int i = 0; i < nonGlobalCount; i++) {
                int t = nonGlobalSlots[i];
                if ((rmeta[t] & GLOBAL) == 0) rtlb[2 * t] = -1;
                if ((wmeta[t] & GLOBAL) == 0) wtlb[2 * t] = -1;
                if ((fmeta[t] & GLOBAL) == 0) ftag[t] = -1;
            }
            nonGlobalCount = 0;
            return;
        }
        largeCount = 0; // rebuilt from the global large-page entries that stay
        largeOverflow = false;
        dropNonGlobal(rtlb, 2, rmeta);
        dropNonGlobal(wtlb, 2, wmeta);
        dropNonGlobal(ftag, 1, fmeta);
        nonGlobalCount = 0;
        largeNonGlobal = false;
    }

    /** Drops the non-global entries of one TLB whose tag of entry i is {@code tags[i * stride]}. */
    private void dropNonGlobal(long[] tags, int stride, long[] meta) {
        for (int i = 0; i < TLB_SIZE; i++) {
            long tag = tags[i * stride];
            if (tag == -1) {
                continue;
            }
            long mask = meta[i] & ~GLOBAL;
            if ((meta[i] & GLOBAL) == 0) {
                tags[i * stride] = -1;
            } else if (mask != 0xfff) {
                rememberLarge(tag & ~mask, mask);
            }
        }
    }

    /**
     * INVLPG: drops the translations of the page containing {@code la}, global or not, whatever its size (for a
     * large page, every 4 KiB slice of it the TLBs hold).
     */
    public void invlpg(long la) {
        c.chainsChanged();
        int t = (int) (la >>> 12) & TLB_MASK;
        rtlb[2 * t] = -1;
        wtlb[2 * t] = -1;
        ftag[t] = -1;
        boolean inLarge = largeOverflow;
        for (int i = 0; i < largeCount && !inLarge; i++) {
            inLarge = ((la ^ largeBase[i]) & ~largeMask[i]) == 0;
        }
        if (inLarge) {
            dropCovering(rtlb, 2, rmeta, la);
            dropCovering(wtlb, 2, wmeta, la);
            dropCovering(ftag, 1, fmeta, la);
        }
    }

    private static void dropCovering(long[] tags, int stride, long[] meta, long la) {
        for (int i = 0; i < TLB_SIZE; i++) {
            long tag = tags[i * stride];
            if (tag != -1 && ((tag ^ la) & PAGE_MASK & ~(meta[i] & ~GLOBAL)) == 0) tags[i * stride] = -1;
        }
    }

    /** Notes a large page an entry was filled from, so that INVLPG inside it finds all its slices. */
    private void rememberLarge(long base, long mask) {
        int last = lastLarge;
        if (last < largeCount && largeBase[last] == base && largeMask[last] == mask) {
            return;
        }
        for (int i = 0; i < largeCount; i++) {
            if (largeBase[i] == base && largeMask[i] == mask) {
                lastLarge = i;
                return;
            }
        }
        if (largeCount == largeBase.length) {
            largeOverflow = true; // every INVLPG scans until the next full flush
            return;
        }
        lastLarge = largeCount;
        largeBase[largeCount] = base;
        largeMask[largeCount++] = mask;
    }

    /** Live migration took the dirty log: stores must mark pages again, so no write entry may stay. */
    public void dropWriteMappings() {
        Arrays.fill(wtlb, -1);
    }

    /**
     * The decoded-code cache began caching code of the physical page holding {@code pa}: write entries for that
     * page are dropped so that every store to it reaches {@link CodeWatch#written}.
     */
    public void codePageDecoded(long pa) {
        long page = pa & PAGE_MASK;
        for (int i = 0; i < TLB_SIZE; i++) {
            if (wtlb[2 * i] != -1 && wphys[i] == page) wtlb[2 * i] = -1;
        }
    }

    // ---------------------------------------------------------------- page runs of REP MOVS/STOS (RepRuns)

    /**
     * The host address of linear {@code la} for a REP string instruction that accesses bytes [{@code lo},
     * {@code lo + len}) of la's page in one go: translated as an element access at {@code la} would be (the
     * permission checks, the A/D bits, #PF with CR2 = la), from the TLB or by a walk. 0 where the run must go element
     * by element: the page is not RAM (ROM is RAM to a read), or {@link RawMemory} is off. For a store the run is
     * marked in the dirty log and dropped from the decoded code here (a write entry's page has neither to do); the
     * caller then stores the whole run.
     */
    long runHost(long la, int lo, int len, boolean write) {
        if (!RawMemory.ENABLED) {
            return 0;
        }
        int key = key();
        int t = (int) (la >>> 12) & TLB_MASK;
        long tag = (la & PAGE_MASK) | key;
        if (write ? wtlb[2 * t] == tag : rtlb[2 * t] == tag) {
            return la + (write ? wtlb[2 * t + 1] : rtlb[2 * t + 1]);
        }
        long pa = translate(la, write ? WRITE : READ, key);
        long page = pa & PAGE_MASK;
        Region r = c.bus.find(page);
        if (r == null || !r.contains(page + 4095) || (write ? r.kind() != Region.Kind.RAM : !r.isMemory())) {
            return 0;
        }
        if (write) {
            r.ram().dirtyLog().markStore(page - r.base() + lo, len);
            if (code.hasCode(page)) {
                code.written(page + lo, len);
            }
        }
        return r.ram().segment().address() + (pa - r.base());
    }
}
