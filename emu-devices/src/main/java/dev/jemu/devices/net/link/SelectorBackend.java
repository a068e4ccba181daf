package dev.jemu.devices.net.link;

import dev.jemu.devices.net.FrameSink;
import dev.jemu.devices.net.NetBackend;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.util.Iterator;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A backend served by one thread and one NIO selector: the thread reads frames from its channels and hands
 * them to the NIC, and writes what the guest sent ({@link #wakeup} after queueing it).
 */
abstract class SelectorBackend implements NetBackend {
    protected final String id;
    protected final Selector selector;
    protected volatile FrameSink sink;
    /** Frames that came in malformed or found no room, dropped. */
    protected final AtomicLong rxDropped = new AtomicLong();
    private final AtomicBoolean wakeupPending = new AtomicBoolean();
    private final AtomicBoolean ready = new AtomicBoolean();
    private volatile boolean closed;
    private Thread thread;

    SelectorBackend(String id) {
        this.id = id;
        try {
            this.selector = Selector.open();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public String id() {
        return id;
    }

    @Override
    public void start(FrameSink toGuest) {
        sink = toGuest;
        thread = Thread.ofPlatform().daemon().name("netdev-" + id).start(this::run);
    }

    /** Any thread: the selector thread should look at its send queue. */
    protected final void wakeup() {
        if (!wakeupPending.getAndSet(true)) {
            selector.wakeup();
        }
    }

    @Override
    public void receiveReady() {
        ready.set(true);
        selector.wakeup();
    }

    private void run() {
        try {
            while (!closed) {
                selector.select();
                if (closed) {
                    break;
                }
                wakeupPending.set(false); // before looking at the queue: a frame added later wakes us again
                Iterator<SelectionKey> it = selector.selectedKeys().iterator();
                while (it.hasNext()) {
                    SelectionKey k = it.next();
                    it.remove();
                    if (k.isValid()) {
                        ready(k);
                    }
                }
                if (ready.getAndSet(false)) {
                    retryHeld();
                }
                flush();
            }
        } catch (IOException | RuntimeException e) {
            if (!closed) {
                System.err.println("jemu: netdev " + id + ": " + e.getMessage());
            }
        } finally {
            closeChannels();
        }
    }

    /** A channel is ready (accept, connect, read or write). */
    protected abstract void ready(SelectionKey key) throws IOException;

    /** The NIC has room again: deliver the frame it refused. */
    protected void retryHeld() throws IOException {
    }

    /** Writes what the guest sent. */
    protected abstract void flush() throws IOException;

    protected abstract void closeChannels();

    @Override
    public void close() {
        closed = true;
        selector.wakeup();
        if (thread != null) {
            try {
                thread.join(2000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        } else {
            closeChannels();
        }
        try {
            selector.close();
        } catch (IOException e) {
            // nothing to lose
        }
    }

    public long rxDropped() {
        return rxDropped.get();
    }
}
