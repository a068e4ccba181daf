package dev.jemu.riscv.cpu;

import dev.jemu.core.memory.AddressSpace;
import java.lang.ref.WeakReference;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

/**
 * Decoded pages by physical page, shared by all harts on one bus (decoding depends only on the bytes).
 * A CPU store to a page with decoded code kills the page (the harts' store TLBs route such stores through
 * their slow path); FENCE.I bumps a generation so pages are re-checked against their bytes on next entry,
 * which catches device DMA into code; {@link #invalidate} is the explicit hook for DMA writers.
 *
 * <p>Harts on several threads ({@code -accel tcg,thread=multi}): the map is concurrent, and a hart's TLBs are
 * written by its own thread only. So while harts run in parallel, a page decoded by one hart is marked only in
 * that hart's store TLB (another hart's stores to it may take the fast path), a page dropped by one hart
 * leaves the others' fetch TLBs alone (a hart running it meets {@link Op#STALE} slots and looks the page up
 * again; it may finish its current block on the old code, as hardware may until its FENCE.I), and each
 * FENCE.I bumps the generation (the hart's own fetch TLB dropped), so every page it runs next is compared with
 * RAM: stores by other harts that were not caught are caught there, as the ISA requires.
 */
final class CodeCache {
    /** By physical page number (address >>> 12: page addresses themselves hash badly, their low bits are 0). */
    private final Map<Long, DecodedPage> pages = new ConcurrentHashMap<>();
    // weak: the cache is the value of a weak map keyed by the bus, and harts reference the bus
    private final List<WeakReference<Hart>> harts = new CopyOnWriteArrayList<>();
    private final AtomicInteger generation = new AtomicInteger();

    /**
     * Which hart has run on this bus while harts run on their own threads: {@link #NOBODY} yet, a hart id while that
     * hart alone has, {@link #SEVERAL} once a second one ran (for good). While one hart alone has run (Linux's boot
     * before it starts the secondary harts, when its code patching issues tens of thousands of FENCE.I), every page
     * was decoded by it and is marked in its store TLB, and no other hart stored: see {@link Hart#instructionFence}.
     */
    private volatile int runner = NOBODY;
    private static final int NOBODY = -1, SEVERAL = -2;

    /** Hart {@code id} is about to run instructions on its own thread (before it runs any). */
    void running(int id) {
        int r = runner;
        if (r != id && r != SEVERAL) {
            synchronized (this) { // once per hart
                runner = runner == NOBODY || runner == id ? id : SEVERAL;
            }
        }
    }

    /** True while hart {@code id} is the only hart that has run on this bus (on its own thread). */
    boolean ranAlone(int id) {
        return runner == id;
    }

    static CodeCache of(AddressSpace bus) {
        return bus.shared(CodeCache.class, CodeCache::new);
    }

    void register(Hart h) {
        harts.removeIf(r -> r.get() == null);
        harts.add(new WeakReference<>(h));
    }

    int generation() {
        return generation.get();
    }

    /**
     * The harts whose TLBs an action of {@code by} may change: all of them while one thread runs every hart (or
     * for a DMA writer, {@code by} null, then none in parallel), else {@code by} alone.
     */
    private void forHartsOf(Hart by, Consumer<Hart> action) {
        if (by != null && by.loop.cpusInParallel()) {
            action.accept(by);
            return;
        }
        if (by == null && !harts.isEmpty()) {
            Hart any = harts.get(0).get();
            if (any != null && any.loop.cpusInParallel()) {
                return;
            }
        }
        for (WeakReference<Hart> r : harts) {
            Hart h = r.get();
            if (h != null) {
                action.accept(h);
            }
        }
    }

    DecodedPage get(long physPage) {
        return pages.get(physPage >>> 12);
    }

    /** Adds {@code p} unless another hart added the page first; returns the page in the cache. */
    DecodedPage putIfAbsent(DecodedPage p, Hart by) {
        DecodedPage old = pages.putIfAbsent(p.physPage >>> 12, p);
        if (old != null) {
            return old;
        }
        forHartsOf(by, h -> h.markCodePage(p.physPage));
        return p;
    }

    boolean isCode(long physPage) {
        return pages.containsKey(physPage >>> 12);
    }

    /** Drops decoded code overlapping {@code [pa, pa+len)}; {@code by} is the storing hart, null for DMA. */
    void invalidate(long pa, long len, Hart by) {
        if (pages.isEmpty() || len <= 0) {
            return;
        }
        long first = pa & ~0xfffL, last = (pa + len - 1) & ~0xfffL;
        if (Long.compareUnsigned(last - first, 1L << 30) > 0) {
            pages.values().removeIf(p -> {
                boolean hit = Long.compareUnsigned(p.physPage - first, last - first) <= 0;
                if (hit) {
                    drop(p, by);
                }
                return hit;
            });
            return;
        }
        for (long pg = first; ; pg += 4096) {
            DecodedPage p = pages.remove(pg >>> 12);
            if (p != null) {
                drop(p, by);
            }
            if (pg == last) {
                break;
            }
        }
    }

    private void drop(DecodedPage p, Hart by) {
        if (Hart.STATS) {
            ExecStats.kills++;
        }
        p.kill();
        forHartsOf(by, h -> h.forgetCodePage(p));
    }

    /** FENCE.I of hart {@code by}. */
    void fenceI(Hart by) {
        if (Hart.STATS) {
            ExecStats.fenceIs++;
        }
        generation.incrementAndGet();
        forHartsOf(by, Hart::flushFetchTlb);
    }
}
