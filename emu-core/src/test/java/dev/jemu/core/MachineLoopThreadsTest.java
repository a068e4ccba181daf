package dev.jemu.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jemu.core.machine.Cpu;
import dev.jemu.core.machine.ExitRequest;
import dev.jemu.core.machine.MachineLoop;
import dev.jemu.core.state.StateReader;
import dev.jemu.core.state.StateWriter;
import dev.jemu.core.time.Timer;
import dev.jemu.core.time.VirtualClock;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;

/** MachineLoop with {@code thread=multi}: CPUs on their own threads, the device lock, pause, exit and parking. */
class MachineLoopThreadsTest {

    /** A CPU that spins polling the loop's attention; halted while {@link #halted} is set. */
    static final class FakeCpu implements Cpu {
        final MachineLoop loop;
        final AtomicBoolean inside = new AtomicBoolean();
        final AtomicLong runs = new AtomicLong();
        final Set<Thread> threads = ConcurrentHashMap.newKeySet();
        volatile boolean halted;

        FakeCpu(MachineLoop loop) {
            this.loop = loop;
        }

        @Override
        public long run(long budget) {
            inside.set(true);
            threads.add(Thread.currentThread());
            runs.incrementAndGet();
            long n = 0;
            while (n < budget && !loop.attention() && !halted) {
                n++;
                Thread.onSpinWait();
            }
            inside.set(false);
            return n;
        }

        @Override
        public boolean isHalted() {
            return halted;
        }

        @Override
        public void reset() {
        }

        @Override
        public String stateId() {
            return "fake";
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

    static final class Rig {
        final MachineLoop loop = new MachineLoop(VirtualClock.realtime());
        final List<FakeCpu> cpus = new ArrayList<>();
        final AtomicReference<ExitRequest> result = new AtomicReference<>();
        final Thread machine;

        Rig(int n, Boolean multi) {
            loop.setMultiThread(multi);
            for (int i = 0; i < n; i++) {
                cpus.add(new FakeCpu(loop));
            }
            machine = new Thread(() -> result.set(loop.run(cpus)), "test-machine");
        }

        Rig start() {
            machine.start();
            return this;
        }

        ExitRequest stop() throws InterruptedException {
            loop.requestExit(ExitRequest.quit(3));
            machine.join(10_000);
            assertFalse(machine.isAlive(), "the loop ended");
            return result.get();
        }
    }

    static void await(BooleanSupplier condition, String what) throws InterruptedException {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!condition.getAsBoolean()) {
            assertTrue(System.nanoTime() < end, "timed out waiting until " + what);
            Thread.sleep(1);
        }
    }

    static long cpuThreads() {
        return Thread.getAllStackTraces().keySet().stream().filter(t -> t.getName().startsWith("jemu-cpu")).count();
    }

    @Test
    void eachCpuRunsOnItsOwnThreadInParallelAndExitEndsThemAll() throws InterruptedException {
        long before = cpuThreads();
        Rig rig = new Rig(3, null).start();
        await(() -> rig.cpus.stream().allMatch(c -> c.runs.get() > 2), "every CPU ran");
        await(() -> rig.cpus.stream().allMatch(c -> c.inside.get()), "all three inside their runs at once");
        Set<Thread> all = ConcurrentHashMap.newKeySet();
        for (FakeCpu c : rig.cpus) {
            assertEquals(1, c.threads.size(), "one thread per CPU");
            assertFalse(c.threads.contains(rig.machine), "not the machine thread");
            all.addAll(c.threads);
        }
        assertEquals(3, all.size(), "three threads");
        assertEquals(ExitRequest.quit(3).toString(), rig.stop().toString());
        assertEquals(before, cpuThreads(), "no CPU thread is left after the run");
        for (FakeCpu c : rig.cpus) {
            assertFalse(c.inside.get());
        }
    }

    @Test
    void singleThreadModeRunsEveryCpuOnTheMachineThread() throws InterruptedException {
        Rig rig = new Rig(2, false).start();
        await(() -> rig.cpus.stream().allMatch(c -> c.runs.get() > 2), "every CPU ran");
        rig.stop();
        for (FakeCpu c : rig.cpus) {
            assertEquals(Set.of(rig.machine), c.threads);
        }
    }

    @Test
    void postedWorkAndTimersRunOnTheMachineThreadUnderTheDeviceLock() throws InterruptedException {
        Rig rig = new Rig(2, true).start();
        CountDownLatch done = new CountDownLatch(2);
        AtomicReference<String> seen = new AtomicReference<>("");
        rig.loop.post(() -> {
            seen.set(seen.get() + (Thread.currentThread() == rig.machine) + rig.loop.deviceLock().isHeldByCurrentThread());
            done.countDown();
        });
        // a timer armed from another thread (under the lock, as a CPU thread arms its own): the machine thread wakes
        Timer t = rig.loop.clock().newTimer("t", () -> {
            seen.set(seen.get() + "/timer" + rig.loop.deviceLock().isHeldByCurrentThread());
            done.countDown();
        });
        rig.loop.deviceLock().lock();
        try {
            t.armAfter(1_000_000);
        } finally {
            rig.loop.deviceLock().unlock();
        }
        assertTrue(done.await(10, TimeUnit.SECONDS));
        rig.stop();
        assertEquals("truetrue/timertrue", seen.get());
    }

    /**
     * A post() from a host thread that read "no CPU threads yet" just before the run started them sets attention
     * just after the run cleared it (seen as a CI hang: a -smp 4 litmus program made no progress in 180 s, every
     * hart's run ending after one block). The machine thread, woken by that post, clears it again.
     */
    @Test
    void attentionLeftByAPostThatRacedTheStartIsClearedAndTheCpusRunOn() throws Exception {
        Rig rig = new Rig(2, true).start();
        await(() -> rig.cpus.stream().allMatch(c -> c.runs.get() > 0), "every CPU ran");
        java.lang.reflect.Field attention = MachineLoop.class.getDeclaredField("attention");
        attention.setAccessible(true);
        attention.setBoolean(rig.loop, true); // what the racing post() leaves behind: its work is posted after it
        rig.loop.post(() -> { });
        await(() -> !rig.loop.attention(), "attention cleared");
        rig.stop();
    }

    @Test
    void pauseReturnsOnlyWhenEveryCpuHasLeftItsRunAndResumeRunsThemAgain() throws InterruptedException {
        Rig rig = new Rig(4, true).start();
        await(() -> rig.cpus.stream().allMatch(c -> c.runs.get() > 0), "every CPU ran");
        AtomicBoolean anyInside = new AtomicBoolean(true);
        AtomicLong runsAtPause = new AtomicLong();
        CountDownLatch paused = new CountDownLatch(1);
        rig.loop.post(() -> {
            rig.loop.pause();
            anyInside.set(rig.cpus.stream().anyMatch(c -> c.inside.get()));
            runsAtPause.set(rig.cpus.stream().mapToLong(c -> c.runs.get()).sum());
            paused.countDown();
        });
        assertTrue(paused.await(10, TimeUnit.SECONDS));
        assertFalse(anyInside.get(), "no CPU inside its run once pause returned");
        Thread.sleep(50);
        assertEquals(runsAtPause.get(), rig.cpus.stream().mapToLong(c -> c.runs.get()).sum(), "nothing ran paused");
        rig.loop.post(rig.loop::resume);
        await(() -> rig.cpus.stream().mapToLong(c -> c.runs.get()).sum() > runsAtPause.get() + 4, "runs again");
        rig.stop();
    }

    @Test
    void haltedCpuThreadParksWithoutSpinningAndAWakeRunsIt() throws InterruptedException {
        Rig rig = new Rig(2, true);
        FakeCpu idle = rig.cpus.get(1);
        idle.halted = true;
        rig.start();
        await(() -> rig.cpus.get(0).runs.get() > 2, "the other CPU runs");
        Thread.sleep(100);
        assertEquals(0, idle.runs.get(), "a halted CPU is not run");
        rig.loop.deviceLock().lock();
        try {
            idle.halted = false; // what an interrupt does, under the lock
        } finally {
            rig.loop.deviceLock().unlock();
        }
        rig.loop.wakeCpus();
        await(() -> idle.runs.get() > 0, "the woken CPU runs");
        rig.stop();
    }

    @Test
    void aParkedCpuThreadIsNotBusyAndTheOthersQuantaDoNotWakeIt() throws InterruptedException {
        Rig rig = new Rig(2, true);
        FakeCpu idle = rig.cpus.get(1);
        idle.halted = true;
        rig.start();
        await(() -> rig.loop.busyCpuThreads() == 1, "the halted CPU's thread parks");
        long runs = rig.cpus.get(0).runs.get(), signals = rig.loop.cpuSignals();
        await(() -> rig.cpus.get(0).runs.get() > runs + 200, "the other CPU runs 200 quanta");
        // nobody waits for the running CPU to leave its run: its quantum ends wake no parked thread
        assertEquals(signals, rig.loop.cpuSignals(), "signals to parked CPU threads");
        assertEquals(1, rig.loop.busyCpuThreads());
        rig.loop.deviceLock().lock();
        try {
            idle.halted = false;
        } finally {
            rig.loop.deviceLock().unlock();
        }
        rig.loop.wakeCpus();
        await(() -> rig.loop.busyCpuThreads() == 2, "the woken CPU's thread is busy");
        rig.stop();
    }

    @Test
    void withCpuStoppedActsWhileTheTargetIsOutsideItsRun() throws InterruptedException {
        Rig rig = new Rig(2, true).start();
        FakeCpu target = rig.cpus.get(0);
        await(() -> target.inside.get(), "the target runs");
        AtomicInteger actedInside = new AtomicInteger();
        for (int i = 0; i < 200; i++) {
            rig.loop.withCpuStopped(target, () -> {
                if (target.inside.get()) {
                    actedInside.incrementAndGet();
                }
            });
        }
        long runs = target.runs.get();
        await(() -> target.runs.get() > runs + 2, "the target runs on afterwards");
        rig.stop();
        assertEquals(0, actedInside.get(), "every action saw the target stopped");
    }
}
