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
    /** Code-cache generation this page was last validated in (see {@link CodeCache#generation}). */
    int generation;
    /** Copy of the page's bytes when decoding started, to revalidate after FENCE.I cheaply. */
    private final byte[] snapshot = new byte[4096];
    boolean dead;
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
        ops[SLOTS] = Op.PAGE_END;
        MemorySegment.copy(seg, GuestRam.BYTE, segOffset, snapshot, 0, 4096);
    }

    /** A one-instruction page: the hart runs a single decoded instruction through it (page-crossing code). */
    DecodedPage() {
        this.physPage = -1;
        this.seg = null;
        this.segOffset = 0;
        this.blocks = null;
        this.heat = null;
        Arrays.fill(ops, Op.PAGE_END);
    }

    /** Decodes slot {@code idx} and returns its packed form. */
    int decode(int idx) {
        long off = segOffset + 2L * idx;
        int lo = seg.get(GuestRam.SHORT, off) & 0xffff;
        long d;
        if ((lo & 3) != 3) {
            d = Decoder.decode16(lo);
        } else if (idx == SLOTS - 1) {
            d = Op.CROSS; // the upper half is on the next page, which may map anywhere
        } else {
            d = Decoder.decode32(seg.get(GuestRam.INT, off));
        }
        imms[idx] = (int) (d >> 32);
        ops[idx] = (int) d;
        return (int) d;
    }

    /** After a FENCE.I: keeps the decoded slots if the bytes did not change, else starts over. */
    void revalidate(int gen) {
        if (Hart.STATS) {
            ExecStats.revalidations++;
        }
        generation = gen;
        if (MemorySegment.mismatch(seg, segOffset, segOffset + 4096, MemorySegment.ofArray(snapshot), 0, 4096) != -1) {
            MemorySegment.copy(seg, GuestRam.BYTE, segOffset, snapshot, 0, 4096);
            Arrays.fill(ops, 0, SLOTS, 0);
            dropBlocks();
        }
    }

    void kill() {
        dead = true;
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
