package dev.jemu.riscv.cpu;

import static dev.jemu.riscv.cpu.Csr.*;

import dev.jemu.core.fpu.SoftFloat;
import dev.jemu.core.log.DebugLog;
import dev.jemu.core.machine.Cpu;
import dev.jemu.core.machine.MachineLoop;
import dev.jemu.core.memory.AddressSpace;
import dev.jemu.core.memory.AtomicRam;
import dev.jemu.core.memory.BusError;
import dev.jemu.core.memory.GuestRam;
import dev.jemu.core.memory.RawMemory;
import dev.jemu.core.memory.Region;
import dev.jemu.core.state.StateReader;
import dev.jemu.core.state.StateWriter;
import dev.jemu.core.time.Timebase;
import dev.jemu.core.time.Timer;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.VarHandle;
import java.util.Arrays;
import java.util.concurrent.locks.ReentrantLock;

/**
 * One RV64GC hart (RV64IMAFDC, Zicsr, Zifencei, Zicntr, Zihintpause, Zba/Zbb/Zbs, Sstc) with M, S and U modes.
 *
 * <p>Execution: instructions are decoded once per physical page into {@link DecodedPage}s; {@link #run}
 * fetches a page through the fetch TLB and then dispatches from its slots without re-translating the pc until
 * control leaves the page. Loads and stores go through direct-mapped software TLBs (one per access kind)
 * holding an offset into guest RAM; everything unusual (page walks, MMIO, traps, CSRs, F/D, AMOs) is out of
 * line. The TLB tags include a key made of the effective privilege, SUM and MXR, so changing those needs no
 * flush. 8192 entries each: with 256 a Linux boot missed in the fetch TLB 7 times and in the load TLB twice as
 * often (page walks) as with 1024, and with 1024 7-Zip's compression (a 4 MiB dictionary and its match finder's
 * tables) left its compiled blocks for a load or store TLB miss every 300 instructions, 15 times as often as with
 * 8192 (and ran 35-60% slower per CPU second). A {@link TlbFillLog} keeps flushes as cheap as with 1024.
 */
public final class Hart implements Cpu {
    static final int TLB_BITS = Integer.getInteger("jemu.riscv.tlbbits", 13), TLB_SIZE = 1 << TLB_BITS, TLB_MASK = TLB_SIZE - 1;
    static final long PAGE_MASK = ~0xfffL;
    /*
     * A load/store TLB hit is one compare: the entry at the index of the access's first byte against the tag of the
     * page of its last byte (page | key). An access that crosses into the next page misses, since that page's tag
     * can only sit at the next index, and goes to the slow path, which splits it.
     */
    /** Store TLB tag flag: the page holds decoded code; a store must invalidate it (slow path). */
    static final long CODE_FLAG = 0x100;
    static final int STATE_VERSION = 1;
    /** -Djemu.stats=true: prints execution statistics to stderr every 2^28 instructions (zero cost when off). */
    static final boolean STATS = Boolean.getBoolean("jemu.stats");

    static {
        // Load the heap segment classes now: DecodedPage and devices create heap segments, and when the first one
        // was made after C2 had compiled run() for native segments only, run() was thrown away and recompiled.
        MemorySegment.ofArray(new byte[1]).get(GuestRam.BYTE, 0);
        MemorySegment.ofArray(new long[1]).get(GuestRam.LONG, 0);
    }

    final int hartId;
    final AddressSpace bus;
    final MachineLoop loop;
    /** An S-mode trap loop was logged ({@link TrapLoop}); once per run. */
    boolean trapLoopLogged;
    final Timebase timebase;
    final CodeCache code;
    final Mmu mmu = new Mmu(this);
    final Pmp pmp = new Pmp();
    /** Sdtrig debug triggers (tselect/tdata*): checked only while {@code exec}/{@code data} arm one. */
    final Triggers triggers = new Triggers();
    final CsrFile csrs = new CsrFile(this);
    final FpUnit fpu = new FpUnit(this);
    final SoftFloat sf = new SoftFloat();
    private final Timer stimecmpTimer;
    private EcallHandler ecallHandler;

    // architectural state
    final long[] x = new long[33]; // x[32] absorbs writes to x0
    final long[] f = new long[32];
    long pc;
    int priv = 3;
    /** WFI or HSM-stopped; volatile: other threads read it after setting mip (set-then-check, see updateMip). */
    volatile boolean halted;
    int frm;
    long mstatus = MSTATUS_XL64;
    long medeleg, mideleg, mie;
    long mipDevice; // MSIP, MTIP, SEIP, MEIP from devices
    long mipSoftware; // SSIP, STIP (when Sstc is off), SEIP written by M-mode
    boolean stipSstc;
    volatile long mip; // effective mip: other threads (devices, IPIs) change it, under mipLock
    /** Guards mipDevice, mipSoftware, stipSstc and the mip derived from them (set from several threads). */
    private final Object mipLock = new Object();
    /** Set (after mip) when an interrupt may have become pending: the run loop leaves its block to look. */
    volatile boolean kick; // read by compiled blocks at their backward jumps
    long mtvec, stvec, mscratch, sscratch, mepc, sepc, mcause, scause, mtval, stval, satp;
    long mcounteren, scounteren, mcountinhibit, menvcfg, senvcfg;
    long stimecmp = -1;
    long cycleBase, instretBase; // counter value = base + retired (while not inhibited)
    long retired; // instructions retired before the current run
    long runRetired; // retired in the current run, synced before out-of-line instructions
    long reservation = -1; // LR reservation (virtual address), -1 none
    long reservationValue;

    // pending synchronous trap
    long trapCause, trapTval;

    // translation state, derived from priv, mstatus and satp by updateKeys()
    int dataKey, fetchKey, dataPriv;
    boolean dataTranslate, fetchTranslate;

    // software TLBs: tag = virtual page | key, -1 when empty
    final long[] ftag = new long[TLB_SIZE];
    final DecodedPage[] fpage = new DecodedPage[TLB_SIZE];
    final long[] ltag = new long[TLB_SIZE], loff = new long[TLB_SIZE];
    final long[] stag = new long[TLB_SIZE], soff = new long[TLB_SIZE], sphys = new long[TLB_SIZE];
    private final TlbFillLog tlbLog = new TlbFillLog(TLB_SIZE, TLB_SIZE / 4);

    /** Entry {@code t} of one of the TLBs is about to be filled: logs it if the index was empty in all of them. */
    private void noteTlbFill(int t) {
        if (ftag[t] == -1 && ltag[t] == -1 && stag[t] == -1) {
            tlbLog.note(t);
        }
    }
    /** The RAM region the load/store TLBs point into (the largest RAM region). */
    private Region memRegion;
    private MemorySegment mem;
    /** Host address of {@link #mem} (a native segment): compiled blocks access RAM through it. */
    long memBase;
    private final DecodedPage single = new DecodedPage();

    public Hart(int hartId, AddressSpace bus, MachineLoop loop, Timebase timebase) {
        this.hartId = hartId;
        this.stats = STATS ? new ExecStats(hartId) : null;
        this.bus = bus;
        this.loop = loop;
        this.timebase = timebase;
        this.code = CodeCache.of(bus);
        this.stimecmpTimer = timebase.clock().newTimer("hart" + hartId + ".stimecmp", this::updateSstc);
        code.register(this);
        reset();
    }

    // ------------------------------------------------------------------ public API

    public int hartId() {
        return hartId;
    }

    public long pc() {
        return pc;
    }

    public void setPc(long pc) {
        this.pc = pc & ~1L;
        pcSet = true;
    }

    /** Set by {@link #setPc}: an SBI call chose where the hart goes on (a non-retentive suspend's resume address). */
    private boolean pcSet;

    public long reg(int i) {
        return i == 0 ? 0 : x[i];
    }

    public void setReg(int i, long v) {
        if (i != 0) {
            x[i] = v;
        }
    }

    /** Raw floating-point register bits (single values are NaN-boxed). */
    public long fpr(int i) {
        return f[i];
    }

    public void setFpr(int i, long v) {
        f[i] = v;
    }

    public int privilege() {
        return priv;
    }

    public void setPrivilege(int p) {
        if (p != 0 && p != 1 && p != 3) {
            throw new IllegalArgumentException("privilege " + p);
        }
        priv = p;
        updateKeys();
    }

    /** Reads a CSR without privilege checks; unknown CSRs are an IllegalArgumentException. */
    public long csr(int addr) {
        try {
            return csrs.read(addr);
        } catch (Trap t) {
            throw new IllegalArgumentException(String.format("no CSR 0x%03x", addr));
        }
    }

    /** Writes a CSR without privilege checks (read-only CSRs ignore it); WARL rules apply. */
    public void setCsr(int addr, long v) {
        try {
            csrs.write(addr, v);
        } catch (Trap t) {
            throw new IllegalArgumentException(String.format("no CSR 0x%03x", addr));
        }
    }

    /** Device-driven mip bits: MSIP 3, MTIP 7, SEIP 9, MEIP 11. Any thread holding the loop's device lock. */
    public void setInterruptPending(int bit, boolean level) {
        long m = 1L << bit;
        if ((m & (MIP_MSIP | MIP_MTIP | MIP_SEIP | MIP_MEIP)) == 0) {
            throw new IllegalArgumentException("mip bit " + bit + " is not device-driven");
        }
        synchronized (mipLock) {
            mipDevice = level ? mipDevice | m : mipDevice & ~m;
        }
        updateMip();
    }

    /** mip's software-writable bits under {@code mask} become {@code v} (CSR writes to mip/sip, SBI IPIs). */
    void setMipSoftware(long mask, long v) {
        synchronized (mipLock) {
            mipSoftware = (mipSoftware & ~mask) | (v & mask);
        }
        updateMip();
    }

    public void setEcallHandler(EcallHandler h) {
        ecallHandler = h;
    }

    public void flushTlb() {
        if (STATS) {
            ExecStats.tlbFlushes++;
        }
        for (int k = 0, n = tlbLog.scanCount(); k < n; k++) {
            int t = tlbLog.scanIndex(k);
            ftag[t] = -1;
            fpage[t] = null;
            ltag[t] = -1;
            stag[t] = -1;
        }
        tlbLog.clear();
        cachedLeafLevel = 0;
        superpages.clear();
    }

    /**
     * Highest page-table level of a leaf PTE used since the last full flush (0: 4 KiB pages only), and the
     * superpages used, each as its virtual base | level. The TLBs hold 4 KiB slices of superpages, so an
     * SFENCE.VMA for an address inside one must drop every slice of it, wherever they sit in the TLBs.
     */
    private int cachedLeafLevel;
    private final java.util.HashSet<Long> superpages = new java.util.HashSet<>();

    /** The page walker used a leaf PTE of {@code level} (> 0) for {@code va}. */
    void noteSuperpage(long va, int level) {
        cachedLeafLevel = Math.max(cachedLeafLevel, level);
        superpages.add(va & ~((1L << (12 + 9 * level)) - 1) | level);
    }

    /**
     * SFENCE.VMA (and the SBI's remote one) for the virtual address {@code va}, any ASID: drops the TLB entries
     * of the 4 KiB page, which can sit at one index only, or, if {@code va} lies in a superpage used since the
     * last full flush, every slice of that superpage (a scan). Linux fences single pages all the time (about
     * 100,000 in a boot: fixmap, kmap, text patching, user pages); a full flush made the hart re-walk every page
     * it used afterwards, and a scan of the TLBs for each cost a 1024-entry TLB more than its misses.
     */
    public void flushTlbPage(long va) {
        if (STATS) {
            ExecStats.tlbPageFlushes++;
        }
        for (int level = cachedLeafLevel; level > 0; level--) {
            long region = va & ~((1L << (12 + 9 * level)) - 1);
            if (superpages.contains(region | level)) {
                flushTlbRegion(region, ~((1L << (12 + 9 * level)) - 1));
                return;
            }
        }
        int t = (int) (va >>> 12) & TLB_MASK;
        long page = va & PAGE_MASK;
        if ((ftag[t] & PAGE_MASK) == page) {
            ftag[t] = -1;
            fpage[t] = null;
        }
        if ((ltag[t] & PAGE_MASK) == page) {
            ltag[t] = -1;
        }
        if ((stag[t] & PAGE_MASK) == page) {
            stag[t] = -1;
        }
    }

    /** Drops every TLB entry of a virtual page in the region {@code region} of the size {@code mask} leaves. */
    private void flushTlbRegion(long region, long mask) {
        if (STATS) {
            ExecStats.tlbRegionFlushes++;
            ExecStats.tlbScanned += tlbLog.scanCount();
        }
        for (int k = 0, n = tlbLog.scanCount(); k < n; k++) {
            int i = tlbLog.scanIndex(k);
            if ((ftag[i] & mask) == region) {
                ftag[i] = -1;
                fpage[i] = null;
            }
            if ((ltag[i] & mask) == region) {
                ltag[i] = -1;
            }
            if ((stag[i] & mask) == region) {
                stag[i] = -1;
            }
        }
    }

    /**
     * FENCE.I, also for the SBI's remote fence.i. This hart's and the other harts' stores to decoded code drop
     * it at once (their store TLBs send such stores to the slow path); what a FENCE.I must catch is device DMA
     * into code, which it does by making every decoded page compare itself with RAM on next entry. DMA becomes
     * visible to the guest only through the machine thread between two {@link #run} calls (virtio-blk's I/O
     * thread writes RAM, but its completions are posted there), inside an MMIO access of this hart or inside
     * the built-in firmware's ecall handler, so a FENCE.I with none of these since the previous one has
     * nothing to catch (Linux's boot-time code patching issues tens
     * of thousands of them, and each made every page re-check itself and refill the fetch TLB).
     */
    public void instructionFence() {
        // with harts on their own threads, other harts' stores are not all tracked (see CodeCache), nor is DMA
        // the machine thread lets through while this hart runs: unless this hart alone has run and no device or
        // loader wrote memory since the last re-check (Linux's code patching before it starts the other harts)
        if (ramMayHaveChanged || loop.cpusInParallel() && !(code.ranAlone(hartId) && foreignWrites() == fencedWrites)) {
            ramMayHaveChanged = false;
            fencedWrites = foreignWrites(); // before the re-check: a write counted later is caught by the next one
            code.fenceI(this);
        }
    }

    /** {@link #foreignWrites()} at the last FENCE.I that re-checked the code. */
    private long fencedWrites = -1;

    /** Writes to the bus's memory other than by CPU stores (device DMA, loaders): {@code DirtyLog.foreignWrites}. */
    private long foreignWrites() {
        long n = 0;
        for (Region r : bus.regions()) {
            if (r.isMemory()) {
                n += r.ram().dirtyLog().foreignWrites();
            }
        }
        return n;
    }

    /**
     * Set at every {@link #run} entry, MMIO access and call into the built-in firmware: RAM may have changed
     * other than by tracked stores.
     */
    private boolean ramMayHaveChanged = true;

    /** For DMA writers: drops decoded instructions in {@code [physAddr, physAddr+len)}. */
    public void invalidateCode(long physAddr, long len) {
        code.invalidate(physAddr, len, null);
    }

    /**
     * FENCE with W before and R after: a host full fence, the one order x86-TSO does not keep, when other harts
     * run on other threads (one thread running every hart needs none). Compiled blocks call it too.
     */
    void fenceStoresBeforeLoads() {
        if (loop.cpusInParallel()) {
            VarHandle.fullFence();
        }
    }

    // ------------------------------------------------------------------ other harts (SMP)
    // What the other harts (the built-in SBI's IPI, RFENCE and HSM calls) and the board may ask of this hart.
    // With -accel tcg,thread=single every hart runs on the machine thread and each request acts at once. With
    // thread=multi a request that changes this hart's state (TLBs, registers) runs with this hart stopped at an
    // instruction boundary (MachineLoop.withCpuStopped: at once when it is halted, stopped or waiting itself,
    // else after it left its run at its next check); the caller waits until it is done. Interrupts only set
    // mip (under mipLock), kick the run loop and wake the hart's thread.

    private volatile boolean stopped;

    /** HSM: true while the hart is stopped: it runs nothing and no interrupt wakes it until {@link #start}. */
    public boolean isStopped() {
        return stopped;
    }

    /** HSM HART_STOP (the hart's own SBI call), or the board leaving a secondary hart stopped at power-on. */
    public void stop() {
        stopped = true;
        halted = true;
        reservation = -1;
    }

    /**
     * HSM HART_START: runs {@code setup} on the stopped hart (its registers, CSRs, privilege and pc), then lets it
     * run. Returns false, doing nothing, if the hart was not stopped. Any hart's thread.
     */
    public boolean start(java.util.function.Consumer<Hart> setup) {
        boolean[] started = {false};
        loop.withCpuStopped(this, () -> {
            if (stopped) {
                setup.accept(this);
                stopped = false;
                halted = false;
                started[0] = true;
            }
        });
        return started[0];
    }

    /**
     * SBI HSM HART_SUSPEND (retentive, the hart's own call): waits for an interrupt as WFI does; the hart goes
     * on after the ECALL once an enabled interrupt is pending (at once if one is). Only the hart's own thread.
     */
    public void waitForInterrupt() {
        suspended = false;
        if ((mip & mie) == 0) {
            halted = true;
        }
    }

    /** Set by {@link #suspend}: the wait is an HSM suspend (SUSPENDED for hart_get_status), not a WFI. */
    private volatile boolean suspended;

    /**
     * SBI HSM HART_SUSPEND (the hart's own call): waits as {@link #waitForInterrupt} does, and the hart counts as
     * SUSPENDED ({@link #isSuspended}) until an interrupt ends the wait. Only the hart's own thread.
     */
    public void suspend() {
        waitForInterrupt();
        suspended = halted;
    }

    /** HSM: true while the hart waits in a HART_SUSPEND (an interrupt has not ended it yet). Any thread. */
    public boolean isSuspended() {
        return suspended && halted && !stopped;
    }

    /** SBI IPI: raises the supervisor software interrupt (mip.SSIP) on this hart. Any hart's thread. */
    public void raiseSupervisorSoftwareInterrupt() {
        setMipSoftware(MIP_SSIP, MIP_SSIP);
    }

    /**
     * SBI legacy CLEAR_IPI: clears mip.SSIP alone (a write-back of the whole mip would turn a pending external
     * SEIP into the software bit). The hart's own thread.
     */
    public void clearSupervisorSoftwareInterrupt() {
        setMipSoftware(MIP_SSIP, 0);
    }

    /** SBI RFENCE remote FENCE.I on this hart. Returns once it is done. Any hart's thread. */
    public void remoteFenceI() {
        loop.withCpuStopped(this, this::instructionFence);
    }

    /**
     * SBI RFENCE remote SFENCE.VMA (any ASID) of {@code [start, start + size)} on this hart; {@code size} -1 (or
     * 0 with start 0, or a range too large to walk) flushes everything. Returns once it is done. Any hart's thread.
     */
    public void remoteSfenceVma(long start, long size) {
        loop.withCpuStopped(this, () -> {
            if (size == -1 || (start == 0 && size == 0) || Long.compareUnsigned(size, 64L << 12) > 0) {
                flushTlb();
            } else {
                for (long va = start & ~0xfffL; Long.compareUnsigned(va, start + size) < 0; va += 1 << 12) {
                    flushTlbPage(va);
                }
            }
        });
    }

    /**
     * True while waiting for an interrupt (WFI) or stopped (HSM). A WFI ends here, on the hart's own thread,
     * once an interrupt is pending and enabled in mie: other threads only change mip and wake the thread.
     */
    @Override
    public boolean isHalted() {
        if (halted && !stopped && (mip & mie) != 0) {
            halted = false;
        }
        return halted;
    }

    @Override
    public void reset() {
        Arrays.fill(x, 0);
        Arrays.fill(f, 0);
        pc = 0x1000;
        priv = 3;
        halted = false;
        stopped = false;
        frm = 0;
        sf.flags = 0;
        mstatus = MSTATUS_XL64;
        medeleg = mideleg = mie = mipSoftware = 0;
        mtvec = stvec = mscratch = sscratch = mepc = sepc = mcause = scause = mtval = stval = satp = 0;
        mcounteren = scounteren = mcountinhibit = menvcfg = senvcfg = 0;
        stimecmp = -1;
        stipSstc = false;
        stimecmpTimer.cancel();
        cycleBase = instretBase = -retired;
        reservation = -1;
        pmp.reset();
        triggers.reset();
        updateMip();
        updateKeys();
        flushTlb();
    }

    // ------------------------------------------------------------------ execution

    @Override
    public long run(long budget) {
        if (mem == null) {
            chooseMemRegion();
        }
        final long[] x = this.x;
        long n = 0;
        // Traps retire nothing but are progress: counted apart (the budget stays one of instructions) so that
        // a guest trapping forever (mtvec on unmapped memory or on an illegal instruction) still ends the run
        // and lets the loop see its work.
        long traps = 0;
        runRetired = 0;
        ramMayHaveChanged = true;
        isHalted(); // a WFI that an interrupt ended since
        if (!halted && loop.cpusInParallel()) {
            code.running(hartId); // before it runs anything (a stopped hart does not count)
        }

        outer:
        while (n < budget && traps < budget && !halted) {
            if ((n | traps) != 0 && loop.attention()) {
                break;
            }
            leaveBlock = false;
            kick = false; // before reading mip: a kick after this read is seen at the next check
            if ((mip & mie) != 0) {
                checkInterrupts();
            }
            long pc = this.pc;
            DecodedPage pg;
            try {
                if (pendingSingle) {
                    pendingSingle = false;
                    pg = single;
                } else if (triggers.exec != 0) {
                    pg = fetchTriggerChecked(pc);
                } else {
                    pg = fetchPage(pc);
                }
            } catch (Trap t) {
                traps++;
                takeTrap(trapCause, trapTval);
                continue;
            }
            int[] ops = pg.ops, imms = pg.imms;
            long base = pg == single ? pc : pc & PAGE_MASK;
            JitBlock[] blocks = pg.blocks;
            final MemorySegment mem = this.mem;
            final long mb = memBase;
            final long[] ltag = this.ltag, loff = this.loff, stag = this.stag, soff = this.soff;
            final long[] ftag = this.ftag;
            final DecodedPage[] fpage = this.fpage;
            final int dkey = dataKey, fkey = fetchKey;
            try {
                inner:
                for (;;) {
                    if (((pc - base) >>> 12) != 0) {
                        // control left the page: switch pages through the fetch TLB without leaving the loop
                        // (privilege, mip and mie cannot have changed: everything that changes them exits)
                        int t = (int) (pc >>> 12) & TLB_MASK;
                        if (ftag[t] != ((pc & PAGE_MASK) | fkey)) {
                            this.pc = pc;
                            continue outer;
                        }
                        pg = fpage[t];
                        ops = pg.ops;
                        imms = pg.imms;
                        blocks = pg.blocks;
                        base = pc & PAGE_MASK;
                    }
                    if (blocks != null) {
                        int idx = (int) (pc - base) >>> 1;
                        JitBlock b = blocks[idx];
                        if (b == null && ++pg.heat[idx] >= Jit.THRESHOLD) {
                            b = compileBlock(pg, idx, pc);
                        }
                        if (STATS) {
                            stats.entry(b, pg.heat[idx]);
                        }
                        if (b != null && b != JitBlock.NONE) {
                            pc = b.run(this, x, mem, ltag, loff, stag, soff, dkey, budget - n, pc); // never traps
                            long ran = jitRetired;
                            if (ran != 0) { // else the block declined (see JitBlock): interpret
                                n += ran;
                                if (STATS) {
                                    stats.blockRun(ran, jitExit);
                                }
                                if (n >= budget || leaveBlock || loop.attention() || kick) {
                                    this.pc = pc;
                                    continue outer;
                                }
                                continue;
                            }
                        }
                    }
                    for (;;) {
                        int idx = (int) (pc - base) >>> 1;
                        int p = ops[idx];
                        long imm = imms[idx];
                        long npc = pc + 4 - ((p >>> 29) & 2);
                        int rd = (p >>> 9) & 63, rs1 = (p >>> 15) & 31, rs2 = (p >>> 20) & 31;
                        int op = p & Decoder.OP_MASK;
                        n++;
                        if (STATS) {
                            stats.interp(op);
                        }
                        // two switches, each a chain of compares under C1 (Op's comment): the ids below BEQ
                        // (addi, add, the loads and stores) in one, the rest in the other after one test
                        if (op < Op.BEQ) {
                            switch (op) {
                                case Op.UNDECODED -> {
                                    pg.decode(idx);
                                    n--;
                                    continue;
                                }
                                case Op.LUI -> { x[rd] = imm; pc = npc; }
                                case Op.LB -> {
                                    long a = x[rs1] + imm;
                                    int t = (int) (a >>> 12) & TLB_MASK;
                                    x[rd] = ltag[t] == ((a & PAGE_MASK) | dkey) ? RawMemory.ld8(mem, mb, a + loff[t])
                                            : (byte) loadSlow(a, 1, pc);
                                    pc = npc;
                                }
                                case Op.LBU -> {
                                    long a = x[rs1] + imm;
                                    int t = (int) (a >>> 12) & TLB_MASK;
                                    x[rd] = ltag[t] == ((a & PAGE_MASK) | dkey)
                                            ? RawMemory.ld8(mem, mb, a + loff[t]) & 0xffL : loadSlow(a, 1, pc) & 0xffL;
                                    pc = npc;
                                }
                                case Op.LH -> {
                                    long a = x[rs1] + imm;
                                    int t = (int) (a >>> 12) & TLB_MASK;
                                    x[rd] = ltag[t] == (((a + 1) & PAGE_MASK) | dkey)
                                            ? RawMemory.ld16(mem, mb, a + loff[t]) : (short) loadSlow(a, 2, pc);
                                    pc = npc;
                                }
                                case Op.LHU -> {
                                    long a = x[rs1] + imm;
                                    int t = (int) (a >>> 12) & TLB_MASK;
                                    x[rd] = (ltag[t] == (((a + 1) & PAGE_MASK) | dkey)
                                            ? RawMemory.ld16(mem, mb, a + loff[t]) : loadSlow(a, 2, pc)) & 0xffffL;
                                    pc = npc;
                                }
                                case Op.LW -> {
                                    long a = x[rs1] + imm;
                                    int t = (int) (a >>> 12) & TLB_MASK;
                                    x[rd] = ltag[t] == (((a + 3) & PAGE_MASK) | dkey)
                                            ? RawMemory.ld32(mem, mb, a + loff[t]) : (int) loadSlow(a, 4, pc);
                                    pc = npc;
                                }
                                case Op.LWU -> {
                                    long a = x[rs1] + imm;
                                    int t = (int) (a >>> 12) & TLB_MASK;
                                    x[rd] = (ltag[t] == (((a + 3) & PAGE_MASK) | dkey)
                                            ? RawMemory.ld32(mem, mb, a + loff[t]) : loadSlow(a, 4, pc)) & 0xffff_ffffL;
                                    pc = npc;
                                }
                                case Op.LD -> {
                                    long a = x[rs1] + imm;
                                    int t = (int) (a >>> 12) & TLB_MASK;
                                    x[rd] = ltag[t] == (((a + 7) & PAGE_MASK) | dkey)
                                            ? RawMemory.ld64(mem, mb, a + loff[t]) : loadSlow(a, 8, pc);
                                    pc = npc;
                                }
                                case Op.SB -> {
                                    long a = x[rs1] + imm;
                                    int t = (int) (a >>> 12) & TLB_MASK;
                                    if (stag[t] == ((a & PAGE_MASK) | dkey)) {
                                        RawMemory.st8(mem, mb, a + soff[t], (byte) x[rs2]);
                                    } else if (storeSlow(a, 1, x[rs2], pc)) {
                                        this.pc = npc;
                                        continue outer;
                                    }
                                    pc = npc;
                                }
                                case Op.SH -> {
                                    long a = x[rs1] + imm;
                                    int t = (int) (a >>> 12) & TLB_MASK;
                                    if (stag[t] == (((a + 1) & PAGE_MASK) | dkey)) {
                                        RawMemory.st16(mem, mb, a + soff[t], (short) x[rs2]);
                                    } else if (storeSlow(a, 2, x[rs2], pc)) {
                                        this.pc = npc;
                                        continue outer;
                                    }
                                    pc = npc;
                                }
                                case Op.SW -> {
                                    long a = x[rs1] + imm;
                                    int t = (int) (a >>> 12) & TLB_MASK;
                                    if (stag[t] == (((a + 3) & PAGE_MASK) | dkey)) {
                                        RawMemory.st32(mem, mb, a + soff[t], (int) x[rs2]);
                                    } else if (storeSlow(a, 4, x[rs2], pc)) {
                                        this.pc = npc;
                                        continue outer;
                                    }
                                    pc = npc;
                                }
                                case Op.SD -> {
                                    long a = x[rs1] + imm;
                                    int t = (int) (a >>> 12) & TLB_MASK;
                                    if (stag[t] == (((a + 7) & PAGE_MASK) | dkey)) {
                                        RawMemory.st64(mem, mb, a + soff[t], x[rs2]);
                                    } else if (storeSlow(a, 8, x[rs2], pc)) {
                                        this.pc = npc;
                                        continue outer;
                                    }
                                    pc = npc;
                                }
                                case Op.ADDI -> { x[rd] = x[rs1] + imm; pc = npc; }
                                case Op.ADD -> { x[rd] = x[rs1] + x[rs2]; pc = npc; }
                                default -> throw new IllegalStateException("op " + op);
                            }
                        } else {
                            switch (op) {
                                case Op.PAGE_END -> {
                                    n--;
                                    if (pc - base == 4096) {
                                        continue inner; // sequential flow into the next page
                                    }
                                    this.pc = pc; // the one-instruction page ran its instruction
                                    continue outer;
                                }
                                case Op.STALE -> {
                                    n--;
                                    this.pc = pc;
                                    // dropped, maybe by another hart (which leaves this hart's TLBs alone): look again
                                    forgetCodePage(pg.shadowOf != null ? pg.shadowOf : pg);
                                    continue outer;
                                }
                                case Op.CROSS -> {
                                    this.pc = pc;
                                    long d = fetchCrossing(pc);
                                    n--;
                                    loadSingle(pc, d);
                                    pendingSingle = true;
                                    continue outer;
                                }
                                case Op.ILLEGAL -> throw illegal(pc);
                                case Op.AUIPC -> { x[rd] = pc + imm; pc = npc; }
                                case Op.JAL -> {
                                    x[rd] = npc;
                                    pc += imm;
                                    if (n >= budget || loop.attention() || kick) {
                                        this.pc = pc;
                                        continue outer;
                                    }
                                    continue inner;
                                }
                                case Op.JALR -> {
                                    long t = (x[rs1] + imm) & ~1L;
                                    x[rd] = npc;
                                    pc = t;
                                    if (n >= budget || loop.attention() || kick) {
                                        this.pc = pc;
                                        continue outer;
                                    }
                                    continue inner;
                                }
                                case Op.BEQ, Op.BNE, Op.BLT, Op.BGE, Op.BLTU, Op.BGEU -> {
                                    long a = x[rs1], b = x[rs2];
                                    boolean taken = switch (op) {
                                        case Op.BEQ -> a == b;
                                        case Op.BNE -> a != b;
                                        case Op.BLT -> a < b;
                                        case Op.BGE -> a >= b;
                                        case Op.BLTU -> Long.compareUnsigned(a, b) < 0;
                                        default -> Long.compareUnsigned(a, b) >= 0;
                                    };
                                    if (taken) {
                                        pc += imm;
                                        if (n >= budget || loop.attention() || kick) {
                                            this.pc = pc;
                                            continue outer;
                                        }
                                        continue inner;
                                    } else {
                                        pc = npc;
                                    }
                                }
                                case Op.SLTI -> { x[rd] = x[rs1] < imm ? 1 : 0; pc = npc; }
                                case Op.SLTIU -> { x[rd] = Long.compareUnsigned(x[rs1], imm) < 0 ? 1 : 0; pc = npc; }
                                case Op.XORI -> { x[rd] = x[rs1] ^ imm; pc = npc; }
                                case Op.ORI -> { x[rd] = x[rs1] | imm; pc = npc; }
                                case Op.ANDI -> { x[rd] = x[rs1] & imm; pc = npc; }
                                case Op.SLLI -> { x[rd] = x[rs1] << imm; pc = npc; }
                                case Op.SRLI -> { x[rd] = x[rs1] >>> imm; pc = npc; }
                                case Op.SRAI -> { x[rd] = x[rs1] >> imm; pc = npc; }
                                case Op.SUB -> { x[rd] = x[rs1] - x[rs2]; pc = npc; }
                                case Op.SLL -> { x[rd] = x[rs1] << x[rs2]; pc = npc; }
                                case Op.SLT -> { x[rd] = x[rs1] < x[rs2] ? 1 : 0; pc = npc; }
                                case Op.SLTU -> { x[rd] = Long.compareUnsigned(x[rs1], x[rs2]) < 0 ? 1 : 0; pc = npc; }
                                case Op.XOR -> { x[rd] = x[rs1] ^ x[rs2]; pc = npc; }
                                case Op.SRL -> { x[rd] = x[rs1] >>> x[rs2]; pc = npc; }
                                case Op.SRA -> { x[rd] = x[rs1] >> x[rs2]; pc = npc; }
                                case Op.OR -> { x[rd] = x[rs1] | x[rs2]; pc = npc; }
                                case Op.AND -> { x[rd] = x[rs1] & x[rs2]; pc = npc; }
                                case Op.ADDIW -> { x[rd] = (int) (x[rs1] + imm); pc = npc; }
                                case Op.SLLIW -> { x[rd] = (int) x[rs1] << imm; pc = npc; }
                                case Op.SRLIW -> { x[rd] = (int) x[rs1] >>> imm; pc = npc; }
                                case Op.SRAIW -> { x[rd] = (int) x[rs1] >> imm; pc = npc; }
                                case Op.ADDW -> { x[rd] = (int) (x[rs1] + x[rs2]); pc = npc; }
                                case Op.SUBW -> { x[rd] = (int) (x[rs1] - x[rs2]); pc = npc; }
                                case Op.SLLW -> { x[rd] = (int) x[rs1] << x[rs2]; pc = npc; }
                                case Op.SRLW -> { x[rd] = (int) x[rs1] >>> x[rs2]; pc = npc; }
                                case Op.SRAW -> { x[rd] = (int) x[rs1] >> x[rs2]; pc = npc; }
                                case Op.FENCE -> {
                                    if (imm != 0) {
                                        fenceStoresBeforeLoads();
                                    }
                                    pc = npc;
                                }
                                case Op.MUL -> { x[rd] = x[rs1] * x[rs2]; pc = npc; }
                                case Op.MULH -> { x[rd] = Math.multiplyHigh(x[rs1], x[rs2]); pc = npc; }
                                case Op.MULHU -> { x[rd] = Math.unsignedMultiplyHigh(x[rs1], x[rs2]); pc = npc; }
                                case Op.MULHSU -> { x[rd] = mulhsu(x[rs1], x[rs2]); pc = npc; }
                                case Op.MULW -> { x[rd] = (int) x[rs1] * (int) x[rs2]; pc = npc; }
                                case Op.DIV, Op.DIVU, Op.REM, Op.REMU, Op.DIVW, Op.DIVUW, Op.REMW, Op.REMUW -> {
                                    x[rd] = Alu.divide(op, x[rs1], x[rs2]);
                                    pc = npc;
                                }
                                default -> {
                                    if (op >= Op.FIRST_AMO) {
                                        if (op >= Op.FIRST_FP) {
                                            runRetired = n;
                                            fpu.execute(p, (int) imm, pc);
                                        } else {
                                            amo(op, rd, rs1, rs2, pc);
                                        }
                                        pc = npc;
                                        // the JIT leaves these to the interpreter, so a compiled block ends at
                                        // one: the code after it is a block start (else it stayed interpreted up
                                        // to the next taken jump, as in the kernel's code after every atomic)
                                        if (blocks != null) {
                                            continue inner;
                                        }
                                    } else if (op >= Op.FIRST_SYSTEM) {
                                        runRetired = n - 1; // counters read the count before this instruction
                                        this.pc = pc;
                                        system(op, p, (int) imm, npc);
                                        continue outer;
                                    } else {
                                        x[rd] = Alu.bitmanip(op, x[rs1], x[rs2], imm);
                                        pc = npc;
                                    }
                                }
                            }
                        }
                    }
                }
            } catch (Trap t) {
                n--; // the interpreter's trapping instruction (compiled blocks leave before a fault instead)
                traps++;
                takeTrap(trapCause, trapTval);
            }
        }
        retired += n;
        runRetired = 0;
        if (STATS) {
            stats.runEnd(retired, this.pc);
        }
        return n;
    }

    private final ExecStats stats;

    static long mulhsu(long a, long b) {
        // signed a times unsigned b: the signed high product, corrected for b's top bit
        return Math.multiplyHigh(a, b) + ((b >> 63) & a);
    }

    /** An aligned 8-byte physical read for the page walker: the main RAM directly, anything else by the bus. */
    long readRam(long pa) {
        Region r = memRegion;
        if (r != null && r.contains(pa) && r.contains(pa + 7)) {
            return mem.get(GuestRam.LONG, pa - r.base());
        }
        return bus.read(pa, 8);
    }

    private void chooseMemRegion() {
        for (Region r : bus.regions()) {
            if (r.kind() == Region.Kind.RAM && (memRegion == null || r.size() > memRegion.size())) {
                memRegion = r;
            }
        }
        mem = memRegion == null ? MemorySegment.NULL : memRegion.ram().segment();
        memBase = mem.address();
    }

    /** Raises a synchronous exception: records cause and tval and returns the exception to throw. */
    Trap raise(int cause, long tval) {
        trapCause = cause;
        trapTval = tval;
        return Trap.INSTANCE;
    }

    /** Illegal instruction at {@code pc}; mtval gets the instruction bits, as QEMU does. */
    Trap illegal(long pc) {
        this.pc = pc;
        long bits = 0;
        try {
            int lo = fetchHalf(pc);
            bits = (lo & 3) == 3 ? (lo & 0xffffL) | (long) fetchHalf(pc + 2) << 16 : lo;
        } catch (Trap t) {
            bits = 0;
        }
        return raise(Trap.ILLEGAL_INSN, bits);
    }

    // ------------------------------------------------------------------ instruction fetch

    private DecodedPage fetchPage(long pc) {
        int t = (int) (pc >>> 12) & TLB_MASK;
        if (ftag[t] == ((pc & PAGE_MASK) | fetchKey)) {
            return fpage[t];
        }
        return fetchSlow(pc);
    }

    private long fetchPhys(long va) {
        return fetchTranslate ? mmu.translate(va, Mmu.FETCH, priv, false, false) : va;
    }

    private DecodedPage fetchSlow(long pc) {
        if (STATS) {
            ExecStats.fetchSlows++;
        }
        this.pc = pc;
        long pa = fetchPhys(pc);
        long page = pa & PAGE_MASK;
        Region r = bus.find(pa);
        if (r == null || !r.isMemory()) {
            throw raise(Trap.INSN_ACCESS, pc);
        }
        int perms = pmp.pagePermissions(page, priv);
        if (perms < 0 || !r.contains(page) || !r.contains(page + 4095)) {
            // PMP differs inside the page, or the region is not page-aligned: run one instruction at a time
            if (triggers.debugger != null && triggers.debugStopBefore(pc)) {
                throw raise(Trap.DEBUGGER, 0);
            }
            int lo = fetchHalf(pc);
            if ((lo & 3) != 3) {
                return loadSingle(pc, Decoder.decode16(lo));
            }
            return loadSingle(pc, Decoder.decode32((lo & 0xffff) | fetchHalf(pc + 2) << 16));
        }
        if ((perms & Pmp.X) == 0) {
            throw raise(Trap.INSN_ACCESS, pc);
        }
        DecodedPage p = code.get(page);
        int gen = code.generation();
        if (p == null) {
            p = code.putIfAbsent(new DecodedPage(page, r.ram().segment(), page - r.base(), gen), this);
        } else if (p.generation != gen) {
            p.revalidate(gen);
        }
        if (triggers.debugBreakpointPage(pc & PAGE_MASK)) { // interpreted, its breakpoints checked: fetchCrossing
            p = DecodedPage.withBreakpoints(p, triggers.debugger.breakpointsIn(pc & PAGE_MASK));
        }
        if (triggers.exec == 0) { // an armed execute trigger keeps the fetch TLB empty: see fetchTriggerChecked
            int t = (int) (pc >>> 12) & TLB_MASK;
            noteTlbFill(t);
            ftag[t] = (pc & PAGE_MASK) | fetchKey;
            fpage[t] = p;
        }
        return p;
    }

    /**
     * Fetch while an execute trigger is armed: the trigger is checked before each instruction, which runs alone
     * (through {@link #single}, no compiled block; the empty fetch TLB sends every jump back here).
     */
    private DecodedPage fetchTriggerChecked(long pc) {
        this.pc = pc;
        if ((triggers.exec >>> priv & 1) != 0 && triggers.matchExec(pc, priv)) {
            throw raise(Trap.BREAKPOINT, 0); // QEMU 7.2 leaves tval 0
        }
        if (triggers.debugger != null && triggers.debugStopBefore(pc)) {
            throw raise(Trap.DEBUGGER, 0);
        }
        int lo = fetchHalf(pc);
        if ((lo & 3) != 3) {
            return loadSingle(pc, Decoder.decode16(lo));
        }
        return loadSingle(pc, Decoder.decode32((lo & 0xffff) | fetchHalf(pc + 2) << 16));
    }

    /** tdata1/tdata2 changed: drop the TLB entries that could now bypass a trigger check. */
    void triggersChanged() {
        flushTlb();
        leaveBlock = true;
    }

    /** Breakpoint exception if a load/store trigger matches (callers test {@code triggers.data} first). */
    private void checkDataTrigger(long va, int size, long kind) {
        if ((triggers.data >>> priv & 1) != 0 && triggers.matchData(va, size, kind, priv)) {
            throw raise(Trap.BREAKPOINT, 0);
        }
        if (triggers.debugger != null && triggers.debugWatch(va, size, kind)) {
            throw raise(Trap.DEBUGGER, 0);
        }
    }

    /** One instruction halfword, fully checked (translation, PMP, region). */
    private int fetchHalf(long va) {
        long pa = fetchPhys(va);
        if (!pmp.check(pa, 2, Pmp.X, priv)) {
            throw raise(Trap.INSN_ACCESS, va);
        }
        Region r = bus.find(pa);
        if (r == null || !r.isMemory() || !r.contains(pa + 1)) {
            throw raise(Trap.INSN_ACCESS, va);
        }
        return r.ram().readShort(pa - r.base()) & 0xffff;
    }

    /**
     * A 32-bit instruction whose second half is on the next page, or a debugger breakpoint's slot (any size) in
     * a {@link DecodedPage#withBreakpoints} copy: asks the debugger first.
     */
    private long fetchCrossing(long pc) {
        if (triggers.debugger != null && triggers.debugStopBefore(pc)) {
            throw raise(Trap.DEBUGGER, 0);
        }
        int lo = fetchHalf(pc);
        if ((lo & 3) != 3) {
            return Decoder.decode16(lo);
        }
        int hi = fetchHalf(pc + 2);
        return Decoder.decode32(lo | hi << 16);
    }

    private DecodedPage loadSingle(long pc, long decoded) {
        single.ops[0] = (int) decoded;
        single.imms[0] = (int) (decoded >> 32);
        this.pc = pc;
        return single;
    }

    /** The next outer-loop iteration runs {@link #single} instead of looking the pc up. */
    private boolean pendingSingle;
    /** Set by compiled blocks: instructions retired by the last {@link JitBlock#run}. */
    long jitRetired;
    /** With {@code -Djemu.stats=true}, set by compiled blocks: why the last one left (ExecStats.EXIT_*). */
    int jitExit;
    /** Set when a store hit code or a device: the dispatcher re-checks pc and interrupts. */
    boolean leaveBlock;

    /** Compiles the hot block start at slot {@code idx} of {@code pg}: returns it, or null while it is compiled. */
    private JitBlock compileBlock(DecodedPage pg, int idx, long pc) {
        if (compileInBackground && loop.busyCpuThreads() < HOST_CORES) {
            pg.heat[idx] = Short.MIN_VALUE; // asks again only if this request goes nowhere (a full queue)
            JitCompiler.request(pg, idx, pc, codePages);
            return null;
        }
        int epoch = pg.epoch();
        JitBlock b = Jit.compile(pg, idx, pc, codePages);
        // else another hart's FENCE.I or store dropped the code it was compiled from
        return pg.install(idx, b, epoch) ? b : null;
    }

    /** The decoded pages this hart's fetch TLB maps, for regions that span pages (read racily: see Jit). */
    final Jit.CodePages codePages = vpage -> {
        int t = (int) (vpage >>> 12) & TLB_MASK;
        DecodedPage p = fpage[t];
        return ftag[t] == (vpage | fetchKey) ? p : null;
    };

    /** Blocks are compiled by {@link JitCompiler}'s thread, else on this hart's thread (tests). */
    boolean compileInBackground = JitCompiler.BACKGROUND;
    /**
     * Background compiling pays only with a host core to spare: with a busy CPU thread on every core (thread=multi),
     * the compiler thread takes its time from the harts (7-Zip's rating with -smp 2 on 2 cores: 496 with it, 720
     * compiling on the hart threads), so hot blocks then compile on the hart's own thread; a hart parked in WFI
     * leaves its core to the compiler.
     */
    private static final int HOST_CORES = Runtime.getRuntime().availableProcessors();

    void markCodePage(long physPage) {
        if (STATS) {
            ExecStats.tlbScanned += tlbLog.scanCount();
        }
        for (int k = 0, n = tlbLog.scanCount(); k < n; k++) {
            int i = tlbLog.scanIndex(k);
            if (stag[i] != -1 && sphys[i] == physPage) {
                stag[i] |= CODE_FLAG;
            }
        }
    }

    void forgetCodePage(DecodedPage p) {
        if (STATS) {
            ExecStats.tlbScanned += tlbLog.scanCount();
        }
        for (int k = 0, n = tlbLog.scanCount(); k < n; k++) {
            int i = tlbLog.scanIndex(k);
            if (fpage[i] == p || fpage[i] != null && fpage[i].shadowOf == p) { // with its debugger copy
                fpage[i] = null;
                ftag[i] = -1;
            }
            if (stag[i] != -1 && sphys[i] == p.physPage) {
                stag[i] &= ~CODE_FLAG;
            }
        }
    }

    void flushFetchTlb() {
        for (int k = 0, n = tlbLog.scanCount(); k < n; k++) {
            int t = tlbLog.scanIndex(k);
            ftag[t] = -1;
            fpage[t] = null;
        }
    }

    // ------------------------------------------------------------------ data access

    private long dataPhys(long va, int access) {
        return dataTranslate
                ? mmu.translate(va, access, dataPriv, (mstatus & MSTATUS_SUM) != 0, (mstatus & MSTATUS_MXR) != 0)
                : va;
    }

    /** Loads through the TLB (out-of-line users: F/D, AMOs). Zero-extended. */
    long load(long va, int size, long pc) {
        int t = (int) (va >>> 12) & TLB_MASK;
        if (ltag[t] == (((va + size - 1) & PAGE_MASK) | dataKey)) {
            return readMem(mem, va + loff[t], size);
        }
        return loadSlow(va, size, pc);
    }

    void store(long va, int size, long v, long pc) {
        int t = (int) (va >>> 12) & TLB_MASK;
        if (stag[t] == (((va + size - 1) & PAGE_MASK) | dataKey)) {
            writeMem(mem, va + soff[t], size, v);
        } else {
            storeSlow(va, size, v, pc);
        }
    }

    private static long readMem(MemorySegment seg, long off, int size) {
        return switch (size) {
            case 1 -> seg.get(GuestRam.BYTE, off) & 0xffL;
            case 2 -> seg.get(GuestRam.SHORT, off) & 0xffffL;
            case 4 -> seg.get(GuestRam.INT, off) & 0xffff_ffffL;
            default -> seg.get(GuestRam.LONG, off);
        };
    }

    private static void writeMem(MemorySegment seg, long off, int size, long v) {
        switch (size) {
            case 1 -> seg.set(GuestRam.BYTE, off, (byte) v);
            case 2 -> seg.set(GuestRam.SHORT, off, (short) v);
            case 4 -> seg.set(GuestRam.INT, off, (int) v);
            default -> seg.set(GuestRam.LONG, off, v);
        }
    }

    /** Load slow path: page walk, PMP, MMIO, page-crossing accesses; fills the load TLB. Zero-extended. */
    long loadSlow(long va, int size, long pc) {
        if (STATS) {
            ExecStats.loadSlows++;
        }
        this.pc = pc;
        if ((va & 0xfff) + size > 4096) {
            long v = 0;
            for (int i = 0; i < size; i++) {
                v |= loadSlow(va + i, 1, pc) << (8 * i);
            }
            return v;
        }
        long pa = dataPhys(va, Mmu.LOAD);
        if (!pmp.check(pa, size, Pmp.R, dataPriv)) {
            throw raise(Trap.LOAD_ACCESS, va);
        }
        Region r = bus.find(pa);
        if (r == null || !r.contains(pa + size - 1)) {
            throw raise(Trap.LOAD_ACCESS, va);
        }
        boolean watched = false;
        if (triggers.data != 0) {
            checkDataTrigger(va, size, Triggers.LOAD);
            watched = triggers.watchesPage(va & PAGE_MASK);
        }
        if (r.isMemory()) {
            if (!watched && r == memRegion && Pmp.allows(pmp.pagePermissions(pa & PAGE_MASK, dataPriv), Pmp.R)) {
                int t = (int) (va >>> 12) & TLB_MASK;
                noteTlbFill(t);
                ltag[t] = (va & PAGE_MASK) | dataKey;
                loff[t] = (pa & PAGE_MASK) - r.base() - (va & PAGE_MASK);
            }
            return readMem(r.ram().segment(), pa - r.base(), size);
        }
        try {
            ramMayHaveChanged = true;
            long v = r.device().read(pa - r.base(), size);
            return size == 8 ? v : v & ((1L << (8 * size)) - 1);
        } catch (BusError e) {
            throw raise(Trap.LOAD_ACCESS, va);
        }
    }

    /**
     * Store slow path; returns true when the store may have changed what runs next (it hit decoded code or a
     * device), so the caller should leave its block and look at the pc and interrupts again.
     */
    boolean storeSlow(long va, int size, long v, long pc) {
        if (STATS) {
            ExecStats.storeSlows++;
        }
        this.pc = pc;
        if ((va & 0xfff) + size > 4096) {
            // check both pages first so a fault leaves memory untouched; a fault on the second page reports
            // its first byte, as QEMU does
            storePhys(va, 1);
            storePhys((va + size - 1) & PAGE_MASK, 1);
            boolean leave = false;
            for (int i = 0; i < size; i++) {
                leave |= storeSlow(va + i, 1, v >>> (8 * i), pc);
            }
            return leave;
        }
        int t = (int) (va >>> 12) & TLB_MASK;
        if (stag[t] == ((va & PAGE_MASK) | dataKey | CODE_FLAG)) {
            writeMem(mem, va + soff[t], size, v);
            code.invalidate(sphys[t] | (va & 0xfff), size, this);
            return leaveBlock = true;
        }
        long pa = storePhys(va, size);
        Region r = bus.find(pa);
        if (r == null || !r.contains(pa + size - 1)) {
            throw raise(Trap.STORE_ACCESS, va);
        }
        boolean watched = false;
        if (triggers.data != 0) {
            checkDataTrigger(va, size, Triggers.STORE);
            watched = triggers.watchesPage(va & PAGE_MASK);
        }
        switch (r.kind()) {
            case RAM -> {
                writeRam(r, pa, size, v);
                long page = pa & PAGE_MASK;
                boolean wasCode = code.isCode(page);
                if (wasCode) {
                    code.invalidate(pa, size, this);
                }
                if (!watched && r == memRegion && Pmp.allows(pmp.pagePermissions(page, dataPriv), Pmp.W)) {
                    noteTlbFill(t);
                    stag[t] = (va & PAGE_MASK) | dataKey;
                    soff[t] = page - r.base() - (va & PAGE_MASK);
                    sphys[t] = page;
                }
                return leaveBlock = wasCode;
            }
            case ROM -> {
                return false; // ignored, as QEMU does
            }
            default -> {
                ramMayHaveChanged = true;
                try {
                    r.device().write(pa - r.base(), size, v);
                } catch (BusError e) {
                    throw raise(Trap.STORE_ACCESS, va);
                }
                return leaveBlock = true;
            }
        }
    }

    /**
     * A store to RAM outside the write TLB, which marks the page for live migration's dirty log: every write-TLB
     * entry is filled here, so stores that hit the TLB later need no mark (the log's taker drops the TLB).
     */
    private static void writeRam(Region r, long pa, int size, long v) {
        writeMem(r.ram().segment(), pa - r.base(), size, v);
        r.ram().dirtyLog().markStore(pa - r.base());
    }

    /** Translation and PMP check for a store or AMO. */
    private long storePhys(long va, int size) {
        long pa = dataPhys(va, Mmu.STORE);
        if (!pmp.check(pa, size, Pmp.W, dataPriv)) {
            throw raise(Trap.STORE_ACCESS, va);
        }
        return pa;
    }

    // ------------------------------------------------------------------ A extension

    private void amo(int op, int rd, int rs1, int rs2, long pc) {
        this.pc = pc;
        boolean dbl = op >= Op.LR_D;
        int size = dbl ? 8 : 4;
        int k = op - (dbl ? Op.LR_D : Op.LR_W);
        long va = x[rs1];
        if ((va & (size - 1)) != 0) {
            throw raise(k == 0 ? Trap.LOAD_MISALIGNED : Trap.STORE_MISALIGNED, va);
        }
        if (k == 0) { // LR
            long v = load(va, size, pc);
            v = dbl ? v : (int) v;
            reservation = va;
            reservationValue = v;
            x[rd] = v;
            return;
        }
        if (k == 1) { // SC: succeeds if the reservation holds and memory still has the loaded value
            long res = reservation;
            reservation = -1;
            if (res != va) {
                x[rd] = 1;
                return;
            }
            long pa = storePhys(va, size);
            if (triggers.data != 0) {
                checkDataTrigger(va, size, Triggers.LOAD | Triggers.STORE); // an atomic access, as in QEMU
            }
            Region r = ramAt(pa, size);
            if (r != null) {
                // a compare-and-set against the value LR read (QEMU's way): fails if another hart changed the word
                x[rd] = casRam(r, pa, dbl, reservationValue, x[rs2]) ? 0 : 1;
                return;
            }
            long cur = physRead(pa, size, va);
            if ((dbl ? cur : (int) cur) != reservationValue) {
                x[rd] = 1;
                return;
            }
            physWrite(pa, size, x[rs2], va);
            x[rd] = 0;
            return;
        }
        long pa = storePhys(va, size);
        if (!pmp.check(pa, size, Pmp.R, dataPriv)) {
            throw raise(Trap.STORE_ACCESS, va);
        }
        if (triggers.data != 0) {
            checkDataTrigger(va, size, Triggers.LOAD | Triggers.STORE);
        }
        AtomicRam.Op aop = AMO_OPS[k - 2];
        Region r = ramAt(pa, size);
        if (r != null) {
            x[rd] = applyRam(r, pa, dbl, aop, x[rs2]); // one host atomic: indivisible against the other harts
            return;
        }
        ReentrantLock devices = loop.deviceLock(); // a device word: read and write under one hold of the lock
        devices.lock();
        try {
            long old = physRead(pa, size, va);
            if (!dbl) {
                old = (int) old;
            }
            physWrite(pa, size, AtomicRam.apply(aop, old, x[rs2], dbl), va);
            x[rd] = old;
        } finally {
            devices.unlock();
        }
    }

    private static final AtomicRam.Op[] AMO_OPS = AtomicRam.Op.values();

    // The guest's atomic accesses to RAM (AMOs, SC, the page walker's A/D update): one host atomic each, then
    // what every store to RAM owes: the dirty log (migration) and the code decoded from the word.

    /** The RAM region holding {@code [pa, pa + size)}, or null (device memory, or nothing). */
    Region ramAt(long pa, int size) {
        Region r = bus.find(pa);
        return r != null && r.kind() == Region.Kind.RAM && r.contains(pa + size - 1) ? r : null;
    }

    /** Compare-and-set of the 4- or 8-byte RAM word at {@code pa} in {@code r}; false if it did not hold {@code expected}. */
    boolean casRam(Region r, long pa, boolean dbl, long expected, long value) {
        if (!AtomicRam.compareAndSet(r.ram().segment(), pa - r.base(), dbl, expected, value)) {
            return false;
        }
        ramWritten(r, pa, dbl ? 8 : 4);
        return true;
    }

    /** {@code op} on the RAM word at {@code pa} in {@code r}, atomically; returns the old value. */
    private long applyRam(Region r, long pa, boolean dbl, AtomicRam.Op op, long operand) {
        long old = AtomicRam.getAndApply(r.ram().segment(), pa - r.base(), dbl, op, operand);
        ramWritten(r, pa, dbl ? 8 : 4);
        return old;
    }

    private void ramWritten(Region r, long pa, int size) {
        r.ram().dirtyLog().markStore(pa - r.base());
        code.invalidate(pa, size, this);
    }

    private long physRead(long pa, int size, long va) {
        Region r = bus.find(pa);
        if (r == null || !r.contains(pa + size - 1)) {
            throw raise(Trap.STORE_ACCESS, va);
        }
        ramMayHaveChanged |= !r.isMemory();
        try {
            return r.isMemory() ? readMem(r.ram().segment(), pa - r.base(), size) : r.device().read(pa - r.base(), size);
        } catch (BusError e) {
            throw raise(Trap.STORE_ACCESS, va);
        }
    }

    private void physWrite(long pa, int size, long v, long va) {
        Region r = bus.find(pa);
        try {
            switch (r.kind()) {
                case RAM -> {
                    writeRam(r, pa, size, v);
                    code.invalidate(pa, size, this);
                }
                case ROM -> { }
                case MMIO -> {
                    ramMayHaveChanged = true;
                    r.device().write(pa - r.base(), size, v);
                }
            }
        } catch (BusError e) {
            throw raise(Trap.STORE_ACCESS, va);
        }
    }

    // ------------------------------------------------------------------ system instructions

    private void system(int op, int p, int imm, long npc) {
        long pc = this.pc;
        switch (op) {
            case Op.FENCE_I -> {
                instructionFence();
                this.pc = npc;
            }
            case Op.ECALL -> {
                if (priv == 1 && ecallHandler != null) {
                    ramMayHaveChanged = true; // the firmware may write guest memory (e.g. a console read)
                    // During the call the hart's state is the one before the ECALL (pc on it, a0/a1 the
                    // arguments): a call waiting for other harts (remote fence, HSM start) waits at a
                    // safepoint, where a snapshot may save this hart; restored, it makes the call again.
                    this.pc = pc;
                    pcSet = false;
                    boolean handled;
                    ReentrantLock devices = loop.deviceLock(); // the firmware reaches devices and other harts
                    devices.lock();
                    try {
                        handled = ecallHandler.ecall(this);
                    } finally {
                        devices.unlock();
                    }
                    if (handled) {
                        if (!pcSet) {
                            this.pc = npc;
                        }
                        return;
                    }
                }
                throw raise(priv == 0 ? Trap.ECALL_U : priv == 1 ? Trap.ECALL_S : Trap.ECALL_M, 0);
            }
            case Op.EBREAK -> throw raise(Trap.BREAKPOINT, 0); // QEMU 7.2 leaves mtval 0
            case Op.MRET -> {
                if (priv != 3) {
                    throw illegal(pc);
                }
                long s = mstatus;
                int mpp = (int) (s >>> MSTATUS_MPP_SHIFT) & 3;
                s = (s & MSTATUS_MPIE) != 0 ? s | MSTATUS_MIE : s & ~MSTATUS_MIE;
                s = (s | MSTATUS_MPIE) & ~MSTATUS_MPP;
                if (mpp != 3) {
                    s &= ~MSTATUS_MPRV;
                }
                mstatus = s;
                priv = mpp;
                this.pc = mepc;
                updateKeys();
            }
            case Op.SRET -> {
                if (priv == 0 || (priv == 1 && (mstatus & MSTATUS_TSR) != 0)) {
                    throw illegal(pc);
                }
                long s = mstatus;
                int spp = (s & MSTATUS_SPP) != 0 ? 1 : 0;
                s = (s & MSTATUS_SPIE) != 0 ? s | MSTATUS_SIE : s & ~MSTATUS_SIE;
                s = (s | MSTATUS_SPIE) & ~MSTATUS_SPP & ~MSTATUS_MPRV;
                mstatus = s;
                priv = spp;
                this.pc = sepc;
                updateKeys();
            }
            case Op.WFI -> {
                if (priv == 0 || (priv == 1 && (mstatus & MSTATUS_TW) != 0)) {
                    throw illegal(pc);
                }
                this.pc = npc;
                waitForInterrupt();
            }
            case Op.SFENCE_VMA -> {
                if (priv == 0 || (priv == 1 && (mstatus & MSTATUS_TVM) != 0)) {
                    throw illegal(pc);
                }
                int rs1 = Decoder.rs1(p);
                if (rs1 == 0) {
                    flushTlb();
                } else {
                    flushTlbPage(x[rs1]);
                }
                this.pc = npc;
            }
            default -> { // CSR instructions
                int csr = imm & 0xfff;
                int rd = Decoder.rd(p), src = Decoder.rs1(p);
                boolean immForm = op >= Op.CSRRWI;
                int kind = op - (immForm ? Op.CSRRWI : Op.CSRRW); // 0 write, 1 set, 2 clear
                boolean writes = kind == 0 || src != 0;
                if (priv < ((csr >>> 8) & 3) || (writes && (csr >>> 10) == 3)) {
                    throw illegal(pc);
                }
                long operand = immForm ? src : x[src];
                long old;
                try {
                    csrs.checkAccess(csr);
                    old = kind == 0 && rd == Decoder.X0_SINK ? 0 : csrs.read(csr);
                    if (kind == 0) {
                        csrs.write(csr, operand);
                    } else if (writes) {
                        csrs.modify(csr, old, operand, kind == 1);
                    }
                } catch (Trap t) {
                    throw illegal(pc);
                }
                x[rd] = old;
                this.pc = npc;
            }
        }
    }

    // ------------------------------------------------------------------ traps and interrupts

    /** Enters the trap handler for {@code cause} (bit 63 set for interrupts) with epc = {@link #pc}. */
    void takeTrap(long cause, long tval) {
        if (cause == Trap.DEBUGGER) {
            return; // a stop for the debugger, before the instruction: the loop's attention ends the run
        }
        if (DebugLog.on(DebugLog.Category.INT)) {
            DebugLog.log(DebugLog.Category.INT, "hart%d: %s %d at pc=0x%x priv=%d tval=0x%x", hartId,
                    cause < 0 ? "interrupt" : "exception", cause & 63, pc, priv, tval);
        }
        boolean interrupt = cause < 0;
        int code = (int) cause & 63;
        long fromPc = pc;
        int fromPriv = priv;
        pendingSingle = false;
        long deleg = interrupt ? mideleg : medeleg;
        reservation = -1;
        if (priv <= 1 && ((deleg >>> code) & 1) != 0) {
            sepc = pc;
            scause = cause;
            stval = tval;
            long s = mstatus;
            s = (s & MSTATUS_SIE) != 0 ? s | MSTATUS_SPIE : s & ~MSTATUS_SPIE;
            s = priv == 1 ? s | MSTATUS_SPP : s & ~MSTATUS_SPP;
            mstatus = s & ~MSTATUS_SIE;
            priv = 1;
            pc = (stvec & ~3L) + ((stvec & 1) != 0 && interrupt ? 4L * code : 0);
        } else {
            mepc = pc;
            mcause = cause;
            mtval = tval;
            long s = mstatus;
            s = (s & MSTATUS_MIE) != 0 ? s | MSTATUS_MPIE : s & ~MSTATUS_MPIE;
            s = (s & ~MSTATUS_MPP) | (long) priv << MSTATUS_MPP_SHIFT;
            mstatus = s & ~MSTATUS_MIE;
            priv = 3;
            pc = (mtvec & ~3L) + ((mtvec & 1) != 0 && interrupt ? 4L * code : 0);
        }
        updateKeys();
        if (!interrupt && pc == fromPc && priv == fromPriv) {
            TrapLoop.report(this, cause, tval);
        }
    }

    private static final int[] PRIORITY = {IRQ_MEI, IRQ_MSI, IRQ_MTI, IRQ_SEI, IRQ_SSI, IRQ_STI};

    /** Takes the highest-priority pending and enabled interrupt, if any. */
    boolean checkInterrupts() {
        long pending = mip & mie;
        if (pending == 0 || (triggers.exec & Triggers.DEBUGGER) != 0) {
            return false; // a debugger's single step takes no interrupt (QEMU's default step flags)
        }
        long m = pending & ~mideleg;
        long s = pending & mideleg;
        long take;
        if (m != 0 && (priv < 3 || (mstatus & MSTATUS_MIE) != 0)) {
            take = m;
        } else if (s != 0 && (priv == 0 || (priv == 1 && (mstatus & MSTATUS_SIE) != 0))) {
            take = s;
        } else {
            return false;
        }
        for (int irq : PRIORITY) {
            if ((take & (1L << irq)) != 0) {
                takeTrap(Trap.INTERRUPT | irq, 0);
                return true;
            }
        }
        return false;
    }

    void updateMip() {
        long m;
        synchronized (mipLock) {
            long sw = mipSoftware;
            if ((menvcfg & MENVCFG_STCE) != 0) {
                sw = (sw & ~MIP_STIP) | (stipSstc ? MIP_STIP : 0);
            }
            m = mipDevice | sw;
            mip = m;
        }
        if ((m & mie) != 0) {
            kick = true; // after mip: the run loop clears kick before it reads mip
            if (halted) {
                loop.wakeCpus(); // a WFI may end: the hart's thread looks (isHalted)
            }
        }
    }

    /**
     * A read of mip/sip with Sstc on: STIP follows time >= stimecmp. Only when that differs from the STIP the
     * hart has (time passed stimecmp before the timer fired) does it take the device lock to update it and the
     * timer; a read otherwise costs one comparison. The hart's own thread.
     */
    void refreshSstc() {
        if ((Long.compareUnsigned(timebase.ticks(), stimecmp) >= 0) != stipSstc) {
            updateSstc();
        }
    }

    /** Sstc: STIP follows time >= stimecmp while menvcfg.STCE is set; a timer fires when it becomes true. */
    void updateSstc() {
        ReentrantLock devices = loop.deviceLock(); // the timer queue; the machine thread fires the timer
        devices.lock();
        try {
            updateSstcLocked();
        } finally {
            devices.unlock();
        }
    }

    private void updateSstcLocked() {
        if ((menvcfg & MENVCFG_STCE) == 0) {
            stimecmpTimer.cancel();
            synchronized (mipLock) {
                stipSstc = false;
            }
        } else {
            boolean due = Long.compareUnsigned(timebase.ticks(), stimecmp) >= 0;
            synchronized (mipLock) {
                stipSstc = due;
            }
            if (due || stimecmp < 0) {
                stimecmpTimer.cancel();
            } else {
                stimecmpTimer.armAt(timebase.nanosAt(stimecmp));
            }
        }
        updateMip();
    }

    /** Recomputes the translation keys after a change of privilege, mstatus or satp. */
    void updateKeys() {
        long s = mstatus;
        int eff = priv == 3 && (s & MSTATUS_MPRV) != 0 ? (int) (s >>> MSTATUS_MPP_SHIFT) & 3 : priv;
        boolean paging = (satp >>> 60) != 0;
        dataPriv = eff;
        dataTranslate = paging && eff != 3;
        fetchTranslate = paging && priv != 3;
        dataKey = eff | ((s & MSTATUS_SUM) != 0 ? 4 : 0) | ((s & MSTATUS_MXR) != 0 ? 8 : 0);
        fetchKey = priv;
    }

    /** Marks the F/D state dirty (mstatus.FS = Dirty). */
    void setFsDirty() {
        mstatus |= MSTATUS_FS;
    }

    long counter(boolean cycle) {
        int bit = cycle ? 0 : 2;
        long raw = retired + runRetired;
        return (cycle ? cycleBase : instretBase) + ((mcountinhibit >>> bit & 1) != 0 ? 0 : raw);
    }

    void setCounter(boolean cycle, long v) {
        long raw = (mcountinhibit >>> (cycle ? 0 : 2) & 1) != 0 ? 0 : retired + runRetired;
        if (cycle) {
            cycleBase = v - raw;
        } else {
            instretBase = v - raw;
        }
    }

    void setCountInhibit(long v) {
        long cy = counter(true), ir = counter(false);
        mcountinhibit = v;
        setCounter(true, cy);
        setCounter(false, ir);
    }

    // ------------------------------------------------------------------ state

    @Override
    public String stateId() {
        return "hart" + hartId;
    }

    @Override
    public int stateVersion() {
        return STATE_VERSION;
    }

    @Override
    public void saveState(StateWriter out) {
        out.putLongs("x", Arrays.copyOf(x, 32));
        out.putLongs("f", f.clone());
        out.putLong("pc", pc);
        out.putInt("priv", priv);
        out.putBoolean("halted", halted);
        out.putBoolean("stopped", stopped);
        out.putInt("fflags", sf.flags);
        out.putInt("frm", frm);
        out.putLong("mstatus", mstatus);
        out.putLong("medeleg", medeleg);
        out.putLong("mideleg", mideleg);
        out.putLong("mie", mie);
        out.putLong("mipDevice", mipDevice);
        out.putLong("mipSoftware", mipSoftware);
        out.putLong("mtvec", mtvec);
        out.putLong("stvec", stvec);
        out.putLong("mscratch", mscratch);
        out.putLong("sscratch", sscratch);
        out.putLong("mepc", mepc);
        out.putLong("sepc", sepc);
        out.putLong("mcause", mcause);
        out.putLong("scause", scause);
        out.putLong("mtval", mtval);
        out.putLong("stval", stval);
        out.putLong("satp", satp);
        out.putLong("mcounteren", mcounteren);
        out.putLong("scounteren", scounteren);
        out.putLong("mcountinhibit", mcountinhibit);
        out.putLong("menvcfg", menvcfg);
        out.putLong("senvcfg", senvcfg);
        out.putLong("stimecmp", stimecmp);
        out.putLong("mcycle", counter(true));
        out.putLong("minstret", counter(false));
        out.putInts("pmpcfg", pmp.cfg.clone());
        out.putLongs("pmpaddr", pmp.addr.clone());
        out.putLong("reservation", reservation);
        out.putLong("reservationValue", reservationValue);
        out.putLong("tselect", triggers.select);
        out.putLongs("tdata1", triggers.tdata1.clone());
        out.putLongs("tdata2", triggers.tdata2.clone());
    }

    @Override
    public void loadState(StateReader in) {
        long[] xs = in.getLongs("x");
        Arrays.fill(x, 0);
        System.arraycopy(xs, 0, x, 0, Math.min(32, xs.length));
        x[0] = 0;
        long[] fs = in.getLongs("f");
        System.arraycopy(fs, 0, f, 0, Math.min(32, fs.length));
        pc = in.getLong("pc");
        priv = in.getInt("priv");
        halted = in.getBoolean("halted");
        stopped = in.getBoolean("stopped", false);
        sf.flags = in.getInt("fflags") & 31;
        frm = in.getInt("frm") & 7;
        mstatus = in.getLong("mstatus");
        medeleg = in.getLong("medeleg");
        mideleg = in.getLong("mideleg");
        mie = in.getLong("mie");
        mipDevice = in.getLong("mipDevice");
        mipSoftware = in.getLong("mipSoftware");
        mtvec = in.getLong("mtvec");
        stvec = in.getLong("stvec");
        mscratch = in.getLong("mscratch");
        sscratch = in.getLong("sscratch");
        mepc = in.getLong("mepc");
        sepc = in.getLong("sepc");
        mcause = in.getLong("mcause");
        scause = in.getLong("scause");
        mtval = in.getLong("mtval");
        stval = in.getLong("stval");
        satp = in.getLong("satp");
        mcounteren = in.getLong("mcounteren");
        scounteren = in.getLong("scounteren");
        mcountinhibit = in.getLong("mcountinhibit");
        menvcfg = in.getLong("menvcfg");
        senvcfg = in.getLong("senvcfg");
        stimecmp = in.getLong("stimecmp");
        setCounter(true, in.getLong("mcycle"));
        setCounter(false, in.getLong("minstret"));
        int[] cfg = in.getInts("pmpcfg");
        long[] addr = in.getLongs("pmpaddr");
        System.arraycopy(cfg, 0, pmp.cfg, 0, Math.min(cfg.length, Pmp.ENTRIES));
        System.arraycopy(addr, 0, pmp.addr, 0, Math.min(addr.length, Pmp.ENTRIES));
        pmp.recompute();
        reservation = in.getLong("reservation", -1);
        reservationValue = in.getLong("reservationValue", 0);
        triggers.reset(); // snapshots from before Sdtrig: triggers at their reset values
        if (in.has("tdata1")) {
            long[] t1 = in.getLongs("tdata1");
            long[] t2 = in.getLongs("tdata2");
            for (int i = 0; i < Math.min(t1.length, Triggers.COUNT); i++) {
                triggers.select = i;
                triggers.writeData(1, t1[i]);
                triggers.writeData(2, t2[i]);
            }
            triggers.select = 0;
            triggers.writeSelect(in.getLong("tselect", 0));
        }
        updateSstc();
        updateKeys();
        flushTlb();
    }
}
