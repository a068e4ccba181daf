package dev.jemu.core.time;

import java.util.PriorityQueue;

/**
 * Guest time in nanoseconds, and timers that fire on it. Two modes: {@link Mode#REALTIME} follows the host's
 * monotonic clock (paused while the machine is stopped); {@link Mode#INSTRUCTION_COUNT} derives time from
 * instructions retired, so that a run is reproducible (QEMU's {@code -icount}).
 *
 * <p>Timers are armed, cancelled and fired only under the machine loop's device lock (by the machine thread,
 * or a CPU thread arming its own timer); any thread may read the time. Host I/O threads post to the loop.
 */
public final class VirtualClock {
    public enum Mode { REALTIME, INSTRUCTION_COUNT }

    private final Mode mode;
    private final int icountShift;
    private final PriorityQueue<Timer> queue = new PriorityQueue<>();
    private long sequence;
    // REALTIME: guest ns = host ns - hostOffset while running. INSTRUCTION_COUNT: guest ns = base + insns << shift.
    // volatile: CPU threads read the time (rdtime, the timebase) while the machine thread pauses and resumes it
    private volatile long hostOffset;
    private volatile long pausedAt = -1;
    private long instructions;
    private long icountBaseNs;

    public VirtualClock(Mode mode, int icountShift) {
        this.mode = mode;
        this.icountShift = icountShift;
        this.hostOffset = System.nanoTime();
    }

    public static VirtualClock realtime() {
        return new VirtualClock(Mode.REALTIME, 0);
    }

    /** Deterministic time: each instruction takes 2^shift ns. */
    public static VirtualClock instructionCount(int shift) {
        return new VirtualClock(Mode.INSTRUCTION_COUNT, shift);
    }

    public Mode mode() {
        return mode;
    }

    /** Current guest time, ns since the machine started. */
    public long nanos() {
        if (mode == Mode.INSTRUCTION_COUNT) {
            return icountBaseNs + (instructions << icountShift);
        }
        return (pausedAt >= 0 ? pausedAt : System.nanoTime()) - hostOffset;
    }

    /** CPUs report instructions retired; only the instruction-count mode uses it. */
    public void addInstructions(long n) {
        instructions += n;
    }

    public boolean isDeterministic() {
        return mode == Mode.INSTRUCTION_COUNT;
    }

    public void pause() {
        if (pausedAt < 0) {
            pausedAt = System.nanoTime();
        }
    }

    public void resume() {
        if (pausedAt >= 0) {
            hostOffset += System.nanoTime() - pausedAt;
            pausedAt = -1;
        }
    }

    /** Sets guest time (snapshot restore, or skipping idle time in instruction-count mode). */
    public void setNanos(long ns) {
        if (mode == Mode.INSTRUCTION_COUNT) {
            icountBaseNs = ns - (instructions << icountShift);
        } else {
            hostOffset = (pausedAt >= 0 ? pausedAt : System.nanoTime()) - ns;
        }
    }

    public Timer newTimer(String name, Runnable callback) {
        return new Timer(this, name, callback);
    }

    /** Earliest armed deadline, or {@link Long#MAX_VALUE}. */
    public long nextDeadline() {
        Timer t = queue.peek();
        return t == null ? Long.MAX_VALUE : t.deadline;
    }

    /** Fires every timer whose deadline has passed; returns how many fired. A callback's exception propagates. */
    public int runExpired() {
        return runExpired((name, e) -> {
            throw e;
        });
    }

    /**
     * Fires every timer whose deadline has passed, handing a callback's exception with the timer's name to
     * {@code onFailure} and going on with the next timer; returns how many fired.
     */
    public int runExpired(java.util.function.BiConsumer<String, RuntimeException> onFailure) {
        int fired = 0;
        long now = nanos();
        Timer t;
        while ((t = queue.peek()) != null && t.deadline <= now) {
            queue.poll();
            t.armed = false;
            try {
                t.callback.run();
            } catch (RuntimeException e) {
                onFailure.accept(t.name, e);
            }
            fired++;
            now = nanos();
        }
        return fired;
    }

    private Runnable earlierDeadline;

    /**
     * Runs {@code listener} when an arming makes a timer the earliest one: the machine loop, sleeping until the
     * previous earliest deadline while CPUs on other threads arm timers, wakes to recompute it. Null removes it.
     */
    public void setEarlierDeadlineListener(Runnable listener) {
        earlierDeadline = listener;
    }

    void arm(Timer t, long deadline) {
        if (t.armed) {
            queue.remove(t);
        }
        t.deadline = deadline;
        t.order = sequence++;
        t.armed = true;
        queue.add(t);
        Runnable l = earlierDeadline;
        if (l != null && queue.peek() == t) {
            l.run();
        }
    }

    void cancel(Timer t) {
        if (t.armed) {
            queue.remove(t);
            t.armed = false;
        }
    }
}
