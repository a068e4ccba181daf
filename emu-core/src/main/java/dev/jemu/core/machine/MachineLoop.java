package dev.jemu.core.machine;

import dev.jemu.core.time.VirtualClock;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;

/**
 * The one thread that runs CPUs, timers and device logic. Host I/O threads never touch devices directly:
 * they {@link #post} work here. The CPU polls {@link #attention()} at block boundaries so posted work and
 * exit requests are seen promptly.
 */
public final class MachineLoop {
    private static final long QUANTUM = 1 << 16;

    private final VirtualClock clock;
    private final DeviceFaults faults = new DeviceFaults();
    private final ConcurrentLinkedQueue<Runnable> posted = new ConcurrentLinkedQueue<>();
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition wake = lock.newCondition();
    private volatile boolean attention;
    private volatile ExitRequest exit;
    private boolean paused; // machine thread only: the CPUs are stopped (monitor stop, -S), posted work still runs

    public MachineLoop(VirtualClock clock) {
        this.clock = clock;
    }

    public VirtualClock clock() {
        return clock;
    }

    /** Set when work is posted or an exit is requested; CPUs return from {@link Cpu#run} when they see it. */
    public boolean attention() {
        return attention;
    }

    // A CPU that runs outside Java (KVM's vCPU inside KVM_RUN) cannot poll attention(): it is told instead.
    private volatile Runnable attentionListener;

    /**
     * Runs {@code listener} (any thread, right after {@link #attention()} became true) so that a CPU running
     * outside the JVM leaves its run; null removes it. The listener must be quick and never block.
     */
    public void setAttentionListener(Runnable listener) {
        attentionListener = listener;
    }

    /** Faults contained in posted work and timer callbacks (see {@link DeviceFaults}). */
    public DeviceFaults faults() {
        return faults;
    }

    /** A poster for {@code device}'s work: a task of it that throws is contained under the device's name. */
    public Consumer<Runnable> poster(String device) {
        return work -> post(new DeviceFaults.Task(device, null, work));
    }

    /** Runs {@code work} on the machine thread soon. Safe from any thread. */
    public void post(Runnable work) {
        posted.add(work);
        signal();
    }

    /** Stops the loop after the current instruction. Safe from any thread; the first request wins. */
    public void requestExit(ExitRequest request) {
        if (exit == null) {
            exit = request;
        }
        signal();
    }

    private void signal() {
        attention = true;
        Runnable l = attentionListener;
        if (l != null) {
            l.run();
        }
        lock.lock();
        try {
            wake.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /**
     * Stops running the CPUs from the next loop turn on (the current {@code cpu.run} has returned: an instruction
     * boundary); posted work and host requests are still served. Machine thread; the caller pauses the clock.
     * Called from inside {@code cpu.run} (a debugger stop), it makes the CPU return at its next check.
     */
    public void pause() {
        paused = true;
        attention = true;
    }

    /** Runs the CPUs again after {@link #pause}. Machine thread. */
    public void resume() {
        paused = false;
    }

    public boolean isPaused() {
        return paused;
    }

    /** Runs {@code cpu} with timers and posted work until an exit is requested. */
    public ExitRequest run(Cpu cpu) {
        return run(List.of(cpu));
    }

    /**
     * Runs {@code cpus} with timers and posted work until an exit is requested. Today one host thread (this one)
     * runs them in turn, a quantum each (QEMU's {@code -accel tcg,thread=single}); a CPU that halts or sees
     * {@link #attention()} gives the turn to the next. The loop idles only when every CPU is halted.
     */
    public ExitRequest run(List<? extends Cpu> cpus) {
        runPosted(); // work posted before the start (a debugger that connected first) runs before any instruction
        while (exit == null) {
            if (paused) {
                waitForEvent(Long.MAX_VALUE); // guest time stands still: only posted work wakes us
            } else {
                boolean ran = false;
                for (Cpu cpu : cpus) {
                    if (exit != null || paused) {
                        break;
                    }
                    if (!cpu.isHalted()) {
                        clock.addInstructions(cpu.run(QUANTUM));
                        ran = true;
                    }
                }
                if (!ran) {
                    idle();
                }
            }
            attention = false;
            runPosted();
            if (!paused) {
                clock.runExpired(faults::containTimer);
            }
        }
        ExitRequest e = exit;
        exit = null;
        return e;
    }

    private void runPosted() {
        Runnable r;
        while ((r = posted.poll()) != null) {
            try {
                r.run();
            } catch (RuntimeException e) { // a device bug must not end the VM: contained, the guest runs on
                faults.containTask(r, e);
            }
        }
    }

    /** Halted CPU: skip to the next deadline (deterministic mode) or sleep until it or an event. */
    private void idle() {
        long deadline = clock.nextDeadline();
        if (clock.isDeterministic()) {
            if (deadline != Long.MAX_VALUE && posted.isEmpty()) {
                clock.setNanos(Math.max(deadline, clock.nanos()));
            }
            if (deadline == Long.MAX_VALUE && posted.isEmpty()) {
                waitForEvent(Long.MAX_VALUE);
            }
            return;
        }
        long wait = deadline == Long.MAX_VALUE ? Long.MAX_VALUE : deadline - clock.nanos();
        if (wait > 0) {
            waitForEvent(wait);
        }
    }

    private void waitForEvent(long nanos) {
        lock.lock();
        try {
            if (!attention && exit == null) {
                if (nanos == Long.MAX_VALUE) {
                    wake.await();
                } else {
                    wake.awaitNanos(Math.min(nanos, TimeUnit.MILLISECONDS.toNanos(100)));
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            requestExit(ExitRequest.quit(1));
        } finally {
            lock.unlock();
        }
    }
}
