package dev.jemu.devices;

import dev.jemu.core.time.VirtualClock;
import java.util.function.LongSupplier;

/**
 * The wall clock a real-time clock device counts (goldfish RTC, PL031): the host's wall clock when the machine
 * was built ({@code -rtc base=}) plus guest time since, or plus host time under {@code -rtc clock=host} (which
 * differs only under {@code -icount}). Snapshots keep RTC time minus guest time, since the host clock a loadvm
 * runs against is another process's.
 */
public final class RtcClock {
    private final VirtualClock clock;
    private final LongSupplier source;
    /** Wall-clock ns minus source ns. */
    private long offset;

    public RtcClock(VirtualClock clock, long wallClockNanos, boolean followsGuest) {
        this.clock = clock;
        if (followsGuest) {
            this.source = clock::nanos;
        } else {
            long start = System.nanoTime();
            this.source = () -> System.nanoTime() - start;
        }
        this.offset = wallClockNanos - source.getAsLong();
    }

    /** The RTC's time now, ns since the epoch. */
    public long now() {
        return source.getAsLong() + offset;
    }

    /** Sets the RTC's time now to {@code wallNanos}. */
    public void set(long wallNanos) {
        offset = wallNanos - source.getAsLong();
    }

    /** For a snapshot: RTC time minus guest time. */
    public long saved() {
        return now() - clock.nanos();
    }

    /** From a snapshot's {@link #saved()} (the guest clock is loaded first). */
    public void restore(long saved) {
        offset = saved + clock.nanos() - source.getAsLong();
    }
}
