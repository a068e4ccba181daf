package dev.jemu.riscv.cpu;

import static dev.jemu.riscv.cpu.Op.*;
import static java.lang.constant.ConstantDescs.*;

import dev.jemu.core.log.DebugLog;
import dev.jemu.core.memory.RawMemory;
import java.lang.classfile.ClassFile;
import java.lang.classfile.CodeBuilder;
import java.lang.classfile.Label;
import java.lang.constant.ClassDesc;
import java.lang.constant.MethodTypeDesc;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandles;

/**
 * Compiles hot guest code to JVM bytecode (one hidden class per block) so that HotSpot compiles guest code. A
 * block is a region: the integer instructions (RV64IM, Zba/Zbb/Zbs, loads, stores) reachable from its start through
 * both sides of conditional branches and direct jumps, in the start's page and up to {@link #maxPages} - 1 others
 * (entered through a page guard, see {@link Region}), up to {@link #MAX_LENGTH}, laid out in address order; a branch or jump inside the region is a JVM jump (so a
 * guest if/else or a loop back to the start does not leave to the dispatcher), anything else leaves the block: an
 * indirect jump, a target outside the region, an instruction the JIT leaves to the interpreter (CSR, AMO, F/D,
 * system). A block starts a pass (at its entry or a backward jump) only with budget for the longest forward path, so
 * its forward jumps check nothing (given less at its entry it declines, and the dispatcher interprets); backward
 * jumps check the budget with the hart's kick and the machine loop's attention every {@link #POLL_INTERVAL}th, so a
 * guest loop never keeps a hart from leaving its run (another hart's stop-the-world request waits for that). Guest
 * registers live in JVM locals and are written back at the block's one exit. Loads and stores use the hart's TLBs
 * inline (plain host accesses through {@link RawMemory} when available, the TLB arrays read without range checks,
 * the page last hit through a base register kept in the block) and leave the block at a miss, before the access, for
 * the interpreter to do it: a block calls no slow path, so nothing in it traps, and C1 (which spills values live
 * across a call at their definitions) keeps the guest registers in host registers.
 */
final class Jit {
    static final boolean ENABLED = dev.jemu.core.jit.JitPolicy.ENABLED;
    /**
     * Entries of a block start before it is compiled: only code that stays hot. A new block runs in the JVM's
     * bytecode interpreter until HotSpot compiles it, and every block costs a class definition and HotSpot
     * compilations. Lower thresholds boot faster but cost 7-Zip a third of its rating (quiet 2-core host, 3 runs
     * each, boot-bench medians: 7.44-7.58 s at 10000, 7.77 s at 6000, 7.81 s at 3000, 8.13 s at 30000, QEMU 3.5 s;
     * zip-bench --smp 1, two runs each: 285 and 272 at 10000, 411 and 389 at 30000). Remeasured (session 13, runs
     * side by side with -Djemu.stats=true, 8192-entry TLBs): 10000 costs 7-Zip's compression 13% more emulation-thread
     * CPU for the same guest instructions (80 s against 71 s to 19.5 G instructions; decompression the same, 50 s),
     * with a higher JIT share (99.0-99.6% against 97.8-99.1%), the same instructions per block run and no block above
     * HotSpot's size limit; the whole run 130 s against 121 s. So not interpreted code but slower compiled code, from
     * 1867 blocks instead of 1082 (why they run slower is not pinned down: perhaps starts inside loops whose blocks
     * leave at the loop's backward jump, or more hot code for the host's caches).
     */
    static final int THRESHOLD = dev.jemu.core.jit.JitPolicy.threshold(30000, 30000);
    static final int MAX_LENGTH = 128;

    private static final ClassDesc CD_HART = ClassDesc.of("dev.jemu.riscv.cpu.Hart");
    private static final ClassDesc CD_ALU = ClassDesc.of("dev.jemu.riscv.cpu.Alu");
    private static final ClassDesc CD_BLOCK = ClassDesc.of("dev.jemu.riscv.cpu.JitBlock");
    private static final ClassDesc CD_RAM = ClassDesc.of("dev.jemu.core.memory.GuestRam");
    private static final ClassDesc CD_SEG = ClassDesc.of("java.lang.foreign.MemorySegment");
    private static final ClassDesc CD_OF_BYTE = ClassDesc.of("java.lang.foreign.ValueLayout$OfByte");
    private static final ClassDesc CD_OF_SHORT = ClassDesc.of("java.lang.foreign.ValueLayout$OfShort");
    private static final ClassDesc CD_OF_INT = ClassDesc.of("java.lang.foreign.ValueLayout$OfInt");
    private static final ClassDesc CD_OF_LONG = ClassDesc.of("java.lang.foreign.ValueLayout$OfLong");
    private static final ClassDesc CD_LONG_ARRAY = CD_long.arrayType();
    private static final ClassDesc CD_LOOP = ClassDesc.of("dev.jemu.core.machine.MachineLoop");
    private static final ClassDesc CD_RAW = ClassDesc.of("dev.jemu.core.memory.RawMemory");
    private static final ClassDesc CD_UNSAFE = ClassDesc.of("sun.misc.Unsafe");
    private static final MethodTypeDesc MTD_RUN = MethodTypeDesc.of(CD_long, CD_HART, CD_LONG_ARRAY, CD_SEG,
            CD_LONG_ARRAY, CD_LONG_ARRAY, CD_LONG_ARRAY, CD_LONG_ARRAY, CD_long, CD_long, CD_long);

    // local variable slots of run(): 0 this, 1 h, 2 x, 3 mem, 4 ltag, 5 loff, 6 stag, 7 soff, 8 dkey, 10 limit,
    // 12 pc0 (the guest pc the block was entered at: the code is position-independent, since one physical
    // page of code may run at several virtual addresses)
    private static final int H = 1, X = 2, MEM = 3, LTAG = 4, LOFF = 5, STAG = 6, SOFF = 7, DKEY = 8, LIMIT = 10;
    private static final int PC0 = 12;
    private static final int REGS = 14; // x1..x31 at 14, 16, ...
    private static final int DONE = REGS + 62, ADDR = DONE + 2, TLB = ADDR + 2, EXIT_N = TLB + 1, EXIT_PC = EXIT_N + 2,
            MEMBASE = EXIT_PC + 2, POLL = MEMBASE + 2,
            TLB_AT = POLL + 1, PAGE_CACHES = TLB_AT + 2;
    /** Base registers (of loads, of stores) a block keeps the page of, see {@link Gen#pageCache}. */
    static final int MAX_PAGE_CACHES = Integer.getInteger("jemu.jit.pagecaches", 4);
    /**
     * Backward jumps inside a block between two looks at the hart's kick and the loop's attention: looking at every
     * one cost a 16-instruction ALU loop a quarter of its speed (two volatile reads and a call per pass); this
     * bounds the delay to 16 passes of at most {@link #MAX_LENGTH} instructions.
     */
    static final int POLL_INTERVAL = 16;

    private static final MethodHandles.Lookup LOOKUP = MethodHandles.lookup();
    private static boolean reported;

    private Jit() {
    }

    private static boolean supported(int op) {
        return op >= LUI && op <= SLLI_UW || op >= ANDN && op <= BSETI;
    }

    private static boolean isBranch(int op) {
        return op >= BEQ && op <= BGEU;
    }

    private static boolean writesRd(int op) {
        return !(op >= BEQ && op <= BGEU || op >= SB && op <= SD || op == FENCE);
    }

    /**
     * Compiles the block starting at slot {@code start} of {@code pg} (at guest {@code pc}), or returns NONE.
     * The block is a region of the page: the supported instructions reachable from the start through
     * fall-through, conditional branches (both sides) and direct jumps whose targets lie in the page at or
     * after the start, lowest addresses first, at most {@link #MAX_LENGTH}. It is laid out in address order;
     * control that reaches an instruction outside the region (an indirect jump, a target before the start or
     * off the page, an instruction the JIT leaves to the interpreter, the length limit) leaves the block.
     */
    static JitBlock compile(DecodedPage pg, int start, long pc) {
        return compile(pg, start, pc, null);
    }

    /** As {@link #compile(DecodedPage, int, long)}, the region spanning other pages that {@code others} maps. */
    static JitBlock compile(DecodedPage pg, int start, long pc, CodePages others) {
        return compile(pg, start, pc, others, MAX_LENGTH);
    }

    /**
     * HotSpot never compiles a method of more than 8000 bytecode bytes ({@code -XX:+DontCompileHugeMethods}, the
     * default): such a block would run in the JVM's bytecode interpreter for ever, tens of times slower than the
     * hart's own interpreter. A block whose {@code run} comes out larger is made again with fewer instructions.
     */
    static final int MAX_BYTECODE = Integer.getInteger("jemu.jit.maxbytecode", 7999);

    /** The bytecode length of the last block's {@code run}, and the pages it spans (for tests). */
    static int lastCodeLength, lastPages;

    private static JitBlock compile(DecodedPage pg, int start, long pc, CodePages others, int maxLength) {
        Region r = new Region(pg, pc, others, maxLength);
        int n = r.members.size();
        if (n == 0) {
            return JitBlock.NONE;
        }
        int[] ops = new int[n];
        long[] imms = new long[n];
        long[] pcs = new long[n];
        int[] pageOf = new int[n];
        int k = 0, entry = 0;
        for (var e : r.members.entrySet()) { // address order
            ops[k] = (int) (long) e.getValue();
            imms[k] = (int) (e.getValue() >> 32);
            pcs[k] = e.getKey();
            pageOf[k] = r.pageIndex(e.getKey() & Hart.PAGE_MASK);
            if (pcs[k] == pc) {
                entry = k;
            }
            k++;
        }
        long t0 = Hart.STATS ? System.nanoTime() : 0;
        try {
            byte[] bytes = generate(ops, imms, pcs, n, entry, pageOf, r);
            int codeLength = runCodeLength(bytes);
            if (codeLength > MAX_BYTECODE && n > 1) {
                if (Hart.STATS) {
                    ExecStats.remadeHuge++;
                }
                return compile(pg, start, pc, others, Math.min(n - 1, (int) ((long) n * MAX_BYTECODE / codeLength)));
            }
            if (Hart.STATS && codeLength > 8000) {
                ExecStats.hugeBlocks++;
            }
            lastCodeLength = codeLength;
            lastPages = r.pages.size();
            Object[] guarded = new Object[r.pages.size()];
            for (int i = 1; i < guarded.length; i++) {
                guarded[i] = r.pages.get(i).page;
            }
            JitBlock b = dev.jemu.core.jit.HiddenClasses.instantiate(LOOKUP, bytes, guarded, JitBlock.class);
            if (Hart.STATS) {
                ExecStats.compiles++;
                ExecStats.compileNanos += System.nanoTime() - t0;
                ExecStats.compiledInsns += n;
                ExecStats.compiledBytes += bytes.length;
                ExecStats.compiledPages += r.pages.size();
            }
            return b;
        } catch (Throwable t) {
            if (!reported) {
                reported = true;
                DebugLog.log(DebugLog.Category.UNIMP, "jit: block at 0x%x not compiled: %s", pc, t);
            }
            return JitBlock.NONE;
        }
    }

    /**
     * The decoded page the hart's fetch TLB maps virtual page {@code vpage} to, or null. Read from another thread
     * (the compiler's) without synchronization: the block checks the mapping again whenever it enters that page.
     */
    interface CodePages {
        DecodedPage at(long vpage);
    }

    /**
     * Pages a region may span: its entry's and {@code maxPages - 1} others ({@code -Djemu.jit.pages=N}), and whether it
     * may hold code of its entry page before the entry ({@code -Djemu.jit.before=true}). Off by default: with 4 pages
     * and the code before, 7-Zip's compression ran 2.7 times fewer block runs (55 instead of 20.6 instructions each)
     * but took as much emulation CPU or more (side by side, load 8-20: 42.4 s against 41.0 s and 29.2 s against 27.0 s
     * over the same guest instructions): what a block run saves in the dispatcher is spent elsewhere (not pinned down:
     * perhaps every run loading and writing back the registers of the whole larger region). Set by tests.
     */
    static int maxPages = Math.max(1, Integer.getInteger("jemu.jit.pages", 1));
    static boolean before = Boolean.getBoolean("jemu.jit.before");

    /** One page of a region: its virtual base at compile time, its decoded page and the epoch of the bytes used. */
    record RegionPage(long vbase, DecodedPage page, MemorySegment bytes, int epoch) {
    }

    /**
     * The instructions of a block: the supported ones reachable from the entry through fall-through, both sides of
     * conditional branches and direct jumps, in the entry's page (first those at or after the entry, lowest address
     * first, then those before it) and in up to {@link #maxPages} - 1 other pages that the hart's fetch TLB maps when
     * the block is compiled (their bytes taken with their epoch: the block enters such a page only while the fetch
     * TLB still maps its virtual page to that decoded page in that epoch, see Gen#guard).
     */
    static final class Region {
        final java.util.TreeMap<Long, Long> members = new java.util.TreeMap<>();
        final java.util.List<RegionPage> pages = new java.util.ArrayList<>();
        private final java.util.TreeSet<Long> near = new java.util.TreeSet<>(), far = new java.util.TreeSet<>();
        private final long entry;
        private final CodePages others;

        Region(DecodedPage pg, long entry, CodePages others, int maxLength) {
            this.entry = entry;
            this.others = maxPages > 1 ? others : null;
            pages.add(new RegionPage(entry & Hart.PAGE_MASK, pg, null, 0));
            near.add(entry);
            while (members.size() < maxLength && !(near.isEmpty() && far.isEmpty())) {
                long at = near.isEmpty() ? far.pollFirst() : near.pollFirst();
                long d = decode(at);
                int p = (int) d;
                int op = p & Decoder.OP_MASK;
                if (!supported(op)) {
                    continue;
                }
                members.put(at, d);
                if (op != JALR && op != JAL) {
                    queue(at + Decoder.length(p));
                }
                if (op == JAL || isBranch(op)) {
                    queue(at + (int) (d >> 32));
                }
            }
        }

        int pageIndex(long vbase) {
            for (int i = 0; i < pages.size(); i++) {
                if (pages.get(i).vbase == vbase) {
                    return i;
                }
            }
            return -1;
        }

        private long decode(long at) {
            RegionPage rp = pages.get(pageIndex(at & Hart.PAGE_MASK));
            int slot = (int) (at & ~Hart.PAGE_MASK) >>> 1;
            // the entry page: its snapshot, not the slots (this may run on the compiler thread)
            return rp.bytes == null ? rp.page.decodeFromSnapshot(slot) : DecodedPage.decodeAt(rp.bytes, 0, slot);
        }

        /** Adds {@code target} to the work list if the region may hold it. */
        private void queue(long target) {
            if (members.containsKey(target)) {
                return;
            }
            long vbase = target & Hart.PAGE_MASK;
            if (vbase == pages.get(0).vbase) {
                if (target >= entry) {
                    near.add(target);
                } else if (before) {
                    far.add(target);
                }
            } else if (pageIndex(vbase) >= 0 || addPage(vbase)) {
                far.add(target);
            }
        }

        private boolean addPage(long vbase) {
            if (others == null || pages.size() >= maxPages) {
                return false;
            }
            DecodedPage p = others.at(vbase);
            if (p == null || p.blocks == null || p.dead) {
                return false;
            }
            byte[] copy = new byte[4096];
            int epoch = p.snapshotCopy(copy);
            pages.add(new RegionPage(vbase, p, MemorySegment.ofArray(copy), epoch));
            return true;
        }
    }

    /** The bytecode length of the block class's {@code run}. */
    static int runCodeLength(byte[] classBytes) {
        return ClassFile.of().parse(classBytes).methods().stream()
                .filter(m -> m.methodName().equalsString("run"))
                .mapToInt(m -> m.findAttribute(java.lang.classfile.Attributes.code()).orElseThrow().codeLength())
                .findFirst().orElseThrow();
    }

    private static final ClassDesc CD_SELF = ClassDesc.of("dev.jemu.riscv.cpu.JitBlockImpl");
    private static final ClassDesc CD_PAGE = ClassDesc.of("dev.jemu.riscv.cpu.DecodedPage");

    private static byte[] generate(int[] ops, long[] imms, long[] pcs, int n, int entry, int[] pageOf, Region r) {
        return ClassFile.of().build(CD_SELF, clb -> {
            clb.withFlags(ClassFile.ACC_FINAL | ClassFile.ACC_SYNTHETIC);
            clb.withSuperclass(CD_BLOCK);
            if (r.pages.size() > 1) { // the other pages' DecodedPage, for the guards
                dev.jemu.core.jit.HiddenClasses.constantsFromClassData(clb, CD_SELF, CD_PAGE, r.pages.size(),
                        i -> i == 0 ? null : "P" + i);
            }
            clb.withMethodBody(INIT_NAME, MTD_void, ClassFile.ACC_PUBLIC,
                    cb -> cb.aload(0).invokespecial(CD_BLOCK, INIT_NAME, MTD_void).return_());
            clb.withMethodBody("run", MTD_RUN, ClassFile.ACC_PUBLIC | ClassFile.ACC_FINAL,
                    cb -> new Gen(cb, ops, imms, pcs, n, entry, pageOf, r.pages).emit());
        });
    }

    /** Bytecode for one block. */
    private static final class Gen {
        final CodeBuilder cb;
        final int[] ops;
        final long[] imms;
        final long[] pcs;
        final int n;
        final boolean[] used = new boolean[33];
        final boolean[] written = new boolean[33];
        /** Region index by guest address (at compile time). */
        final java.util.Map<Long, Integer> indexOf = new java.util.HashMap<>();
        /** The instruction the block is entered at, and each instruction's page (0: the entry's, see Region). */
        final int entry;
        final int[] pageOf;
        final java.util.List<RegionPage> pages;
        final Label[] labels;
        /**
         * TLB misses of loads and stores: they leave the block before the access, for the interpreter to do it
         * (its slow path may trap or reach a device). A call here instead would make C1 keep the guest registers
         * in memory all through the block (it spills values live across a call at their definitions).
         */
        final java.util.List<SlowExit> slowExits = new java.util.ArrayList<>();

        record SlowExit(Label label, int retired, long pc, int kind) {
        }

        /** Page-cache misses ({@link #cachedHostAddress}), emitted out of line after the code. */
        final java.util.List<Runnable> cacheMisses = new java.util.ArrayList<>();
        int[] cacheRegs = new int[0];
        boolean[] cacheStores = new boolean[0];

        /** The one exit: writes back the registers, stores EXIT_N as jitRetired and returns EXIT_PC. */
        Label exitLabel;

        Gen(CodeBuilder cb, int[] ops, long[] imms, long[] pcs, int n, int entry, int[] pageOf,
                java.util.List<RegionPage> pages) {
            this.cb = cb;
            this.ops = ops;
            this.imms = imms;
            this.pcs = pcs;
            this.n = n;
            this.entry = entry;
            this.pageOf = pageOf;
            this.pages = pages;
            this.labels = new Label[n];
            for (int k = 0; k < n; k++) {
                int p = ops[k];
                int op = p & Decoder.OP_MASK;
                used[Decoder.rs1(p)] = true;
                used[Decoder.rs2(p)] = true;
                if (writesRd(op)) {
                    written[Decoder.rd(p)] = true;
                }
                indexOf.put(pcs[k], k);
            }
        }

        /** The region index of the instruction at {@code target}, or -1 if the block does not hold it. */
        int indexOf(long target) {
            return indexOf.getOrDefault(target, -1);
        }

        static int slot(int r) {
            return REGS + 2 * (r - 1);
        }

        void pushReg(int r) {
            if (r == 0) {
                cb.lconst_0();
            } else {
                cb.lload(slot(r));
            }
        }

        void popReg(int rd) {
            if (rd == 0 || rd == Decoder.X0_SINK) {
                cb.pop2();
            } else {
                cb.lstore(slot(rd));
            }
        }

        void writeback() {
            for (int r = 1; r < 32; r++) {
                if (written[r]) {
                    cb.aload(X).loadConstant(r).lload(slot(r)).lastore();
                }
            }
        }

        /** Pushes the guest address of the instruction that was at {@code pc} when the block was compiled. */
        void pushPc(long pc) {
            cb.lload(PC0);
            if (pc != pcs[entry]) {
                cb.loadConstant(pc - pcs[entry]).ladd();
            }
        }

        /** Leaves the block with DONE + {@code retired} instructions retired, continuing at {@code pc}. */
        void exit(int retired, long pc, int kind) {
            noteExit(kind);
            pushRetired(retired);
            cb.lstore(EXIT_N);
            pushPc(pc);
            cb.lstore(EXIT_PC);
            cb.goto_(exitLabel);
        }

        /** With {@code -Djemu.stats=true}: records why the block left ({@link ExecStats}'s EXIT_ kinds). */
        void noteExit(int kind) {
            if (Hart.STATS) {
                cb.aload(H).loadConstant(kind).putfield(CD_HART, "jitExit", CD_int);
            }
        }

        /** The stats kind of a direct jump out of the region to {@code target}. */
        int exitKind(long target) {
            long page = pcs[entry] & Hart.PAGE_MASK;
            if ((target & Hart.PAGE_MASK) != page) {
                return ExecStats.EXIT_OFF_PAGE;
            }
            return target < pcs[entry] ? ExecStats.EXIT_BEFORE : ExecStats.EXIT_CUT;
        }

        /**
         * Pushes the count retired before region instruction {@code k}: DONE + k, DONE being adjusted at every
         * jump inside the region by the instructions between its source and target (region indexes are
         * address order, not path order).
         */
        void pushRetired(int k) {
            cb.lload(DONE).loadConstant((long) k).ladd();
        }

        void emit() {
            // too little budget for a whole pass: decline (nothing retired), the dispatcher interprets
            Label enter = cb.newLabel();
            cb.lload(LIMIT).loadConstant((long) passRoom(entry)).lcmp().ifgt(enter);
            cb.aload(H).lconst_0().putfield(CD_HART, "jitRetired", CD_long);
            cb.lload(PC0).lreturn();
            cb.labelBinding(enter);
            if (RawMemory.ENABLED) {
                cb.aload(H).getfield(CD_HART, "memBase", CD_long).lstore(MEMBASE);
            }
            for (int r = 1; r < 32; r++) {
                if (used[r] || written[r]) {
                    cb.aload(X).loadConstant(r).laload().lstore(slot(r));
                }
            }
            exitLabel = cb.newLabel();
            cb.loadConstant((long) -entry).lstore(DONE); // DONE + index: retired since the entry
            for (int i = 1; i < pages.size(); i++) {
                cb.iconst_0().istore(verified(i));
            }
            chooseCaches();
            for (int c = 0; c < cacheRegs.length; c++) {
                cb.loadConstant(-1L).lstore(cachePage(c)); // matches no address (its bits 3..11 are set)
                cb.lconst_0().lstore(cacheDelta(c));
            }
            cb.iconst_1().istore(POLL); // the first backward jump looks
            for (int k = 0; k < n; k++) {
                labels[k] = cb.newLabel();
            }
            if (entry != 0) {
                cb.goto_(labels[entry]);
            }
            for (int k = 0; k < n; k++) {
                cb.labelBinding(labels[k]);
                instruction(k);
            }
            cacheMisses.forEach(Runnable::run);
            for (SlowExit e : slowExits) { // out of line, after the code
                cb.labelBinding(e.label);
                exit(e.retired, e.pc, e.kind);
            }
            cb.labelBinding(exitLabel);
            writeback();
            cb.aload(H).lload(EXIT_N).putfield(CD_HART, "jitRetired", CD_long);
            cb.lload(EXIT_PC).lreturn();
        }

        /** The int local that holds 1 once the block found page {@code i} (not the entry's) mapped as compiled. */
        int verified(int i) {
            return PAGE_CACHES + 4 * MAX_PAGE_CACHES + 2 + i;
        }

        /**
         * Control going from instruction k to region instruction j (at {@code target}) in another page than the
         * entry's and k's: the block goes on into that page's code only if the hart's fetch TLB maps the page's
         * virtual address (relative to the entry pc) to the decoded page the code was taken from, in the same
         * epoch (its bytes not changed since): what the dispatcher would find at {@code target}. Else it leaves
         * there, and the dispatcher looks the target up. Checked at the first crossing of a run only: nothing in
         * a block changes the fetch TLB or decoded code (a store to code leaves it), as a one-page block keeps
         * running its page's code.
         */
        void guard(int k, int j, long target) {
            int p = pageOf[j];
            if (p == 0 || p == pageOf[k]) {
                return;
            }
            int vpage = PAGE_CACHES + 4 * MAX_PAGE_CACHES; // a long: the page's virtual address in this run
            Label pass = cb.newLabel(), fail = cb.newLabel();
            cb.iload(verified(p)).ifne(pass);
            pushPc(target);
            cb.loadConstant(Hart.PAGE_MASK).land().lstore(vpage);
            // ftag[t] == vpage | fetchKey
            cb.aload(H).getfield(CD_HART, "ftag", CD_LONG_ARRAY);
            cb.lload(vpage).loadConstant(12).lushr().l2i().loadConstant(Hart.TLB_MASK).iand();
            cb.laload();
            cb.lload(vpage).aload(H).getfield(CD_HART, "fetchKey", CD_int).i2l().lor().lcmp().ifne(fail);
            // fpage[t] == the page compiled from
            cb.aload(H).getfield(CD_HART, "fpage", CD_PAGE.arrayType());
            cb.lload(vpage).loadConstant(12).lushr().l2i().loadConstant(Hart.TLB_MASK).iand();
            cb.aaload().getstatic(CD_SELF, "P" + p, CD_PAGE).if_acmpne(fail);
            // in the epoch of the bytes compiled
            cb.getstatic(CD_SELF, "P" + p, CD_PAGE).getfield(CD_PAGE, "epoch", CD_int)
                    .loadConstant(pages.get(p).epoch()).if_icmpne(fail);
            cb.iconst_1().istore(verified(p));
            slowExits.add(new SlowExit(fail, k + 1, target, ExecStats.EXIT_GUARD));
            cb.labelBinding(pass);
        }

        /**
         * A taken branch or jump after instruction k to {@code target}: inside the region a JVM jump if the budget
         * still allows one (the interpreter's check at a taken branch), a backward one (a loop) only while the
         * hart has no kick and the machine loop no attention (looked at every {@link #POLL_INTERVAL}th), so that a
         * spinning hart still leaves its run for an interrupt or another hart's request; an exit otherwise.
         */
        void jumpTo(int k, long target) {
            int j = indexOf(target);
            if (j < 0) {
                exit(k + 1, target, exitKind(target));
                return;
            }
            guard(k, j, target);
            jumpInside(k, j, target);
        }

        /**
         * A taken jump from instruction k to region instruction j. Forward: no check (see passRoom). Backward: every
         * POLL-th one checks the budget, the kick and the attention, and sets how many may follow unchecked
         * (POLL_INTERVAL while the budget has room for that many passes, else 1).
         */
        void jumpInside(int k, int j, long target) {
            if (j > k) {
                cb.lload(DONE).loadConstant((long) (k + 1 - j)).ladd().lstore(DONE);
                cb.goto_(labels[j]);
                return;
            }
            Label leave = cb.newLabel(), noPoll = cb.newLabel(), near = cb.newLabel();
            cb.iinc(POLL, -1).iload(POLL).ifne(noPoll);
            pushRetired(k + 1 + passRoom(j));
            cb.lload(LIMIT).lcmp().ifge(leave);
            cb.aload(H).getfield(CD_HART, "kick", CD_boolean).ifne(leave);
            cb.aload(H).getfield(CD_HART, "loop", CD_LOOP)
                    .invokevirtual(CD_LOOP, "attention", MethodTypeDesc.of(CD_boolean)).ifne(leave);
            cb.lload(LIMIT);
            pushRetired(k + 1);
            cb.lsub().loadConstant(uncheckedRoom()).lcmp().iflt(near);
            cb.loadConstant(POLL_INTERVAL).istore(POLL).goto_(noPoll);
            cb.labelBinding(near);
            cb.iconst_1().istore(POLL);
            cb.labelBinding(noPoll);
            cb.lload(DONE).loadConstant((long) (k + 1 - j)).ladd().lstore(DONE);
            cb.goto_(labels[j]);
            cb.labelBinding(leave);
            exit(k + 1, target, ExecStats.EXIT_POLL);
        }

        /**
         * The most instructions a pass from region instruction {@code j} can retire before its last taken jump
         * inside the region ahead of the next backward one: such a jump goes forward from an index below n - 1,
         * so at most n - 1 - j. A pass is started (at the entry or by a backward jump) only while the budget has
         * more room than that, so forward jumps need no budget check and the block still never runs past the
         * interpreter's taken branch where the budget ran out (a backward jump leaves earlier, and the dispatcher
         * interprets the rest).
         */
        int passRoom(int j) {
            return n - 1 - j;
        }

        /**
         * The budget room after a checked backward jump for the next POLL_INTERVAL - 1 to go unchecked: a pass
         * retires at most n (a forward path and its backward jump), so those and the pass after the last of them
         * need fewer than POLL_INTERVAL * n; one more n for good measure.
         */
        long uncheckedRoom() {
            return (long) (POLL_INTERVAL + 1) * n;
        }

        /** Control going on after instruction k to {@code next}: no budget check, as in the interpreter. */
        void fallThrough(int k, long next) {
            int j = indexOf(next);
            if (j >= 0) {
                guard(k, j, next);
            }
            if (k + 1 < n && pcs[k + 1] == next) {
                return; // laid out next
            }
            if (j < 0) {
                exit(k + 1, next, exitKind(next) == ExecStats.EXIT_OFF_PAGE ? ExecStats.EXIT_OFF_PAGE
                        : ExecStats.EXIT_FALL);
                return;
            }
            cb.lload(DONE).loadConstant((long) (k + 1 - j)).ladd().lstore(DONE);
            cb.goto_(labels[j]);
        }

        void instruction(int k) {
            int op = ops[k] & Decoder.OP_MASK;
            operation(k);
            if (op != JAL && op != JALR && !isBranch(op)) {
                fallThrough(k, pcs[k] + Decoder.length(ops[k]));
            }
        }

        /** Instruction k, ending with its control transfer if it is a jump or a branch. */
        void operation(int k) {
            int p = ops[k];
            int op = p & Decoder.OP_MASK;
            int rd = Decoder.rd(p), rs1 = Decoder.rs1(p), rs2 = Decoder.rs2(p);
            long imm = imms[k];
            long pc = pcs[k], next = pc + Decoder.length(p);
            switch (op) {
                case LUI -> { cb.loadConstant(imm); popReg(rd); }
                case AUIPC -> { pushPc(pc + imm); popReg(rd); }
                case JAL -> {
                    pushPc(next);
                    popReg(rd);
                    jumpTo(k, pc + imm);
                }
                case JALR -> {
                    pushReg(rs1);
                    cb.loadConstant(imm).ladd().loadConstant(~1L).land().lstore(ADDR);
                    pushPc(next);
                    popReg(rd);
                    noteExit(ExecStats.EXIT_JALR);
                    pushRetired(k + 1);
                    cb.lstore(EXIT_N);
                    cb.lload(ADDR).lstore(EXIT_PC);
                    cb.goto_(exitLabel);
                }
                case BEQ, BNE, BLT, BGE, BLTU, BGEU -> {
                    pushReg(rs1);
                    pushReg(rs2);
                    if (op == BLTU || op == BGEU) {
                        cb.invokestatic(CD_Long, "compareUnsigned", MethodTypeDesc.of(CD_int, CD_long, CD_long));
                    } else {
                        cb.lcmp();
                    }
                    Label notTaken = cb.newLabel();
                    switch (op) {
                        case BEQ -> cb.ifne(notTaken);
                        case BNE -> cb.ifeq(notTaken);
                        case BLT, BLTU -> cb.ifge(notTaken);
                        default -> cb.iflt(notTaken);
                    }
                    jumpTo(k, pc + imm);
                    cb.labelBinding(notTaken);
                    fallThrough(k, next);
                }
                case LB, LH, LW, LD, LBU, LHU, LWU -> load(k, op, rd, rs1, imm, pc);
                case SB, SH, SW, SD -> store(k, op, rs1, rs2, imm, pc);
                case ADDI -> { pushReg(rs1); cb.loadConstant(imm).ladd(); popReg(rd); }
                case SLTI -> { pushReg(rs1); cb.loadConstant(imm).lcmp(); lessThan(); popReg(rd); }
                case SLTIU -> { pushReg(rs1); cb.loadConstant(imm); compareUnsigned(); lessThan(); popReg(rd); }
                case XORI -> { pushReg(rs1); cb.loadConstant(imm).lxor(); popReg(rd); }
                case ORI -> { pushReg(rs1); cb.loadConstant(imm).lor(); popReg(rd); }
                case ANDI -> { pushReg(rs1); cb.loadConstant(imm).land(); popReg(rd); }
                case SLLI -> { pushReg(rs1); cb.loadConstant((int) imm).lshl(); popReg(rd); }
                case SRLI -> { pushReg(rs1); cb.loadConstant((int) imm).lushr(); popReg(rd); }
                case SRAI -> { pushReg(rs1); cb.loadConstant((int) imm).lshr(); popReg(rd); }
                case ADD -> { pushReg(rs1); pushReg(rs2); cb.ladd(); popReg(rd); }
                case SUB -> { pushReg(rs1); pushReg(rs2); cb.lsub(); popReg(rd); }
                case SLL -> { pushReg(rs1); pushReg(rs2); cb.l2i().lshl(); popReg(rd); }
                case SLT -> { pushReg(rs1); pushReg(rs2); cb.lcmp(); lessThan(); popReg(rd); }
                case SLTU -> { pushReg(rs1); pushReg(rs2); compareUnsigned(); lessThan(); popReg(rd); }
                case XOR -> { pushReg(rs1); pushReg(rs2); cb.lxor(); popReg(rd); }
                case SRL -> { pushReg(rs1); pushReg(rs2); cb.l2i().lushr(); popReg(rd); }
                case SRA -> { pushReg(rs1); pushReg(rs2); cb.l2i().lshr(); popReg(rd); }
                case OR -> { pushReg(rs1); pushReg(rs2); cb.lor(); popReg(rd); }
                case AND -> { pushReg(rs1); pushReg(rs2); cb.land(); popReg(rd); }
                case ADDIW -> { pushReg(rs1); cb.loadConstant(imm).ladd().l2i().i2l(); popReg(rd); }
                case SLLIW -> { pushReg(rs1); cb.l2i().loadConstant((int) imm).ishl().i2l(); popReg(rd); }
                case SRLIW -> { pushReg(rs1); cb.l2i().loadConstant((int) imm).iushr().i2l(); popReg(rd); }
                case SRAIW -> { pushReg(rs1); cb.l2i().loadConstant((int) imm).ishr().i2l(); popReg(rd); }
                case ADDW -> { pushReg(rs1); pushReg(rs2); cb.ladd().l2i().i2l(); popReg(rd); }
                case SUBW -> { pushReg(rs1); pushReg(rs2); cb.lsub().l2i().i2l(); popReg(rd); }
                case SLLW -> { pushReg(rs1); cb.l2i(); pushReg(rs2); cb.l2i().ishl().i2l(); popReg(rd); }
                case SRLW -> { pushReg(rs1); cb.l2i(); pushReg(rs2); cb.l2i().iushr().i2l(); popReg(rd); }
                case SRAW -> { pushReg(rs1); cb.l2i(); pushReg(rs2); cb.l2i().ishr().i2l(); popReg(rd); }
                case FENCE -> {
                    if (imm != 0) { // a store before a load: the host's full fence (see Decoder.fenceNeedsHostFence)
                        cb.aload(H).invokevirtual(CD_HART, "fenceStoresBeforeLoads", MethodTypeDesc.of(CD_void));
                    }
                }
                case MUL -> { pushReg(rs1); pushReg(rs2); cb.lmul(); popReg(rd); }
                case MULH -> {
                    pushReg(rs1);
                    pushReg(rs2);
                    cb.invokestatic(ClassDesc.of("java.lang.Math"), "multiplyHigh",
                            MethodTypeDesc.of(CD_long, CD_long, CD_long));
                    popReg(rd);
                }
                case MULHU -> {
                    pushReg(rs1);
                    pushReg(rs2);
                    cb.invokestatic(ClassDesc.of("java.lang.Math"), "unsignedMultiplyHigh",
                            MethodTypeDesc.of(CD_long, CD_long, CD_long));
                    popReg(rd);
                }
                case MULHSU -> {
                    pushReg(rs1);
                    pushReg(rs2);
                    cb.invokestatic(CD_HART, "mulhsu", MethodTypeDesc.of(CD_long, CD_long, CD_long));
                    popReg(rd);
                }
                case MULW -> { pushReg(rs1); cb.l2i(); pushReg(rs2); cb.l2i().imul().i2l(); popReg(rd); }
                case DIV, DIVU, REM, REMU, DIVW, DIVUW, REMW, REMUW -> {
                    cb.loadConstant(op);
                    pushReg(rs1);
                    pushReg(rs2);
                    cb.invokestatic(CD_ALU, "divide", MethodTypeDesc.of(CD_long, CD_int, CD_long, CD_long));
                    popReg(rd);
                }
                default -> { // Zba, Zbb, Zbs
                    cb.loadConstant(op);
                    pushReg(rs1);
                    pushReg(rs2);
                    cb.loadConstant(imm);
                    cb.invokestatic(CD_ALU, "bitmanip",
                            MethodTypeDesc.of(CD_long, CD_int, CD_long, CD_long, CD_long));
                    popReg(rd);
                }
            }
        }

        /** int comparison result on the stack -> 1L if negative else 0L. */
        void lessThan() {
            cb.loadConstant(31).iushr().i2l();
        }

        void compareUnsigned() {
            cb.invokestatic(CD_Long, "compareUnsigned", MethodTypeDesc.of(CD_int, CD_long, CD_long));
        }

        /**
         * ADDR = rs1 + imm, TLB_AT (or TLB) = the entry; jumps to {@code slow} unless the TLB has the page. One compare checks both
         * the page and that the access does not cross into the next one: the tag is compared with the page of the
         * access's last byte, while the index is of its first (see Hart's TLBs).
         */
        void translate(int rs1, long imm, int size, int tagArray, Label slow) {
            pushReg(rs1);
            cb.loadConstant(imm).ladd().lstore(ADDR);
            translateTail(size, tagArray, slow);
        }

        /** The TLB lookup of {@link #translate} for ADDR. */
        void translateTail(int size, int tagArray, Label slow) {
            if (RawMemory.ENABLED) {
                // the entry's offset in the TLB arrays, read without range checks (the index is masked)
                cb.lload(ADDR).loadConstant(12 - 3).lushr().loadConstant((long) Hart.TLB_MASK << 3).land()
                        .loadConstant((long) sun.misc.Unsafe.ARRAY_LONG_BASE_OFFSET).ladd().lstore(TLB_AT);
                cb.getstatic(CD_RAW, "U", CD_UNSAFE).aload(tagArray).lload(TLB_AT)
                        .invokevirtual(CD_UNSAFE, "getLong", MethodTypeDesc.of(CD_long, CD_Object, CD_long));
            } else {
                cb.lload(ADDR).loadConstant(12).lushr().l2i().loadConstant(Hart.TLB_MASK).iand().istore(TLB);
                cb.aload(tagArray).iload(TLB).laload();
            }
            cb.lload(ADDR);
            if (size > 1) {
                cb.loadConstant((long) (size - 1)).ladd();
            }
            cb.loadConstant(Hart.PAGE_MASK).land().lload(DKEY).lor().lcmp().ifne(slow);
        }

        void load(int k, int op, int rd, int rs1, long imm, long pc) {
            int size = switch (op) {
                case LB, LBU -> 1;
                case LH, LHU -> 2;
                case LW, LWU -> 4;
                default -> 8;
            };
            Label slow = cb.newLabel();
            slowExits.add(new SlowExit(slow, k, pc, ExecStats.EXIT_TLB));
            if (cacheOf(rs1, false) >= 0) {
                cachedHostAddress(rs1, imm, size, false, slow);
            } else {
                translate(rs1, imm, size, LTAG, slow);
                pushRamAccess(LOFF, size);
            }
            if (RawMemory.ENABLED) {
                cb.invokevirtual(CD_UNSAFE, rawName("get", size), MethodTypeDesc.of(valueType(size), CD_long));
            } else {
                cb.invokeinterface(CD_SEG, "get", MethodTypeDesc.of(valueType(size), layout(size), CD_long));
            }
            if (size < 8) {
                cb.i2l();
            }
            switch (op) {
                case LBU -> cb.loadConstant(0xffL).land();
                case LHU -> cb.loadConstant(0xffffL).land();
                case LWU -> cb.loadConstant(0xffff_ffffL).land();
                default -> { }
            }
            popReg(rd);
        }

        void store(int k, int op, int rs1, int rs2, long imm, long pc) {
            int size = op == SB ? 1 : op == SH ? 2 : op == SW ? 4 : 8;
            Label slow = cb.newLabel();
            slowExits.add(new SlowExit(slow, k, pc, ExecStats.EXIT_TLB));
            if (cacheOf(rs1, true) >= 0) {
                cachedHostAddress(rs1, imm, size, true, slow);
            } else {
                translate(rs1, imm, size, STAG, slow);
                pushRamAccess(SOFF, size);
            }
            pushReg(rs2);
            switch (size) {
                case 1 -> cb.l2i().i2b();
                case 2 -> cb.l2i().i2s();
                case 4 -> cb.l2i();
                default -> { }
            }
            if (RawMemory.ENABLED) {
                cb.invokevirtual(CD_UNSAFE, rawName("put", size), MethodTypeDesc.of(CD_void, CD_long, valueType(size)));
            } else {
                cb.invokeinterface(CD_SEG, "set", MethodTypeDesc.of(CD_void, layout(size), CD_long, valueType(size)));
            }
        }

        /**
         * The page cache of base register {@code r} for loads (or stores), or -1: a block keeps, for the base
         * registers its accesses use most (at most {@link #MAX_PAGE_CACHES}), the last page such an access hit in
         * the TLB and that page's host address delta, so that an access through the same register to the same page
         * (a stack frame, a structure, an array walk) needs one compare instead of the TLB lookup. The cache lives
         * for one run of the block: nothing inside a block changes the hart's TLBs (its slow paths leave it).
         */
        int cacheOf(int r, boolean store) {
            for (int c = 0; c < cacheRegs.length; c++) {
                if (cacheRegs[c] == r && cacheStores[c] == store) {
                    return c;
                }
            }
            return -1;
        }

        void chooseCaches() {
            if (!RawMemory.ENABLED || MAX_PAGE_CACHES == 0) {
                return;
            }
            int[] count = new int[64]; // rs1 for loads, 32 + rs1 for stores
            boolean loops = false;
            for (int k = 0; k < n; k++) {
                int op = ops[k] & Decoder.OP_MASK;
                if (op >= LB && op <= LWU) {
                    count[Decoder.rs1(ops[k])]++;
                } else if (op >= SB && op <= SD) {
                    count[32 + Decoder.rs1(ops[k])]++;
                } else if ((op == JAL || isBranch(op)) && imms[k] <= 0) {
                    loops = true;
                }
            }
            int min = loops ? 1 : 2; // one access outside a loop gains nothing
            java.util.List<Integer> chosen = new java.util.ArrayList<>();
            for (int c = 0; c < MAX_PAGE_CACHES; c++) {
                int best = -1;
                for (int i = 0; i < 64; i++) {
                    if (count[i] >= min && !chosen.contains(i) && (best < 0 || count[i] > count[best])) {
                        best = i;
                    }
                }
                if (best < 0) {
                    break;
                }
                chosen.add(best);
            }
            cacheRegs = new int[chosen.size()];
            cacheStores = new boolean[chosen.size()];
            for (int c = 0; c < chosen.size(); c++) {
                cacheRegs[c] = chosen.get(c) & 31;
                cacheStores[c] = chosen.get(c) >= 32;
            }
        }

        int cachePage(int c) {
            return PAGE_CACHES + 4 * c;
        }

        int cacheDelta(int c) {
            return PAGE_CACHES + 4 * c + 2;
        }

        /**
         * ADDR = rs1 + imm, then Unsafe and the host address on the stack, through the register's page cache: an
         * aligned access in the cached page is one compare (a misaligned one, which might cross into the next page,
         * always takes the TLB); a miss looks the page up in the TLB out of line and caches it, and a TLB miss
         * jumps to {@code slow}.
         */
        void cachedHostAddress(int rs1, long imm, int size, boolean store, Label slow) {
            int c = cacheOf(rs1, store);
            Label miss = cb.newLabel(), hit = cb.newLabel();
            pushReg(rs1);
            cb.loadConstant(imm).ladd().lstore(ADDR);
            cb.lload(ADDR).loadConstant(Hart.PAGE_MASK | (size - 1)).land().lload(cachePage(c)).lcmp().ifne(miss);
            cb.labelBinding(hit);
            cb.getstatic(CD_RAW, "U", CD_UNSAFE).lload(ADDR).lload(cacheDelta(c)).ladd();
            cacheMisses.add(() -> {
                cb.labelBinding(miss);
                translateTail(size, store ? STAG : LTAG, slow);
                cb.lload(ADDR).loadConstant(Hart.PAGE_MASK).land().lstore(cachePage(c));
                cb.lload(MEMBASE).getstatic(CD_RAW, "U", CD_UNSAFE).aload(store ? SOFF : LOFF).lload(TLB_AT)
                        .invokevirtual(CD_UNSAFE, "getLong", MethodTypeDesc.of(CD_long, CD_Object, CD_long))
                        .ladd().lstore(cacheDelta(c));
                cb.goto_(hit);
            });
        }

        /**
         * Pushes what a TLB-hit access of {@code size} bytes at ADDR needs before its value: Unsafe and the host
         * address, or the segment, its layout and the segment offset ({@code offArray}: LOFF or SOFF at TLB_AT, TLB).
         */
        void pushRamAccess(int offArray, int size) {
            if (RawMemory.ENABLED) {
                cb.getstatic(CD_RAW, "U", CD_UNSAFE);
                cb.lload(MEMBASE).lload(ADDR).ladd();
                cb.getstatic(CD_RAW, "U", CD_UNSAFE).aload(offArray).lload(TLB_AT)
                        .invokevirtual(CD_UNSAFE, "getLong", MethodTypeDesc.of(CD_long, CD_Object, CD_long));
                cb.ladd();
            } else {
                cb.aload(MEM);
                cb.getstatic(CD_RAM, size == 1 ? "BYTE" : size == 2 ? "SHORT" : size == 4 ? "INT" : "LONG",
                        layout(size));
                cb.lload(ADDR).aload(offArray).iload(TLB).laload().ladd();
            }
        }

        static String rawName(String prefix, int size) {
            return prefix + (size == 1 ? "Byte" : size == 2 ? "Short" : size == 4 ? "Int" : "Long");
        }

        static ClassDesc layout(int size) {
            return size == 1 ? CD_OF_BYTE : size == 2 ? CD_OF_SHORT : size == 4 ? CD_OF_INT : CD_OF_LONG;
        }

        static ClassDesc valueType(int size) {
            return size == 1 ? CD_byte : size == 2 ? CD_short : size == 4 ? CD_int : CD_long;
        }
    }
}
