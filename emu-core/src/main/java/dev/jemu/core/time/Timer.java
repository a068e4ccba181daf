package dev.jemu.core.time;

/** A one-shot timer on a {@link VirtualClock}; re-arm it from its callback for periodic behaviour. */
public final class Timer implements Comparable<Timer> {
    private final VirtualClock clock;
    final String name;
    final Runnable callback;
    long deadline;
    long order;
    boolean armed;

    Timer(VirtualClock clock, String name, Runnable callback) {
        this.clock = clock;
        this.name = name;
        this.callback = callback;
    }

    /** Fires the callback once guest time reaches {@code deadlineNs} (replacing any earlier arming). */
    public void armAt(long deadlineNs) {
        clock.arm(this, deadlineNs);
    }

    public void armAfter(long delayNs) {
        clock.arm(this, clock.nanos() + delayNs);
    }

    public void cancel() {
        clock.cancel(this);
    }

    public boolean isArmed() {
        return armed;
    }

    public long deadline() {
        return deadline;
    }

    public String name() {
        return name;
    }

    @Override
    public int compareTo(Timer o) {
        int c = Long.compare(deadline, o.deadline);
        return c != 0 ? c : Long.compare(order, o.order);
    }
}
