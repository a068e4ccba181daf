package dev.jemu.x86.cpu;

/**
 * A compiled run of x86 instructions from one decoded page (see {@link X86Jit}): straight-line code along the
 * fall-through path, leaving at the first taken branch or at an op that ends the block, and looping in place
 * when a branch goes back to the block's start. Position-independent: it is entered at any virtual address
 * its physical page runs at ({@code rip0}, the first instruction's CS offset).
 */
abstract class X86Block {
    /** The block the compiler could not make: never entered (longer than any budget). */
    static final X86Block NONE = new X86Block(Integer.MAX_VALUE, new short[0], -1L) {
        @Override
        int run(X86Cpu c, long rip0, int max) {
            throw new IllegalStateException("the empty block never runs");
        }
    };

    /** A block being compiled by the background compiler: never entered, like {@link #NONE}, until it is replaced. */
    static final X86Block QUEUED = new X86Block(Integer.MAX_VALUE, new short[0], -1L) {
        @Override
        int run(X86Cpu c, long rip0, int max) {
            throw new IllegalStateException("a queued block never runs");
        }
    };

    /** Instructions in the block (one pass). */
    final int length;
    /** Offset of each instruction from the first (negative after a JMP backwards inside the page). */
    final short[] deltas;
    /** The code size's offset mask (0xffff, 0xffffffff or -1). */
    final long mask;

    /**
     * The two blocks this one last led to when its exit was chained (X86Cpu.runCompiled), newest first: their linear
     * addresses and the CPU's {@code chainGen} when they were found (a block often leaves two ways: its conditional
     * branch taken, or its end). Valid while that generation lasts: every change the full lookup would see (a fetch-TLB
     * entry filled or dropped, CR3, INVLPG, a mode or CPL change, a store into code, a page dropped or re-checked)
     * bumps it. Written and read only by the CPU thread (the microvm board has one CPU).
     */
    long nextLin, nextGen, otherLin, otherGen;
    X86Block next, other;

    X86Block(int length, short[] deltas, long mask) {
        this.length = length;
        this.deltas = deltas;
        this.mask = mask;
    }

    /**
     * Runs the block at {@code rip0}: one pass, and again while it branches back to its start and a whole pass still
     * fits in {@code max} instructions. Returns the instructions retired, with {@code c.nrip} the next instruction's
     * address. A faulting op propagates its X86Exception with {@code c.rip} at the faulting instruction and
     * {@code c.jitLooped} the instructions of the passes completed before ({@link #retiredBefore}).
     */
    abstract int run(X86Cpu c, long rip0, int max);

    /**
     * Whether the block, entered at offset {@code off} of its page, may cover a byte of [lo, hi) of the page: from its
     * first instruction's start to its last one's end, at most 15 bytes past the last start.
     */
    final boolean overlaps(int off, int lo, int hi) {
        return off + firstDelta() < hi && off + lastDelta() + 15 > lo;
    }

    /** The lowest instruction offset from the entry (negative after a JMP backwards). */
    final int firstDelta() {
        int first = 0;
        for (short d : deltas) {
            first = Math.min(first, d);
        }
        return first;
    }

    /** The highest instruction offset from the entry. */
    final int lastDelta() {
        int last = 0;
        for (short d : deltas) {
            last = Math.max(last, d);
        }
        return last;
    }

    /** Instructions retired in this entry before the one at {@code rip} faulted. */
    final int retiredBefore(X86Cpu c, long rip0) {
        for (int i = 0; i < length; i++) {
            if (((rip0 + deltas[i]) & mask) == c.rip) {
                return c.jitLooped + i;
            }
        }
        return c.jitLooped;
    }
}
