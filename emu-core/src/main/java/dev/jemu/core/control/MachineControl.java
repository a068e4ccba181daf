package dev.jemu.core.control;

import dev.jemu.core.machine.ExitRequest;
import dev.jemu.core.machine.MachineLoop;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * The architecture-neutral machine control API that monitors (QMP, HMP, later gdb and migration) use: run
 * state, pause at an instruction boundary, resume, reset, power button, quit, and "run this with the machine
 * paused" (what saving or loading the whole machine needs). Every request is posted to the machine-loop thread
 * and answered through a {@link CompletableFuture}; nothing here touches a device from another thread.
 * {@link MachineEvent}s go to the listeners on the machine thread, in the order they happen (a listener only
 * queues them).
 *
 * <p>The board owns one, passes its {@link ControlledBoard} hooks, and reports what the guest did with
 * {@link #guestShutdown}, {@link #resetDone} and {@link #finish}.
 */
public final class MachineControl {
    private final MachineLoop loop;
    private final ControlledBoard board;
    private final List<Consumer<MachineEvent>> listeners = new CopyOnWriteArrayList<>();
    private final Set<CompletableFuture<?>> pending = ConcurrentHashMap.newKeySet();
    private final List<Runnable> beforeCont = new CopyOnWriteArrayList<>();
    private volatile RunState state;
    private volatile int quitStatus = -1;
    private volatile boolean finished;
    // machine thread only: who asked for the reset the loop is about to do (null: the guest)
    private ShutdownCause resetCause;

    /** @param startPaused {@code -S}: the machine starts in {@code prelaunch} and runs only after {@link #cont} */
    public MachineControl(MachineLoop loop, ControlledBoard board, boolean startPaused) {
        this.loop = loop;
        this.board = board;
        if (startPaused) {
            state = RunState.PRELAUNCH;
            loop.pause();
            loop.clock().pause();
        } else {
            state = RunState.RUNNING;
        }
    }

    public RunState state() {
        return state;
    }

    public boolean isRunning() {
        return state == RunState.RUNNING;
    }

    public void addListener(Consumer<MachineEvent> listener) {
        listeners.add(listener);
    }

    public void removeListener(Consumer<MachineEvent> listener) {
        listeners.remove(listener);
    }

    /** {@code stop}: pauses the CPUs at an instruction boundary; STOP when the machine was running. */
    public CompletableFuture<Void> stop() {
        return onMachine(() -> {
            if (state == RunState.RUNNING) {
                pauseAs(RunState.PAUSED);
            }
            return null;
        });
    }

    /** {@code cont}: runs the CPUs again; RESUME when they were stopped. Refused where QEMU refuses it. */
    public CompletableFuture<Void> cont() {
        return onMachine(() -> {
            if (state.needsReset()) {
                throw new ControlException("Resetting the Virtual Machine is required");
            }
            if (state == RunState.FINISH_MIGRATE) {
                throw new ControlException("Migration is not finalized yet");
            }
            if (state == RunState.INMIGRATE || state == RunState.SUSPENDED || state == RunState.RUNNING) {
                return null;
            }
            for (Runnable r : beforeCont) {
                r.run(); // QEMU's cont takes back the disks a completed migration gave away; a refusal fails cont
            }
            resume();
            return null;
        });
    }

    /** Runs {@code hook} on the machine thread before every {@code cont} resumes; an exception refuses the cont. */
    public void beforeCont(Runnable hook) {
        beforeCont.add(hook);
    }

    // --- live migration ---

    /**
     * {@code -incoming}: the machine waits in {@code inmigrate}, CPUs stopped and clock paused, until
     * {@link #finishIncoming}. Call before the machine runs.
     */
    public void expectIncoming() {
        state = RunState.INMIGRATE;
        loop.pause();
        loop.clock().pause();
    }

    /**
     * The incoming state is read: {@code work} applies it on the machine thread, then the machine runs
     * (RESUME), or stays {@code paused} when {@code autostart} is false ({@code -S}), as QEMU's destination does.
     */
    public CompletableFuture<Void> finishIncoming(Runnable work, boolean autostart) {
        return onMachine(() -> {
            work.run();
            if (autostart) {
                resume();
            } else {
                state = RunState.PAUSED;
            }
            return null;
        });
    }

    /**
     * Live migration's stop-and-copy: a running machine stops in {@code finish-migrate} (STOP) and {@code work}
     * runs on the machine thread; when it returns true the machine stays stopped in {@code postmigrate}, otherwise
     * (or when it throws) it runs again if it was running, as QEMU's source does after a failed migration.
     * {@code work} is told whether the machine was running (the destination takes over that run state).
     */
    public CompletableFuture<Boolean> finishMigration(SwitchOver work) {
        return onMachine(() -> {
            RunState before = state;
            boolean wasRunning = before == RunState.RUNNING;
            if (wasRunning) {
                pauseAs(RunState.FINISH_MIGRATE);
            } else {
                state = RunState.FINISH_MIGRATE;
            }
            boolean ok = false;
            try {
                ok = work.run(wasRunning);
                return ok;
            } finally {
                if (ok) {
                    state = RunState.POSTMIGRATE;
                } else if (wasRunning) {
                    resume();
                } else {
                    state = before;
                }
            }
        });
    }

    /** The stop-and-copy step of {@link #finishMigration}: true when the destination has the machine. */
    public interface SwitchOver {
        boolean run(boolean wasRunning) throws Exception;
    }

    /** {@code system_reset}: the board's reset (as the guest's reset does); RESET with the host as its cause. */
    public CompletableFuture<Void> systemReset() {
        return onMachine(() -> {
            resetCause = ShutdownCause.HOST_QMP_SYSTEM_RESET;
            loop.requestExit(ExitRequest.reset());
            return null;
        });
    }

    /** {@code system_powerdown}: POWERDOWN, then the board's power button (which may be wired to nothing). */
    public CompletableFuture<Void> powerdown() {
        return onMachine(() -> {
            emit("POWERDOWN", Map.of());
            board.powerButton();
            return null;
        });
    }

    /** {@code quit}: SHUTDOWN (host-qmp-quit), then the run ends with {@code status}. */
    public CompletableFuture<Void> quit(int status) {
        return onMachine(() -> {
            shutdownEvent(ShutdownCause.HOST_QMP_QUIT);
            requestQuit(status);
            return null;
        });
    }

    /** Ends the run with {@code status} without an event (Ctrl-A x, a signal). Safe from any thread. */
    public void requestQuit(int status) {
        quitStatus = status; // kept apart from the loop's exit request: a racing guest reset must not swallow it
        loop.requestExit(ExitRequest.quit(status));
    }

    /** The status a quit asked for, or -1. The board checks it before acting on the loop's exit request. */
    public int quitStatus() {
        return quitStatus;
    }

    /**
     * Runs {@code work} on the machine thread with the CPUs stopped, as QEMU's savevm/loadvm do: a running
     * machine goes to {@code during} (STOP), runs the work, and runs again afterwards (RESUME); a stopped one
     * stays stopped. For saving or loading the whole machine.
     */
    public <T> CompletableFuture<T> whilePaused(RunState during, Callable<T> work) {
        return onMachine(() -> {
            boolean wasRunning = state == RunState.RUNNING;
            RunState before = state;
            if (wasRunning) {
                pauseAs(during);
            } else {
                state = during;
            }
            try {
                return work.call();
            } finally {
                if (wasRunning) {
                    resume();
                } else if (state == during) {
                    state = before;
                }
            }
        });
    }

    /** The board's CPUs for a debugger: the objects only, safe from any thread (they are used on the machine thread). */
    public List<dev.jemu.core.gdb.DebugCpu> debugCpus() {
        return board.debugCpus();
    }

    /** Asks the board something on the machine thread (registers, memory, devices). */
    public <T> CompletableFuture<T> query(Function<ControlledBoard, T> question) {
        return onMachine(() -> question.apply(board));
    }

    // --- called by the board, on the machine thread ---

    /**
     * The run ends because of {@code cause}: the guest powered off, or a reset under {@code -no-reboot}
     * (QEMU's reboot action "shutdown"). SHUTDOWN.
     */
    public void guestShutdown(ShutdownCause cause) {
        shutdownEvent(cause);
    }

    /**
     * {@code -no-shutdown} (QEMU's shutdown action "pause"): after {@link #guestShutdown} the CPUs stop in state
     * {@code shutdown} (STOP); {@code cont} is refused until a {@code system_reset}.
     */
    public void pauseAfterShutdown() {
        pauseAs(RunState.SHUTDOWN);
    }

    /** Who asked for the reset the loop stopped for: a monitor's {@code system_reset}, else the guest. */
    public ShutdownCause takeResetCause() {
        ShutdownCause cause = resetCause != null ? resetCause : ShutdownCause.GUEST_RESET;
        resetCause = null;
        return cause;
    }

    /** The board has just reset the machine for {@code cause}: RESET. */
    public void resetDone(ShutdownCause cause) {
        if (state != RunState.RUNNING && state != RunState.INMIGRATE && state != RunState.FINISH_MIGRATE) {
            state = RunState.PRELAUNCH; // as QEMU: a reset of a stopped machine leaves it stopped, cont runs it
        }
        Map<String, Object> data = new LinkedHashMap<>();
        data.put("guest", cause.guest());
        data.put("reason", cause.qapiName());
        emit("RESET", data);
    }

    /**
     * A CPU stopped for the debugger (a breakpoint, a finished step, a watched access): the CPUs stop in state
     * {@code debug} (STOP), as QEMU's. From inside the CPU's run (on the machine thread, or on the CPU's own with
     * {@code thread=multi}), which returns at once.
     */
    public void debugStop() {
        loop.deviceLock().lock(); // from a CPU's own thread with -accel tcg,thread=multi: in turn with the machine's work
        try {
            if (state == RunState.RUNNING) {
                pauseAs(RunState.DEBUG);
            }
        } finally {
            loop.deviceLock().unlock();
        }
    }

    /**
     * The debugger keeps the CPUs {@code held} is true for (by index) stopped while the machine runs, until the
     * next call ({@link MachineLoop#holdCpus}); machine thread.
     */
    public void holdCpus(boolean[] held) {
        loop.holdCpus(held);
    }

    /**
     * Runs {@code work} with every CPU stopped at an instruction boundary, the machine's run state unchanged (see
     * {@link MachineLoop#withCpusStopped}); machine thread.
     */
    public <T> T withCpusStopped(java.util.function.Supplier<T> work) {
        Object[] result = {null};
        loop.withCpusStopped(() -> result[0] = work.get());
        @SuppressWarnings("unchecked")
        T t = (T) result[0];
        return t;
    }

    /** The run is over: requests still queued fail instead of waiting forever. */
    public void finish() {
        finished = true;
        for (CompletableFuture<?> f : pending) {
            f.completeExceptionally(new ControlException("the machine has stopped"));
        }
    }

    // --- internals, machine thread ---

    private void pauseAs(RunState newState) {
        loop.pause();
        loop.clock().pause();
        state = newState;
        emit("STOP", Map.of());
    }

    private void resume() {
        state = RunState.RUNNING;
        loop.clock().resume();
        loop.resume();
        emit("RESUME", Map.of());
    }

    private void shutdownEvent(ShutdownCause cause) {
        state = RunState.SHUTDOWN;
        Map<String, Object> data = new LinkedHashMap<>();
        data.put("guest", cause.guest());
        data.put("reason", cause.qapiName());
        emit("SHUTDOWN", data);
    }

    /**
     * Sends an event that is not the machine's own (a monitor job's JOB_STATUS_CHANGE) to every listener, in
     * order with the machine's events when called on the machine thread.
     */
    public void report(String name, Map<String, Object> data) {
        emit(name, data);
    }

    private void emit(String name, Map<String, Object> data) {
        MachineEvent e = MachineEvent.now(name, data);
        for (Consumer<MachineEvent> l : listeners) {
            l.accept(e);
        }
    }

    private <T> CompletableFuture<T> onMachine(Callable<T> work) {
        CompletableFuture<T> f = new CompletableFuture<>();
        if (finished) {
            f.completeExceptionally(new ControlException("the machine has stopped"));
            return f;
        }
        pending.add(f);
        f.whenComplete((v, e) -> pending.remove(f));
        loop.post(() -> {
            try {
                f.complete(work.call());
            } catch (Throwable t) {
                f.completeExceptionally(t);
            }
        });
        if (finished) {
            f.completeExceptionally(new ControlException("the machine has stopped"));
        }
        return f;
    }
}
