package dev.jemu.x86.cpu;

/**
 * Execution statistics for {@code -Djemu.stats=true}: instructions run by compiled blocks and by the interpreter,
 * block entries and compilations, printed to stderr every 2^28 guest instructions with host and thread CPU time,
 * so a boot can be split into phases and the JIT's share seen.
 */
final class X86Stats {
    static final boolean ON = Boolean.getBoolean("jemu.stats");
    private static final long PERIOD = 1L << 28;
    private static final long T0 = System.nanoTime();
    static long compiles, compileNanos, compiledInsns, jitEntries;
    /** The compiling thread's CPU time in a compile's phases: decoding the block, writing its class, defining it. */
    static long decodeNanos, generateNanos, defineNanos;

    /** This thread's CPU time (compiles are timed in it: wall time counts whatever else the host runs). */
    static long cpuNanos() {
        return java.lang.management.ManagementFactory.getThreadMXBean().getCurrentThreadCpuTime();
    }
    /**
     * With -Djemu.stats.bytecode=true (parsing each class costs CPU time on the compiling thread): bytecode of the
     * compiled blocks' run methods, total, largest, and how many HotSpot never compiles (huge).
     */
    static final boolean BYTECODE = Boolean.getBoolean("jemu.stats.bytecode");
    static long bytecodeTotal, bytecodeMax, hugeBlocks;
    /** HotSpot's HugeMethodLimit: with DontCompileHugeMethods (the default) a longer method is only ever interpreted. */
    private static final int HUGE = 8000;

    /** Counts the run method's bytecode of a compiled block's class file. */
    static void bytecode(byte[] classFile) {
        if (!BYTECODE) {
            return;
        }
        for (java.lang.classfile.MethodModel m : java.lang.classfile.ClassFile.of().parse(classFile).methods()) {
            if (m.methodName().equalsString("run")) {
                int len = m.findAttribute(java.lang.classfile.Attributes.code()).map(c -> c.codeLength()).orElse(0);
                bytecodeTotal += len;
                bytecodeMax = Math.max(bytecodeMax, len);
                hugeBlocks += len > HUGE ? 1 : 0;
            }
        }
    }

    /** Block entries straight from the block before (X86Cpu.runCompiled's chain), a part of jitEntries. */
    static long chained;
    /** Chained entries found by the exit's remembered successor (X86Block.next), a part of chained. */
    static long remembered;
    /** Wall time the CPU was halted (from a run that ended halted to the next run), interrupts and exceptions taken. */
    static long haltedNanos, interrupts, exceptions;
    private static long haltedSince, lastHalted, lastInterrupts, lastExceptions;
    /** Compiled instructions written as bytecode (X86Emit) rather than calls of their closures. */
    static long emittedInsns;
    private static long lastRetired, lastJit, lastEntries, lastChained, lastRemembered, lastCompiles, lastNanos = T0, next = PERIOD;

    private X86Stats() {
    }

    /** With -Djemu.stats.pcs=true: interpreted instructions per 64-byte line of linear code, printed per period. */
    static final boolean PCS = Boolean.getBoolean("jemu.stats.pcs");
    private static final int PCS_LINES = Integer.getInteger("jemu.stats.pcs.lines", 40);
    private static final String[] WHY = {"no page", "shadow/TF", "page cold", "block cold", "queued", "cannot compile",
            "budget"};
    /** Interpreted instructions by why their block start was not run compiled (WHY). */
    private static final long[] whyInsns = new long[WHY.length], whyRuns = new long[WHY.length];
    private static final java.util.HashMap<Long, long[]> pcs = new java.util.HashMap<>();
    /** Decoded pages dropped by stores, pages found changed by a re-check; compile queue wait (submit to install). */
    static long pagesWritten, pagesRechanged, queueWaitNanos, queued;
    /** Stores into decoded pages that dropped only what they overlap (CodeCache.stored). */
    static long partialStores;
    /**
     * The interpreter's decodes: into a page's slots, into its slots for instructions crossing its end (see
     * SlotDecoder), and through the MMU where there is no page (never cached).
     */
    static long decodedInPage, decodedCrossing, decodedUncached;
    /** Page walks (TLB misses) by access kind (read, write, fetch), full TLB flushes and CR3 writes' flushes. */
    static final long[] walks = new long[3];
    static long tlbFlushes, cr3Flushes;

    private static final java.util.HashMap<Long, Integer> written = new java.util.HashMap<>();
    private static final java.util.HashSet<Long> compiledStarts = new java.util.HashSet<>();
    private static long recompiles;

    /** A store dropped the decoded page at {@code pa}. */
    static void pageWritten(long pa) {
        pagesWritten++;
        if (PCS) {
            written.merge(pa, 1, Integer::sum);
        }
    }

    /** A block was compiled at {@code off} of the page at {@code pa} (counts the ones compiled before). */
    static void compiled(long pa, int off) {
        if (PCS && !compiledStarts.add(pa | off)) {
            recompiles++;
        }
    }

    /** Why the interpreter runs the block start at {@code off} of {@code page}: an index of WHY. */
    static int whyInterpreted(CodeCache.Page page, int off, boolean shadow) {
        if (page == null) {
            return 0;
        }
        if (shadow) {
            return 1;
        }
        if (page.blocks == null) {
            return 2;
        }
        X86Block b = page.blocks[off];
        return b == null ? 3 : b == X86Block.QUEUED ? 4 : b == X86Block.NONE ? 5 : 6;
    }

    static void interpreted(int why, long lin, long n) {
        whyInsns[why] += n;
        whyRuns[why]++;
        if (PCS) {
            pcs.computeIfAbsent(lin & ~63L, k -> new long[WHY.length])[why] += n;
        }
    }

    private static void printInterpreted() {
        StringBuilder s = new StringBuilder("interpreted:");
        for (int i = 0; i < WHY.length; i++) {
            if (whyRuns[i] != 0) {
                s.append(String.format(" %s %.2fM (%.1f/run)", WHY[i], whyInsns[i] / 1e6, (double) whyInsns[i] / whyRuns[i]));
            }
        }
        s.append(String.format("; decoded %d in pages, %d crossing, %d uncached; pages written %d, partly %d, re-checked changed %d, compile wait %.1f ms avg (%d)",
                decodedInPage, decodedCrossing, decodedUncached, pagesWritten, partialStores, pagesRechanged,
                queueWaitNanos / 1e6 / Math.max(1, queued), queued));
        decodedInPage = decodedCrossing = decodedUncached = 0;
        System.err.printf("tlb: walks read %d write %d fetch %d, flushes %d, cr3 %d%n", walks[0], walks[1], walks[2],
                tlbFlushes, cr3Flushes);
        java.util.Arrays.fill(walks, 0);
        tlbFlushes = cr3Flushes = 0;
        System.err.println(s);
        java.util.Arrays.fill(whyInsns, 0);
        java.util.Arrays.fill(whyRuns, 0);
        pagesWritten = pagesRechanged = queueWaitNanos = queued = partialStores = 0;
        if (PCS) {
            pcs.entrySet().stream().sorted((a, b) -> Long.compare(sum(b.getValue()), sum(a.getValue()))).limit(PCS_LINES)
                    .forEach(e -> System.err.printf("  pc %x: %d %s%n", e.getKey(), sum(e.getValue()),
                            java.util.Arrays.toString(e.getValue())));
            pcs.clear();
            System.err.printf("  recompiles %d; pages written most:", recompiles);
            written.entrySet().stream().sorted((a, b) -> b.getValue() - a.getValue()).limit(12)
                    .forEach(e -> System.err.printf(" %x:%d", e.getKey(), e.getValue()));
            System.err.println();
            written.clear();
            recompiles = 0;
        }
    }

    private static long sum(long[] a) {
        long t = 0;
        for (long v : a) {
            t += v;
        }
        return t;
    }

    static void runEnd(long retired, long jitInsns) {
        if (retired < next) {
            return;
        }
        next = retired + PERIOD;
        long now = System.nanoTime();
        long d = retired - lastRetired, dj = jitInsns - lastJit, de = jitEntries - lastEntries;
        double secs = (now - lastNanos) / 1e9;
        System.err.printf("stats t=%.2fs cpu=%.2fs insns=%dM: %.0f MIPS, jit %.1f%%, %.1f insns/entry, %.0f%% chained (%.0f%% remembered), compiles %d "
                        + "(total %d, %.2fs cpu: decode %.2f class %.2f define %.2f, %.1f insns each, %.0f%% emitted), halted %.2fs, %d interrupts, %d exceptions%n",
                (now - T0) / 1e9, cpuNanos() / 1e9,
                retired >> 20, d / secs / 1e6, 100.0 * dj / Math.max(1, d), de == 0 ? 0.0 : (double) dj / de,
                100.0 * (chained - lastChained) / Math.max(1, de),
                100.0 * (remembered - lastRemembered) / Math.max(1, chained - lastChained),
                compiles - lastCompiles, compiles, compileNanos / 1e9, decodeNanos / 1e9, generateNanos / 1e9, defineNanos / 1e9,
                (double) compiledInsns / Math.max(1, compiles),
                100.0 * emittedInsns / Math.max(1, compiledInsns),
                (haltedNanos - lastHalted) / 1e9, interrupts - lastInterrupts, exceptions - lastExceptions);
        if (BYTECODE) {
            System.err.printf("  bytecode %.0f bytes per block, largest %d, %d blocks over %d (never compiled by HotSpot)%n",
                    (double) bytecodeTotal / Math.max(1, compiles), bytecodeMax, hugeBlocks, HUGE);
        }
        X86Census.print(jitInsns);
        printInterpreted();
        lastHalted = haltedNanos;
        lastInterrupts = interrupts;
        lastExceptions = exceptions;
        lastRetired = retired;
        lastJit = jitInsns;
        lastEntries = jitEntries;
        lastChained = chained;
        lastRemembered = remembered;
        lastCompiles = compiles;
        lastNanos = now;
    }

    /** A run starts: the wall time since a run that ended halted was spent halted. */
    static void runStart() {
        if (haltedSince != 0) {
            haltedNanos += System.nanoTime() - haltedSince;
            haltedSince = 0;
        }
    }

    /** A run ended, halted or not. */
    static void ranUntil(boolean halted) {
        if (halted) {
            haltedSince = System.nanoTime();
        }
    }
}
