package dev.jemu.riscv.cpu;

import dev.jemu.core.memory.AddressSpace;
import java.lang.ref.WeakReference;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.WeakHashMap;

/**
 * Decoded pages by physical page, shared by all harts on one bus (decoding depends only on the bytes).
 * A CPU store to a page with decoded code kills the page (the harts' store TLBs route such stores through
 * their slow path); FENCE.I bumps a generation so pages are re-checked against their bytes on next entry,
 * which catches device DMA into code; {@link #invalidate} is the explicit hook for DMA writers.
 */
final class CodeCache {
    private static final Map<AddressSpace, CodeCache> BY_BUS = new WeakHashMap<>();

    /** By physical page number (address >>> 12: page addresses themselves hash badly, their low bits are 0). */
    private final Map<Long, DecodedPage> pages = new HashMap<>();
    // weak: the cache is the value of a weak map keyed by the bus, and harts reference the bus
    private final List<WeakReference<Hart>> harts = new ArrayList<>();
    int generation;

    static synchronized CodeCache of(AddressSpace bus) {
        return BY_BUS.computeIfAbsent(bus, b -> new CodeCache());
    }

    void register(Hart h) {
        harts.removeIf(r -> r.get() == null);
        harts.add(new WeakReference<>(h));
    }

    private void forEachHart(java.util.function.Consumer<Hart> action) {
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

    void put(DecodedPage p) {
        pages.put(p.physPage >>> 12, p);
        forEachHart(h -> h.markCodePage(p.physPage));
    }

    boolean isCode(long physPage) {
        return pages.containsKey(physPage >>> 12);
    }

    /** Drops decoded code overlapping {@code [pa, pa+len)}. */
    void invalidate(long pa, long len) {
        if (pages.isEmpty() || len <= 0) {
            return;
        }
        long first = pa & ~0xfffL, last = (pa + len - 1) & ~0xfffL;
        if (Long.compareUnsigned(last - first, 1L << 30) > 0) {
            pages.values().removeIf(p -> {
                boolean hit = Long.compareUnsigned(p.physPage - first, last - first) <= 0;
                if (hit) {
                    drop(p);
                }
                return hit;
            });
            return;
        }
        for (long pg = first; ; pg += 4096) {
            DecodedPage p = pages.remove(pg >>> 12);
            if (p != null) {
                drop(p);
            }
            if (pg == last) {
                break;
            }
        }
    }

    private void drop(DecodedPage p) {
        if (Hart.STATS) {
            ExecStats.kills++;
        }
        p.kill();
        forEachHart(h -> h.forgetCodePage(p));
    }

    void fenceI() {
        if (Hart.STATS) {
            ExecStats.fenceIs++;
        }
        generation++;
        forEachHart(Hart::flushFetchTlb);
    }
}
