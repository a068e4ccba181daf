package dev.jemu.cli.chardev;

import java.io.ByteArrayOutputStream;

/**
 * QEMU's escape keys on a {@code mon:stdio} terminal: Ctrl-A then a key. Ctrl-A x quits, Ctrl-A h prints
 * the keys, Ctrl-A Ctrl-A sends one Ctrl-A to the guest; any other key after Ctrl-A is dropped (QEMU's
 * monitor, break and timestamp keys do not exist in jemu).
 */
public final class MuxEscape {
    public static final int ESCAPE = 0x01;   // Ctrl-A

    public interface Actions {
        void quit();

        void help();

        /** Ctrl-A c: the keyboard goes to the monitor, or back to the guest (only with a monitor on the mux). */
        default void switchFocus() {
        }
    }

    static final String HELP = "\r\n"
            + "C-a h    print this help\r\n"
            + "C-a x    exit emulator\r\n"
            + "C-a c    switch between console and monitor\r\n"
            + "C-a C-a  sends C-a\r\n";

    private final Actions actions;
    private boolean escaped;

    public MuxEscape(Actions actions) {
        this.actions = actions;
    }

    /** Filters {@code n} bytes typed by the user; returns the bytes for the guest. */
    public byte[] filter(byte[] in, int n) {
        ByteArrayOutputStream guest = new ByteArrayOutputStream(n);
        for (int i = 0; i < n; i++) {
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
                case 'c', 'C' -> actions.switchFocus();
                default -> {
                }
            }
        }
        return guest.toByteArray();
    }
}
