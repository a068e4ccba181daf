package dev.jemu.devices;

import dev.jemu.core.irq.CachedIrqLine;
import dev.jemu.core.irq.IrqLine;
import dev.jemu.core.log.DebugLog;
import dev.jemu.core.memory.MmioDevice;
import dev.jemu.core.state.StateReader;
import dev.jemu.core.state.StateWriter;
import dev.jemu.core.state.Stateful;
import dev.jemu.core.time.Timebase;
import dev.jemu.core.time.Timer;

/**
 * The SiFive CLINT layout of the RISC-V ACLINT (MSWI + MTIMER in one 64 KiB window, {@code riscv,clint0}):
 * {@code msip} per hart at 0 (4 bytes each), {@code mtimecmp} per hart at 0x4000 (8 bytes each), {@code mtime}
 * at 0xbff8. {@code mtime} is the board's {@link Timebase} (10 MHz on virt), the same counter the harts' {@code
 * time} CSR reads, so it is read-only here: a write is logged and ignored rather than letting the two diverge.
 * MTIP is level {@code mtime >= mtimecmp}, kept current by a timer armed for the instant mtime reaches
 * mtimecmp.
 */
public final class Aclint implements MmioDevice, Stateful {
    public static final int MSIP_BASE = 0x0, MTIMECMP_BASE = 0x4000, MTIME = 0xbff8, SIZE = 0x10000;

    private final String id;
    private final Timebase timebase;
    /** MSIP per hart: the register bit is the level of its line. */
    private final CachedIrqLine[] msip;
    private final long[] mtimecmp;
    private final CachedIrqLine[] mtip;
    private final Timer[] timers;

    /** One entry per hart in each array. */
    public Aclint(String id, Timebase timebase, IrqLine[] msipLines, IrqLine[] mtipLines) {
        if (msipLines.length != mtipLines.length) {
            throw new IllegalArgumentException("one MSIP and one MTIP line per hart");
        }
        this.id = id;
        this.timebase = timebase;
        int n = msipLines.length;
        this.msip = new CachedIrqLine[n];
        this.mtimecmp = new long[n];
        this.mtip = new CachedIrqLine[n];
        this.timers = new Timer[n];
        for (int h = 0; h < n; h++) {
            msip[h] = new CachedIrqLine(msipLines[h]);
            mtip[h] = new CachedIrqLine(mtipLines[h]);
            int hart = h;
            timers[h] = timebase.clock().newTimer(id + ".mtimecmp" + h, () -> updateTimer(hart));
            mtimecmp[h] = -1L; // reset value is unspecified; all-ones keeps MTIP low until software sets it
        }
    }

    /** Power-on state: no software interrupt, mtimecmp all ones (no timer interrupt). */
    public void reset() {
        for (int h = 0; h < msip.length; h++) {
            msip[h].force(false);
            mtimecmp[h] = -1L;
            updateTimer(h);
        }
    }

    public long mtime() {
        return timebase.ticks();
    }

    @Override
    public long read(long offset, int size) {
        int off = (int) offset;
        int harts = msip.length;
        if (off >= MSIP_BASE && off < MSIP_BASE + 4 * harts) {
            return (off & 3) == 0 && msip[off >> 2].level() ? 1 : 0;
        }
        if (off >= MTIMECMP_BASE && off < MTIMECMP_BASE + 8 * harts) {
            int h = (off - MTIMECMP_BASE) >> 3;
            return slice(mtimecmp[h], off & 7, size);
        }
        if (off >= MTIME && off < MTIME + 8) {
            return slice(mtime(), off - MTIME, size);
        }
        return 0;
    }

    private static long slice(long v, int byteOff, int size) {
        long x = v >>> (8 * byteOff);
        return size == 8 ? x : x & ((1L << (8 * size)) - 1);
    }

    private static long merge(long old, int byteOff, int size, long value) {
        if (size == 8 && byteOff == 0) {
            return value;
        }
        long mask = ((1L << (8 * size)) - 1) << (8 * byteOff);
        return (old & ~mask) | ((value << (8 * byteOff)) & mask);
    }

    @Override
    public void write(long offset, int size, long value) {
        int off = (int) offset;
        int harts = msip.length;
        if (off >= MSIP_BASE && off < MSIP_BASE + 4 * harts) {
            if ((off & 3) == 0) {
                msip[off >> 2].set((value & 1) != 0);
            }
        } else if (off >= MTIMECMP_BASE && off < MTIMECMP_BASE + 8 * harts) {
            int h = (off - MTIMECMP_BASE) >> 3;
            if ((off & 7) + size > 8) {
                return;
            }
            mtimecmp[h] = merge(mtimecmp[h], off & 7, size, value);
            updateTimer(h);
        } else if (off >= MTIME && off < MTIME + 8) {
            DebugLog.log(DebugLog.Category.UNIMP, "%s: write to mtime ignored (mtime is the shared timebase)", id);
        }
    }

    /** Sets MTIP from the comparison and arms the timer for the moment it becomes true. */
    private void updateTimer(int h) {
        mtip[h].set(armTimer(h));
    }

    /** Arms the timer for the moment mtime reaches mtimecmp; returns whether it has already (MTIP). */
    private boolean armTimer(int h) {
        long now = mtime();
        boolean level = Long.compareUnsigned(now, mtimecmp[h]) >= 0;
        if (level) {
            timers[h].cancel();
        } else {
            long at = mtimecmp[h] < 0 ? Long.MAX_VALUE : timebase.nanosAt(mtimecmp[h]);
            if (at == Long.MAX_VALUE || at < 0) { // beyond the clock's range (nanosAt saturates): never
                timers[h].cancel();
            } else {
                timers[h].armAt(at);
            }
        }
        return level;
    }

    @Override
    public String stateId() {
        return id;
    }

    @Override
    public void saveState(StateWriter out) {
        int[] m = new int[msip.length];
        for (int i = 0; i < m.length; i++) {
            m[i] = msip[i].level() ? 1 : 0;
        }
        out.putInts("msip", m).putLongs("mtimecmp", mtimecmp);
    }

    @Override
    public void loadState(StateReader in) {
        int[] m = in.getInts("msip");
        long[] cmp = in.getLongs("mtimecmp");
        for (int h = 0; h < msip.length; h++) {
            msip[h].force(h < m.length && m[h] != 0);
            mtimecmp[h] = h < cmp.length ? cmp[h] : -1L;
            mtip[h].force(armTimer(h));
        }
    }
}
