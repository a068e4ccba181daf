package dev.jemu.riscv.cpu;

import dev.jemu.core.memory.GuestRam;
import java.lang.foreign.MemorySegment;
import java.util.Arrays;

/**
 * The decoded instructions of one 4 KiB physical page, one slot per halfword, filled lazily. Slot 2048 is
 * {@link Op#PAGE_END}, so sequential execution falls off the page without a bounds check. Invalidation fills
 * every slot with {@link Op#STALE}, which sends the hart back to look the page up again.
 */
final class DecodedPage {
    static final int SLOTS = 2048;

    final long physPage;
    final MemorySegment seg;
    final long segOffset;
    final int[] ops = new int[SLOTS + 1];
    final int[] imms = new int[SLOTS + 1];
    /**
     * Code-cache generation this page was last validated in (see {@link CodeCache#generation}); set only once the
     * page matches its bytes, so a hart that sees it current never runs slots another hart is about to clear.
     */
    volatile int generation;
    /** Copy of the page's bytes when decoding started, to revalidate after FENCE.I cheaply. */
    private final byte[] snapshot = new byte[4096];
    private final MemorySegment snapshotSegment = MemorySegment.ofArray(snapshot);
    volatile boolean dead;
    /** Compiled blocks by start slot ({@link JitBlock#NONE} where compiling failed), null if the JIT is off. */
    final JitBlock[] blocks;
    /** Entries of each slot as a block start, counting up to {@link Jit#THRESHOLD}. */
    final short[] heat;

    DecodedPage(long physPage, MemorySegment seg, long segOffset, int generation) {
        this.physPage = physPage;
        this.seg = seg;
        this.segOffset = segOffset;
        this.generation = generation;
        this.blocks = Jit.ENABLED ? new JitBlock[SLOTS + 1] : null;
        this.heat = Jit.ENABLED ? new short[SLOTS + 1] : null;
        this.shadowOf = null;
        ops[SLOTS] = Op.PAGE_END;
        MemorySegment.copy(seg, GuestRam.BYTE, segOffset, snapshot, 0, 4096);
    }

    /** The page this one stands in for while debugger breakpoints are set in it (see {@link #withBreakpoints}). */
    final DecodedPage shadowOf;

    /**
     * A copy of {@code p} for a virtual page holding debugger breakpoints at {@code addresses}: interpreted only
     * (no compiled blocks), its breakpoint slots {@link Op#CROSS}, which fetches and runs the one instruction the
     * checked way after asking the debugger (Hart.fetchCrossing). Dropped with {@code p}.
     */
    static DecodedPage withBreakpoints(DecodedPage p, long[] addresses) {
        DecodedPage s = new DecodedPage(p);
        for (long a : addresses) {
            if ((a & 1) == 0) {
                s.ops[(int) (a & 0xfff) >>> 1] = Op.CROSS;
            }
        }
        return s;
    }

    private DecodedPage(DecodedPage p) {
        this.physPage = p.physPage;
        this.seg = p.seg;
        this.segOffset = p.segOffset;
        this.generation = p.generation;
        this.blocks = null;
        this.heat = null;
        this.shadowOf = p;
        ops[SLOTS] = Op.PAGE_END;
        System.arraycopy(p.snapshot, 0, snapshot, 0, 4096); // its slots decode the code p's slots decode
    }

    /** A one-instruction page: the hart runs a single decoded instruction through it (page-crossing code). */
    DecodedPage() {
        this.physPage = -1;
        this.seg = null;
        this.segOffset = 0;
        this.blocks = null;
        this.heat = null;
        this.shadowOf = null;
        Arrays.fill(ops, Op.PAGE_END);
    }

    /**
     * Decodes slot {@code idx} and fills it, from the page's snapshot. The slots must agree with the snapshot: a
     * revalidation keeps them when RAM still equals it, so a slot decoded from bytes that DMA or another hart wrote
     * (and wrote back) meanwhile would outlive a FENCE.I. When RAM no longer holds the snapshot's bytes there, the
     * page starts over from RAM first (as QEMU, which runs code written by DMA without a FENCE.I). If a revalidation
     * or kill ran meanwhile (the epoch moved), its clearing may have come before this fill: the slot is cleared again.
     */
    void decode(int idx) {
        long off = 2L * idx;
        boolean changed = idx < SLOTS - 1
                ? seg.get(GuestRam.INT, segOffset + off) != snapshotSegment.get(GuestRam.INT, off)
                : seg.get(GuestRam.SHORT, segOffset + off) != snapshotSegment.get(GuestRam.SHORT, off);
        if (changed) {
            startOver();
        }
        int e = epoch;
        long d = decodeFromSnapshot(idx);
        imms[idx] = (int) (d >> 32);
        // the op publishes the slot: other harts may run this page meanwhile, and one that sees the op must see
        // its immediate (a store-store order; free on x86, where it only keeps the JIT from swapping the stores)
        java.lang.invoke.VarHandle.releaseFence();
        ops[idx] = (int) d;
        java.lang.invoke.VarHandle.fullFence(); // the fill before the epoch check (a clearer: epoch, then fill)
        if (epoch != e) {
            ops[idx] = dead ? Op.STALE : 0;
        }
    }

    /**
     * Slot {@code idx} decoded from the page's snapshot (its bytes when decoding started), op in the low and
     * immediate in the high half, without filling the slot. The background compiler reads pages that harts may be
     * revalidating meanwhile: it compiles the bytes the harts' decoded slots have (that copy runs until a FENCE.I,
     * and so must the block); a block from an older epoch is refused at {@link #install}.
     */
    long decodeFromSnapshot(int idx) {
        return decodeAt(snapshotSegment, 0, idx);
    }

    /**
     * Copies the snapshot into {@code into} and returns the epoch those bytes belong to (under the lock that a
     * start-over holds while it takes new bytes): for a block that runs into this page from another one, which
     * checks the epoch when it enters this page (see Jit's page guards).
     */
    synchronized int snapshotCopy(byte[] into) {
        System.arraycopy(snapshot, 0, into, 0, 4096);
        return epoch;
    }

    static long decodeAt(MemorySegment seg, long base, int idx) {
        long off = base + 2L * idx;
        int lo = seg.get(GuestRam.SHORT, off) & 0xffff;
        if ((lo & 3) != 3) {
            return Decoder.decode16(lo);
        } else if (idx == SLOTS - 1) {
            return Op.CROSS; // the upper half is on the next page, which may map anywhere
        }
        return Decoder.decode32(seg.get(GuestRam.INT, off));
    }

    /**
     * Counts the times this page's decoded code went (a kill, or a revalidation that found changed bytes); a block
     * compiled from the code of an older epoch is not installed. Changed under the page's lock.
     */
    volatile int epoch; // read by compiled blocks' page guards

    int epoch() {
        return epoch;
    }

    /**
     * Installs block {@code b} at slot {@code idx} unless the code it was compiled from (read in {@code epoch})
     * has gone since. Any thread: the lock orders it with {@link #kill} and {@link #revalidate}, which bump the
     * epoch before they clear the blocks, so a block is either refused or installed before the clearing.
     */
    synchronized boolean install(int idx, JitBlock b, int epoch) {
        if (dead || this.epoch != epoch) {
            return false;
        }
        BLOCK.setRelease(blocks, idx, b);
        return true;
    }

    private static final java.lang.invoke.VarHandle BLOCK =
            java.lang.invoke.MethodHandles.arrayElementVarHandle(JitBlock[].class);

    private synchronized void newEpoch(boolean kill) {
        dead |= kill;
        epoch++;
    }

    /** After a FENCE.I: keeps the decoded slots if the bytes did not change, else starts over. */
    void revalidate(int gen) {
        if (Hart.STATS) {
            ExecStats.revalidations++;
        }
        if (MemorySegment.mismatch(seg, segOffset, segOffset + 4096, snapshotSegment, 0, 4096) != -1) {
            startOver();
        }
        generation = gen;
    }

    /** Takes the page's bytes again and drops every decoded slot and block (a new epoch first). */
    private void startOver() {
        synchronized (this) { // the new epoch and its bytes together, for snapshotCopy
            newEpoch(false);
            MemorySegment.copy(seg, GuestRam.BYTE, segOffset, snapshot, 0, 4096);
        }
        Arrays.fill(ops, 0, SLOTS, 0);
        dropBlocks();
    }

    void kill() {
        newEpoch(true);
        Arrays.fill(ops, 0, SLOTS, Op.STALE);
        dropBlocks();
    }

    private void dropBlocks() {
        if (blocks != null) {
            Arrays.fill(blocks, null);
            Arrays.fill(heat, (short) 0);
        }
    }
}
