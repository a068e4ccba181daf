package dev.jemu.core.gdb;

import dev.jemu.core.control.ControlException;
import dev.jemu.core.control.MachineControl;
import dev.jemu.core.control.MachineEvent;
import dev.jemu.core.control.RunState;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * The debugger's hold on one machine, architecture-neutral: its CPUs ({@link DebugCpu}), the breakpoints and
 * watchpoints they check ({@link DebugPoints}) and the run control. A {@link GdbSession} calls it from its own
 * thread; everything that touches a CPU is posted to the machine thread through {@link MachineControl}. A CPU
 * stopping for the debugger puts the machine in run state {@code debug} (STOP), as QEMU does; a stop of any
 * kind while the client waits is answered with a stop reply (see {@link #stopReply}).
 */
public final class GdbStub {
    private static final long TIMEOUT_SECONDS = 30;

    private final MachineControl control;
    private final List<DebugCpu> cpus;
    private final Function<String, CompletableFuture<String>> monitor;
    private final DebugPoints points = new DebugPoints(this::stopped);
    // machine thread: why the CPUs last stopped for the debugger (null: not for the debugger)
    private volatile StopReason lastStop;

    /** @param monitor runs one HMP command line and returns its output ({@code monitor CMD} in gdb) */
    public GdbStub(MachineControl control, List<DebugCpu> cpus, Function<String, CompletableFuture<String>> monitor) {
        if (cpus.isEmpty()) {
            throw new IllegalArgumentException("no CPU to debug");
        }
        this.control = control;
        this.cpus = List.copyOf(cpus);
        this.monitor = monitor;
    }

    int cpuCount() {
        return cpus.size();
    }

    DebugCpu cpu(int i) {
        return cpus.get(i);
    }

    MachineControl control() {
        return control;
    }

    CompletableFuture<String> monitorCommand(String line) {
        return monitor.apply(line);
    }

    /** A client connected: the machine stops (QEMU stops it on connect) and the CPUs check the debug points. */
    void attach() {
        onMachine(() -> {
            for (int i = 0; i < cpus.size(); i++) {
                cpus.get(i).attachDebugger(points, i);
            }
            return null;
        });
        await(control.stop());
    }

    /**
     * {@code D} and disconnects: every breakpoint and watchpoint goes, the CPUs stop checking and the machine
     * runs on (QEMU's detach resumes it unless it needs a reset). A client that only connected and went away
     * ({@code disconnected}, the machine still in {@code prelaunch} from {@code -S}) does not start it.
     * {@code beforeResume} runs once the debugger is gone and before the machine runs on: the reply to {@code D}
     * goes out there, or a guest that powers off at once could end the process before gdb has it.
     */
    void detach(boolean disconnected, Runnable beforeResume) {
        onMachine(() -> {
            points.clear();
            for (DebugCpu c : cpus) {
                c.setSingleStep(false);
                c.attachDebugger(null, 0);
            }
            control.holdCpus(new boolean[0]);
            lastStop = null;
            return null;
        });
        beforeResume.run();
        RunState s = control.state();
        if (!s.needsReset() && !(disconnected && s == RunState.PRELAUNCH)) {
            await(control.cont());
        }
    }

    /**
     * Runs the machine, each CPU as {@code actions} says: {@code 'c'} runs, {@code 's'} runs exactly one
     * instruction and stops the machine, 0 stays stopped while the others run (QEMU's vCont). Returns false
     * when the machine cannot run (it needs a reset), so the caller answers at once.
     */
    boolean resume(char[] actions) {
        onMachine(() -> {
            lastStop = null;
            boolean[] held = new boolean[cpus.size()];
            for (int i = 0; i < cpus.size(); i++) {
                char a = i < actions.length ? actions[i] : 0;
                cpus.get(i).setSingleStep(a == 's');
                held[i] = a != 's' && a != 'c';
            }
            control.holdCpus(held);
            return null;
        });
        try {
            control.cont().get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
            return true;
        } catch (ExecutionException e) {
            return false;
        } catch (InterruptedException | TimeoutException e) {
            throw new ControlException("the machine does not answer");
        }
    }

    /** Ctrl-C: the machine stops (state paused, SIGINT for gdb). */
    void interrupt() {
        control.stop();
    }

    /** Changes the debug points on the machine thread, then lets every CPU drop what it cached. */
    void changePoints(Consumer<DebugPoints> change) {
        onMachine(() -> control.withCpusStopped(() -> { // CPU threads (thread=multi) drop their caches stopped
            change.accept(points);
            for (int i = 0; i < cpus.size(); i++) {
                cpus.get(i).attachDebugger(points, i);
            }
            return null;
        }));
    }

    /** Runs {@code work} on the machine thread and waits for it. */
    <T> T onMachine(Supplier<T> work) {
        return await(control.query(b -> work.get()));
    }

    private static <T> T await(CompletableFuture<T> f) {
        try {
            return f.get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            Throwable c = e.getCause();
            throw c instanceof RuntimeException r ? r : new ControlException(String.valueOf(c));
        } catch (InterruptedException | TimeoutException e) {
            throw new ControlException("the machine does not answer");
        }
    }

    // machine thread, from a CPU inside its run
    private void stopped(StopReason reason) {
        lastStop = reason;
        for (DebugCpu c : cpus) {
            c.setSingleStep(false);
        }
        control.debugStop();
    }

    /**
     * The stop reply for a STOP event (machine thread, when the event is emitted): SIGTRAP with the watchpoint or
     * breakpoint for a debugger stop, SIGINT for a monitor's {@code stop} or Ctrl-C, and QEMU's signals for the
     * other states. Null for states that are not a stop for gdb (save-vm, restore-vm).
     */
    String stopReply(MachineEvent e, ThreadIds ids) {
        RunState s = control.state();
        StopReason r = lastStop;
        int cpu = r != null ? r.cpu() : 0;
        String thread = "thread:" + ids.format(cpu) + ";";
        return switch (s) {
            case DEBUG -> r == null ? "T05" + thread : switch (r.kind()) {
                case WRITE_WATCH -> String.format("T05%swatch:%016x;", thread, r.address());
                case READ_WATCH -> String.format("T05%srwatch:%016x;", thread, r.address());
                case ACCESS_WATCH -> String.format("T05%sawatch:%016x;", thread, r.address());
                case SOFTWARE_BREAKPOINT -> "T05" + thread + (ids.swbreak() ? "swbreak:;" : "");
                case HARDWARE_BREAKPOINT -> "T05" + thread + (ids.hwbreak() ? "hwbreak:;" : "");
                case STEP -> "T05" + thread;
            };
            case PAUSED, PRELAUNCH -> "T02" + thread;
            case SHUTDOWN -> "T03" + thread;
            case IO_ERROR -> "T17" + thread;      // GDB_SIGNAL_IO
            case WATCHDOG -> "T0e" + thread;      // GDB_SIGNAL_ALRM
            case INTERNAL_ERROR -> "T06" + thread; // GDB_SIGNAL_ABRT
            case FINISH_MIGRATE -> "T18" + thread; // GDB_SIGNAL_XCPU
            case SAVE_VM, RESTORE_VM, RUNNING -> null;
            default -> "T8f" + thread;             // GDB_SIGNAL_UNKNOWN
        };
    }

    /** How thread ids are spelled to this client ({@code p01.01} with multiprocess) and what it understands. */
    record ThreadIds(boolean multiprocess, boolean swbreak, boolean hwbreak) {
        String format(int cpu) {
            return multiprocess ? String.format("p01.%02x", cpu + 1) : String.format("%02x", cpu + 1);
        }
    }
}
