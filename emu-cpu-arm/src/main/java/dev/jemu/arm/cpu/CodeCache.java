package dev.jemu.arm.cpu;

import dev.jemu.core.memory.AddressSpace;
import dev.jemu.core.memory.BusError;
import dev.jemu.core.memory.Region;
import java.util.HashMap;
import java.util.Map;
import java.util.function.LongConsumer;

/**
 * Decoded instructions per physical 4 KiB page. A page is decoded lazily, one instruction at a time, from the
 * bytes in guest memory; a write to a page with decoded code drops it ({@link #written}), so self-modifying and
 * freshly loaded code is seen.
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
            int insn = (int) bus.read(pa + 4L * idx, 4);
            ArmOp op = A64Decoder.decode(insn);
            ops[idx] = op;
            return op;
        }
    }

    private final AddressSpace bus;
    /** Told the physical address of every page as it gets decoded code (the Mmu drops its write entries). */
    LongConsumer onNewPage = pa -> { };
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
        p = pages.get(pa);
        if (p == null) {
            Region r = bus.find(pa);
            if (r == null) {
                throw BusError.INSTANCE;
            }
            p = new Page(pa);
            pages.put(pa, p);
            onNewPage.accept(pa);
        }
        last = p;
        return p;
    }

    /** Whether physical page {@code pa} (aligned) holds decoded code; writers then call {@link #written}. */
    boolean hasCode(long pa) {
        return pages.containsKey(pa & ~0xfffL);
    }

    void written(long pa) {
        Page p = pages.remove(pa & ~0xfffL);
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
