package dev.jemu.core.state;

/**
 * Anything whose state belongs in a snapshot or a migration stream: every CPU and device. State is written
 * as named, typed fields under a version number (QEMU's VMState idea), so a later jemu can read what an
 * earlier one wrote: a new field gets a default when absent, a changed meaning gets a version bump.
 */
public interface Stateful {
    /** Unique within a machine, stable across runs, e.g. {@code "uart@10000000"} or {@code "hart0"}. */
    String stateId();

    /** Version of the field layout this code writes: 1 until the layout first changes in a way that needs it. */
    default int stateVersion() {
        return 1;
    }

    void saveState(StateWriter out);

    /** Restores from {@code in}; {@code in.version()} tells which layout was written. */
    void loadState(StateReader in);
}
