package dev.jemu.cli.chardev;

import java.io.ByteArrayOutputStream;

/**
 * QEMU's escape keys on a multiplexed console ({@code mon:stdio}, {@code -chardev ...,mux=on}): Ctrl-A then
 * a key. x quits, h prints the keys, s flushes the disks, t toggles timestamps on the console's output,
 * b sends a break to the serial port, c switches the keyboard between the guest and the monitor (when one
 * sits on the mux), Ctrl-A sends one Ctrl-A to the guest; any other key after Ctrl-A is dropped.
 */
public final class MuxEscape {
    public static final int ESCAPE = 0x01;   // Ctrl-A

    /** What the keys do; called on the thread that filters the input. */
    public interface Actions {
        void quit();

        void help();

        default void flushDisks() {
        }

        default void toggleTimestamps() {
        }

        default void sendBreak() {
        }

        /** Ctrl-A c: the keyboard goes to the monitor, or back to the guest (only with a monitor on the mux). */
        default void switchFocus() {
        }
    }

    /** QEMU's list, its words and its "\n\r" line ends, except s: jemu flushes every disk (see README). */
    static final String HELP = "\n\r"
            + "C-a h    print this help\n\r"
            + "C-a x    exit emulator\n\r"
            + "C-a s    flush disk data to the image files\n\r"
            + "C-a t    toggle console timestamps\n\r"
            + "C-a b    send break (magic sysrq)\n\r"
            + "C-a c    switch between console and monitor\n\r"
            + "C-a C-a  sends C-a\n\r";

    private final Actions actions;
    private boolean escaped;

    public MuxEscape(Actions actions) {
        this.actions = actions;
    }

    /** Filters {@code n} bytes typed by the user; returns the bytes for the guest. */
    public byte[] filter(byte[] in, int n) {
        return filter(in, 0, n);
    }

    /** Filters {@code in[off..off+n)}; returns the bytes for the guest. */
    public byte[] filter(byte[] in, int off, int n) {
        ByteArrayOutputStream guest = new ByteArrayOutputStream(n);
        for (int i = off; i < off + n; i++) {
            int b = in[i] & 0xff;
            if (!escaped) {
                if (b == ESCAPE) {
                    escaped = true;
                } else {
                    guest.write(b);
                }
                continue;
            }
            escaped = false;
            switch (b) {
                case ESCAPE -> guest.write(ESCAPE);
                case 'x', 'X' -> actions.quit();
                case 'h', 'H', '?' -> actions.help();
                case 's', 'S' -> actions.flushDisks();
                case 't', 'T' -> actions.toggleTimestamps();
                case 'b', 'B' -> actions.sendBreak();
                case 'c', 'C' -> actions.switchFocus();
                default -> {
                }
            }
        }
        return guest.toByteArray();
    }
}
