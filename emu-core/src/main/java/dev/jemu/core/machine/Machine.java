package dev.jemu.core.machine;

/** A built, loaded machine. */
public interface Machine extends AutoCloseable {
    /** Runs the guest until it powers off (or the user quits); returns the process exit status. */
    int run();

    @Override
    default void close() {
    }
}
