package dev.jemu.core.machine;

import dev.jemu.core.host.HostThreads;
import dev.jemu.core.time.VirtualClock;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;

/**
 * The machine thread: it runs timers and posted work, and the CPUs too unless they have threads of their own
 * ({@code -accel tcg,thread=multi}, see {@link #run(List)}). Host I/O threads never touch devices directly:
 * they {@link #post} work here. Devices, timers and CPUs' interrupt state are guarded by {@link #deviceLock()}.
 * A CPU polls {@link #attention()} at block boundaries so posted work, pauses and exit requests are seen
 * promptly.
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
    private volatile boolean paused; // the CPUs are stopped (monitor stop, -S), posted work still runs
    private volatile Thread machineThread;

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
        if (runners.isEmpty()) {
            attention = true; // the CPUs run on the machine thread: they make way for the work
        }
        signal();
    }

    /** Stops the loop after the current instruction. Safe from any thread; the first request wins. */
    public void requestExit(ExitRequest request) {
        if (exit == null) {
            exit = request;
        }
        attention = true;
        signal();
    }

    private void signal() {
        Runnable l = attentionListener;
        if (l != null) {
            l.run();
        }
        wakeMachine();
    }

    /**
     * Stops running the CPUs at an instruction boundary (posted work and host requests are still served); the
     * caller pauses the clock. On the machine thread it returns once every CPU thread has left its run (at
     * once when the CPUs run in turn: the current {@code cpu.run} has returned). From inside {@code cpu.run}
     * (a debugger stop) it makes the CPUs return at their next check.
     */
    public void pause() {
        deviceLock.lock(); // against a CPU thread clearing attention for its finished request meanwhile
        try {
            paused = true;
            attention = true;
            held = NONE_HELD; // a stop ends what the debugger's last resume asked: the next resume runs every CPU
            if (!runners.isEmpty()) {
                if (Thread.currentThread() == machineThread) {
                    awaitAllStopped();
                } else {
                    wakeMachine();
                }
            }
        } finally {
            deviceLock.unlock();
        }
    }

    /** Runs the CPUs again after {@link #pause}. Machine thread. */
    public void resume() {
        deviceLock.lock();
        try {
            paused = false;
            clearAttentionUnlessAsked();
            signalCpus();
        } finally {
            deviceLock.unlock();
        }
    }

    /**
     * Device lock held: {@link #attention} goes back to false unless something still needs the CPUs out of
     * their runs (a pause, an exit, a cross-CPU request waiting for its target). The one place it is cleared
     * while a run goes on.
     */
    private void clearAttentionUnlessAsked() {
        if (requests == 0 && !paused && exit == null) {
            attention = false;
        }
    }

    public boolean isPaused() {
        return paused;
    }

    private static final boolean[] NONE_HELD = new boolean[0];
    /** CPUs (by index in {@link #run}'s list) the debugger keeps stopped while the others run; never changed in place. */
    private volatile boolean[] held = NONE_HELD;

    /**
     * Keeps the CPUs {@code held} is true for (by their index in {@link #run}'s list) stopped while the others
     * run, until the next call or {@link #pause}: gdb's {@code vCont} resuming some threads only (QEMU resumes
     * only the CPUs an action names). Machine thread, normally while paused.
     */
    public void holdCpus(boolean[] held) {
        this.held = held.clone();
        deviceLock.lock();
        try {
            signalCpus();
        } finally {
            deviceLock.unlock();
        }
    }

    private boolean isHeld(int index) {
        boolean[] h = held;
        return index < h.length && h[index];
    }

    /** Runs {@code cpu} with timers and posted work until an exit is requested. */
    public ExitRequest run(Cpu cpu) {
        return run(List.of(cpu));
    }

    /**
     * Runs {@code cpus} with timers and posted work until an exit is requested. With one CPU, under
     * {@code -icount} or with {@code -accel tcg,thread=single}, this thread runs them in turn, a quantum each; a
     * CPU that halts or sees {@link #attention()} gives the turn to the next and the loop idles only when every
     * CPU is halted. Otherwise each CPU runs on its own host thread ({@code thread=multi}, QEMU's MTTCG) while
     * this thread serves posted work and timers; see {@link #deviceLock()}.
     */
    public ExitRequest run(List<? extends Cpu> cpus) {
        boolean multi = cpus.size() > 1 && !clock.isDeterministic() && !Boolean.FALSE.equals(multiThread);
        return multi ? runParallel(cpus) : runInTurn(cpus);
    }

    private ExitRequest runInTurn(List<? extends Cpu> cpus) {
        machineThread = Thread.currentThread();
        deviceLock.lock(); // held while this thread runs guest code or device logic; released while idle
        try {
            runPosted(); // work posted before the start (a debugger that connected first) runs before any instruction
            while (exit == null) {
                if (paused) {
                    waitForEvent(Long.MAX_VALUE); // guest time stands still: only posted work wakes us
                } else {
                    boolean ran = false;
                    for (int i = 0; i < cpus.size(); i++) {
                        Cpu cpu = cpus.get(i);
                        if (exit != null || paused) {
                            break;
                        }
                        if (!isHeld(i) && !cpu.isHalted()) {
                            clock.addInstructions(cpu.run(QUANTUM));
                            ran = true;
                        }
                    }
                    if (!ran) {
                        idle();
                    }
                }
                clearAttentionUnlessAsked(); // the CPUs made way for the work that follows
                work = false;
                runPosted();
                if (!paused) {
                    clock.runExpired(faults::containTimer);
                }
            }
        } finally {
            deviceLock.unlock();
        }
        ExitRequest e = exit;
        exit = null;
        return e;
    }

    // ---------------------------------------------------------------- thread=multi

    /** -accel tcg,thread=: true multi, false single, null the default (multi with more than one CPU). */
    private volatile Boolean multiThread;
    /** Guards the devices, the clock's timers and the CPU runners' states (see {@link #deviceLock()}). */
    private final ReentrantLock deviceLock = new ReentrantLock();
    /** Signalled (under the device lock) when a runner's state, a CPU's wake-up condition or the pause changes. */
    private final Condition cpuChange = deviceLock.newCondition();
    /** Work for the machine thread (posted work, an exit, an earlier timer); it sleeps while this is false. */
    private volatile boolean work;
    /** The CPUs of the current run on their own threads; empty when they run in turn. Guarded by the device lock. */
    private volatile List<Runner> runners = List.of();
    /** Cross-CPU requests waiting for their target to leave its run (they keep {@link #attention} set). */
    private int requests;
    private Throwable cpuFailure;
    /** See {@link #missedWakeups()}; {@link #signalCpus} calls so far. Guarded by the device lock. */
    private long missedWakeups, cpuSignals;
    /** CPU threads parked in {@link #runCpu}; written under the device lock, read by {@link #busyCpuThreads}. */
    private volatile int parkedCpuThreads;

    /** Device lock held: tells every CPU thread parked on {@link #cpuChange} to look at its state again. */
    private void signalCpus() {
        cpuSignals++;
        cpuChange.signalAll();
    }

    /** How long a parked CPU thread sleeps at most before it looks at its CPU again. */
    private static final long PARK_RECHECK_NANOS = TimeUnit.MILLISECONDS.toNanos(20);

    /** One CPU on its own thread. Fields guarded by the device lock. */
    private static final class Runner {
        final Cpu cpu;
        /** The CPU's index in {@link #run}'s list. */
        final int index;
        Thread thread;
        /** Inside {@link Cpu#run} (its state is its own), unless it waits at a safepoint. */
        boolean running;
        /** Waiting inside its run for another CPU ({@link #withCpuStopped}): others may act on its state. */
        boolean atSafepoint;
        /** Others acting on this CPU: it may not (re-)enter its run. */
        int holds;
        /** The host thread id ({@code HostThreads.currentTid}), for the monitors' CPU lists; 0 until known. */
        volatile long tid;

        Runner(Cpu cpu, int index) {
            this.cpu = cpu;
            this.index = index;
        }

        boolean quiescent() {
            return !running || atSafepoint;
        }
    }

    /**
     * The host thread id of the thread running {@code cpu} (QEMU's {@code thread_id} in {@code query-cpus-fast}):
     * its own thread's while the CPUs run in parallel, else {@code machineThreadTid}.
     */
    public long cpuThreadId(Cpu cpu, long machineThreadTid) {
        for (Runner r : runners) {
            if (r.cpu == cpu && r.tid != 0) {
                return r.tid;
            }
        }
        return machineThreadTid;
    }

    /** Chooses {@code -accel tcg,thread=}: true multi, false single, null the default. Before {@link #run}. */
    public void setMultiThread(Boolean multi) {
        multiThread = multi;
    }

    /** The CPU threads of the {@code thread=multi} run in progress (0 when none runs). */
    public int cpuThreads() {
        return runners.size();
    }

    /**
     * The CPU threads of the {@code thread=multi} run in progress that are not parked (their CPU halted, stopped,
     * paused or held): a host core is free for other work (the background compiler) while this is below the
     * host's cores. A hint, read without the lock.
     */
    public int busyCpuThreads() {
        return runners.size() - parkedCpuThreads;
    }

    /** True while the CPUs run on their own threads (a {@code thread=multi} run is in progress). */
    public boolean cpusInParallel() {
        return !runners.isEmpty();
    }

    /**
     * The big device lock (QEMU's BQL). Whoever touches a device, the clock's timers or another CPU's interrupt
     * state holds it: the machine thread while it runs posted work and timers (and, when the CPUs run in turn,
     * while it runs them), a CPU thread around each MMIO access (the bus's device guard takes it), each call
     * into built-in firmware and each arming of its own timers. RAM and the CPUs' TLB fast paths never take
     * it. It also guards the runners' states, so that a CPU thread enters its run only with the lock.
     */
    public ReentrantLock deviceLock() {
        return deviceLock;
    }

    /**
     * Wakes CPU threads parked because their CPU was halted, after a change to a CPU's wake-up condition (an
     * interrupt became pending). Any thread; a no-op when the CPUs run in turn on the machine thread.
     */
    public void wakeCpus() {
        if (runners.isEmpty()) {
            return;
        }
        deviceLock.lock();
        try {
            signalCpus();
        } finally {
            deviceLock.unlock();
        }
    }

    /**
     * Runs {@code action} with {@code target} (null: every CPU) stopped at an instruction boundary outside its run (or waiting at a
     * safepoint inside one), so that {@code action} may change its state (TLBs, registers, HSM start); returns
     * once done. From {@code target}'s own thread, or when the CPUs run in turn, it runs at once. The caller
     * must not hold the device lock more than the one time it takes here would (the wait releases it; see
     * {@link Condition#await}), and while the caller waits it is itself at a safepoint, so that two CPUs asking
     * each other do not deadlock.
     */
    public void withCpuStopped(Cpu target, Runnable action) {
        List<Runner> targets = new ArrayList<>();
        Runner self = null;
        for (Runner x : runners) {
            if (x.thread == Thread.currentThread()) {
                self = x;
            } else if (target == null || x.cpu == target) {
                targets.add(x);
            }
        }
        if (targets.isEmpty()) {
            action.run();
            return;
        }
        deviceLock.lock();
        try {
            for (Runner r : targets) {
                r.holds++;
            }
            if (!allQuiescent(targets)) {
                requests++;
                attention = true;
                try {
                    while (!allQuiescent(targets)) { // they leave their runs at their next check
                        awaitAtSafepoint(self);
                    }
                } finally {
                    requests--;
                    clearAttentionUnlessAsked();
                }
            }
            action.run();
        } finally {
            for (Runner r : targets) {
                r.holds--;
            }
            signalCpus();
            deviceLock.unlock();
        }
    }

    /**
     * Runs {@code action} with every CPU (but the caller's own) stopped as {@link #withCpuStopped} stops one: what
     * must see all CPUs at an instruction boundary while the machine runs on (live migration's dirty-log step,
     * debugger breakpoint changes). Any thread; returns once done.
     */
    public void withCpusStopped(Runnable action) {
        withCpuStopped(null, action);
    }

    private static boolean allQuiescent(List<Runner> rs) {
        for (Runner r : rs) {
            if (!r.quiescent()) {
                return false;
            }
        }
        return true;
    }

    /** Waits for a change (device lock held); a CPU thread's own state stays free for others meanwhile. */
    private void awaitAtSafepoint(Runner self) {
        if (self != null) {
            self.atSafepoint = true;
            signalCpus();
        }
        try {
            cpuChange.await();
            if (self != null) {
                while ((self.holds > 0 || paused) && exit == null) { // acted on or stopped meanwhile: not yet
                    cpuChange.await();
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            requestExit(ExitRequest.quit(1));
        } finally {
            if (self != null) {
                self.atSafepoint = false;
            }
        }
    }

    /** Machine thread, device lock held: waits until every CPU thread is out of its run (or at a safepoint). */
    private void awaitAllStopped() {
        for (Runner r : runners) {
            while (!r.quiescent() && exit == null) {
                try {
                    cpuChange.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    requestExit(ExitRequest.quit(1));
                }
            }
        }
    }

    private ExitRequest runParallel(List<? extends Cpu> cpus) {
        List<Runner> rs = new ArrayList<>();
        for (Cpu cpu : cpus) {
            rs.add(new Runner(cpu, rs.size()));
        }
        clock.setEarlierDeadlineListener(this::wakeMachine);
        machineThread = Thread.currentThread();
        deviceLock.lock();
        try {
            runners = List.copyOf(rs);
            clearAttentionUnlessAsked(); // set by work posted before: CPU threads do not make way for posted work
            for (int i = 0; i < rs.size(); i++) {
                Runner r = rs.get(i);
                r.thread = Thread.ofPlatform().daemon().name("jemu-cpu" + i).unstarted(() -> runCpu(r));
            }
            for (Runner r : rs) {
                r.thread.start();
            }
            while (exit == null) {
                if (paused) {
                    awaitAllStopped(); // a debugger stop from a CPU thread: its monitors see every CPU stopped
                }
                work = false;
                // a post() that saw no runners yet may set attention after the clear above: CPU threads do not
                // make way for posted work, and a stuck attention would end every run after one block
                clearAttentionUnlessAsked();
                runPosted();
                if (!paused) {
                    clock.runExpired(faults::containTimer);
                }
                long deadline = paused ? Long.MAX_VALUE : clock.nextDeadline();
                long wait = deadline == Long.MAX_VALUE ? Long.MAX_VALUE : deadline - clock.nanos();
                if (wait > 0) {
                    waitForEvent(wait);
                }
            }
        } finally {
            attention = true; // exit is set: every CPU leaves its run and its thread ends
            signalCpus();
            deviceLock.unlock();
            for (Runner r : rs) {
                joinQuietly(r.thread);
            }
            runners = List.of();
            clock.setEarlierDeadlineListener(null);
            if (missedWakeups > 0) {
                dev.jemu.core.log.Messages.error("warning: " + missedWakeups + " CPU wake-up(s) came only from the "
                        + "park recheck (a lost wake-up: a bug)");
            }
            attention = false;
            requests = 0;
        }
        Throwable failure = cpuFailure;
        cpuFailure = null;
        ExitRequest e = exit;
        exit = null;
        if (failure instanceof RuntimeException re) {
            throw re;
        }
        if (failure instanceof Error err) {
            throw err;
        }
        return e;
    }

    private static void joinQuietly(Thread t) {
        boolean interrupted = false;
        while (t != null && t.isAlive()) {
            try {
                t.join();
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    private boolean mustPark(Runner r) {
        return paused || r.holds > 0 || isHeld(r.index) || r.cpu.isHalted();
    }

    /** How often parked CPU threads were told to look at their CPU again (for tests: no needless wake-ups). */
    public long cpuSignals() {
        deviceLock.lock();
        try {
            return cpuSignals;
        } finally {
            deviceLock.unlock();
        }
    }

    /**
     * How many times a parked CPU thread found its CPU runnable only at its safety-net recheck, with no signal:
     * a lost wake-up, always 0 unless the wake-up protocol has a bug (tests check it; a run that had one says so
     * on stderr when it ends).
     */
    public long missedWakeups() {
        deviceLock.lock();
        try {
            return missedWakeups;
        } finally {
            deviceLock.unlock();
        }
    }

    /** A CPU thread: runs its CPU a quantum at a time; parks while halted, paused, acted on, or at the end. */
    private void runCpu(Runner r) {
        r.tid = HostThreads.currentTid();
        try {
            while (true) {
                deviceLock.lock();
                try {
                    while (exit == null && mustPark(r)) {
                        // every change that lets it run (an interrupt, an HSM start, a resume, a release) signals
                        // under this lock; the timeout is only a safety net, and a wake-up that came from it is
                        // counted (missedWakeups) as the bug it would be
                        long signals = cpuSignals;
                        parkedCpuThreads++;
                        try {
                            cpuChange.awaitNanos(PARK_RECHECK_NANOS);
                        } finally {
                            parkedCpuThreads--;
                        }
                        if (signals == cpuSignals && exit == null && !mustPark(r)) {
                            missedWakeups++;
                        }
                    }
                    if (exit != null) {
                        return;
                    }
                    r.running = true;
                } finally {
                    deviceLock.unlock();
                }
                try {
                    r.cpu.run(QUANTUM);
                } finally {
                    deviceLock.lock();
                    try {
                        r.running = false;
                        if (requests > 0 || paused) { // someone waits for it to leave its run:
                            signalCpus(); // parked CPU threads need no wake-up for it (one each quantum, else)
                        }
                    } finally {
                        deviceLock.unlock();
                    }
                }
            }
        } catch (InterruptedException e) {
            requestExit(ExitRequest.quit(1));
        } catch (Throwable t) { // a CPU bug ends the run on the machine thread, which rethrows it
            deviceLock.lock();
            try {
                if (cpuFailure == null) {
                    cpuFailure = t;
                }
            } finally {
                deviceLock.unlock();
            }
            requestExit(ExitRequest.quit(1));
        }
    }

    private void wakeMachine() {
        work = true;
        lock.lock();
        try {
            wake.signalAll();
        } finally {
            lock.unlock();
        }
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

    /** Sleeps until work, an exit or {@code nanos}; the device lock, if this thread holds it, is let go meanwhile. */
    private void waitForEvent(long nanos) {
        boolean held = deviceLock.isHeldByCurrentThread();
        if (held) {
            deviceLock.unlock();
        }
        lock.lock();
        try {
            if (!work && exit == null) {
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
            if (held) {
                deviceLock.lock();
            }
        }
    }
}
