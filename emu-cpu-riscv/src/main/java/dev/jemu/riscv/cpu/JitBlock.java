package dev.jemu.riscv.cpu;

import java.lang.foreign.MemorySegment;

/**
 * A hot guest basic block compiled to JVM bytecode by {@link Jit}. {@link #run} executes it (looping while it
 * branches back to its own start and the budget allows) and returns the next pc; it stores the number of
 * instructions retired in {@code Hart.jitRetired}. It never traps: an access that misses the TLB leaves the block
 * before it, for the interpreter. Given a budget ({@code limit}) it might run out of before its first backward jump,
 * or leaving at an access before it retired anything, it declines: returns {@code pc0} with {@code jitRetired} 0,
 * and the caller interprets.
 */
public interface JitBlock {
    /** Marks a block start the JIT cannot compile (its first instruction is not supported). */
    JitBlock NONE = (h, x, mem, ltag, loff, stag, soff, dkey, limit, pc0) -> {
        throw new IllegalStateException("not compiled");
    };

    /** Runs the block entered at guest address {@code pc0} (blocks are position-independent). */
    long run(Hart h, long[] x, MemorySegment mem, long[] ltag, long[] loff, long[] stag, long[] soff, long dkey,
            long limit, long pc0);
}
