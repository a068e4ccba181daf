package dev.jemu.devices.net;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A test netdev (and NIC side): keeps what it is sent and what is delivered to it; {@link #sink} is what the
 * NIC or hub gave it at {@link #start}.
 */
public final class RecordingBackend implements NetBackend, FrameSink {
    private final String id;
    public final List<byte[]> sent = new ArrayList<>(), delivered = new ArrayList<>();
    public volatile FrameSink sink;
    public final AtomicInteger ready = new AtomicInteger();

    public RecordingBackend(String id) {
        this.id = id;
    }

    @Override
    public String id() {
        return id;
    }

    @Override
    public String describe() {
        return id + ": index=0,type=test,";
    }

    @Override
    public void start(FrameSink toGuest) {
        sink = toGuest;
    }

    @Override
    public void send(ByteBuffer frame) {
        sent.add(bytes(frame));
    }

    @Override
    public boolean deliver(ByteBuffer frame) {
        delivered.add(bytes(frame));
        return true;
    }

    @Override
    public void receiveReady() {
        ready.incrementAndGet();
    }

    @Override
    public void close() {
    }

    private static byte[] bytes(ByteBuffer frame) {
        byte[] b = new byte[frame.remaining()];
        frame.duplicate().get(b);
        return b;
    }
}
