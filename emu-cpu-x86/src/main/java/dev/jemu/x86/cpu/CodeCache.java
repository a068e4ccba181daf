package dev.jemu.x86.cpu;

import dev.jemu.core.memory.AddressSpace;
import dev.jemu.core.memory.DirtyLog;
import dev.jemu.core.memory.Region;
import java.lang.foreign.MemorySegment;
import java.util.HashMap;
import java.util.Map;

/**
 * Decoded instructions per physical page of RAM or ROM, shared by all CPUs on one bus (decoding depends only on the
 * bytes and the code size, which is part of the key). An instruction that crosses the end of its page is never
 * cached. A CPU store to a page with code ({@link X86Cpu#codeWritten}, called by the Mmu) drops what it may overlap
 * ({@link #stored}). Pages die two ways: such a store when it drops the page whole ({@link #written}), and
 * a re-check against a snapshot of the bytes the first time a page is entered after {@link #recheck()} (bumped on
 * reset and boot-state load, and on every exception and interrupt where RAM holding code had a write no CPU store
 * hook saw: {@link #recheckIfWritten}), which catches device DMA into code pages, since the guest always learns of
 * a DMA through an interrupt before it runs what was read. A change of translation (CR3, INVLPG,
 * paging mode) needs no re-check: pages are keyed by physical address, and the fetch TLB entries that remember a
 * decoded page are dropped with the translation.
 */
final class CodeCache {
    /**
     * At most this many decoded pages (about 24 KiB each): a guest that has run more code than this (page cache pages
     * reused for other programs' code) starts the cache afresh rather than growing without bound.
     */
    static final int MAX_PAGES = 8192;
    /**
     * Stores into one decoded page that drop only what they overlap ({@link #stored}); the next drops the page whole
     * (a page written this often is more likely data now, such as freed init code, and loses its write-TLB detour).
     */
    static final int MAX_PARTIAL_STORES = 1024;
    /** Physical pages below this (64 GiB) can hold cached code; code above is decoded every time. */
    static final long LIMIT_PAGES = 1L << 24;

    /** The first page offset an instruction (at most 15 bytes) can start at and cross the page end. */
    static final int CROSS_FIRST = 4096 - (Insn.MAX_LENGTH - 1);

    static final class Page {
        final CodeCache cache;
        final long pa;
        final int mode;
        final X86Op[] ops = new X86Op[4096];
        final byte[] len = new byte[4096];
        /**
         * The instructions that cross the page end, by offset - {@link #CROSS_FIRST} (null until one is decoded; see
         * {@link SlotDecoder}): each with its length and the bytes it took from the next page, which the interpreter
         * fetches again before reusing it (the next page may have been remapped or written since, unknown to this page).
         */
        X86Op[] crossOps;
        byte[] crossLen;
        byte[][] crossTail;
        final MemorySegment live;
        final MemorySegment snapshot;
        int epoch;
        boolean dead;
        /** Block entries into the page until it gets {@link #heat} and {@link #blocks} (see X86Jit.find). */
        int entries;
        /** Entries per block start, and the compiled blocks (X86Block.NONE where none can be); null while cold. */
        char[] heat;
        X86Block[] blocks;
        /** The X86Jit heat period {@link #heat} was last decayed to (see X86Jit.find). */
        int heatPeriod;

        /**
         * The byte at {@code off} of the page as its snapshot has it: every op and block of the page is decoded from
         * the snapshot, since it is what the page is checked against (RAM may differ by a device's DMA until the next
         * re-check, and an op decoded from such bytes would outlive a re-check that finds RAM back as it was). Past
         * the page end: {@link X86Exception} (the instruction crosses it, and is never cached).
         */
        int byteAt(long off) {
            if ((off & ~0xfffL) != 0) {
                throw X86Exception.INSTANCE;
            }
            if (storedHi != 0) {
                syncStored();
            }
            return snapshot.get(java.lang.foreign.ValueLayout.JAVA_BYTE, off) & 0xff;
        }

        /**
         * The bytes CPU stores changed since the snapshot last took them ([storedLo, storedHi), 0 to 0 when none):
         * the snapshot takes them before anything is decoded from it again (a REP run reports its bytes before it
         * writes them).
         */
        int storedLo, storedHi;
        /** Stores that changed only part of the page; past {@link #MAX_PARTIAL_STORES} the page is dropped whole. */
        int partialStores;
        /** One bit per 64-byte line that some compiled block of the page may cover (see {@link #covered}). */
        long blockLines;

        /** Notes that a compiled block now covers [lo, hi) of the page (so a store there drops it). */
        void covered(int lo, int hi) {
            blockLines |= lines(lo, hi);
        }

        private static long lines(int lo, int hi) {
            int first = Math.max(0, lo) >>> 6, last = (Math.min(4096, hi) - 1) >>> 6;
            return (-1L >>> (63 - last)) & (-1L << first);
        }

        /**
         * A CPU store changed [lo, hi) of the page: the decoded instructions and compiled blocks that may overlap
         * it are dropped, the rest stays (the snapshot takes the bytes before the next decode).
         */
        void stored(int lo, int hi) {
            invalidate(lo, hi);
            if (storedHi == 0) {
                storedLo = lo;
                storedHi = hi;
            } else {
                storedLo = Math.min(storedLo, lo);
                storedHi = Math.max(storedHi, hi);
            }
        }

        private void syncStored() {
            int lo = storedLo, hi = storedHi;
            storedLo = storedHi = 0;
            invalidate(lo, hi); // the union of the stores may hold bytes that changed otherwise (DMA): what was decoded there goes too
            MemorySegment.copy(live, lo, snapshot, lo, hi - lo);
        }

        private void invalidate(int lo, int hi) {
            for (int o = Math.max(0, lo - 15); o < hi; o++) {
                if (ops[o] != null && o + len[o] > lo) {
                    ops[o] = null;
                }
            }
            if (crossOps != null) {
                for (int i = 0; i < crossOps.length; i++) {
                    int o = CROSS_FIRST + i;
                    if (crossOps[i] != null && o < hi && o + crossLen[i] > lo) {
                        crossOps[i] = null;
                    }
                }
            }
            X86Block[] bs = blocks;
            if (bs == null) {
                return;
            }
            for (int o = Math.max(0, lo - 15); o < hi; o++) {
                if (bs[o] == X86Block.NONE) {
                    bs[o] = null; // its first instruction may decode now
                }
            }
            if ((blockLines & lines(lo, hi)) == 0) {
                return;
            }
            cache.changed(); // a block a CPU remembers as a successor may go
            for (int o = 0; o < 4096; o++) {
                X86Block b = bs[o];
                if (b != null && b != X86Block.NONE && b != X86Block.QUEUED && b.overlaps(o, lo, hi)) {
                    bs[o] = null;
                    heat[o] = 0;
                }
            }
        }

        Page(CodeCache cache, long pa, int mode, MemorySegment live, int epoch) {
            this.cache = cache;
            this.pa = pa;
            this.mode = mode;
            this.live = live;
            this.snapshot = MemorySegment.ofArray(new byte[4096]);
            this.snapshot.copyFrom(live);
            this.epoch = epoch;
        }
    }

    private final AddressSpace bus;
    private final Map<Long, Page> pages = new HashMap<>();
    /** One bit per physical page that has decoded code: the Mmu's cheap test (see {@link #isCode}). */
    private long[] map = new long[1024];
    int epoch;
    /** The dirty logs of the RAM and ROM that pages were created in, and their foreign writes at the last re-check. */
    private DirtyLog[] logs = new DirtyLog[0];
    private long seenWrites;
    /** The CPUs whose remembered block successors depend on this cache (X86Cpu.chainGen). */
    private X86Cpu[] cpus = new X86Cpu[0];

    /** Told the physical page address of every page that starts holding code (the Mmu drops its write entries). */
    java.util.function.LongConsumer onNewPage = pa -> { };

    private CodeCache(AddressSpace bus) {
        this.bus = bus;
    }

    /** The cache of the CPUs on {@code bus}. */
    static CodeCache of(AddressSpace bus) {
        return bus.shared(CodeCache.class, () -> new CodeCache(bus));
    }

    /** Adds a CPU to those told of every change of blocks or pages ({@link #changed}). */
    void watch(X86Cpu cpu) {
        cpus = java.util.Arrays.copyOf(cpus, cpus.length + 1);
        cpus[cpus.length - 1] = cpu;
    }

    /** A page died or was re-checked, or blocks were dropped: no CPU may chain by a remembered successor. */
    void changed() {
        for (X86Cpu c : cpus) {
            c.chainsChanged();
        }
    }

    private static long key(long ppn, int mode) {
        return ppn << 2 | mode >>> 5; // 16 -> 0, 32 -> 1, 64 -> 2
    }

    /** The decoded page at physical page address {@code pa} for code size {@code mode}, or null if not cacheable. */
    Page page(long pa, int mode) {
        long ppn = pa >>> 12;
        Page p = pages.get(key(ppn, mode));
        if (p != null) {
            if (p.epoch != epoch) {
                if (p.storedHi != 0) {
                    p.syncStored();
                }
                if (p.live.mismatch(p.snapshot) >= 0) {
                    if (X86Stats.ON) {
                        X86Stats.pagesRechanged++;
                    }
                    drop(ppn);
                    return create(pa, ppn, mode);
                }
                p.epoch = epoch;
            }
            return p;
        }
        return create(pa, ppn, mode);
    }

    private Page create(long pa, long ppn, int mode) {
        if (ppn >= LIMIT_PAGES) {
            return null;
        }
        Region r = bus.find(pa);
        if (r == null || !r.isMemory() || !r.contains(pa + 4095)) {
            return null;
        }
        if (pages.size() >= MAX_PAGES) {
            clear();
        }
        watch(r.ram().dirtyLog());
        MemorySegment live = r.ram().segment().asSlice(pa - r.base(), 4096);
        Page p = new Page(this, pa, mode, live, epoch);
        pages.put(key(ppn, mode), p);
        int w = (int) (ppn >>> 6);
        if (w >= map.length) {
            map = java.util.Arrays.copyOf(map, Math.max(w + 1, map.length * 2));
        }
        map[w] |= 1L << ppn;
        onNewPage.accept(pa);
        return p;
    }

    boolean isCode(long pa) {
        long ppn = pa >>> 12;
        int w = (int) (ppn >>> 6);
        return w < map.length && (map[w] >>> ppn & 1) != 0;
    }

    /** Drops every decoded page overlapping [pa, pa+len). */
    void written(long pa, int len) {
        for (long ppn = pa >>> 12, last = (pa + len - 1) >>> 12; ppn <= last; ppn++) {
            if (isCode(ppn << 12)) {
                if (X86Stats.ON) {
                    X86Stats.pageWritten(ppn << 12);
                }
                drop(ppn);
            }
        }
    }

    /**
     * A CPU store changed [pa, pa+len): in each decoded page it touches, only the decoded instructions and compiled
     * blocks that may overlap the bytes go (self-modifying code such as the kernel's alternatives, static calls and
     * ftrace patching keeps the rest of the page, its heat and its blocks), up to MAX_PARTIAL_STORES per page.
     */
    void stored(long pa, int len) {
        for (long at = pa, end = pa + len; at < end; at = (at | 0xfff) + 1) {
            long ppn = at >>> 12;
            if (!isCode(at)) {
                continue;
            }
            int lo = (int) (at & 0xfff), hi = (int) Math.min(4096, end - (at & ~0xfffL));
            boolean whole = false;
            for (int m = 16; m <= 64; m <<= 1) {
                Page p = pages.get(key(ppn, m));
                if (p != null && ++p.partialStores > MAX_PARTIAL_STORES) {
                    whole = true;
                }
            }
            if (whole) {
                if (X86Stats.ON) {
                    X86Stats.pageWritten(ppn << 12);
                }
                drop(ppn);
                continue;
            }
            if (X86Stats.ON) {
                X86Stats.partialStores++;
            }
            for (int m = 16; m <= 64; m <<= 1) {
                Page p = pages.get(key(ppn, m));
                if (p != null) {
                    p.stored(lo, hi);
                }
            }
        }
    }

    private void drop(long ppn) {
        changed();
        for (int m = 16; m <= 64; m <<= 1) {
            Page p = pages.remove(key(ppn, m));
            if (p != null) {
                p.dead = true;
            }
        }
        map[(int) (ppn >>> 6)] &= ~(1L << ppn);
    }

    /** The next entry into each page compares it with its snapshot first. */
    void recheck() {
        epoch++;
        changed();
        seenWrites = foreignWrites();
    }

    /**
     * {@link #recheck()} if a device or loader wrote RAM or ROM holding code since the last one (its dirty log's
     * {@link DirtyLog#foreignWrites}): after an exception or interrupt that follows no such write, as most do, every
     * page stays checked (no 4 KiB compare, and chaining goes on through it). The CPUs' own stores need no re-check:
     * the Mmu reports those to {@link #written}.
     */
    void recheckIfWritten() {
        if (foreignWrites() != seenWrites) {
            recheck();
        }
    }

    private long foreignWrites() {
        long n = 0;
        for (DirtyLog log : logs) {
            n += log.foreignWrites();
        }
        return n;
    }

    private void watch(DirtyLog log) {
        for (DirtyLog l : logs) {
            if (l == log) {
                return;
            }
        }
        logs = java.util.Arrays.copyOf(logs, logs.length + 1);
        logs[logs.length - 1] = log;
        seenWrites = -1; // the new RAM's writes so far were not seen: the next chance re-checks
    }

    void clear() {
        changed();
        for (Page p : pages.values()) {
            p.dead = true;
        }
        pages.clear();
        java.util.Arrays.fill(map, 0);
    }
}
