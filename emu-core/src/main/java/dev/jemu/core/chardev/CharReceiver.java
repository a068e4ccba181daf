package dev.jemu.core.chardev;

/**
 * The device end of a character backend (a UART). Called on the machine-loop thread only; the backend asks
 * {@link #canReceive()} first and never delivers more, so guest flow control reaches the host (QEMU's
 * {@code IOCanReadHandler}).
 */
public interface CharReceiver {
    /** How many bytes the device can take now (free FIFO space). */
    int canReceive();

    void receive(byte[] data, int offset, int length);

    /**
     * A break condition on the line (QEMU's {@code CHR_EVENT_BREAK}: Ctrl-A b, a telnet BREAK). A UART reports
     * it to the guest; devices without the notion ignore it.
     */
    default void receiveBreak() {
    }
}
