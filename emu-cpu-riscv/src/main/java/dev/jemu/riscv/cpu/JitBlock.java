package dev.jemu.riscv.cpu;

import java.lang.foreign.MemorySegment;

/**
 * A hot guest basic block compiled to JVM bytecode by {@link Jit}. {@link #run} executes it (looping while it
 * branches back to its own start and the budget allows) and returns the next pc; it stores the number of
 * instructions retired in {@code Hart.jitRetired}. It never traps: an access that misses the TLB leaves the block
 * before it, for the interpreter. Given a budget ({@code limit}) it might run out of before its first backward jump,
 * or leaving at an access before it retired anything, it declines: returns {@code pc0} with {@code jitRetired} 0,
 * and the caller interprets.
 *
 * <p>An abstract class, not an interface: the dispatcher's call of {@code run} has hundreds of receivers, and
 * HotSpot makes such a virtual call through a vtable stub (one load of the method at a fixed offset) but an
 * interface call through an itable stub, which first searches the receiver's interfaces.
 */
public abstract class JitBlock {
    /** Marks a block start the JIT cannot compile (its first instruction is not supported). */
    static final JitBlock NONE = new JitBlock() {
        @Override
        public long run(Hart h, long[] x, MemorySegment mem, long[] ltag, long[] loff, long[] stag, long[] soff,
                long dkey, long limit, long pc0) {
            throw new IllegalStateException("not compiled");
        }
    };

    /** Runs the block entered at guest address {@code pc0} (blocks are position-independent). */
    public abstract long run(Hart h, long[] x, MemorySegment mem, long[] ltag, long[] loff, long[] stag, long[] soff,
            long dkey, long limit, long pc0);
}
