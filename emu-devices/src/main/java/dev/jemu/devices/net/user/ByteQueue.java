package dev.jemu.devices.net.user;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;

/** A bounded FIFO of bytes between a host socket and a TCP connection to the guest; compacts instead of wrapping. */
final class ByteQueue {
    private final byte[] buf;
    private int head;
    private int tail;

    ByteQueue(int capacity) {
        buf = new byte[capacity];
    }

    int size() {
        return tail - head;
    }

    int free() {
        return buf.length - size();
    }

    int capacity() {
        return buf.length;
    }

    /** The array holding the bytes and where byte {@code i} of the queue is in it. */
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
        makeRoom(room);
        int n = ch.read(ByteBuffer.wrap(buf, tail, buf.length - tail));
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

    private void makeRoom(int len) {
        if (buf.length - tail < len && head > 0) {
            System.arraycopy(buf, head, buf, 0, tail - head);
            tail -= head;
            head = 0;
        }
    }
}
