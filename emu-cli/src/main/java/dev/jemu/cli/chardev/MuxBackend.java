package dev.jemu.cli.chardev;

import dev.jemu.core.chardev.CharBackend;
import dev.jemu.core.chardev.CharReceiver;
import java.nio.charset.StandardCharsets;
import java.util.function.Consumer;
import java.util.function.LongSupplier;

/**
 * QEMU's {@code mux=on} (and the {@code mon:} prefix) over any backend: the Ctrl-A escape keys on its input
 * ({@link MuxEscape}) and Ctrl-A t's timestamps on its output. Input passes through a small buffer of its own,
 * as in QEMU's mux, so an escape key still works while the guest is not reading. Key actions run as posted
 * work on the machine thread, never inside a device register access. With a monitor attached (QEMU's
 * {@code mon:} prefix), Ctrl-A c moves the keyboard between the device and the monitor; the output of both
 * goes to the backend.
 */
public final class MuxBackend implements CharBackend {
    static final int BUFFER = 32;

    private final CharBackend inner;
    private final LongSupplier millis;
    private volatile Runnable flushDisks = () -> { };
    private volatile Runnable quit = () -> {
        throw new UserQuit();
    };
    private CharReceiver receiver;
    private Consumer<Runnable> poster;
    private MuxEscape escape;
    // machine thread only
    private final byte[] pending = new byte[BUFFER];
    private int pendingLen;
    private boolean timestamps;
    private boolean lineStart;
    private long timestampStart = -1;
    private boolean monitorFocus;
    private boolean wantsMonitor;
    private volatile MuxMonitor monitor;

    /** The monitor session on a mux: it gets the keyboard while it has the focus. */
    public interface MuxMonitor {
        void focusIn();

        void focusOut();

        void input(byte[] data, int off, int len);
    }

    public MuxBackend(CharBackend inner) {
        this(inner, System::currentTimeMillis);
    }

    MuxBackend(CharBackend inner, LongSupplier millis) {
        this.inner = inner;
        this.millis = millis;
    }

    public CharBackend inner() {
        return inner;
    }

    /**
     * What Ctrl-A x does on the machine thread: set by the launcher to the machine's quit (a thrown
     * {@link UserQuit} would be contained as a device fault by the machine loop).
     */
    public void onQuit(Runnable action) {
        quit = action;
    }

    /** What Ctrl-A s does: set by the launcher once the machine (and its disks) exist. */
    public void onFlushDisks(Runnable action) {
        flushDisks = action;
    }

    /** Marks this mux as a {@code mon:} one, which gets the HMP monitor. */
    public void wantMonitor() {
        wantsMonitor = true;
    }

    public boolean wantsMonitor() {
        return wantsMonitor;
    }

    /** Puts a monitor behind Ctrl-A c (before the machine runs). */
    public void attachMonitor(MuxMonitor m) {
        monitor = m;
    }

    /** The monitor's output, on the same backend as the device's. Any thread. */
    public void monitorOutput(byte[] data) {
        inner.write(data, 0, data.length);
    }

    @Override
    public void write(byte[] data, int offset, int length) {
        if (!timestamps) {
            inner.write(data, offset, length);
            return;
        }
        // QEMU's format: "[hh:mm:ss.mmm] " at each line start, counted from the first stamp after the toggle
        int from = offset;
        for (int i = offset; i < offset + length; i++) {
            if (lineStart) {
                inner.write(data, from, i - from);
                from = i;
                stamp();
                lineStart = false;
            }
            if (data[i] == '\n') {
                lineStart = true;
            }
        }
        inner.write(data, from, offset + length - from);
    }

    private void stamp() {
        long now = millis.getAsLong();
        if (timestampStart < 0) {
            timestampStart = now;
        }
        long t = now - timestampStart, secs = t / 1000;
        byte[] s = String.format("[%02d:%02d:%02d.%03d] ", secs / 3600, (secs / 60) % 60, secs % 60, t % 1000)
                .getBytes(StandardCharsets.US_ASCII);
        inner.write(s, 0, s.length);
    }

    @Override
    public void connect(CharReceiver receiver, Consumer<Runnable> poster) {
        this.receiver = receiver;
        this.poster = poster;
        this.escape = new MuxEscape(new MuxEscape.Actions() {
            @Override
            public void quit() {
                poster.accept(() -> quit.run());
            }

            @Override
            public void help() {
                byte[] text = MuxEscape.HELP.getBytes(StandardCharsets.US_ASCII);
                inner.write(text, 0, text.length);
            }

            @Override
            public void flushDisks() {
                poster.accept(() -> flushDisks.run());
            }

            @Override
            public void toggleTimestamps() {
                timestamps = !timestamps;
                timestampStart = -1;
                lineStart = false;
            }

            @Override
            public void sendBreak() {
                poster.accept(receiver::receiveBreak);
            }

            @Override
            public void switchFocus() {
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
        });
        inner.connect(new CharReceiver() {
            @Override
            public int canReceive() {
                return BUFFER - pendingLen;
            }

            @Override
            public void receive(byte[] data, int offset, int length) {
                MuxMonitor m = monitor;
                if (m == null) {
                    byte[] guest = escape.filter(data, offset, length);
                    System.arraycopy(guest, 0, pending, pendingLen, guest.length);
                    pendingLen += guest.length;
                } else {
                    // byte by byte: what follows a Ctrl-A c goes to the side that has the focus now
                    for (int i = offset; i < offset + length; i++) {
                        boolean toMonitor = monitorFocus;
                        byte[] b = escape.filter(data, i, 1);
                        if (b.length == 0) {
                            continue;
                        }
                        if (toMonitor && monitorFocus) {
                            m.input(b, 0, b.length);
                        } else {
                            pending[pendingLen++] = b[0];
                        }
                    }
                }
                drain();
            }

            @Override
            public void receiveBreak() {
                poster.accept(receiver::receiveBreak);
            }
        }, poster);
    }

    /** Hands the device what it has room for from the buffer. Machine thread. */
    private void drain() {
        int n = Math.min(pendingLen, receiver.canReceive());
        if (n <= 0) {
            return;
        }
        receiver.receive(pending, 0, n);
        System.arraycopy(pending, n, pending, 0, pendingLen - n);
        pendingLen -= n;
    }

    @Override
    public void receiverReady() {
        if (receiver == null) {
            return;
        }
        drain();
        inner.receiverReady();
    }

    @Override
    public void close() {
        inner.close();
    }
}
