package dev.jemu.core.time;

/**
 * A counter that ticks at {@code hz} on guest time, such as RISC-V's {@code mtime} (10 MHz on QEMU's virt)
 * or Arm's generic timer. Converts between ticks and the clock's nanoseconds, rounding so that a timer armed
 * for a tick value never fires before the counter reaches it.
 */
public record Timebase(VirtualClock clock, long hz) {
    private static final long NS = 1_000_000_000L;

    public long ticks() {
        return ticksAt(clock.nanos());
    }

    public long ticksAt(long nanos) {
        return Math.multiplyHigh(nanos, hz) == 0 && nanos * hz >= 0 ? nanos * hz / NS : scaled(nanos, hz, NS);
    }

    /** The first guest time (ns) at which the counter reads at least {@code ticks}; saturates. */
    public long nanosAt(long ticks) {
        if (ticks <= 0) {
            return 0;
        }
        if (Long.compareUnsigned(ticks, Long.MAX_VALUE / NS) > 0) {
            long ns = scaled(ticks, NS, hz);
            return ns < 0 ? Long.MAX_VALUE : ns + 1;
        }
        return (ticks * NS + hz - 1) / hz;
    }

    private static long scaled(long v, long mul, long div) {
        return java.math.BigInteger.valueOf(v).multiply(java.math.BigInteger.valueOf(mul))
                .divide(java.math.BigInteger.valueOf(div)).min(java.math.BigInteger.valueOf(Long.MAX_VALUE)).longValue();
    }
}
