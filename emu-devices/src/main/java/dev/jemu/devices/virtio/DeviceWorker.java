package dev.jemu.devices.virtio;

import dev.jemu.core.machine.DeviceFaults;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;

/**
 * A virtio device's own host thread, for work that may block (host file I/O, a blocking entropy source):
 * a request checked on the machine thread is carried out here, then its completion (used ring) runs back on
 * the machine thread through {@code MachineLoop.post}, every finished request in one posted task with one
 * interrupt per queue. A reset bumps a generation so completions of older requests are dropped, and waits
 * for the thread, so nothing of an old request reaches guest RAM after it; {@link #drain} completes
 * everything in flight before state is saved. The same pattern as virtio-blk's I/O thread.
 */
public final class DeviceWorker implements AutoCloseable {
    /** The machine-thread half of a request: writes its result into the ring; the queue used, or -1. */
    @FunctionalInterface
    public interface Completion {
        int complete() throws VirtqueueException;
    }

    /** The host-thread half: does the work and returns what completes it. */
    @FunctionalInterface
    public interface Work {
        Completion run();
    }

    private record Done(int generation, Completion completion) {
    }

    private final Consumer<Runnable> machine;
    private final String name;
    private final ExecutorService thread;
    private VirtioTransport transport;
    private int generation;
    private final ConcurrentLinkedQueue<Done> done = new ConcurrentLinkedQueue<>();
    private final AtomicBoolean completionPosted = new AtomicBoolean();

    /** @param machine runs a task on the machine thread ({@code MachineLoop::post}) */
    public DeviceWorker(Consumer<Runnable> machine, String threadName) {
        this.machine = machine;
        this.name = threadName;
        this.thread = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, threadName);
            t.setDaemon(true);
            return t;
        });
    }

    public void attach(VirtioTransport transport) {
        this.transport = transport;
    }

    /** On the machine thread: runs {@code work} on the host thread, then its completion back here. */
    public void submit(Work work) {
        int gen = generation;
        try {
            thread.execute(() -> {
                done.add(new Done(gen, work.run()));
                if (!completionPosted.getAndSet(true)) {
                    // named, with the transport's recovery: a bug in completing puts the device in NEEDS_RESET
                    machine.accept(new DeviceFaults.Task(name, transport, this::completeDone));
                }
            });
        } catch (RejectedExecutionException e) {
            // closed: the machine is going away
        }
    }

    /** On the machine thread: every finished request into its ring, one interrupt per queue. */
    private void completeDone() {
        completionPosted.set(false); // before draining: work finished from now on posts again
        long queuesUsed = 0;
        Done d;
        while ((d = done.poll()) != null) {
            if (d.generation() != generation) {
                continue; // the driver reset the device meanwhile
            }
            try {
                int q = d.completion().complete();
                if (q >= 0) {
                    queuesUsed |= 1L << q;
                }
            } catch (VirtqueueException e) {
                transport.deviceError(e.getMessage());
            }
        }
        for (int q = 0; queuesUsed != 0; q++, queuesUsed >>>= 1) {
            if ((queuesUsed & 1) != 0) {
                transport.usedBuffers(q);
            }
        }
    }

    /** Waits until everything submitted so far has run on the host thread (and its completion is queued). */
    public void sync() {
        try {
            thread.submit(() -> { }).get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException | RejectedExecutionException e) {
            // closed: nothing in flight
        }
    }

    /** Device reset: completions of requests in flight are dropped, and none of them runs after this. */
    public void reset() {
        generation++;
        sync();
    }

    /** Before state is saved: carries out and completes every request in flight, here and now. */
    public void drain() {
        sync();
        completeDone();
    }

    /** After state was loaded: nothing of the old state completes into the restored rings. */
    public void forget() {
        generation++;
        sync();
        done.clear();
        completionPosted.set(false);
    }

    @Override
    public void close() {
        thread.shutdown();
        try {
            thread.awaitTermination(30, TimeUnit.SECONDS); // a disk's last writes
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
