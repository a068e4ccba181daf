package dev.jemu.cli.chardev;

import dev.jemu.core.chardev.CharBackend;
import dev.jemu.core.chardev.CharReceiver;
import java.io.OutputStream;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.function.Consumer;

/**
 * A backend on a host descriptor ({@link PtyBackend}, {@link TtyBackend}). A reader thread polls it (at most
 * 100 ms at a time, so it notices both a close and a pty's peer coming and going) and feeds an
 * {@link InputPump}; output goes through a lossy {@link OutputBuffer}, so a peer that stops reading never
 * stalls the machine. While nobody is connected (a pty whose slave is not open) output is dropped, as QEMU does.
 */
abstract class FdBackend implements CharBackend {
    private static final int POLL_MILLIS = 100;

    protected final HostFd fd;
    private final String label;
    private final OutputBuffer out;
    private volatile boolean connected;
    private volatile boolean stop;
    private InputPump pump;
    private Thread reader;

    FdBackend(HostFd fd, String label, boolean connectedAtStart) {
        this.fd = fd;
        this.label = label;
        this.connected = connectedAtStart;
        this.out = new OutputBuffer(new OutputStream() {
            @Override
            public void write(int b) throws java.io.IOException {
                write(new byte[] {(byte) b}, 0, 1);
            }

            @Override
            public void write(byte[] b, int off, int len) throws java.io.IOException {
                if (!fd.writeFully(b, off, len)) {
                    throw new java.io.IOException("write failed");
                }
            }
        }, "jemu-chardev-" + label + "-out", true);
    }

    /** Whether the other end is there; false drops output. */
    boolean connected() {
        return connected;
    }

    @Override
    public void write(byte[] data, int offset, int length) {
        if (connected) {
            out.write(data, offset, length);
        }
    }

    @Override
    public void connect(CharReceiver receiver, Consumer<Runnable> poster) {
        if (pump != null) {
            throw new IllegalStateException(label + " is already connected");
        }
        pump = new InputPump(receiver, poster);
        reader = Thread.ofPlatform().name("jemu-chardev-" + label + "-in").daemon().start(this::readLoop);
    }

    private void readLoop() {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment buf = a.allocate(4096);
            MemorySegment err = HostFd.errnoSlot(a);
            while (!stop) {
                int ev = fd.poll(POLL_MILLIS);
                if ((ev & HostFd.POLLHUP) != 0 && (ev & HostFd.POLLIN) == 0) {
                    connected = false;   // a pty without its slave open: wait for someone to open it
                    Thread.sleep(POLL_MILLIS);
                    continue;
                }
                if (ev == 0) {
                    connected = true;
                    continue;
                }
                long n = fd.read(buf, err);
                if (n == 0 || n == -5 /* EIO: a pty's slave went away */) {
                    if (!hangupIsTemporary()) {
                        return;
                    }
                    connected = false;
                    Thread.sleep(POLL_MILLIS);
                    continue;
                }
                if (n < 0) {
                    if (n == -4 || n == -11) { // EINTR, EAGAIN
                        continue;
                    }
                    return;
                }
                connected = true;
                byte[] data = new byte[(int) n];
                MemorySegment.copy(buf, ValueLayout.JAVA_BYTE, 0, data, 0, (int) n);
                pump.offer(data);
            }
        } catch (java.io.IOException e) {
            // the descriptor failed: no more input
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** A pty outlives its clients (false: end of input is final, as for a plain device). */
    abstract boolean hangupIsTemporary();

    @Override
    public void receiverReady() {
        InputPump.push(pump);
    }

    @Override
    public void close() {
        stop = true;
        out.flush(1000);
        try {
            if (reader != null) {
                reader.join(2 * POLL_MILLIS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        fd.close();
        out.close();
    }
}
