package dev.jemu.devices.net;

import java.nio.ByteBuffer;

/** Where a {@link NetBackend} hands the frames meant for the guest: the NIC's receive side. */
public interface FrameSink {
    /**
     * Offers one frame for the guest; the sink copies it before returning. {@code false} means the guest has no
     * room now (no receive buffers, or the NIC's small queue is full): the frame was not taken, and the backend
     * may keep it until {@link NetBackend#receiveReady} (stream backends do; datagram ones drop it, as QEMU does).
     */
    boolean deliver(ByteBuffer frame);
}
