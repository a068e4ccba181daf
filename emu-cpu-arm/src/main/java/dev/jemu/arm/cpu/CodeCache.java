package dev.jemu.arm.cpu;

import dev.jemu.core.memory.AddressSpace;
import dev.jemu.core.memory.BusError;
import dev.jemu.core.memory.RawMemory;
import dev.jemu.core.memory.Region;
import java.lang.foreign.MemorySegment;
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
        final ArmOp[] ops = new ArmOp[SLOTS];
        /** Cleared when the page is dropped while ops from it may still be running. */
        boolean valid = true;
        /** Compiled blocks by start slot and the entries of each jump target so far (null until one is counted). */
        private ArmBlock[] blocks;
        private char[] heat;
        /** The RAM or ROM holding the page, read directly when decoding (null: read through the bus). */
        private final MemorySegment mem;
        private final long memBase, memOffset;

        Page(long pa, Region r) {
            this.pa = pa;
            boolean direct = r.isMemory() && r.contains(pa + 4095);
            mem = direct ? r.ram().segment() : null;
            memBase = direct && RawMemory.ENABLED ? mem.address() : 0;
            memOffset = pa - r.base();
        }

        ArmOp decode(int idx) {
            ArmOp op = A64Decoder.decode(word(idx));
            ops[idx] = op;
            return op;
        }

        /** The instruction word in slot {@code idx}. */
        int word(int idx) {
            return mem != null ? RawMemory.ld32(mem, memBase, memOffset + 4L * idx) : (int) bus.read(pa + 4L * idx, 4);
        }

        /**
         * The compiled block starting at jump target {@code idx}: counts the entry and compiles the block when
         * the count reaches {@code threshold} (1..65535); null while it is not (or cannot be) compiled.
         */
        ArmBlock enter(int idx, int threshold) {
            ArmBlock[] bs = blocks;
            if (bs != null && bs[idx] != null) {
                return bs[idx];
            }
            if (heat == null) {
                heat = new char[SLOTS];
            }
            if (++heat[idx] != threshold) {
                return null;
            }
            ArmBlock b = ArmJit.compile(this, idx);
            if (ArmStats.ON) ArmStats.compiled++;
            if (b != null) {
                if (bs == null) blocks = bs = new ArmBlock[SLOTS];
                bs[idx] = b;
            }
            return b;
        }
    }

    /** Instruction slots in a 4 KiB page. */
    static final int SLOTS = 1024;

    private final AddressSpace bus;
    private final java.util.List<java.lang.ref.WeakReference<ArmCpu>> cpus = new java.util.ArrayList<>();

    /** The cache of the CPUs on {@code bus}. */
    static CodeCache of(AddressSpace bus) {
        return bus.shared(CodeCache.class, () -> new CodeCache(bus));
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
        this.bus = bus;
    }

    /** The page at physical {@code pa} (page aligned); BusError when nothing is mapped there. */
    Page page(long pa) {
        Page p = last;
        if (p != null && p.pa == pa) {
            return p;
        }
        p = pages.get(pa >>> 12);
        if (p == null) {
            Region r = bus.find(pa);
            if (r == null) {
                throw BusError.INSTANCE;
            }
            p = new Page(pa, r);
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
            if (ArmStats.ON) ArmStats.pagesDropped++;
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
