package dev.jemu.devices.virtio;

import dev.jemu.core.state.StateReader;
import java.io.IOException;
import java.util.function.Consumer;

/**
 * A virtio device with one queue whose requests its own thread serves ({@link DeviceWorker}): the plumbing
 * virtio-blk, virtio-rng and virtio-9p share, with the worker's whole lifecycle. The worker starts with the
 * device. A reset forgets the requests in flight (their completions are dropped once the worker is done with them,
 * so no DMA of an old request lands after it); {@link #drain}, before state is saved, carries out and completes
 * every request taken from the ring; loading state forgets what was in flight before the device's own state is
 * restored ({@link #restoreState}); {@link #close} stops the worker, then releases the device's host resources
 * ({@link #release}).
 */
public abstract class WorkerDevice implements VirtioDevice, AutoCloseable {
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

    /**
     * After state was loaded: requests of the state left behind neither reach the host or RAM after this point
     * nor complete into the restored rings; then the device's own fields ({@link #restoreState}).
     */
    @Override
    public final void loadState(StateReader in) {
        worker.forget();
        restoreState(in);
    }

    /** The device's own fields of a loaded state (its worker has nothing in flight). */
    protected abstract void restoreState(StateReader in);

    /** Waits for the requests in flight (up to 30 s: a disk's last writes), stops the worker, then {@link #release}. */
    @Override
    public final void close() throws IOException {
        worker.close();
        release();
    }

    /** Releases the device's host resources (an image, an entropy source) once its worker has stopped. */
    protected void release() throws IOException {
    }
}
