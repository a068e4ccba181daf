package dev.jemu.devices.virtio.p9;

import dev.jemu.core.state.StateReader;
import dev.jemu.core.state.StateWriter;
import dev.jemu.devices.virtio.DescriptorChain;
import dev.jemu.devices.virtio.DeviceWorker;
import dev.jemu.devices.virtio.DmaMemory;
import dev.jemu.devices.virtio.Virtio;
import dev.jemu.devices.virtio.Virtqueue;
import dev.jemu.devices.virtio.VirtqueueException;
import dev.jemu.devices.virtio.WorkerDevice;
import java.nio.charset.StandardCharsets;
import java.util.function.Consumer;

/**
 * virtio-9p (virtio 1.2, 5.x "9P transport"): one queue; each buffer holds a 9P request in its readable part
 * and room for the reply in its writable part. Requests are served by a {@link P9Server} on the device's own
 * thread (host file I/O never runs on the machine thread), in ring order. Configuration space: the mount
 * tag's length (u16) and bytes, which Linux uses to find the device for {@code mount -t 9p TAG}.
 */
public final class Virtio9p extends WorkerDevice {
    public static final int F_MOUNT_TAG = 0;
    static final int QUEUE_SIZE = 128; // QEMU's MAX_REQ
    /** A request may carry at most msize bytes; a larger readable part is a broken driver. */
    static final long MAX_REQUEST = P9Server.MAX_MSIZE;
    public static final int MAX_TAG = 31; // QEMU's limit (MAX_TAG_LEN - 1)

    private final P9Server server;
    private final byte[] config;
    public Virtio9p(P9Server server, String mountTag, Consumer<Runnable> machine, String threadName) {
        super(QUEUE_SIZE, machine, threadName);
        this.server = server;
        byte[] tag = mountTag.getBytes(StandardCharsets.UTF_8);
        this.config = new byte[2 + tag.length];
        config[0] = (byte) tag.length;
        config[1] = (byte) (tag.length >> 8);
        System.arraycopy(tag, 0, config, 2, tag.length);
    }

    public P9Server server() {
        return server;
    }

    @Override
    public int deviceId() {
        return Virtio.ID_9P;
    }

    @Override
    public long deviceFeatures() {
        return Virtio.bit(F_MOUNT_TAG);
    }

    @Override
    public long readConfig(int offset, int size) {
        return Virtio.configBytes(config, offset, size);
    }

    @Override
    public void writeConfig(int offset, int size, long value) {
        // read-only
    }

    @Override
    public void queueNotify(int q) {
        Virtqueue vq = transport.queue(q);
        try {
            DescriptorChain c;
            while ((c = vq.pop()) != null) {
                DescriptorChain chain = c;
                if (c.readableLength() > MAX_REQUEST) {
                    throw new VirtqueueException("9p request of " + c.readableLength() + " bytes exceeds msize");
                }
                worker.submit(() -> serve(q, chain));
            }
        } catch (VirtqueueException e) {
            transport.deviceError(e.getMessage());
        }
    }

    /** On the device thread: the request out of guest RAM, served, the reply into the buffer. */
    private DeviceWorker.Completion serve(int q, DescriptorChain c) {
        DmaMemory mem = transport.memory();
        byte[] reply;
        try {
            byte[] req = new byte[(int) c.readableLength()];
            c.read(mem, 0, req, 0, req.length);
            long room = Math.min(c.writableLength(), Integer.MAX_VALUE);
            reply = server.handle(req, req.length, (int) room);
            if (reply == null) {
                String why = "9p request without a valid header (" + req.length + " bytes)";
                return () -> {
                    throw new VirtqueueException(why);
                };
            }
            if (reply.length > room) {
                String why = "9p reply of " + reply.length + " bytes does not fit the " + room + " the driver gave";
                return () -> {
                    throw new VirtqueueException(why);
                };
            }
            c.write(mem, 0, reply, 0, reply.length);
        } catch (VirtqueueException e) {
            return () -> {
                throw e;
            };
        }
        int len = reply.length;
        return () -> {
            transport.queue(q).pushUsed(c.head(), len);
            return q;
        };
    }

    @Override
    public void reset() {
        worker.reset();
        worker.submit(() -> {
            server.reset(); // on the device thread, which owns the fid table
            return () -> -1;
        });
        worker.sync();
    }

    @Override
    protected void release() {
        server.reset();
    }

    @Override
    public void saveState(StateWriter out) {
        worker.sync(); // the fid table is the device thread's: read it when that thread is idle
        server.saveState(out);
    }

    @Override
    protected void restoreState(StateReader in) {
        server.loadState(in);
    }
}
