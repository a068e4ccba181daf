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
    /** Block entries straight from the block before (X86Cpu.runCompiled's chain), a part of jitEntries. */
    static long chained;
    /** Wall time the CPU was halted (from a run that ended halted to the next run), interrupts and exceptions taken. */
    static long haltedNanos, interrupts, exceptions;
    private static long haltedSince, lastHalted, lastInterrupts, lastExceptions;
    /** Compiled instructions written as bytecode (X86Emit) rather than calls of their closures. */
    static long emittedInsns;
    private static long lastRetired, lastJit, lastEntries, lastChained, lastCompiles, lastNanos = T0, next = PERIOD;

    private X86Stats() {
    }

    static void runEnd(long retired, long jitInsns) {
        if (retired < next) {
            return;
        }
        next = retired + PERIOD;
        long now = System.nanoTime();
        long d = retired - lastRetired, dj = jitInsns - lastJit, de = jitEntries - lastEntries;
        double secs = (now - lastNanos) / 1e9;
        System.err.printf("stats t=%.2fs cpu=%.2fs insns=%dM: %.0f MIPS, jit %.1f%%, %.1f insns/entry, %.0f%% chained, compiles %d "
                        + "(total %d, %.2fs, %.1f insns each, %.0f%% emitted), halted %.2fs, %d interrupts, %d exceptions%n",
                (now - T0) / 1e9, java.lang.management.ManagementFactory.getThreadMXBean().getCurrentThreadCpuTime() / 1e9,
                retired >> 20, d / secs / 1e6, 100.0 * dj / Math.max(1, d), de == 0 ? 0.0 : (double) dj / de,
                100.0 * (chained - lastChained) / Math.max(1, de),
                compiles - lastCompiles, compiles, compileNanos / 1e9, (double) compiledInsns / Math.max(1, compiles),
                100.0 * emittedInsns / Math.max(1, compiledInsns),
                (haltedNanos - lastHalted) / 1e9, interrupts - lastInterrupts, exceptions - lastExceptions);
        X86Census.print(jitInsns);
        lastHalted = haltedNanos;
        lastInterrupts = interrupts;
        lastExceptions = exceptions;
        lastRetired = retired;
        lastJit = jitInsns;
        lastEntries = jitEntries;
        lastChained = chained;
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
