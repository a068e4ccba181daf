package dev.jemu.riscv.cpu;

/**
 * Execution statistics of one hart for {@code -Djemu.stats=true}: instructions run by compiled blocks and by
 * the interpreter, block runs and compilations, printed to stderr for every 2^28 guest instructions (or
 * {@code -Djemu.stats.period} M) with the host time since start, so a boot can be split into phases; below each line
 * the interpreted instructions by why they were not compiled, and by op.
 */
final class ExecStats {
    /** Guest instructions between two lines: {@code -Djemu.stats.period=N} (millions), else 256 M. */
    private static final long PERIOD = Long.getLong("jemu.stats.period", 256) << 20;
    private static final boolean PCS = Boolean.getBoolean("jemu.stats.pcs");
    private static final long T0 = System.nanoTime();
    static long compiles, compileNanos, compiledInsns, compiledBytes, fenceIs, revalidations, kills, fetchSlows, loadSlows, storeSlows, tlbFlushes, tlbPageFlushes,
            remadeHuge, hugeBlocks, tlbRegionFlushes, tlbScanned, compiledPages;

    private final int hartId;
    private long jitInsns, blockRuns, lastRetired, lastJit, lastRuns, lastCompiles, lastNanos = T0, next = PERIOD;

    ExecStats(int hartId) {
        this.hartId = hartId;
    }

    /**
     * Why code runs interpreted: its instructions by the heat (entries so far) of the block start the interpreter
     * took over at, so a line tells how many a lower {@link Jit#THRESHOLD} would have left to compiled code;
     * "pending" are starts queued for the compiler, "NONE" starts it cannot compile, "other" pages without blocks.
     */
    private static final int[] BOUNDS = {100, 1000, 3000, 10000, 30001};
    private final long[] byHeat = new long[BOUNDS.length + 3];
    private final long[] byOp = new long[256];
    private int mode = BOUNDS.length + 2;

    /** The dispatcher looked at the block start with {@code heat} entries (b: its block, null, or NONE). */
    void entry(JitBlock b, int heat) {
        if (b == JitBlock.NONE) {
            mode = BOUNDS.length + 1;
        } else if (heat < 0) {
            mode = BOUNDS.length;
        } else {
            int i = 0;
            while (i < BOUNDS.length - 1 && heat >= BOUNDS[i]) {
                i++;
            }
            mode = i;
        }
    }

    /** The interpreter runs an instruction of {@code op}. */
    void interp(int op) {
        byHeat[mode]++;
        byOp[op]++;
    }

    /**
     * Why block runs end: an indirect jump (JALR), a direct jump to a target outside the region before its start in
     * the page, in another page, or in the page after the start (cut by the length limit), control reaching an
     * instruction the region does not hold (not compiled, or cut), a TLB miss, a loop's budget or poll check, a
     * page guard that found another page than the block was compiled with (Jit's Gen#guard).
     */
    static final int EXIT_JALR = 0, EXIT_BEFORE = 1, EXIT_OFF_PAGE = 2, EXIT_CUT = 3, EXIT_FALL = 4, EXIT_TLB = 5,
            EXIT_POLL = 6, EXIT_GUARD = 7;
    private static final String[] EXIT_NAMES = {"jalr", "before", "offpage", "cut", "fall", "tlb", "poll", "guard"};
    private final long[] exits = new long[EXIT_NAMES.length];

    void blockRun(long insns, int exit) {
        blockRuns++;
        jitInsns += insns;
        exits[exit]++;
    }

    private final java.util.HashMap<Long, Integer> pcs = new java.util.HashMap<>();

    void runEnd(long retired, long pc) {
        if (PCS) {
            pcs.merge(pc & ~63L, 1, Integer::sum);
        }
        if (retired < next) {
            return;
        }
        next = retired + PERIOD;
        long now = System.nanoTime();
        long d = retired - lastRetired, dj = jitInsns - lastJit, dr = blockRuns - lastRuns;
        double secs = (now - lastNanos) / 1e9;
        System.err.printf("stats hart%d t=%.2fs cpu=%.2fs insns=%dM: %.0f MIPS, jit %.1f%%, %.1f insns/block, blocks %d, "
                + "compiles %d (total %d, %.2fs, %.1f insns, %d class bytes each), fence.i %d, revalidations %d, kills %d, fetchSlow %d, loadSlow %d, storeSlow %d, tlb flushes %d, page flushes %d (%d of superpages), tlb entries scanned %d, huge %d (remade %d)%n", hartId, (now - T0) / 1e9,
                java.lang.management.ManagementFactory.getThreadMXBean().getCurrentThreadCpuTime() / 1e9, retired >> 20, d / secs / 1e6,
                100.0 * dj / d, dr == 0 ? 0.0 : (double) dj / dr, dr, compiles - lastCompiles, compiles,
                compileNanos / 1e9,
                (double) compiledInsns / Math.max(1, compiles), compiledBytes / Math.max(1, compiles), fenceIs, revalidations, kills, fetchSlows, loadSlows, storeSlows, tlbFlushes, tlbPageFlushes, tlbRegionFlushes, tlbScanned, hugeBlocks, remadeHuge);
        System.err.printf("  interp by heat <100 %d, <1k %d, <3k %d, <10k %d, <30k %d, pending %d, NONE %d, other %d%n",
                byHeat[0], byHeat[1], byHeat[2], byHeat[3], byHeat[4], byHeat[5], byHeat[6], byHeat[7]);
        java.util.Arrays.fill(byHeat, 0);
        StringBuilder ex = new StringBuilder(String.format("  %.2f pages per block; block exits:",
                (double) compiledPages / Math.max(1, compiles)));
        for (int i = 0; i < exits.length; i++) {
            ex.append(' ').append(EXIT_NAMES[i]).append(' ').append(exits[i]);
        }
        System.err.println(ex);
        java.util.Arrays.fill(exits, 0);
        StringBuilder sb = new StringBuilder("  interp ops (thousands):");
        java.util.stream.IntStream.range(0, 256).boxed().sorted((a, b) -> Long.compare(byOp[b], byOp[a])).limit(20)
                .forEach(o -> sb.append(' ').append(Op.name(o)).append('=').append(byOp[o] / 1000).append('k'));
        System.err.println(sb);
        java.util.Arrays.fill(byOp, 0);
        if (PCS) {
            pcs.entrySet().stream().sorted((a, b) -> b.getValue() - a.getValue()).limit(25)
                    .forEach(e -> System.err.printf("  pc %x: %d%n", e.getKey(), e.getValue()));
            pcs.clear();
        }
        lastRetired = retired;
        lastJit = jitInsns;
        lastRuns = blockRuns;
        lastCompiles = compiles;
        lastNanos = now;
    }
}
