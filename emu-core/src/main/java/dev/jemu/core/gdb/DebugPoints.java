package dev.jemu.core.gdb;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * The debugger's breakpoints (virtual instruction addresses) and watchpoints (virtual data ranges), shared by
 * every CPU, and where a CPU reports that it stopped. Changed and read on the machine-loop thread only.
 *
 * <p>A CPU asks the page questions ({@link #breakpointPage}, {@link #watchesPage}) when it fills a TLB or
 * enters translated code, so pages without a breakpoint or watched byte keep their fast paths.
 */
public final class DebugPoints {
    /** What a watchpoint matches. */
    public enum WatchKind { WRITE, READ, ACCESS }

    /** A watched range {@code [address, address+length)}. */
    public record Watch(long address, long length, WatchKind kind) {
        boolean overlaps(long va, int size) {
            return Long.compareUnsigned(va - address, length) < 0 || Long.compareUnsigned(address - va, size) < 0;
        }
    }

    private static final long PAGE_MASK = ~0xfffL;

    private final Map<Long, Boolean> breakpoints = new HashMap<>(); // address -> software (else hardware)
    private final Map<Long, Integer> breakpointPages = new HashMap<>();
    private final List<Watch> watches = new ArrayList<>();
    private final Consumer<StopReason> stopped;

    /** @param stopped called on the machine thread when a CPU stops for the debugger */
    public DebugPoints(Consumer<StopReason> stopped) {
        this.stopped = stopped;
    }

    // --- the debugger's side ---

    /** Adds a breakpoint (a software one wins over a hardware one at the same address). */
    public void addBreakpoint(long address, boolean software) {
        Boolean old = breakpoints.get(address);
        if (old == null) {
            breakpointPages.merge(address & PAGE_MASK, 1, Integer::sum);
        }
        breakpoints.put(address, software || Boolean.TRUE.equals(old));
    }

    public void removeBreakpoint(long address) {
        if (breakpoints.remove(address) != null) {
            breakpointPages.computeIfPresent(address & PAGE_MASK, (p, n) -> n == 1 ? null : n - 1);
        }
    }

    public void addWatch(long address, long length, WatchKind kind) {
        watches.add(new Watch(address, Math.max(1, length), kind));
    }

    public void removeWatch(long address, long length, WatchKind kind) {
        watches.remove(new Watch(address, Math.max(1, length), kind));
    }

    public void clear() {
        breakpoints.clear();
        breakpointPages.clear();
        watches.clear();
    }

    // --- the CPU's side ---

    /** Some breakpoint lies in the 4 KiB virtual page starting at {@code page}. */
    public boolean breakpointPage(long page) {
        return !breakpointPages.isEmpty() && breakpointPages.containsKey(page);
    }

    /** The breakpoint addresses in the 4 KiB virtual page starting at {@code page}. */
    public long[] breakpointsIn(long page) {
        return breakpoints.keySet().stream().filter(a -> (a & PAGE_MASK) == page).mapToLong(Long::longValue).toArray();
    }

    /** The breakpoint at {@code pc}: TRUE software, FALSE hardware, null none. */
    public Boolean breakpointAt(long pc) {
        return breakpoints.isEmpty() ? null : breakpoints.get(pc);
    }

    public boolean hasWatches() {
        return !watches.isEmpty();
    }

    /** Some watched byte lies in the 4 KiB virtual page starting at {@code page}. */
    public boolean watchesPage(long page) {
        for (Watch w : watches) {
            if (w.overlaps(page, 4096)) {
                return true;
            }
        }
        return false;
    }

    /** The first watchpoint that an access of {@code size} bytes at {@code va} (a read, a write or both) hits. */
    public Watch watchHit(long va, int size, boolean read, boolean write) {
        for (Watch w : watches) {
            boolean kindMatches = switch (w.kind()) {
                case WRITE -> write;
                case READ -> read;
                case ACCESS -> true;
            };
            if (kindMatches && w.overlaps(va, size)) {
                return w;
            }
        }
        return null;
    }

    /** The CPU stopped for the debugger (before the instruction at a breakpoint, after a step or watched access). */
    public void stop(StopReason reason) {
        stopped.accept(reason);
    }
}
