package dev.jemu.devices.net.user;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;

/**
 * A bounded FIFO of bytes between a host socket and a TCP connection to the guest. It compacts instead of
 * wrapping, and its array starts small and grows up to the capacity only while data piles up: an idle connection
 * costs a few KiB, a busy one its full window.
 */
final class ByteQueue {
    private static final int INITIAL = 16 * 1024;
    private static final int READ_CHUNK = 64 * 1024;
    private final int capacity;
    private byte[] buf;
    private int head;
    private int tail;

    ByteQueue(int capacity) {
        this.capacity = capacity;
        this.buf = new byte[Math.min(INITIAL, capacity)];
    }

    int size() {
        return tail - head;
    }

    int free() {
        return capacity - size();
    }

    int capacity() {
        return capacity;
    }

    /** The array holding the bytes (valid until the next append or read) and where byte {@code i} is in it. */
    byte[] array() {
        return buf;
    }

    int offset(int i) {
        return head + i;
    }

    void append(byte[] b, int off, int len) {
        makeRoom(len);
        System.arraycopy(b, off, buf, tail, len);
        tail += len;
    }

    void consume(int n) {
        head += n;
        if (head == tail) {
            head = tail = 0;
        }
    }

    /** Reads what the channel has, up to the free space; -1 at end of stream. */
    int readFrom(SocketChannel ch) throws IOException {
        int room = free();
        if (room == 0) {
            return 0;
        }
        makeRoom(Math.min(room, READ_CHUNK));
        int n = ch.read(ByteBuffer.wrap(buf, tail, Math.min(buf.length - tail, room)));
        if (n > 0) {
            tail += n;
        }
        return n;
    }

    /** Writes as much as the channel takes. */
    int writeTo(SocketChannel ch) throws IOException {
        if (size() == 0) {
            return 0;
        }
        int n = ch.write(ByteBuffer.wrap(buf, head, size()));
        consume(n);
        return n;
    }

    /** Makes {@code len} bytes (at most the free space) writable after the tail: compacting, then growing. */
    private void makeRoom(int len) {
        if (buf.length - tail >= len) {
            return;
        }
        int size = size();
        byte[] target = buf;
        if (buf.length - size < len) {
            target = new byte[Math.min(capacity, Math.max(buf.length * 2, size + len))];
        }
        System.arraycopy(buf, head, target, 0, size);
        buf = target;
        head = 0;
        tail = size;
    }
}
