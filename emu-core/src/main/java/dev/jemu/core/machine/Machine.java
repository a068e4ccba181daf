package dev.jemu.core.machine;

/** A built, loaded machine. */
public interface Machine extends AutoCloseable {
    /** Runs the guest until it powers off (or the user quits); returns the process exit status. */
    int run();

    /** Writes every open drive's data out to its image (Ctrl-A s). Machine-loop thread. */
    default void flushDisks() {
    }

    /** Ends {@link #run} with {@code status} as soon as possible (a signal, the user quitting). Any thread. */
    default void quit(int status) {
    }

    @Override
    default void close() {
    }
}
