package dev.jemu.core.control;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jemu.core.machine.Cpu;
import dev.jemu.core.machine.ExitRequest;
import dev.jemu.core.machine.MachineLoop;
import dev.jemu.core.state.StateReader;
import dev.jemu.core.state.StateWriter;
import dev.jemu.core.time.VirtualClock;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class MachineControlTest {
    /** A CPU that counts its runs and returns when the loop wants attention. */
    private static final class CountingCpu implements Cpu {
        final AtomicLong runs = new AtomicLong();
        MachineLoop loop;

        @Override
        public long run(long budget) {
            runs.incrementAndGet();
            long n = 0;
            while (!loop.attention() && n < budget) {
                n++;
            }
            return n;
        }

        @Override
        public boolean isHalted() {
            return false;
        }

        @Override
        public void reset() {
        }

        @Override
        public String stateId() {
            return "cpu";
        }

        @Override
        public int stateVersion() {
            return 1;
        }

        @Override
        public void saveState(StateWriter out) {
        }

        @Override
        public void loadState(StateReader in) {
        }
    }

    @Test
    void stopsBetweenRunsServesRequestsWhilePausedAndResumes() throws Exception {
        MachineLoop loop = new MachineLoop(VirtualClock.realtime());
        CountingCpu cpu = new CountingCpu();
        cpu.loop = loop;
        MachineControl control = new MachineControl(loop, null, true);
        List<String> events = new CopyOnWriteArrayList<>();
        control.addListener(e -> events.add(e.name() + e.data()));
        Thread machine = Thread.ofPlatform().start(() -> loop.run(cpu));
        Thread.sleep(200);
        assertEquals(0, cpu.runs.get(), "-S: no instruction before cont");
        assertEquals(RunState.PRELAUNCH, control.state());
        control.cont().get(5, TimeUnit.SECONDS);
        Thread.sleep(100);
        assertTrue(cpu.runs.get() > 0);
        control.stop().get(5, TimeUnit.SECONDS);
        long runs = cpu.runs.get();
        assertEquals(7, (int) control.whilePaused(RunState.SAVE_VM, () -> {
            assertEquals(RunState.SAVE_VM, control.state());
            return 7;
        }).get(5, TimeUnit.SECONDS), "work runs on the machine thread while paused");
        Thread.sleep(100);
        assertEquals(runs, cpu.runs.get(), "a stopped machine runs no CPU");
        assertEquals(RunState.PAUSED, control.state());
        control.quit(3).get(5, TimeUnit.SECONDS);
        machine.join(5000);
        assertEquals(3, control.quitStatus());
        assertEquals(List.of("RESUME{}", "STOP{}", "SHUTDOWN{guest=false, reason=host-qmp-quit}"), events);
        loop.requestExit(ExitRequest.quit(0));
    }

    /**
     * {@code -no-shutdown} as QEMU does it: the guest's poweroff stops the CPUs in state {@code shutdown}
     * (SHUTDOWN, then STOP); {@code cont} is refused until a {@code system_reset}, which leaves the machine
     * stopped ({@code prelaunch}) until {@code cont}. The loop below is the part of a board's run() involved.
     */
    @Test
    void noShutdownStopsInShutdownUntilResetAndCont() throws Exception {
        MachineLoop loop = new MachineLoop(VirtualClock.realtime());
        CountingCpu cpu = new CountingCpu();
        cpu.loop = loop;
        MachineControl control = new MachineControl(loop, null, false);
        List<String> events = new CopyOnWriteArrayList<>();
        control.addListener(e -> events.add(e.name() + e.data()));
        Thread machine = Thread.ofPlatform().start(() -> {
            while (true) {
                ExitRequest e = loop.run(cpu);
                if (control.quitStatus() >= 0) {
                    return;
                }
                if (e.kind() == ExitRequest.Kind.POWEROFF) {
                    control.guestShutdown(ShutdownCause.GUEST_SHUTDOWN);
                    control.pauseAfterShutdown();
                } else if (e.kind() == ExitRequest.Kind.RESET) {
                    control.resetDone(control.takeResetCause());
                }
            }
        });
        Thread.sleep(100);
        loop.requestExit(ExitRequest.poweroff(0)); // the guest powers off
        Thread.sleep(200);
        assertEquals(RunState.SHUTDOWN, control.state());
        long runs = cpu.runs.get();
        ExecutionException refused = assertThrows(ExecutionException.class, () -> control.cont().get(5, TimeUnit.SECONDS));
        assertEquals("Resetting the Virtual Machine is required", refused.getCause().getMessage());
        control.systemReset().get(5, TimeUnit.SECONDS);
        Thread.sleep(200);
        assertEquals(RunState.PRELAUNCH, control.state(), "QEMU: a reset leaves a stopped machine stopped");
        assertEquals(runs, cpu.runs.get(), "no instruction while shut down or after the reset");
        control.cont().get(5, TimeUnit.SECONDS);
        Thread.sleep(100);
        assertEquals(RunState.RUNNING, control.state());
        assertTrue(cpu.runs.get() > runs, "cont after the reset runs the guest again");
        control.quit(0).get(5, TimeUnit.SECONDS);
        machine.join(5000);
        assertEquals(List.of("SHUTDOWN{guest=true, reason=guest-shutdown}", "STOP{}",
                "RESET{guest=false, reason=host-qmp-system-reset}", "RESUME{}",
                "SHUTDOWN{guest=false, reason=host-qmp-quit}"), events);
    }
}
