package dev.jemu.arm.cpu;

import dev.jemu.core.memory.AddressSpace;
import dev.jemu.core.memory.BusError;
import dev.jemu.core.memory.Region;
import java.util.HashMap;
import java.util.Map;

/**
 * Decoded instructions per physical 4 KiB page. A page is decoded lazily, one instruction at a time, from the
 * bytes in guest memory; a write to a page with decoded code drops it ({@link #written}), so self-modifying and
 * freshly loaded code is seen.
 *
 * <p>One cache per address space, shared by the CPUs on it ({@link #of}): a store by any CPU drops code every
 * CPU may run, and the cache knows the CPUs so it can keep their write TLBs off code pages and so that TLBI
 * and IC's inner-shareable forms reach every CPU. The CPUs run on the machine thread.
 */
final class CodeCache {
    /** One physical page: a slot per 4-byte instruction, null until first run. */
    final class Page {
        final long pa;
        final ArmOp[] ops = new ArmOp[1024];
        /** Cleared when the page is dropped while ops from it may still be running. */
        boolean valid = true;

        Page(long pa) {
            this.pa = pa;
        }

        ArmOp decode(int idx) {
            int insn = (int) bus.get().read(pa + 4L * idx, 4);
            ArmOp op = A64Decoder.decode(insn);
            ops[idx] = op;
            return op;
        }
    }

    private static final Map<AddressSpace, CodeCache> BY_BUS = new java.util.WeakHashMap<>();

    /** Weak: the map above holds this cache strongly, and a key the value keeps alive would never go. */
    private final java.lang.ref.WeakReference<AddressSpace> bus;
    private final java.util.List<java.lang.ref.WeakReference<ArmCpu>> cpus = new java.util.ArrayList<>();

    /** The cache of the CPUs on {@code bus}. */
    static synchronized CodeCache of(AddressSpace bus) {
        return BY_BUS.computeIfAbsent(bus, CodeCache::new);
    }

    void register(ArmCpu cpu) {
        cpus.removeIf(r -> r.get() == null);
        cpus.add(new java.lang.ref.WeakReference<>(cpu));
    }

    /** Runs {@code action} on every CPU sharing this cache (TLBI ...IS broadcasts). */
    void forEachCpu(java.util.function.Consumer<ArmCpu> action) {
        for (var r : cpus) {
            ArmCpu cpu = r.get();
            if (cpu != null) action.accept(cpu);
        }
    }
    /** By physical page number (pa >>> 12): page addresses hash badly as keys, their low 12 bits are 0. */
    private final Map<Long, Page> pages = new HashMap<>();
    private Page last;

    CodeCache(AddressSpace bus) {
        this.bus = new java.lang.ref.WeakReference<>(bus);
    }

    /** The page at physical {@code pa} (page aligned); BusError when nothing is mapped there. */
    Page page(long pa) {
        Page p = last;
        if (p != null && p.pa == pa) {
            return p;
        }
        p = pages.get(pa >>> 12);
        if (p == null) {
            Region r = bus.get().find(pa);
            if (r == null) {
                throw BusError.INSTANCE;
            }
            p = new Page(pa);
            pages.put(pa >>> 12, p);
            forEachCpu(cpu -> cpu.mmu.dropWritesTo(pa)); // stores to it must now take the slow path
        }
        last = p;
        return p;
    }

    /** Whether physical page {@code pa} (aligned) holds decoded code; writers then call {@link #written}. */
    boolean hasCode(long pa) {
        return pages.containsKey(pa >>> 12);
    }

    void written(long pa) {
        Page p = pages.remove(pa >>> 12);
        if (p != null) {
            p.valid = false;
            if (last == p) last = null;
        }
    }

    void clear() {
        for (Page p : pages.values()) p.valid = false;
        pages.clear();
        last = null;
    }
}
