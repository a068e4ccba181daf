package dev.jemu.core.machine;

/** A built, loaded machine. */
public interface Machine extends AutoCloseable {
    /** Runs the guest until it powers off (or the user quits); returns the process exit status. */
    int run();

    /**
     * The run control monitors use (pause, resume, reset, quit, events); one per machine, created with it. Every
     * board has one; only a stand-in machine (a test's lambda) may return null, and then gets no monitor.
     */
    default dev.jemu.core.control.MachineControl control() {
        return null;
    }

    @Override
    default void close() {
    }
}
