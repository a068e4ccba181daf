package dev.jemu.core.memory;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * Which pages of one {@link GuestRam} were written since the last {@link #take}, while live migration asks for it
 * (off otherwise: then {@link #mark} is one volatile read and a count, {@link #foreignWrites}). One bit per 4 KiB
 * page, set atomically, so device I/O threads and the machine thread mark concurrently with the migration thread
 * taking the bitmap.
 *
 * <p>Who marks: every writer of {@link GuestRam} (its accessors, {@code zero}, {@code load}), device DMA, and the
 * CPU. A CPU marks the page when it fills a write-TLB entry (and on every slow-path store), as QEMU does: a store
 * that hits the TLB costs nothing extra; a CPU (x86, riscv64, aarch64) marks its own stores with {@link #markStore}, so that
 * {@link #foreignWrites} counts only what its store hooks did not see. So whoever takes the bitmap must also make every CPU drop its write-TLB
 * entries, on the machine thread and in the same step ({@code MachineState.dropWriteMappings}).
 */
public final class DirtyLog {
    private static final VarHandle WORDS = MethodHandles.arrayElementVarHandle(long[].class);
    private final long pages;
    private volatile long[] bits; // null: not logging
    /** The log that holds the bits (this one, or the whole RAM's for a {@link #window}) and this log's first page in it. */
    private final DirtyLog owner;
    private final long firstPage;
    /**
     * Marks other than a CPU's own stores ({@link #markStore}), on the owner: devices' DMA, loaders, the bus. A CPU
     * whose decoded code must follow writes it did not see (x86's CodeCache re-check) compares it with what it saw.
     */
    private volatile long foreignWrites;

    DirtyLog(long bytes) {
        this.pages = bytes >>> 12;
        this.owner = this;
        this.firstPage = 0;
    }

    private DirtyLog(DirtyLog owner, long firstPage, long pages) {
        this.pages = pages;
        this.owner = owner;
        this.firstPage = firstPage;
    }

    /**
     * The log of a window into this RAM ({@link GuestRam#slice}): its marks land in this log's bits, shifted by the
     * window's first page; only this log starts, stops and is taken.
     */
    DirtyLog window(long offset, long bytes) {
        return new DirtyLog(owner, firstPage + (offset >>> 12), bytes >>> 12);
    }

    public long pages() {
        return pages;
    }

    public boolean active() {
        return owner.bits != null;
    }

    /** Starts logging with every page marked (the first round sends all of RAM). */
    public void start() {
        requireOwner();
        long[] b = new long[(int) ((pages + 63) >>> 6)];
        java.util.Arrays.fill(b, -1L);
        if ((pages & 63) != 0) {
            b[b.length - 1] = (1L << (pages & 63)) - 1;
        }
        bits = b;
    }

    public void stop() {
        requireOwner();
        bits = null;
    }

    private void requireOwner() {
        if (owner != this) {
            throw new IllegalStateException("the dirty log of a RAM window is its whole RAM's");
        }
    }

    /** The page holding byte {@code off} was (or is about to be, on the marking thread) written. */
    public void mark(long off) {
        owner.foreignWrites++;
        markStore(off);
    }

    /**
     * How many marks other than {@link #markStore} this RAM has had (any change means some device or loader wrote
     * it since; the count is bumped after the write, so a reader that sees it unchanged has missed nothing it could
     * have been told of, e.g. by an interrupt).
     */
    public long foreignWrites() {
        return owner.foreignWrites;
    }

    /** The pages of [off, off+len) were written. */
    public void mark(long off, long len) {
        owner.foreignWrites++; // a lost update still changes the count, which is all a reader asks
        markStore(off, len);
    }

    /** A CPU's own store to the page holding byte {@code off} (its store hooks see it): not a foreign write. */
    public void markStore(long off) {
        long[] b = owner.bits;
        if (b != null) {
            set(b, firstPage + (off >>> 12));
        }
    }

    /** A CPU's own stores to the pages of [off, off+len) (see {@link #markStore(long)}). */
    public void markStore(long off, long len) {
        long[] b = owner.bits;
        if (b != null && len > 0) {
            for (long p = firstPage + (off >>> 12), last = firstPage + ((off + len - 1) >>> 12); p <= last; p++) {
                set(b, p);
            }
        }
    }

    private static void set(long[] b, long page) {
        int w = (int) (page >>> 6);
        long m = 1L << page;
        if ((b[w] & m) == 0) {
            WORDS.getAndBitwiseOr(b, w, m);
        }
    }

    /** The pages marked since the last call (a bitmap, bit p of word p/64), cleared atomically; null if off. */
    public long[] take() {
        requireOwner();
        long[] b = bits;
        if (b == null) {
            return null;
        }
        long[] out = new long[b.length];
        for (int i = 0; i < b.length; i++) {
            if (b[i] != 0) {
                out[i] = (long) WORDS.getAndSet(b, i, 0L);
            }
        }
        return out;
    }

    /** How many bits {@code bitmap} has set. */
    public static long count(long[] bitmap) {
        long n = 0;
        for (long w : bitmap) {
            n += Long.bitCount(w);
        }
        return n;
    }
}
