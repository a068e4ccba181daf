package dev.jemu.devices.virtio;

import java.util.function.Consumer;

/**
 * A virtio device with one queue whose requests its own thread serves ({@link DeviceWorker}): the plumbing
 * virtio-blk, virtio-rng and virtio-9p share. A reset forgets the requests in flight (their completions are
 * dropped once the worker is done with them, so no DMA of an old request lands after it); {@link #drain},
 * before state is saved, carries out and completes every request taken from the ring.
 */
public abstract class WorkerDevice implements VirtioDevice {
    private final int queueSize;
    /** The device's thread, with completions posted back to the machine thread and dropped after a reset. */
    protected final DeviceWorker worker;
    protected VirtioTransport transport;

    /** {@code machine} runs a task on the machine thread ({@code MachineLoop::post}). */
    protected WorkerDevice(int queueSize, Consumer<Runnable> machine, String threadName) {
        this.queueSize = queueSize;
        this.worker = new DeviceWorker(machine, threadName);
    }

    @Override
    public final int queueCount() {
        return 1;
    }

    @Override
    public final int queueNumMax(int q) {
        return queueSize;
    }

    @Override
    public final void attach(VirtioTransport transport) {
        this.transport = transport;
        worker.attach(transport);
    }

    @Override
    public void reset() {
        worker.reset();
    }

    @Override
    public final void drain() {
        worker.drain();
    }
}
