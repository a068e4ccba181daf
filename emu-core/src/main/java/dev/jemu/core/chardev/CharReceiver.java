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
}
