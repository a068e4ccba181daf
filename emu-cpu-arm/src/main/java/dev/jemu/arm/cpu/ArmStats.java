package dev.jemu.arm.cpu;

import java.util.HashMap;
import java.util.Map;

/**
 * Run-loop counters for speed work, printed to stderr at exit: {@code -Djemu.arm.stats=true}. Off (the default)
 * every counting site is a test of a static final false, which C1 folds away.
 */
final class ArmStats {
    static final boolean ON = System.getProperty("jemu.arm.stats") != null;
    /** -Djemu.arm.stats=pcs: also per guest pc (interpreted instructions, block runs); slows the run down. */
    static final boolean PCS = "pcs".equals(System.getProperty("jemu.arm.stats"));
    /** The thread running the CPU (its CPU time is printed). */
    static Thread runner;

    static long dispatches, blockRuns, blockInsns, interpInsns, syncExceptions, interrupts, fetchWalks,
            compiled, compiledInsns, pagesDropped, tlbiAll, tlbiVa, tlbiAsid;
    /** Interpreted instructions per instruction word's top 11 bits (the encoding group) and per guest pc. */
    static final long[] interpByGroup = new long[2048];
    static final Map<Long, long[]> interpByPc = new HashMap<>();

    static {
        if (ON) Runtime.getRuntime().addShutdownHook(new Thread(ArmStats::print));
    }

    private ArmStats() {
    }

    static final Map<Long, long[]> blockByPc = new HashMap<>();

    static void block(long pc, int ran, int length) {
        blockRuns++;
        blockInsns += ran;
        if (!PCS) return;
        long[] a = blockByPc.computeIfAbsent(pc, k -> new long[3]);
        a[0]++;
        a[1] += ran;
        a[2] = length;
    }

    static void interp(long pc, int insn) {
        interpInsns++;
        if (!PCS) return;
        interpByGroup[insn >>> 21]++;
        interpByPc.computeIfAbsent(pc, k -> new long[1])[0]++;
    }

    private static void print() {
        var e = System.err;
        if (runner != null) {
            var mx = java.lang.management.ManagementFactory.getThreadMXBean();
            e.printf("arm stats: cpu thread %.2f s CPU, process uptime %.2f s%n", mx.getThreadCpuTime(runner.threadId()) / 1e9,
                    java.lang.management.ManagementFactory.getRuntimeMXBean().getUptime() / 1e3);
        }
        e.printf("arm stats: dispatches %d, block runs %d, insns in blocks %d, interpreted %d%n",
                dispatches, blockRuns, blockInsns, interpInsns);
        e.printf("arm stats: sync exceptions %d, interrupts %d, fetch walks %d, blocks compiled %d, code pages dropped %d%n",
                syncExceptions, interrupts, fetchWalks, compiled, pagesDropped);
        e.printf("arm stats: instructions in compiled blocks %d (%.1f a block)%n", compiledInsns,
                compiled == 0 ? 0.0 : (double) compiledInsns / compiled);
        e.printf("arm stats: tlbi all %d, va %d, asid %d%n", tlbiAll, tlbiVa, tlbiAsid);
        Integer[] g = new Integer[2048];
        for (int i = 0; i < g.length; i++) g[i] = i;
        java.util.Arrays.sort(g, (a, b) -> Long.compare(interpByGroup[b], interpByGroup[a]));
        for (int i = 0; i < 15; i++) e.printf("  interp group %03x_xxxxx: %d%n", g[i] << 1, interpByGroup[g[i]]);
        interpByPc.entrySet().stream().sorted((a, b) -> Long.compare(b.getValue()[0], a.getValue()[0])).limit(25)
                .forEach(en -> e.printf("  interp pc %x: %d%n", en.getKey(), en.getValue()[0]));
        blockByPc.entrySet().stream().sorted((a, b) -> Long.compare(b.getValue()[1], a.getValue()[1])).limit(40)
                .forEach(en -> e.printf("  block pc %x: runs %d insns %d length %d%n", en.getKey(), en.getValue()[0],
                        en.getValue()[1], en.getValue()[2]));
    }
}
