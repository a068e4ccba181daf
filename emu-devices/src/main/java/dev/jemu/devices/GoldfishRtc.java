package dev.jemu.devices;

import dev.jemu.core.irq.CachedIrqLine;
import dev.jemu.core.irq.IrqLine;
import dev.jemu.core.memory.MmioDevice;
import dev.jemu.core.state.StateReader;
import dev.jemu.core.state.StateWriter;
import dev.jemu.core.state.Stateful;
import dev.jemu.core.time.Timer;
import dev.jemu.core.time.VirtualClock;

/**
 * Google's goldfish RTC ({@code google,goldfish-rtc}): a 64-bit nanosecond wall clock, and one alarm with an
 * interrupt. The clock is the host's wall-clock time when the machine was built plus guest time since, so a
 * paused or instruction-counted guest sees its own time pass. Reading TIME_LOW latches the high half for the
 * following TIME_HIGH read; writing TIME_HIGH then TIME_LOW sets the clock (Linux's order). Likewise ALARM_HIGH
 * then ALARM_LOW arms the alarm.
 */
public final class GoldfishRtc implements MmioDevice, Stateful {
    static final int TIME_LOW = 0x00, TIME_HIGH = 0x04, ALARM_LOW = 0x08, ALARM_HIGH = 0x0c,
            IRQ_ENABLED = 0x10, CLEAR_ALARM = 0x14, ALARM_STATUS = 0x18, CLEAR_INTERRUPT = 0x1c;

    private final String id;
    private final VirtualClock clock;
    private final CachedIrqLine irq;
    private final Timer alarmTimer;
    /** The wall clock the RTC counts. */
    private final RtcClock time;
    private int timeHighLatch, timeHighWritten, alarmHigh;
    private boolean irqEnabled, irqPending, alarmRunning;
    private long alarmAt; // wall-clock ns

    /** {@code wallClockNanos} is the wall-clock time (ns since the epoch) at guest time 0. */
    public GoldfishRtc(String id, VirtualClock clock, IrqLine irq, long wallClockNanos) {
        this(id, clock, irq, wallClockNanos, true);
    }

    /**
     * As above; {@code followsGuest} false makes the clock advance with the host's time whatever the guest's
     * clock does ({@code -rtc clock=host}, QEMU's default), which differs only under {@code -icount}. Alarms
     * always fire on the guest clock, converted from the RTC's time.
     */
    public GoldfishRtc(String id, VirtualClock clock, IrqLine irq, long wallClockNanos, boolean followsGuest) {
        this.id = id;
        this.clock = clock;
        this.irq = new CachedIrqLine(irq);
        this.time = new RtcClock(clock, wallClockNanos, followsGuest);
        this.alarmTimer = clock.newTimer(id + ".alarm", this::alarmFired);
    }

    /** Machine reset: the clock keeps running (it is battery-backed), the alarm and interrupt are cleared. */
    public void reset() {
        alarmTimer.cancel();
        alarmRunning = false;
        irqEnabled = false;
        irqPending = false;
        update();
    }

    /** The host's current wall clock, ns since the epoch. */
    public static long hostWallClockNanos() {
        java.time.Instant now = java.time.Instant.now();
        return now.getEpochSecond() * 1_000_000_000L + now.getNano();
    }

    long now() {
        return time.now();
    }

    @Override
    public long read(long off, int size) {
        switch ((int) off) {
            case TIME_LOW -> {
                long t = now();
                timeHighLatch = (int) (t >>> 32);
                return t & 0xffff_ffffL;
            }
            case TIME_HIGH -> {
                return timeHighLatch & 0xffff_ffffL;
            }
            case ALARM_LOW -> {
                return alarmAt & 0xffff_ffffL;
            }
            case ALARM_HIGH -> {
                return alarmAt >>> 32;
            }
            case IRQ_ENABLED -> {
                return irqEnabled ? 1 : 0;
            }
            case ALARM_STATUS -> {
                return alarmRunning ? 1 : 0;
            }
            default -> {
                return 0;
            }
        }
    }

    @Override
    public void write(long off, int size, long value) {
        int v = (int) value;
        switch ((int) off) {
            case TIME_LOW -> {
                long wall = ((long) timeHighWritten << 32) | (v & 0xffff_ffffL);
                time.set(wall);
                if (alarmRunning) {
                    armAlarm(); // the alarm is in wall time: re-arm against the new clock
                }
            }
            case TIME_HIGH -> timeHighWritten = v;
            case ALARM_LOW -> {
                alarmAt = ((long) alarmHigh << 32) | (v & 0xffff_ffffL);
                alarmRunning = true;
                armAlarm();
            }
            case ALARM_HIGH -> alarmHigh = v;
            case IRQ_ENABLED -> {
                irqEnabled = (v & 1) != 0;
                update();
            }
            case CLEAR_ALARM -> {
                alarmRunning = false;
                alarmTimer.cancel();
            }
            case CLEAR_INTERRUPT -> {
                irqPending = false;
                update();
            }
            default -> { }
        }
    }

    /**
     * Fires the alarm now if its (unsigned, 64-bit wall-clock) time has come, else arms the timer for it. An
     * alarm beyond what guest time can reach (e.g. 2^63 ns or more from now) never fires, as in QEMU, where
     * the comparison is unsigned too.
     */
    private void armAlarm() {
        long now = now();
        if (Long.compareUnsigned(alarmAt, now) <= 0) {
            alarmTimer.cancel();
            alarmFired();
            return;
        }
        long due = clock.nanos() + (alarmAt - now);
        if (due < clock.nanos()) {
            alarmTimer.cancel(); // past the end of guest time
        } else {
            alarmTimer.armAt(due);
        }
    }

    private void alarmFired() {
        alarmRunning = false;
        irqPending = true;
        update();
    }

    private void update() {
        irq.set(irqEnabled && irqPending);
    }

    @Override
    public String stateId() {
        return id;
    }

    @Override
    public void saveState(StateWriter out) {
        // RTC time minus guest time, not the offset to our source: with -rtc clock=host the source is this
        // process's host clock, which a loadvm in another process does not share (QEMU saves it so too)
        out.putLong("wallOffset", time.saved()).putInt("timeHighLatch", timeHighLatch)
                .putInt("timeHighWritten", timeHighWritten).putInt("alarmHigh", alarmHigh)
                .putBoolean("irqEnabled", irqEnabled).putBoolean("irqPending", irqPending)
                .putBoolean("alarmRunning", alarmRunning).putLong("alarmAt", alarmAt);
    }

    @Override
    public void loadState(StateReader in) {
        time.restore(in.getLong("wallOffset")); // the clock is loaded first
        timeHighLatch = in.getInt("timeHighLatch");
        timeHighWritten = in.getInt("timeHighWritten");
        alarmHigh = in.getInt("alarmHigh");
        irqEnabled = in.getBoolean("irqEnabled");
        irqPending = in.getBoolean("irqPending");
        alarmRunning = in.getBoolean("alarmRunning");
        alarmAt = in.getLong("alarmAt");
        alarmTimer.cancel();
        if (alarmRunning) {
            armAlarm();
        }
        irq.force(irqEnabled && irqPending);
    }
}
