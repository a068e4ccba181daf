package dev.jemu.devices.arm;

import dev.jemu.core.irq.CachedIrqLine;
import dev.jemu.core.irq.IrqLine;
import dev.jemu.core.memory.MmioDevice;
import dev.jemu.core.state.StateReader;
import dev.jemu.core.state.StateWriter;
import dev.jemu.core.state.Stateful;
import dev.jemu.core.time.Timer;
import dev.jemu.core.time.VirtualClock;
import dev.jemu.devices.RtcClock;

/**
 * Arm's PL031 real-time clock ({@code arm,pl031}): a 32-bit seconds counter (DR), set by writing LR, and one
 * match register (MR) whose equality with DR raises the interrupt (RIS bit 0, masked by IMSC, cleared by ICR).
 * The counter starts at the host's wall clock ({@code -rtc base=}) and runs with guest time, or with the host's
 * time under {@code -rtc clock=host} (which differs only under {@code -icount}), as the goldfish RTC does on
 * riscv64. CR reads 1: the counter always runs (QEMU ignores writes to it too).
 */
public final class Pl031 implements MmioDevice, Stateful {
    static final int DR = 0x00, MR = 0x04, LR = 0x08, CR = 0x0c, IMSC = 0x10, RIS = 0x14, MIS = 0x18, ICR = 0x1c;
    private static final int[] PERIPH_ID = {0x31, 0x10, 0x14, 0x00};
    private static final long NS = 1_000_000_000L;

    private final String id;
    private final VirtualClock clock;
    private final CachedIrqLine irq;
    private final Timer alarm;
    private final RtcClock time;
    private int mr, lr, imsc, ris;

    /** {@code wallClockNanos} is the RTC's time (ns since the epoch) now; {@code followsGuest} as GoldfishRtc. */
    public Pl031(String id, VirtualClock clock, IrqLine irq, long wallClockNanos, boolean followsGuest) {
        this.id = id;
        this.clock = clock;
        this.irq = new CachedIrqLine(irq);
        this.time = new RtcClock(clock, wallClockNanos, followsGuest);
        this.alarm = clock.newTimer(id + ".match", this::matched);
    }

    /** Machine reset: the counter keeps running (battery-backed); match and interrupt state cleared. */
    public void reset() {
        alarm.cancel();
        mr = lr = imsc = ris = 0;
        update();
    }

    long nowNanos() {
        return time.now();
    }

    /** DR: whole seconds, wrapping at 2^32 as the register does. */
    int seconds() {
        return (int) Math.floorDiv(nowNanos(), NS);
    }

    @Override
    public long read(long offset, int size) {
        if (PrimeCell.covers(offset)) {
            return PrimeCell.readId(offset, PERIPH_ID);
        }
        return switch ((int) offset) {
            case DR -> seconds() & 0xffff_ffffL;
            case MR -> mr & 0xffff_ffffL;
            case LR -> lr & 0xffff_ffffL;
            case CR -> 1;
            case IMSC -> imsc;
            case RIS -> ris;
            case MIS -> ris & imsc;
            default -> PrimeCell.unknownRead(id, offset);
        };
    }

    @Override
    public void write(long offset, int size, long value) {
        int v = (int) value;
        switch ((int) offset) {
            case LR -> {
                lr = v;
                // the counter restarts at v seconds: keep the sub-second phase at 0 from now
                time.set((v & 0xffff_ffffL) * NS);
                armMatch();
            }
            case MR -> {
                mr = v;
                armMatch();
            }
            case IMSC -> {
                imsc = v & 1;
                update();
            }
            case ICR -> {
                ris &= ~v;
                update();
            }
            case CR -> { } // the counter always runs
            default -> PrimeCell.ignoredWrite(id, offset, v, offset == DR || offset == RIS || offset == MIS);
        }
    }

    /** Arms the guest-clock timer for the next second at which DR equals MR (at most 2^32 s away). */
    private void armMatch() {
        long now = nowNanos();
        long secondsAhead = (mr - seconds()) & 0xffff_ffffL;
        if (secondsAhead == 0) {
            secondsAhead = 1L << 32; // a match on the current value fires when the counter wraps round to it
        }
        long due = Math.floorDiv(now, NS) * NS + secondsAhead * NS - now;
        alarm.armAt(clock.nanos() + due);
    }

    private void matched() {
        ris |= 1;
        update();
    }

    private void update() {
        irq.set((ris & imsc) != 0);
    }

    @Override
    public String stateId() {
        return id;
    }

    @Override
    public void saveState(StateWriter out) {
        // RTC time minus guest time, so a loadvm in another process (another host clock) restores the same time
        out.putLong("wallOffset", time.saved()).putInt("mr", mr).putInt("lr", lr)
                .putInt("imsc", imsc).putInt("ris", ris).putBoolean("armed", alarm.isArmed());
    }

    @Override
    public void loadState(StateReader in) {
        time.restore(in.getLong("wallOffset"));
        mr = in.getInt("mr");
        lr = in.getInt("lr");
        imsc = in.getInt("imsc") & 1;
        ris = in.getInt("ris") & 1;
        alarm.cancel();
        if (in.getBoolean("armed")) {
            armMatch();
        }
        irq.force((ris & imsc) != 0);
    }
}
