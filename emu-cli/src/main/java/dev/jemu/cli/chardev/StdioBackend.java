package dev.jemu.cli.chardev;

import dev.jemu.core.chardev.CharBackend;
import dev.jemu.core.chardev.CharReceiver;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Semaphore;
import java.util.function.Consumer;
import org.slf4j.LoggerFactory;

/**
 * {@code -serial stdio} and {@code mon:stdio} (the {@code -nographic} default). Output goes through an
 * {@link OutputBuffer}. Input is read on a daemon thread and handed to the machine thread one chunk at a
 * time, never more than the UART says it can take: the guest's flow control reaches the host. On a terminal,
 * stdin is switched to raw mode while connected and, with {@code mux}, Ctrl-A keys are QEMU's escape keys;
 * from a pipe, bytes pass as they are. End of input is not an error: the guest just gets no more.
 */
public final class StdioBackend implements CharBackend {
    private final InputStream in;
    private final OutputBuffer out;
    private final boolean terminal;
    private final boolean mux;
    private final Semaphore chunkFree = new Semaphore(1);
    private CharReceiver receiver;
    private Terminal rawMode;
    // machine thread only: the chunk being delivered
    private byte[] chunk;
    private int chunkPos;

    /**
     * @param terminal stdin is a terminal: raw mode, and escape keys when {@code mux}
     * @param mux      QEMU's {@code mon:stdio}: Ctrl-A escapes, and Ctrl-C goes to the guest
     */
    public StdioBackend(InputStream in, OutputStream out, boolean terminal, boolean mux) {
        this.in = in;
        this.out = new OutputBuffer(out, "jemu-stdout");
        this.terminal = terminal;
        this.mux = mux;
    }

    @Override
    public void write(byte[] data, int offset, int length) {
        out.write(data, offset, length);
    }

    @Override
    public void connect(CharReceiver receiver, Consumer<Runnable> poster) {
        if (this.receiver != null) {
            throw new IllegalStateException("stdio is already connected");
        }
        this.receiver = receiver;
        if (terminal) {
            rawMode = Terminal.raw(!mux);
        }
        MuxEscape escape = terminal && mux ? new MuxEscape(new MuxEscape.Actions() {
            @Override
            public void quit() {
                poster.accept(() -> {
                    throw new UserQuit();
                });
            }

            @Override
            public void help() {
                byte[] text = MuxEscape.HELP.getBytes(StandardCharsets.US_ASCII);
                out.write(text, 0, text.length);
            }

            @Override
            public void switchFocus() {
                switchMonitorFocus();
            }
        }) : null;
        Thread.ofPlatform().name("jemu-stdin").daemon().start(() -> readLoop(escape, poster));
    }

    private void readLoop(MuxEscape escape, Consumer<Runnable> poster) {
        byte[] buf = new byte[4096];
        try {
            while (true) {
                int n = in.read(buf);
                if (n < 0) {
                    return;
                }
                if (escape != null && monitor != null) {
                    routeThroughMux(escape, buf, n, poster);
                    continue;
                }
                byte[] data = escape != null ? escape.filter(buf, n) : java.util.Arrays.copyOf(buf, n);
                if (data.length == 0) {
                    continue;
                }
                chunkFree.acquire();
                poster.accept(() -> deliver(data));
            }
        } catch (IOException e) {
            LoggerFactory.getLogger(StdioBackend.class).warn("stdin: {}", e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    // --- the monitor on this mux (QEMU's mon:stdio): Ctrl-A c moves the keyboard between guest and monitor ---

    /** The HMP session on the mux: it gets the keyboard while it has the focus; its output goes to stdout. */
    public interface MuxMonitor {
        void focusIn();

        void focusOut();

        void input(byte[] data, int off, int len);
    }

    private volatile MuxMonitor monitor;
    private volatile boolean monitorFocus;

    /** Whether this is {@code mon:stdio} (escape keys, and a monitor may sit behind Ctrl-A c). */
    public boolean isMux() {
        return mux;
    }

    /** Puts a monitor behind Ctrl-A c (before {@link #connect}, or at any time). */
    public void attachMonitor(MuxMonitor m) {
        monitor = m;
    }

    /** The monitor's output, on the same terminal as the guest's. Any thread. */
    public void monitorOutput(byte[] data) {
        out.write(data, 0, data.length);
    }

    private void switchMonitorFocus() {
        MuxMonitor m = monitor;
        if (m == null) {
            return;
        }
        monitorFocus = !monitorFocus;
        if (monitorFocus) {
            m.focusIn();
        } else {
            m.focusOut();
        }
    }

    /** Escape keys byte by byte, so that what follows a Ctrl-A c goes to the side that has the focus now. */
    private void routeThroughMux(MuxEscape escape, byte[] buf, int n, Consumer<Runnable> poster) throws InterruptedException {
        java.io.ByteArrayOutputStream guest = new java.io.ByteArrayOutputStream();
        for (int i = 0; i < n; i++) {
            boolean toMonitor = monitorFocus;
            byte[] b = escape.filter(new byte[] {buf[i]}, 1);
            if (b.length == 0) {
                continue;
            }
            if (toMonitor && monitorFocus) {
                monitor.input(b, 0, b.length);
            } else {
                guest.write(b, 0, b.length);
            }
        }
        if (guest.size() > 0) {
            byte[] data = guest.toByteArray();
            chunkFree.acquire();
            poster.accept(() -> deliver(data));
        }
    }

    private void deliver(byte[] data) {
        chunk = data;
        chunkPos = 0;
        push();
    }

    /** Hands the UART as much of the current chunk as it has room for. Machine thread. */
    private void push() {
        while (chunk != null) {
            int room = receiver.canReceive();
            if (room <= 0) {
                return;
            }
            int n = Math.min(room, chunk.length - chunkPos);
            receiver.receive(chunk, chunkPos, n);
            chunkPos += n;
            if (chunkPos == chunk.length) {
                chunk = null;
                chunkFree.release();
            }
        }
    }

    @Override
    public void receiverReady() {
        push();
    }

    /** Flushes output and gives the terminal back; call before printing anything else to the terminal. */
    @Override
    public void close() {
        out.close();
        if (rawMode != null) {
            rawMode.close();
            rawMode = null;
        }
    }
}
