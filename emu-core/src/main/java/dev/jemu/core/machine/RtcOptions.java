package dev.jemu.core.machine;

import java.time.Instant;

/**
 * {@code -rtc base=...,clock=...}: where the board's real-time clock starts and what it follows.
 *
 * @param startNanos  the RTC's reading at guest time 0, ns since the epoch ({@code base=utc}: the host's
 *                    time now; {@code localtime}: the host's local time now, read as if it were UTC, as QEMU
 *                    does; a date: that date, UTC)
 * @param followsGuest {@code clock=vm}: the RTC advances with guest time, so with {@code -icount} it is
 *                    deterministic; {@code clock=host|rt} (QEMU's default): it advances with the host's time
 */
public record RtcOptions(long startNanos, boolean followsGuest) {
    public static RtcOptions hostUtc() {
        return new RtcOptions(nanos(Instant.now()), false);
    }

    public static long nanos(Instant t) {
        return t.getEpochSecond() * 1_000_000_000L + t.getNano();
    }
}
