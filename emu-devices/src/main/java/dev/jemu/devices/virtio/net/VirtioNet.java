package dev.jemu.devices.virtio.net;

import dev.jemu.core.log.DebugLog;
import dev.jemu.core.machine.DeviceFaults;
import dev.jemu.core.state.StateReader;
import dev.jemu.core.state.StateWriter;
import dev.jemu.devices.net.FrameSink;
import dev.jemu.devices.net.MacAddress;
import dev.jemu.devices.net.NetBackend;
import dev.jemu.devices.virtio.DescriptorChain;
import dev.jemu.devices.virtio.Virtio;
import dev.jemu.devices.virtio.VirtioDevice;
import dev.jemu.devices.virtio.VirtioTransport;
import dev.jemu.devices.virtio.Virtqueue;
import dev.jemu.devices.virtio.VirtqueueException;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * virtio-net (virtio 1.2, 5.1), modern only: a receive queue and a transmit queue, the MAC address, the link
 * status and mergeable receive buffers (and the MTU when {@code host_mtu} is set). No control queue and no
 * offloads: every frame crosses whole and checksummed, as a real wire carries it.
 * <p>
 * Transmit runs on the machine thread: each chain is gathered into one buffer and handed to the backend, which
 * copies it into its own queue (its I/O thread does the socket work). Receive: a backend thread offers frames
 * through {@link FrameSink#deliver}; they wait in a small queue and one task posted to the machine thread
 * scatters all of them into the guest's receive buffers, with one interrupt for the batch. When the guest has
 * no buffers, frames wait (a full queue refuses more; the backend is told when there is room again).
 * A frame the guest sends that is shorter than an Ethernet header or longer than {@link #MAX_FRAME} is dropped
 * and counted, as is one arriving for a driver that is not running or a link that is down.
 */
public final class VirtioNet implements VirtioDevice, FrameSink, AutoCloseable {
    public static final int ID_NET = 1;
    // feature bits (5.1.3)
    static final int F_MTU = 3, F_MAC = 5, F_MRG_RXBUF = 15, F_STATUS = 16;
    static final int STATUS_LINK_UP = 1;
    /** virtio_net_hdr_v1: flags, gso_type, hdr_len, gso_size, csum_start, csum_offset, num_buffers. */
    public static final int HDR = 12;
    /** QEMU's queue sizes (rx_queue_size, tx_queue_size). */
    static final int QUEUE_SIZE = 256;
    /** The largest frame either way: 64 KiB (QEMU's VIRTIO_NET_MAX_BUFSIZE is 64 KiB + a header). */
    public static final int MAX_FRAME = 65536;
    /** Frames waiting for receive buffers at most (then the backend is refused and waits). */
    static final int RX_BACKLOG = 256;
    static final int ETH_HEADER = 14;

    private final String name;
    private final MacAddress mac;
    private final int mtu;
    private final boolean mergeable;
    private final NetBackend backend;
    private final Consumer<Runnable> machine;
    private VirtioTransport transport;

    /** Frames from the backend, waiting for the machine thread (any thread adds). */
    private final ArrayBlockingQueue<byte[]> rxBacklog = new ArrayBlockingQueue<>(RX_BACKLOG);
    private final AtomicBoolean rxPosted = new AtomicBoolean();
    /** The backend was refused a frame: tell it when there is room. */
    private final AtomicBoolean backendWaiting = new AtomicBoolean();
    private volatile boolean linkUp = true;
    private final ByteBuffer txBuffer = ByteBuffer.allocateDirect(MAX_FRAME);
    private final MemorySegment txSegment = MemorySegment.ofBuffer(txBuffer); // the whole buffer, made once

    private final AtomicLong rxFrames = new AtomicLong(), rxDropped = new AtomicLong();
    private long txFrames, txDropped;

    /**
     * @param machine runs a task on the machine thread ({@code MachineLoop::post})
     * @param mtu       {@code host_mtu}, offered with VIRTIO_NET_F_MTU; 0: not offered
     * @param mergeable {@code mrg_rxbuf}: offer VIRTIO_NET_F_MRG_RXBUF
     */
    public VirtioNet(String name, MacAddress mac, int mtu, boolean mergeable, NetBackend backend,
            Consumer<Runnable> machine) {
        this.name = name;
        this.mac = mac;
        this.mtu = mtu;
        this.mergeable = mergeable;
        this.backend = backend;
        this.machine = machine;
    }

    public MacAddress mac() {
        return mac;
    }

    public NetBackend backend() {
        return backend;
    }

    public String name() {
        return name;
    }

    @Override
    public int deviceId() {
        return ID_NET;
    }

    @Override
    public long deviceFeatures() {
        return Virtio.bit(F_MAC) | Virtio.bit(F_STATUS) | (mergeable ? Virtio.bit(F_MRG_RXBUF) : 0)
                | (mtu > 0 ? Virtio.bit(F_MTU) : 0);
    }

    @Override
    public int queueCount() {
        return 2;
    }

    @Override
    public int queueNumMax(int q) {
        return QUEUE_SIZE;
    }

    @Override
    public void attach(VirtioTransport transport) {
        this.transport = transport;
        backend.start(this); // frames may flow from now on; they wait for the driver (or are dropped) until it is live
    }

    /** Configuration space (5.1.4): mac[6], status, max_virtqueue_pairs, mtu. */
    @Override
    public long readConfig(int offset, int size) {
        byte[] c = new byte[12];
        System.arraycopy(mac.bytes(), 0, c, 0, 6);
        c[6] = (byte) (linkUp ? STATUS_LINK_UP : 0);
        c[8] = 1; // max_virtqueue_pairs
        c[10] = (byte) mtu;
        c[11] = (byte) (mtu >> 8);
        return Virtio.configBytes(c, offset, size);
    }

    @Override
    public void writeConfig(int offset, int size, long value) {
        // the MAC is writable only for legacy drivers (VIRTIO_NET_F_CTRL_MAC_ADDR is not offered): ignored
    }

    /** {@code set_link}: the status bit and a configuration interrupt; while down, frames are dropped. */
    public void setLink(boolean up) {
        if (linkUp == up) {
            return;
        }
        linkUp = up;
        transport.configChanged();
    }

    public boolean linkUp() {
        return linkUp;
    }

    @Override
    public void queueNotify(int q) {
        if (q == 1) {
            transmit();
        } else {
            receive(); // new receive buffers: frames that waited for them go in now
        }
    }

    // --- transmit (machine thread) ---

    private void transmit() {
        Virtqueue vq = transport.queue(1);
        boolean used = false;
        try {
            DescriptorChain c;
            while ((c = vq.pop()) != null) {
                long len = c.readableLength();
                if (len < HDR + ETH_HEADER || len > HDR + MAX_FRAME || !linkUp) {
                    txDropped++;
                    guestError("transmit: %d-byte buffer dropped%s", len, linkUp ? " (bad frame length)" : " (link down)");
                } else {
                    int frame = (int) len - HDR;
                    c.read(transport.memory(), HDR, txSegment.asSlice(0, frame));
                    backend.send(txBuffer.clear().limit(frame));
                    txFrames++;
                }
                vq.pushUsed(c.head(), 0);
                used = true;
            }
        } catch (VirtqueueException e) {
            transport.deviceError(e.getMessage());
            return;
        }
        if (used) {
            transport.usedBuffers(1);
        }
    }

    // --- receive ---

    /** Any thread: a frame from the backend. */
    @Override
    public boolean deliver(ByteBuffer frame) {
        int n = frame.remaining();
        if (n < ETH_HEADER || n > MAX_FRAME || !linkUp) {
            rxDropped.incrementAndGet();
            return true; // taken, and dropped
        }
        byte[] b = new byte[n];
        frame.get(frame.position(), b);
        if (!rxBacklog.offer(b)) {
            backendWaiting.set(true);
            if (rxBacklog.offer(b)) { // the machine thread emptied it meanwhile
                backendWaiting.set(false);
            } else {
                scheduleReceive();
                return false;
            }
        }
        scheduleReceive();
        return true;
    }

    private void scheduleReceive() {
        if (!rxPosted.getAndSet(true)) {
            machine.accept(new DeviceFaults.Task(name, transport, () -> {
                rxPosted.set(false);
                receive();
            }));
        }
    }

    /** Machine thread: as many waiting frames as there are receive buffers, one interrupt for them all. */
    private void receive() {
        boolean used = false;
        try {
            if (!transport.live() || !transport.queue(0).ready()) {
                dropBacklog();
                return;
            }
            byte[] f;
            while ((f = rxBacklog.peek()) != null) {
                int r = writeFrame(f);
                if (r < 0) {
                    break; // no buffers: the frame waits for the guest's next notify
                }
                rxBacklog.poll();
                used = true;
                if (r == 0) {
                    rxDropped.incrementAndGet();
                } else {
                    rxFrames.incrementAndGet();
                }
            }
        } catch (VirtqueueException e) {
            transport.deviceError(e.getMessage());
            return;
        } finally {
            if (used) {
                transport.usedBuffers(0);
            }
        }
        if (rxBacklog.remainingCapacity() > 0 && backendWaiting.getAndSet(false)) {
            backend.receiveReady();
        }
    }

    private void dropBacklog() {
        while (rxBacklog.poll() != null) {
            rxDropped.incrementAndGet();
        }
        if (backendWaiting.getAndSet(false)) {
            backend.receiveReady();
        }
    }

    /**
     * Writes one frame with its header into receive buffers: with MRG_RXBUF as many chains as it needs (their
     * count in num_buffers), else one chain that must hold it. 1 when written, 0 when the frame could not fit
     * (too large for the guest's buffers: the buffers taken are returned empty, the frame dropped), -1 when the
     * guest has no buffer (nothing taken).
     */
    private int writeFrame(byte[] frame) throws VirtqueueException {
        Virtqueue vq = transport.queue(0);
        boolean mergeable = (transport.driverFeatures() & Virtio.bit(F_MRG_RXBUF)) != 0;
        long total = HDR + (long) frame.length;
        DescriptorChain first = vq.pop();
        if (first == null) {
            return -1;
        }
        if (!mergeable || first.writableLength() >= total) {
            if (first.writableLength() < total) {
                vq.pushUsed(first.head(), 0);
                guestError("receive: %d-byte frame does not fit a %d-byte buffer", frame.length, first.writableLength());
                return 0;
            }
            byte[] hdr = header(1);
            first.write(transport.memory(), 0, hdr, 0, HDR);
            first.write(transport.memory(), HDR, frame, 0, frame.length);
            vq.pushUsed(first.head(), total);
            return 1;
        }
        // mergeable: gather chains until the frame fits; the used entries go out only when it does, so the
        // driver never sees a partial frame (5.1.6.4.2)
        java.util.List<DescriptorChain> chains = new java.util.ArrayList<>();
        chains.add(first);
        long room = first.writableLength();
        while (room < total) {
            DescriptorChain c = vq.pop();
            if (c == null) {
                // the guest has too few buffers for this frame: drop it rather than hold the ring
                for (DescriptorChain k : chains) {
                    vq.pushUsed(k.head(), 0);
                }
                guestError("receive: %d-byte frame does not fit the %d bytes of buffers available", frame.length, room);
                return 0;
            }
            chains.add(c);
            room += c.writableLength();
        }
        byte[] all = new byte[(int) total];
        System.arraycopy(header(chains.size()), 0, all, 0, HDR);
        System.arraycopy(frame, 0, all, HDR, frame.length);
        int pos = 0;
        for (DescriptorChain c : chains) {
            int n = (int) Math.min(c.writableLength(), total - pos);
            if (n > 0) {
                c.write(transport.memory(), 0, all, pos, n);
            }
            pos += n;
            vq.pushUsed(c.head(), n);
        }
        return 1;
    }

    private static byte[] header(int buffers) {
        byte[] h = new byte[HDR]; // no checksum or GSO work asked of the guest
        h[10] = (byte) buffers;
        h[11] = (byte) (buffers >> 8);
        return h;
    }

    private void guestError(String fmt, Object... args) {
        if (DebugLog.on(DebugLog.Category.GUEST_ERRORS)) {
            DebugLog.log(DebugLog.Category.GUEST_ERRORS, name + ": " + String.format(fmt, args));
        }
    }

    // --- counters, lifecycle, state ---

    public long rxFrames() {
        return rxFrames.get();
    }

    public long rxDropped() {
        return rxDropped.get();
    }

    public long txFrames() {
        return txFrames;
    }

    public long txDropped() {
        return txDropped;
    }

    @Override
    public void reset() {
        dropBacklog();
    }

    @Override
    public void close() {
        backend.close();
    }

    /**
     * Nothing is ever in flight between the rings and the backend (both directions complete on the machine
     * thread); frames still waiting for receive buffers are a network's queue, not device state, and are
     * dropped on load as a wire drops them.
     */
    @Override
    public void saveState(StateWriter out) {
        out.putBoolean("link_up", linkUp);
    }

    @Override
    public void loadState(StateReader in) {
        rxBacklog.clear();
        linkUp = in.getBoolean("link_up", true);
    }
}
