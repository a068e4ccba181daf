package dev.jemu.arm.cpu;

import dev.jemu.core.memory.BusError;
import dev.jemu.core.memory.GuestRam;
import dev.jemu.core.memory.RawMemory;
import dev.jemu.core.memory.Region;
import java.lang.foreign.MemorySegment;
import java.util.Arrays;

/**
 * Address translation and data access for one {@link ArmCpu}: the VMSAv8-64 stage-1 walk of the EL1&0 regime
 * (4 KiB and 64 KiB granules), the TLBs, alignment and permission checks, and the aborts they raise.
 *
 * <p>TLBs: direct-mapped software TLBs per access kind (read, write, fetch), each entry one 4 KiB slice of a
 * page or block that maps Normal RAM, tagged with the virtual page (all 64 bits) and a key: bit 0 the
 * unprivileged (EL0) permissions, bits 5:1 a context slot standing for an ASID (0: the MMU is off). Switching
 * ASID picks or recycles a slot, so the entries of a recently used ASID survive a switch and back (KPTI
 * switches on every kernel entry). Read and write entries hold the offset from the virtual address into the
 * RAM segment, so a hit is one compare and one memory access. Device memory, MMIO, page-crossing and
 * alignment-checked accesses take the slow path. A page holding decoded code never has a write entry
 * ({@link CodeCache} tells us when one is decoded), so stores to code reach {@link CodeCache#written}.
 */
public final class Mmu {
    static final int TLB_BITS = 10, TLB_SIZE = 1 << TLB_BITS, TLB_MASK = TLB_SIZE - 1;
    static final long PAGE_MASK = ~0xfffL;
    private static final int UNPRIV = 1, CONTEXTS = 32;
    private static final int READ = 0, WRITE = 1, FETCH = 2;
    // fault status codes (DFSC/IFSC; the level is added to the first four)
    static final int FSC_ADDRESS_SIZE = 0x00, FSC_TRANSLATION = 0x04, FSC_ACCESS_FLAG = 0x08,
            FSC_PERMISSION = 0x0c, FSC_EXTERNAL = 0x10, FSC_WALK_EXTERNAL = 0x14, FSC_ALIGNMENT = 0x21;
    private static final int[] PA_BITS = {32, 36, 40, 42, 44, 48, 52, 52};

    private final ArmCpu c;

    // ---- TLBs: tag = virtual page | key, -1 when empty; leaf = the mapping's size - 1 (for TLBI by VA)
    final long[] rtag = new long[TLB_SIZE], roff = new long[TLB_SIZE], rleaf = new long[TLB_SIZE];
    final long[] wtag = new long[TLB_SIZE], woff = new long[TLB_SIZE], wleaf = new long[TLB_SIZE];
    final long[] wphys = new long[TLB_SIZE];
    final long[] ftag = new long[TLB_SIZE], fphys = new long[TLB_SIZE], fleaf = new long[TLB_SIZE];
    /** The decoded page of each fetch entry (null until the run loop looked it up; see {@link #fetchPage}). */
    final CodeCache.Page[] fpage = new CodeCache.Page[TLB_SIZE];
    /** The key of the current EL's accesses. */
    long key;
    /** Mixed into the TLB index per context slot, so one address in two ASIDs lands in two entries. */
    long salt;
    private int context;
    private final int[] contextAsid = new int[CONTEXTS];
    private int nextContext = 1;

    /** The RAM the read/write TLBs point into (the largest RAM region), found on first use. */
    private Region memRegion;
    private MemorySegment mem = MemorySegment.NULL;
    /** The host address of {@link #mem} (for {@link RawMemory}'s plain accesses). */
    long memBase;

    // ---- the result of the last walk (no allocation per walk)
    private long walkPa, walkLeaf;
    private int walkAttr, walkPerms, walkLevel, walkFault, walkShare;
    private static final int PERM_R = 1, PERM_W = 2, PERM_X = 4;

    Mmu(ArmCpu c) {
        this.c = c;
        c.code.register(c);
        Arrays.fill(rtag, -1);
        Arrays.fill(wtag, -1);
        Arrays.fill(ftag, -1);
    }

    // ---------------------------------------------------------------- TLB indexing

    /**
     * The TLB index of {@code va} under a context slot's {@code salt} (BlockEmitter.tlbCheck emits the same
     * formula into compiled blocks).
     */
    static int index(long va, long salt) {
        return (int) ((va >>> 12) ^ salt) & TLB_MASK;
    }

    /** The salt of a context slot. */
    private static long saltOf(int context) {
        return context * 0x9dL;
    }

    /** The TLB index of {@code va} in the current context. */
    private int slot(long va) {
        return index(va, salt);
    }

    // ---------------------------------------------------------------- data access (the fast paths)

    /** Loads {@code size} (1, 2, 4, 8) bytes at virtual {@code va}, zero-extended; aborts are thrown. */
    public long read(long va, int size) {
        int t = slot(va);
        if (rtag[t] == ((va & PAGE_MASK) | key) && (va & 0xfff) <= 4096 - size) {
            return RawMemory.load(mem, memBase, va + roff[t], size);
        }
        return readSlow(va, size, key);
    }

    public void write(long va, int size, long value) {
        int t = slot(va);
        if (wtag[t] == ((va & PAGE_MASK) | key) && (va & 0xfff) <= 4096 - size) {
            RawMemory.store(mem, memBase, va + woff[t], size, value);
        } else {
            writeSlow(va, size, value, key);
        }
    }

    // One method per size: the hot paths of ArmCpu.read8..write64, with the size a constant and the RAM access a
    // plain host access (RawMemory): the interpreter's loads and stores are most of a boot's memory traffic.

    long read8(long va) {
        int t = slot(va);
        return rtag[t] == ((va & PAGE_MASK) | key) ? RawMemory.ld8(mem, memBase, va + roff[t]) & 0xffL
                : readSlow(va, 1, key);
    }

    long read16(long va) {
        int t = slot(va);
        return rtag[t] == ((va & PAGE_MASK) | key) && (va & 0xfff) <= 4094
                ? RawMemory.ld16(mem, memBase, va + roff[t]) & 0xffffL : readSlow(va, 2, key);
    }

    long read32(long va) {
        int t = slot(va);
        return rtag[t] == ((va & PAGE_MASK) | key) && (va & 0xfff) <= 4092
                ? RawMemory.ld32(mem, memBase, va + roff[t]) & 0xffff_ffffL : readSlow(va, 4, key);
    }

    long read64(long va) {
        int t = slot(va);
        return rtag[t] == ((va & PAGE_MASK) | key) && (va & 0xfff) <= 4088
                ? RawMemory.ld64(mem, memBase, va + roff[t]) : readSlow(va, 8, key);
    }

    void write8(long va, long value) {
        int t = slot(va);
        if (wtag[t] == ((va & PAGE_MASK) | key)) {
            RawMemory.st8(mem, memBase, va + woff[t], (byte) value);
        } else {
            writeSlow(va, 1, value, key);
        }
    }

    void write16(long va, long value) {
        int t = slot(va);
        if (wtag[t] == ((va & PAGE_MASK) | key) && (va & 0xfff) <= 4094) {
            RawMemory.st16(mem, memBase, va + woff[t], (short) value);
        } else {
            writeSlow(va, 2, value, key);
        }
    }

    void write32(long va, long value) {
        int t = slot(va);
        if (wtag[t] == ((va & PAGE_MASK) | key) && (va & 0xfff) <= 4092) {
            RawMemory.st32(mem, memBase, va + woff[t], (int) value);
        } else {
            writeSlow(va, 4, value, key);
        }
    }

    void write64(long va, long value) {
        int t = slot(va);
        if (wtag[t] == ((va & PAGE_MASK) | key) && (va & 0xfff) <= 4088) {
            RawMemory.st64(mem, memBase, va + woff[t], value);
        } else {
            writeSlow(va, 8, value, key);
        }
    }

    /** LDTR/STTR and friends: the access as EL0 would make it (at EL0, or at EL1 as if from EL0). */
    public long readUnprivileged(long va, int size) {
        long k = key | UNPRIV;
        int t = slot(va);
        if (rtag[t] == ((va & PAGE_MASK) | k) && (va & 0xfff) <= 4096 - size) {
            return RawMemory.load(mem, memBase, va + roff[t], size);
        }
        return readSlow(va, size, k);
    }

    public void writeUnprivileged(long va, int size, long value) {
        long k = key | UNPRIV;
        int t = slot(va);
        if (wtag[t] == ((va & PAGE_MASK) | k) && (va & 0xfff) <= 4096 - size) {
            RawMemory.store(mem, memBase, va + woff[t], size, value);
        } else {
            writeSlow(va, size, value, k);
        }
    }

    private static long readMem(MemorySegment seg, long off, int size) {
        return GuestRam.readFrom(seg, off, size);
    }

    private static void writeMem(MemorySegment seg, long off, int size, long v) {
        GuestRam.writeTo(seg, off, size, v);
    }

    // ---------------------------------------------------------------- slow paths

    private long readSlow(long va, int size, long k) {
        boolean unpriv = (k & UNPRIV) != 0;
        checkAlignment(va, size, false);
        if ((va & 0xfff) + size > 4096) {
            long pa0 = translateData(va, false, unpriv, size);
            long pa1 = translateData((va + size) & PAGE_MASK, false, unpriv, 1);
            int first = (int) (4096 - (va & 0xfff));
            long lo = readPhys(va, pa0, first);
            long hi = readPhys(va, pa1, size - first);
            return lo | hi << (8 * first);
        }
        long pa = translateData(va, false, unpriv, size);
        boolean normal = walkNormal();
        Region r = region(va, pa, size, false);
        if (r.isMemory()) {
            if (normal && r == ram()) {
                int t = slot(va);
                rtag[t] = (va & PAGE_MASK) | k;
                roff[t] = (pa & PAGE_MASK) - r.base() - (va & PAGE_MASK);
                rleaf[t] = walkLeaf;
                noteLeaf(va, walkLeaf);
            }
            return readMem(r.ram().segment(), pa - r.base(), size);
        }
        return readDevice(va, r, pa, size);
    }

    private void writeSlow(long va, int size, long v, long k) {
        boolean unpriv = (k & UNPRIV) != 0;
        checkAlignment(va, size, true);
        if ((va & 0xfff) + size > 4096) {
            // both pages are checked first so a fault leaves memory untouched
            long pa0 = translateData(va, true, unpriv, size);
            long pa1 = translateData((va + size) & PAGE_MASK, true, unpriv, 1);
            int first = (int) (4096 - (va & 0xfff));
            writePhys(va, pa0, first, v);
            writePhys(va, pa1, size - first, v >>> (8 * first));
            return;
        }
        long pa = translateData(va, true, unpriv, size);
        boolean normal = walkNormal();
        Region r = region(va, pa, size, true);
        switch (r.kind()) {
            case RAM -> {
                long page = pa & PAGE_MASK;
                if (c.code.hasCode(page)) {
                    c.codeWritten(pa); // decoded code there is dropped; no write entry while it has code
                } else if (normal && r == ram()) {
                    int t = slot(va);
                    wtag[t] = (va & PAGE_MASK) | k;
                    woff[t] = page - r.base() - (va & PAGE_MASK);
                    wleaf[t] = walkLeaf;
                    noteLeaf(va, walkLeaf);
                    wphys[t] = page;
                }
                writeMem(r.ram().segment(), pa - r.base(), size, v);
                r.ram().dirtyLog().markStore(pa - r.base()); // every write entry is filled here, so hits need no mark
            }
            case ROM -> {
            } // ignored, as QEMU does
            default -> {
                try {
                    r.device().write(pa - r.base(), size, v);
                } catch (BusError e) {
                    throw dataAbort(va, true, FSC_EXTERNAL);
                }
                c.endBlock(); // the device may have raised an interrupt
            }
        }
    }

    /** Byte-wise access to one page's part of a page-crossing access (Normal memory or a device). */
    private long readPhys(long va, long pa, int n) {
        long v = 0;
        for (int i = 0; i < n; i++) {
            Region r = region(va, pa + i, 1, false);
            long b = r.isMemory() ? readMem(r.ram().segment(), pa + i - r.base(), 1) : readDevice(va, r, pa + i, 1);
            v |= (b & 0xff) << (8 * i);
        }
        return v;
    }

    private void writePhys(long va, long pa, int n, long v) {
        for (int i = 0; i < n; i++) {
            Region r = region(va, pa + i, 1, true);
            switch (r.kind()) {
                case RAM -> {
                    if (c.code.hasCode(pa + i)) c.codeWritten(pa + i);
                    writeMem(r.ram().segment(), pa + i - r.base(), 1, v >>> (8 * i));
                    r.ram().dirtyLog().markStore(pa + i - r.base());
                }
                case ROM -> {
                }
                default -> {
                    try {
                        r.device().write(pa + i - r.base(), 1, v >>> (8 * i) & 0xff);
                    } catch (BusError e) {
                        throw dataAbort(va, true, FSC_EXTERNAL);
                    }
                    c.endBlock();
                }
            }
        }
    }

    private long readDevice(long va, Region r, long pa, int size) {
        try {
            long v = r.device().read(pa - r.base(), size);
            return size == 8 ? v : v & ((1L << (8 * size)) - 1);
        } catch (BusError e) {
            throw dataAbort(va, false, FSC_EXTERNAL);
        }
    }

    private Region region(long va, long pa, int size, boolean write) {
        Region r = c.bus.find(pa);
        if (r == null || !r.contains(pa + size - 1)) {
            throw dataAbort(va, write, FSC_EXTERNAL);
        }
        return r;
    }

    private Region ram() {
        if (memRegion == null) {
            for (Region r : c.bus.regions()) {
                if (r.kind() == Region.Kind.RAM && (memRegion == null || r.size() > memRegion.size())) memRegion = r;
            }
            if (memRegion != null) {
                mem = memRegion.ram().segment();
                memBase = RawMemory.ENABLED ? mem.address() : 0;
            }
        }
        return memRegion;
    }

    /** SCTLR_EL1.A: every unaligned data access faults (checked before translation). */
    private void checkAlignment(long va, int size, boolean write) {
        if ((va & (size - 1)) != 0 && (c.sysregs.sctlr & SysRegs.SCTLR_A) != 0) {
            throw alignmentFault(va, write);
        }
    }

    /** Whether the last walk's memory is Normal; an unaligned access to Device memory is an alignment fault. */
    private boolean walkNormal() {
        long sctlr = c.sysregs.sctlr;
        return ((walkAttr & 0xf0) != 0 || (sctlr & SysRegs.SCTLR_M) == 0) && (sctlr & SysRegs.SCTLR_A) == 0;
    }

    /** The physical address of a data access, with the permission and Device-alignment checks. */
    private long translateData(long va, boolean write, boolean unpriv, int size) {
        if (!walk(va, unpriv, false)) {
            throw dataAbort(va, write, walkFault);
        }
        if ((walkPerms & (write ? PERM_W : PERM_R)) == 0) {
            throw dataAbort(va, write, FSC_PERMISSION + walkLevel);
        }
        if ((walkAttr & 0xf0) == 0 && (va & (size - 1)) != 0 && (c.sysregs.sctlr & SysRegs.SCTLR_M) != 0) {
            throw alignmentFault(va, write); // Device memory (QEMU 7.2 makes no such check with the MMU off)
        }
        return walkPa;
    }

    // ---------------------------------------------------------------- instruction side

    /** The physical address of an instruction fetch at {@code va}. */
    long translateFetch(long va) {
        c.exceptions.checkIllegalState();
        int t = slot(va);
        if (ftag[t] == ((va & PAGE_MASK) | key)) {
            return fphys[t] | (va & 0xfff);
        }
        boolean unpriv = c.el == 0;
        if (!walk(va, unpriv, true)) {
            throw instructionAbort(va, walkFault);
        }
        if ((walkPerms & PERM_X) == 0) {
            throw instructionAbort(va, FSC_PERMISSION + walkLevel);
        }
        ftag[t] = (va & PAGE_MASK) | key;
        fphys[t] = walkPa & PAGE_MASK;
        fleaf[t] = walkLeaf;
        noteLeaf(va, walkLeaf);
        fpage[t] = null;
        return walkPa;
    }

    /**
     * The decoded page an instruction fetch at {@code va} runs from, when the fetch TLB has it and it is still
     * valid (a hit is one tag compare, no walk, no code cache lookup); null otherwise, and the caller takes
     * {@link #translateFetch} and then {@link #rememberPage}.
     */
    CodeCache.Page fetchPage(long va) {
        int t = slot(va);
        if (ftag[t] == ((va & PAGE_MASK) | key)) {
            CodeCache.Page p = fpage[t];
            if (p != null && p.valid) return p;
        }
        return null;
    }

    /** Remembers the decoded page of the fetch entry that {@link #translateFetch} just returned for {@code va}. */
    void rememberPage(long va, CodeCache.Page page) {
        int t = slot(va);
        if (ftag[t] == ((va & PAGE_MASK) | key)) fpage[t] = page;
    }

    /** IC IVAU: the decoded code of the page {@code va} maps to is dropped (DMA may have written it). */
    void instructionCacheInvalidate(long va) {
        int t = slot(va);
        long pa;
        if (ftag[t] == ((va & PAGE_MASK) | key)) {
            pa = fphys[t];
        } else if (walk(va, c.el == 0, true)) {
            pa = walkPa;
        } else {
            return; // nothing mapped: nothing to drop (QEMU raises no fault for IC IVAU either)
        }
        if (c.code.hasCode(pa)) {
            c.codeWritten(pa);
            c.endBlock();
        }
    }

    ArmException fetchBusFault(long va) {
        return instructionAbort(va, FSC_EXTERNAL);
    }

    private ArmException instructionAbort(long va, int fsc) {
        ArmException e = c.syncException(c.el == 0 ? Syndrome.EC_IABT_LOWER : Syndrome.EC_IABT_SAME, fsc);
        c.excFar = va;
        c.excFarValid = true;
        return e;
    }

    // ---------------------------------------------------------------- aborts

    /** An alignment fault (DFSC 0b100001) at {@code va}: {@code throw c.mmu.alignmentFault(va, write);}. */
    public ArmException alignmentFault(long va, boolean write) {
        return dataAbort(va, write, FSC_ALIGNMENT);
    }

    private ArmException dataAbort(long va, boolean write, int fsc) {
        ArmException e = c.syncException(c.el == 0 ? Syndrome.EC_DABT_LOWER : Syndrome.EC_DABT_SAME,
                fsc | (write ? 1 << 6 : 0));
        c.excFar = va;
        c.excFarValid = true;
        return e;
    }

    // ---------------------------------------------------------------- the walk

    /**
     * Translates {@code va} for the EL1&0 regime into the walk* fields: the physical address, the permissions
     * of the requested privilege, the MAIR attribute, the leaf's level and size; false with {@link #walkFault}
     * (FSC with level) when translation faults.
     */
    private boolean walk(long va, boolean unpriv, boolean fetch) {
        SysRegs s = c.sysregs;
        int modelPa = c.model.paBits();
        if ((s.sctlr & SysRegs.SCTLR_M) == 0) {
            long tcr = s.tcr;
            boolean tbi = !fetch && (tcr >>> ((va >>> 55 & 1) != 0 ? 38 : 37) & 1) != 0;
            long addr = tbi ? va & 0x00ff_ffff_ffff_ffffL : va;
            if (addr >>> modelPa != 0) {
                return fault(FSC_ADDRESS_SIZE);
            }
            walkPa = va & ((1L << modelPa) - 1);
            walkPerms = PERM_R | PERM_W | PERM_X;
            // data: Device-nGnRnE; instructions: Normal, cacheable per SCTLR_EL1.I (QEMU's 0xee / 0x44)
            walkAttr = fetch ? ((s.sctlr & (1 << 12)) != 0 ? 0xee : 0x44) : 0x00;
            walkShare = fetch ? 2 : 0;
            walkLevel = 0;
            walkLeaf = 0xfff;
            return true;
        }
        long tcr = s.tcr;
        boolean hi = (va >>> 55 & 1) != 0;
        int tsz = (int) (hi ? tcr >>> 16 : tcr) & 0x3f;
        boolean tbi = !fetch && (tcr >>> (hi ? 38 : 37) & 1) != 0;
        boolean epd = (tcr >>> (hi ? 23 : 7) & 1) != 0;
        int tg = (int) (hi ? tcr >>> 30 : tcr >>> 14) & 3;
        boolean g64 = hi ? tg == 3 : tg == 1; // 16 KiB is not implemented: treated as 4 KiB
        tsz = Math.max(16, Math.min(39, tsz)); // out-of-range sizes are clamped, as QEMU does
        int inputBits = 64 - tsz;
        long ext = tbi ? va << 8 >> 8 : va;
        if (ext >> inputBits != (hi ? -1L : 0L) || epd) {
            return fault(FSC_TRANSLATION); // level 0
        }
        int grain = g64 ? 16 : 12, stride = grain - 3;
        int level = 4 - (inputBits - grain + stride - 1) / stride;
        int outBits = Math.min(PA_BITS[(int) (tcr >>> 32) & 7], modelPa);
        long ttbr = hi ? s.ttbr1 : s.ttbr0;
        long table = ttbr & 0x0000_ffff_ffff_fffeL;
        if (table >>> outBits != 0) {
            return fault(FSC_ADDRESS_SIZE);
        }
        int firstBits = inputBits - (grain + stride * (3 - level));
        table &= ~((1L << Math.max(firstBits + 3, 6)) - 1);
        int apTable = 0;
        boolean pxnTable = false, uxnTable = false;
        while (true) {
            int shift = grain + stride * (3 - level);
            int bits = Math.min(inputBits - shift, stride);
            long idx = (va >>> shift) & ((1L << bits) - 1);
            long d;
            try {
                d = c.bus.read(table + idx * 8, 8);
            } catch (BusError e) {
                return fault(FSC_WALK_EXTERNAL + level);
            }
            if ((d & 1) == 0) {
                return fault(FSC_TRANSLATION + level);
            }
            if (level < 3 && (d & 2) != 0) {
                long next = d & 0x0000_ffff_ffff_f000L & ~((1L << grain) - 1);
                if (next >>> outBits != 0) {
                    return fault(FSC_ADDRESS_SIZE + level);
                }
                pxnTable |= (d >>> 59 & 1) != 0;
                uxnTable |= (d >>> 60 & 1) != 0;
                apTable |= (int) (d >>> 61) & 3;
                table = next;
                level++;
                continue;
            }
            // a block (levels 1-2 with 4 KiB, level 2 with 64 KiB) or a page (level 3)
            if (level == 3 ? (d & 2) == 0 : level < (g64 ? 2 : 1)) {
                return fault(FSC_TRANSLATION + level);
            }
            long outMask = (1L << shift) - 1;
            long oa = d & 0x0000_ffff_ffff_f000L & ~outMask;
            if (oa >>> outBits != 0) {
                return fault(FSC_ADDRESS_SIZE + level);
            }
            if ((d & (1 << 10)) == 0) {
                return fault(FSC_ACCESS_FLAG + level); // no hardware AF update in ARMv8.0
            }
            int ap = (int) (d >>> 6) & 3; // AP[2:1]
            boolean el0 = (ap & 1) != 0 && (apTable & 1) == 0;
            boolean readOnly = (ap & 2) != 0 || (apTable & 2) != 0;
            boolean wxn = (s.sctlr & SysRegs.SCTLR_WXN) != 0;
            int perms;
            if (unpriv) {
                perms = el0 ? (readOnly ? PERM_R : PERM_R | PERM_W) : 0;
                boolean xn = (d >>> 54 & 1) != 0 || uxnTable || wxn && (perms & PERM_W) != 0;
                if (!xn) perms |= PERM_X; // EL0 may execute without read permission (execute-only)
            } else {
                perms = readOnly ? PERM_R : PERM_R | PERM_W;
                boolean el0Writable = el0 && !readOnly; // implicitly PXN (VMSAv8-64, EL1&0 regime)
                boolean xn = (d >>> 53 & 1) != 0 || pxnTable || el0Writable || wxn && (perms & PERM_W) != 0;
                if (!xn) perms |= PERM_X;
            }
            walkPa = oa | (va & outMask);
            walkPerms = perms;
            walkAttr = (int) (s.mair >>> (8 * ((d >>> 2) & 7))) & 0xff;
            walkShare = (int) (d >>> 8) & 3;
            walkLevel = level;
            walkLeaf = outMask;
            return true;
        }
    }

    private boolean fault(int fsc) {
        walkFault = fsc;
        walkLevel = fsc & 3;
        return false;
    }

    // ---------------------------------------------------------------- AT

    /** AT S1E1R/W, S1E0R/W: the walk's result or fault into PAR_EL1. */
    void addressTranslate(long va, boolean el0, boolean write) {
        long par;
        if (!walk(va, el0, false)) {
            par = 1 | (long) walkFault << 1 | 1L << 11;
        } else if ((walkPerms & (write ? PERM_W : PERM_R)) == 0) {
            par = 1 | (long) (FSC_PERMISSION + walkLevel) << 1 | 1L << 11;
        } else {
            // the descriptor's SH (0 with the MMU off), NS (bit 9) for a Non-secure translation, bit 11 RES1:
            // QEMU 7.2's PAR_EL1 for the same walk (an MMU-off AT S1E1R there gives PA | 0xa00)
            par = (long) walkAttr << 56 | walkPa & 0x0000_ffff_ffff_f000L | (long) walkShare << 7 | 1L << 9
                    | 1L << 11;
        }
        c.sysregs.par = par;
    }

    // ---------------------------------------------------------------- TLB maintenance

    /** Drops every entry and every ASID slot (SCTLR/TCR/MAIR changes, TLBI VMALLE1, state load). */
    public void flushTlb() {
        Arrays.fill(rtag, -1);
        Arrays.fill(wtag, -1);
        Arrays.fill(ftag, -1);
        Arrays.fill(contextAsid, -1);
        bigRegions = 0;
        bigAll = false;
        memRegion = null;
        mem = MemorySegment.NULL;
        memBase = 0;
        ram();
        contextChanged();
    }

    /** Live migration took the dirty log: stores must mark pages again, so no write entry may stay. */
    public void dropWriteMappings() {
        Arrays.fill(wtag, -1);
    }

    /** TTBR0/TTBR1 (ASID) or SCTLR.M changed: the context slot of the current ASID. */
    void contextChanged() {
        if ((c.sysregs.sctlr & SysRegs.SCTLR_M) == 0) {
            context = 0;
        } else {
            int asid = c.sysregs.asid();
            int slot = -1;
            for (int i = 1; i < CONTEXTS; i++) {
                if (contextAsid[i] == asid) {
                    slot = i;
                    break;
                }
            }
            if (slot < 0) {
                slot = nextContext;
                nextContext = nextContext == CONTEXTS - 1 ? 1 : nextContext + 1;
                dropContext(slot);
                contextAsid[slot] = asid;
            }
            context = slot;
        }
        levelChanged();
    }

    /** EL changed: the key of the current accesses. */
    void levelChanged() {
        key = (long) context << 1 | (c.el == 0 ? UNPRIV : 0);
        salt = saltOf(context);
    }

    private void dropContext(int slot) {
        for (long[] tags : new long[][] {rtag, wtag, ftag}) {
            for (int i = 0; i < TLB_SIZE; i++) {
                if (tags[i] != -1 && (int) (tags[i] & 0xfff) >>> 1 == slot) tags[i] = -1;
            }
        }
    }

    /** TLBI ASIDE1: the entries of {@code asid}'s slot (global ones filled under it go too: allowed). */
    void flushAsid(int asid) {
        for (int i = 1; i < CONTEXTS; i++) {
            if (contextAsid[i] == asid) dropContext(i);
        }
    }

    // An entry of a 4 KiB page covers only its own page, so it sits at one index per context slot; an entry of a
    // larger block (or contiguous range) may sit at any index. TLBI by VA (a hundred thousand per boot, one per
    // page unmapped) looks at the 4 KiB indices only, unless the VA lies in a 1 GiB region where a larger mapping
    // was entered since the last full flush (the kernel's linear map: rarely the target of a TLBI by VA).
    private static final int BIG_REGIONS = 16;
    private final long[] bigRegion = new long[BIG_REGIONS];
    private int bigRegions;
    /** A larger mapping outside the table (too many, or over 1 GiB): every TLBI by VA scans the whole TLB. */
    private boolean bigAll;

    private void noteLeaf(long va, long leaf) {
        if (leaf == 0xfff || bigAll) {
            return;
        }
        long region = (va & VA_BITS) >>> 30;
        if (leaf >= 1L << 30 || bigRegions == BIG_REGIONS) {
            bigAll = true;
            return;
        }
        for (int i = 0; i < bigRegions; i++) {
            if (bigRegion[i] == region) return;
        }
        bigRegion[bigRegions++] = region;
    }

    private boolean inBigRegion(long va) {
        if (bigAll) return true;
        long region = (va & VA_BITS) >>> 30;
        for (int i = 0; i < bigRegions; i++) {
            if (bigRegion[i] == region) return true;
        }
        return false;
    }

    /** The VA bits a TLBI by VA compares (55:12; the top byte is the tag or the sign). */
    private static final long VA_BITS = 0x00ff_ffff_ffff_f000L;

    /** TLBI VAE1/VALE1/VAAE1/VAALE1: every entry whose mapping covers {@code va} (any ASID: over-invalidation is allowed). */
    void flushVa(long va) {
        if (inBigRegion(va)) {
            dropVa(rtag, rleaf, va);
            dropVa(wtag, wleaf, va);
            dropVa(ftag, fleaf, va);
            return;
        }
        for (int context = 0; context < CONTEXTS; context++) { // (the index of va under each context slot's salt)
            int t = index(va, saltOf(context));
            dropVaAt(rtag, rleaf, va, t);
            dropVaAt(wtag, wleaf, va, t);
            dropVaAt(ftag, fleaf, va, t);
        }
    }

    private static void dropVaAt(long[] tags, long[] leaf, long va, int i) {
        long t = tags[i];
        if (t != -1 && ((t ^ va) & VA_BITS & ~leaf[i]) == 0) tags[i] = -1;
    }

    private static void dropVa(long[] tags, long[] leaf, long va) {
        for (int i = 0; i < TLB_SIZE; i++) {
            dropVaAt(tags, leaf, va, i);
        }
    }

    /** A physical page was decoded as code: stores to it must take the slow path (see {@link CodeCache#written}). */
    void dropWritesTo(long pa) {
        for (int i = 0; i < TLB_SIZE; i++) {
            if (wtag[i] != -1 && wphys[i] == pa) wtag[i] = -1;
        }
    }
}
