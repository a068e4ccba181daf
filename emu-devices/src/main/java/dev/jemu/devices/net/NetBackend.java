package dev.jemu.devices.net;

import java.nio.ByteBuffer;

/**
 * The host side of a guest network link, QEMU's {@code -netdev TYPE,id=ID}: user-mode NAT, a socket or stream
 * link to another VM, a dgram/multicast link, a tap device. A NIC (virtio-net) sends the guest's frames with
 * {@link #send} and receives the backend's through the {@link FrameSink} given to {@link #start}.
 * <p>
 * Frames are whole Ethernet frames without preamble or FCS (destination MAC first), as on QEMU's socket wire.
 * Backends run their I/O on their own threads (one selector each); {@link FrameSink#deliver} may be called from
 * any backend thread, and the NIC makes the hand-over to the machine thread.
 */
public interface NetBackend extends AutoCloseable {
    /** The {@code id=} of the netdev. */
    String id();

    /** One line for {@code info network}, in QEMU's words (e.g. {@code user.0: index=0,type=user,net=10.0.2.0,restrict=off}). */
    String describe();

    /** Connects the backend to its NIC; frames for the guest start to flow. Called once. */
    void start(FrameSink toGuest);

    /**
     * A frame the guest sent. The backend copies what it keeps before returning: the buffer is the NIC's. Never
     * blocks the caller for long: a backend that cannot keep up drops the frame (and counts it).
     */
    void send(ByteBuffer frame);

    /** The NIC has room again after {@link FrameSink#deliver} returned false: queued frames may be retried. */
    default void receiveReady() {
    }

    /** Stops the I/O threads and closes every host socket or file. */
    @Override
    void close();
}
