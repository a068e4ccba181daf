package dev.jemu.devices.net.link;

import java.nio.ByteBuffer;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Frames the guest sent, copied on the machine thread, waiting for a backend's I/O thread. Bounded in bytes:
 * a backend whose peer does not keep up drops what does not fit (and counts it), so the guest never waits.
 */
final class SendQueue {
    /** Bytes queued at most (a few hundred full-size frames). */
    static final long LIMIT = 4L << 20;

    private final ConcurrentLinkedQueue<ByteBuffer> frames = new ConcurrentLinkedQueue<>();
    private final AtomicLong bytes = new AtomicLong();
    private final AtomicLong dropped = new AtomicLong();
    private final int prefix;

    /** @param prefix bytes reserved before each frame (4 for the stream wire's length) */
    SendQueue(int prefix) {
        this.prefix = prefix;
    }

    /** Copies {@code frame} (with its length in the prefix, if any); false when it was dropped. */
    boolean add(ByteBuffer frame) {
        int n = frame.remaining();
        if (bytes.addAndGet(n) > LIMIT) {
            bytes.addAndGet(-n);
            dropped.incrementAndGet();
            return false;
        }
        ByteBuffer b = ByteBuffer.allocate(prefix + n);
        if (prefix == 4) {
            b.putInt(n);
        }
        b.put(frame.duplicate()).flip();
        frames.add(b);
        return true;
    }

    ByteBuffer peek() {
        return frames.peek();
    }

    /** Removes the head (fully written). */
    void remove() {
        ByteBuffer b = frames.poll();
        if (b != null) {
            bytes.addAndGet(-(b.capacity() - prefix));
        }
    }

    boolean isEmpty() {
        return frames.isEmpty();
    }

    void clear() {
        while (!frames.isEmpty()) {
            remove();
        }
    }

    long dropped() {
        return dropped.get();
    }
}
