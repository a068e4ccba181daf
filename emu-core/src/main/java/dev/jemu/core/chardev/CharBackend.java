package dev.jemu.core.chardev;

/**
 * The host end of a serial port: stdio, a file, a socket, nothing. Output is written on the machine-loop
 * thread; input is read on the backend's own thread and handed to the {@link CharReceiver} through the
 * machine loop.
 */
public interface CharBackend extends AutoCloseable {
    void write(byte[] data, int offset, int length);

    default void write(int b) {
        write(new byte[] {(byte) b}, 0, 1);
    }

    /**
     * Connects the device side. {@code poster} runs a task on the machine-loop thread (usually
     * {@code MachineLoop::post}); the backend delivers input only through it.
     */
    void connect(CharReceiver receiver, java.util.function.Consumer<Runnable> poster);

    /** Tells the backend the device has room again (the guest drained its FIFO). Machine thread. */
    default void receiverReady() {
    }

    @Override
    default void close() {
    }
}
