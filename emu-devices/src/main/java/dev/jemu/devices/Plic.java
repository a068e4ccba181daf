package dev.jemu.devices;

import dev.jemu.core.irq.CachedIrqLine;
import dev.jemu.core.irq.IrqLine;
import dev.jemu.core.log.DebugLog;
import dev.jemu.core.memory.MmioDevice;
import dev.jemu.core.state.StateReader;
import dev.jemu.core.state.StateWriter;
import dev.jemu.core.state.Stateful;

/**
 * The SiFive platform-level interrupt controller ({@code riscv,plic0}) with QEMU virt's layout: priorities
 * at 0 (4 bytes per source), pending bits at 0x1000, per-context enable bits at 0x2000 + 0x80*context,
 * per-context threshold at 0x200000 + 0x1000*context and claim/complete 4 bytes above it. Source 0 does not
 * exist. Each context drives one output line (hart 0 M-mode → MEIP, S-mode → SEIP on the virt board).
 *
 * <p>Sources are level-triggered through a gateway: a high line makes the source pending unless it is in
 * service (claimed and not yet completed); completion re-arms the gateway so a line still high pends again.
 * A line that drops before the claim leaves its request pending (QEMU does the same).
 */
public final class Plic implements MmioDevice, Stateful {
    public static final int PRIORITY_BASE = 0x0, PENDING_BASE = 0x1000, ENABLE_BASE = 0x2000,
            ENABLE_STRIDE = 0x80, CONTEXT_BASE = 0x200000, CONTEXT_STRIDE = 0x1000;
    /** Priorities are 0..7 on QEMU's virt (0 never interrupts). */
    public static final int PRIORITY_MASK = 7;

    private final String id;
    private final int numSources;
    private final int words;
    private final CachedIrqLine[] outputs;
    private final int[] priority;
    private final int[] pending;
    private final int[] inService;
    private final int[] level; // input line levels
    private final int[][] enable;
    private final int[] threshold;

    /**
     * @param numSources number of sources including the non-existent source 0 (at most 1024)
     * @param outputs one line per context, in context order
     */
    public Plic(String id, int numSources, IrqLine... outputs) {
        if (numSources < 2 || numSources > 1024) {
            throw new IllegalArgumentException("PLIC sources: " + numSources);
        }
        this.id = id;
        this.numSources = numSources;
        this.words = (numSources + 31) / 32;
        this.outputs = new CachedIrqLine[outputs.length];
        for (int c = 0; c < outputs.length; c++) {
            this.outputs[c] = new CachedIrqLine(outputs[c]);
        }
        this.priority = new int[numSources];
        this.pending = new int[words];
        this.inService = new int[words];
        this.level = new int[words];
        this.enable = new int[outputs.length][words];
        this.threshold = new int[outputs.length];
    }

    /** Power-on state: nothing pending, enabled or prioritized; outputs low. Input levels are kept. */
    public void reset() {
        java.util.Arrays.fill(priority, 0);
        java.util.Arrays.fill(pending, 0);
        java.util.Arrays.fill(inService, 0);
        java.util.Arrays.fill(threshold, 0);
        for (int[] e : enable) {
            java.util.Arrays.fill(e, 0);
        }
        update();
    }

    /** The input wire of source {@code n} (1 .. numSources-1), to hand to a device. */
    public IrqLine input(int n) {
        if (n <= 0 || n >= numSources) {
            throw new IllegalArgumentException("PLIC source " + n);
        }
        return l -> setInput(n, l);
    }

    public int numSources() {
        return numSources;
    }

    private static boolean bit(int[] a, int n) {
        return (a[n >>> 5] & (1 << (n & 31))) != 0;
    }

    private static void setBit(int[] a, int n, boolean v) {
        if (v) {
            a[n >>> 5] |= 1 << (n & 31);
        } else {
            a[n >>> 5] &= ~(1 << (n & 31));
        }
    }

    void setInput(int n, boolean l) {
        setBit(level, n, l);
        // The gateway forwards a request on a high level; only a claim clears it (as QEMU's PLIC does):
        // a line that drops before the claim still leaves its request pending.
        if (l && !bit(inService, n)) {
            setBit(pending, n, true);
        }
        update();
    }

    /** The source a claim by {@code ctx} would return now, or 0. */
    private int best(int ctx) {
        int bestId = 0, bestPrio = threshold[ctx];
        for (int w = 0; w < words; w++) {
            int cand = pending[w] & enable[ctx][w];
            while (cand != 0) {
                int b = Integer.numberOfTrailingZeros(cand);
                cand &= cand - 1;
                int n = w * 32 + b;
                if (priority[n] > bestPrio) {
                    bestPrio = priority[n];
                    bestId = n;
                }
            }
        }
        return bestId;
    }

    private void update() {
        for (int c = 0; c < outputs.length; c++) {
            outputs[c].set(best(c) != 0);
        }
    }

    @Override
    public long read(long offset, int size) {
        if (size != 4) {
            return 0; // the PLIC's registers are 32 bits wide
        }
        int off = (int) offset;
        if (off < PENDING_BASE) {
            int n = off >> 2;
            return n < numSources ? priority[n] : 0;
        }
        if (off < ENABLE_BASE) {
            int w = (off - PENDING_BASE) >> 2;
            return w < words ? pending[w] & 0xffff_ffffL : 0;
        }
        if (off < CONTEXT_BASE) {
            int ctx = (off - ENABLE_BASE) / ENABLE_STRIDE;
            int w = ((off - ENABLE_BASE) % ENABLE_STRIDE) >> 2;
            return ctx < outputs.length && w < words ? enable[ctx][w] & 0xffff_ffffL : 0;
        }
        int ctx = (off - CONTEXT_BASE) / CONTEXT_STRIDE;
        int reg = (off - CONTEXT_BASE) % CONTEXT_STRIDE;
        if (ctx >= outputs.length) {
            return 0;
        }
        if (reg == 0) {
            return threshold[ctx];
        }
        if (reg == 4) {
            return claim(ctx);
        }
        return 0;
    }

    private int claim(int ctx) {
        int n = best(ctx);
        if (n != 0) {
            setBit(pending, n, false);
            setBit(inService, n, true);
            update();
        }
        return n;
    }

    @Override
    public void write(long offset, int size, long value) {
        if (size != 4) {
            DebugLog.log(DebugLog.Category.GUEST_ERRORS, "%s: %d-byte write at 0x%x ignored", id, size, offset);
            return;
        }
        int off = (int) offset;
        int v = (int) value;
        if (off < PENDING_BASE) {
            int n = off >> 2;
            if (n > 0 && n < numSources) {
                priority[n] = v & PRIORITY_MASK;
                update();
            }
        } else if (off < ENABLE_BASE) {
            // Pending bits are read-only.
        } else if (off < CONTEXT_BASE) {
            int ctx = (off - ENABLE_BASE) / ENABLE_STRIDE;
            int w = ((off - ENABLE_BASE) % ENABLE_STRIDE) >> 2;
            if (ctx < outputs.length && w < words) {
                enable[ctx][w] = w == 0 ? v & ~1 : v; // source 0 does not exist
                update();
            }
        } else {
            int ctx = (off - CONTEXT_BASE) / CONTEXT_STRIDE;
            int reg = (off - CONTEXT_BASE) % CONTEXT_STRIDE;
            if (ctx >= outputs.length) {
                return;
            }
            if (reg == 0) {
                threshold[ctx] = v & PRIORITY_MASK;
                update();
            } else if (reg == 4) {
                complete(ctx, v);
            }
        }
    }

    private void complete(int ctx, int n) {
        if (n <= 0 || n >= numSources || !bit(enable[ctx], n)) {
            // The spec says completions for sources not enabled for the context are ignored.
            DebugLog.log(DebugLog.Category.GUEST_ERRORS, "%s: context %d completes source %d it cannot own", id, ctx, n);
            return;
        }
        setBit(inService, n, false);
        if (bit(level, n)) {
            setBit(pending, n, true); // still asserted: the gateway forwards a new request
        }
        update();
    }

    @Override
    public String stateId() {
        return id;
    }

    @Override
    public void saveState(StateWriter out) {
        out.putInts("priority", priority).putInts("pending", pending).putInts("inService", inService)
                .putInts("level", level).putInts("threshold", threshold);
        for (int c = 0; c < outputs.length; c++) {
            out.putInts("enable" + c, enable[c]);
        }
    }

    @Override
    public void loadState(StateReader in) {
        copy(in.getInts("priority"), priority);
        copy(in.getInts("pending"), pending);
        copy(in.getInts("inService"), inService);
        copy(in.getInts("level"), level);
        copy(in.getInts("threshold"), threshold);
        for (int c = 0; c < outputs.length; c++) {
            copy(in.getInts("enable" + c), enable[c]);
        }
        for (int c = 0; c < outputs.length; c++) {
            outputs[c].force(best(c) != 0);   // every output driven afresh
        }
    }

    private static void copy(int[] src, int[] dst) {
        java.util.Arrays.fill(dst, 0);
        System.arraycopy(src, 0, dst, 0, Math.min(src.length, dst.length));
    }
}
