package dev.jemu.devices.virtio.rng;

import dev.jemu.core.state.StateReader;
import dev.jemu.core.state.StateWriter;
import dev.jemu.core.time.Timer;
import dev.jemu.core.time.VirtualClock;
import dev.jemu.devices.virtio.DescriptorChain;
import dev.jemu.devices.virtio.DeviceWorker;
import dev.jemu.devices.virtio.Virtio;
import dev.jemu.devices.virtio.Virtqueue;
import dev.jemu.devices.virtio.VirtqueueException;
import dev.jemu.devices.virtio.WorkerDevice;
import java.io.IOException;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * virtio-rng (virtio 1.2, 5.4): one queue of device-writable buffers that the device fills with entropy from
 * an {@link RngBackend}. The backend is read on the device's own thread ({@link DeviceWorker}), since a
 * blocking source must not stop the CPU. QEMU's rate limit: at most {@code max-bytes} per {@code period} ms
 * of virtual time; once the quota is spent, buffers wait in the ring until the period ends.
 */
public final class VirtioRng extends WorkerDevice {
    static final int QUEUE_SIZE = 8; // QEMU's
    /** Bytes we fill per buffer at most (Linux asks for a few dozen); the rest of a larger buffer stays unused. */
    static final int MAX_CHUNK = 64 << 10;
    public static final long DEFAULT_PERIOD_MS = 1 << 16;

    private final RngBackend backend;
    private final long maxBytes;
    private final long periodMs;
    private final VirtualClock clock;
    private final Timer periodEnd;    /** Bytes still allowed in this period. */
    private long quota;
    private final AtomicBoolean reportedError = new AtomicBoolean();

    /**
     * @param maxBytes bytes per period ({@code Long.MAX_VALUE}: no limit)
     * @param machine  runs a task on the machine thread ({@code MachineLoop::post})
     */
    public VirtioRng(RngBackend backend, long maxBytes, long periodMs, VirtualClock clock,
            java.util.function.Consumer<Runnable> machine, String name) {
        super(QUEUE_SIZE, machine, name);
        this.backend = backend;
        this.maxBytes = maxBytes;
        this.periodMs = periodMs;
        this.clock = clock;
        this.quota = maxBytes;
        this.periodEnd = clock.newTimer(name + "-period", this::newPeriod);
    }

    public RngBackend backend() {
        return backend;
    }

    @Override
    public int deviceId() {
        return Virtio.ID_ENTROPY;
    }

    @Override
    public long deviceFeatures() {
        return 0;
    }

    @Override
    public long readConfig(int offset, int size) {
        return 0; // no configuration space
    }

    @Override
    public void writeConfig(int offset, int size, long value) {
    }

    @Override
    public void queueNotify(int q) {
        fill();
    }

    private void newPeriod() {
        quota = maxBytes;
        fill();
    }

    /** On the machine thread: takes as many buffers as the quota allows and has them filled. */
    private void fill() {
        if (!transport.live()) {
            return;
        }
        Virtqueue vq = transport.queue(0);
        try {
            while (quota > 0) {
                DescriptorChain c = vq.pop();
                if (c == null) {
                    break;
                }
                int n = (int) Math.min(Math.min(c.writableLength(), MAX_CHUNK), quota);
                quota -= n;
                if (!periodEnd.isArmed() && maxBytes != Long.MAX_VALUE) {
                    periodEnd.armAfter(periodMs * 1_000_000L);
                }
                worker.submit(() -> entropy(c, n));
            }
        } catch (VirtqueueException e) {
            transport.deviceError(e.getMessage());
        }
    }

    /** On the device thread: reads the entropy; the completion writes it into the buffer. */
    private DeviceWorker.Completion entropy(DescriptorChain c, int n) {
        byte[] b = new byte[n];
        int got = 0;
        try {
            got = Math.max(0, backend.read(b, 0, n)); // what one read gives, as QEMU completes a buffer
        } catch (IOException e) {
            if (!reportedError.getAndSet(true)) {
                System.err.println("jemu: rng " + backend.id() + ": " + e.getMessage());
            }
        }
        byte[] data = b;
        int len = got;
        return () -> {
            c.write(transport.memory(), 0, data, 0, len);
            transport.queue(0).pushUsed(c.head(), len);
            return 0;
        };
    }

    @Override
    protected void release() {
        periodEnd.cancel();
        backend.close();
    }

    @Override
    public void saveState(StateWriter out) {
        out.putLong("quota", quota);
        out.putLong("period_end", periodEnd.isArmed() ? periodEnd.deadline() : -1);
    }

    @Override
    protected void restoreState(StateReader in) {
        quota = in.getLong("quota", maxBytes);
        long end = in.getLong("period_end", -1);
        periodEnd.cancel();
        if (end >= 0) {
            periodEnd.armAt(end);
        }
    }
}
