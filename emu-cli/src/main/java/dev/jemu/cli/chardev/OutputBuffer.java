package dev.jemu.cli.chardev;

import java.io.IOException;
import java.io.OutputStream;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Output of a serial port: the machine thread only copies bytes into a buffer; a daemon thread writes them
 * out at most {@link #BATCH_NANOS} after the first byte of a burst. A guest writing its UART byte by byte
 * thus costs one host write per burst (not one per byte) and an interactive echo still shows at once.
 * When the buffer is full the machine thread waits (a stopped terminal pauses the guest; no byte is lost),
 * unless the buffer is {@code lossy}: a socket or pty whose peer stops reading must never stall the machine,
 * so what does not fit is dropped (as QEMU drops output while a socket has no client).
 */
public final class OutputBuffer implements AutoCloseable {
    static final int CAPACITY = 64 * 1024;
    private static final long BATCH_NANOS = TimeUnit.MICROSECONDS.toNanos(500);

    private final OutputStream out;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition dirty = lock.newCondition();
    private final Condition drained = lock.newCondition();
    private final Object writeLock = new Object();
    private byte[] buf = new byte[CAPACITY];
    private byte[] spare = new byte[CAPACITY];
    private int len;
    private boolean closed;
    private boolean failed;
    private final boolean lossy;
    private final Thread flusher;

    public OutputBuffer(OutputStream out, String threadName) {
        this(out, threadName, false);
    }

    /** @param lossy drop what does not fit instead of waiting, and end quietly when the stream fails */
    public OutputBuffer(OutputStream out, String threadName, boolean lossy) {
        this.out = out;
        this.lossy = lossy;
        flusher = Thread.ofPlatform().name(threadName).daemon().unstarted(this::flushLoop);
        flusher.start();
    }

    public void write(byte[] data, int offset, int length) {
        lock.lock();
        try {
            while (length > 0) {
                if (closed || failed) {
                    return;
                }
                if (len == CAPACITY) {
                    if (lossy) {
                        return;
                    }
                    drained.awaitUninterruptibly();
                    continue;
                }
                int n = Math.min(length, CAPACITY - len);
                System.arraycopy(data, offset, buf, len, n);
                if (len == 0) {
                    dirty.signal();
                }
                len += n;
                offset += n;
                length -= n;
            }
        } finally {
            lock.unlock();
        }
    }

    /** Writes out everything buffered so far before returning. */
    public void flush() {
        writeOut();
    }

    /**
     * Writes out what is buffered, waiting at most {@code millis} for a peer that does not read (a socket, a
     * pty); the caller then closes the descriptor, which ends a write still blocked.
     */
    public void flush(long millis) {
        Thread flusher = Thread.ofPlatform().daemon().start(this::writeOut);
        try {
            flusher.join(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void flushLoop() {
        while (true) {
            lock.lock();
            try {
                while (len == 0 && !closed) {
                    dirty.awaitUninterruptibly();
                }
                if (closed) {
                    return;
                }
            } finally {
                lock.unlock();
            }
            LockSupport.parkNanos(BATCH_NANOS);   // let the rest of the burst arrive
            writeOut();
        }
    }

    private void writeOut() {
        synchronized (writeLock) {
            byte[] data;
            int n;
            lock.lock();
            try {
                data = buf;
                n = len;
                buf = spare;
                spare = data;
                len = 0;
                drained.signalAll();
            } finally {
                lock.unlock();
            }
            if (n == 0 || failed) {
                return;
            }
            try {
                out.write(data, 0, n);
                out.flush();
            } catch (IOException e) {
                // The reader went away (closed pipe, full disk): drop further output instead of stalling the guest.
                failed = true;
                if (lossy) {
                    return;
                }
                org.slf4j.LoggerFactory.getLogger(OutputBuffer.class).warn("serial output: {}", e.getMessage());
            }
        }
    }

    /** Flushes and stops the writer thread; the stream is closed unless it is the process's stdout. */
    @Override
    public void close() {
        writeOut();
        lock.lock();
        try {
            closed = true;
            dirty.signalAll();
            drained.signalAll();
        } finally {
            lock.unlock();
        }
        try {
            if (out instanceof java.io.FileOutputStream f && f.getFD() == java.io.FileDescriptor.out) {
                return;
            }
            out.close();
        } catch (IOException e) {
            // closing after a flush: nothing left to lose
        }
    }
}
