package dev.jemu.core.machine;

/** A built, loaded machine. */
public interface Machine extends AutoCloseable {
    /** Runs the guest until it powers off (or the user quits); returns the process exit status. */
    int run();

    /** The run control monitors use (pause, resume, reset, quit, events); one per machine, created with it. */
    dev.jemu.core.control.MachineControl control();

    @Override
    default void close() {
    }
}
