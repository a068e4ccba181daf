package dev.jemu.riscv.cpu;

/**
 * Execution statistics of one hart for {@code -Djemu.stats=true}: instructions run by compiled blocks and by
 * the interpreter, block runs and compilations, printed to stderr for every 2^28 guest instructions with the
 * host time since start, so a boot can be split into phases.
 */
final class ExecStats {
    private static final long PERIOD = 1L << 28;
    private static final boolean PCS = Boolean.getBoolean("jemu.stats.pcs");
    private static final long T0 = System.nanoTime();
    static long compiles, compileNanos, compiledInsns, compiledBytes, fenceIs, revalidations, kills, fetchSlows, loadSlows, storeSlows, tlbFlushes, tlbPageFlushes;

    private final int hartId;
    private long jitInsns, blockRuns, lastRetired, lastJit, lastRuns, lastCompiles, lastNanos = T0, next = PERIOD;

    ExecStats(int hartId) {
        this.hartId = hartId;
    }

    void blockRun(long insns) {
        blockRuns++;
        jitInsns += insns;
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
                + "compiles %d (total %d, %.2fs, %.1f insns, %d class bytes each), fence.i %d, revalidations %d, kills %d, fetchSlow %d, loadSlow %d, storeSlow %d, tlb flushes %d, page flushes %d%n", hartId, (now - T0) / 1e9,
                java.lang.management.ManagementFactory.getThreadMXBean().getCurrentThreadCpuTime() / 1e9, retired >> 20, d / secs / 1e6,
                100.0 * dj / d, dr == 0 ? 0.0 : (double) dj / dr, dr, compiles - lastCompiles, compiles,
                compileNanos / 1e9,
                (double) compiledInsns / Math.max(1, compiles), compiledBytes / Math.max(1, compiles), fenceIs, revalidations, kills, fetchSlows, loadSlows, storeSlows, tlbFlushes, tlbPageFlushes);
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
