package dev.jemu.core.snapshot;

import dev.jemu.core.memory.GuestRam;
import dev.jemu.core.state.Stateful;
import dev.jemu.core.time.VirtualClock;
import java.util.List;

/**
 * What a board shows of itself to be saved as one machine state stream ({@link MachineStateStream}) and loaded
 * back: its identity, its RAM, its clock and every CPU and device. Used on the machine-loop thread only, while
 * the machine is stopped.
 */
public interface MachineState {
    /** The CPU architecture's name, e.g. {@code riscv64}. */
    String architecture();

    /** The board's name, e.g. {@code virt}. */
    String board();

    GuestRam ram();

    VirtualClock clock();

    /** Every CPU and device, each with a unique {@link Stateful#stateId()}; the order of loading. */
    List<Stateful> stateful();

    /**
     * The pluggable devices, one line each (a disk with its virtual size, a virtio-rng, a 9p share's tag): a
     * state only loads onto the same set, so that no record meets another kind of device in the same slot.
     */
    List<String> deviceSet();

    /** After a load: drop whatever was derived from the old RAM (decoded code, TLBs). */
    void stateLoaded();

    /**
     * Live migration's dirty log was just taken: every CPU drops its cached writable page mappings (write TLB), so
     * its next store to each page marks the page again ({@link dev.jemu.core.memory.DirtyLog}). Machine thread.
     * The default drops everything {@link #stateLoaded} drops, which is correct but slower.
     */
    default void dropWriteMappings() {
        stateLoaded();
    }

    /**
     * Live migration hands the disks to another process: make everything durable and release the image locks
     * (QEMU's inactivation), reads still allowed. Machine thread, machine stopped. Default: no disks.
     */
    default void inactivateDisks() {
    }

    /**
     * Takes the disks back after {@link #inactivateDisks}, or (on the destination) after the incoming
     * state: reopens them with their locks; a {@link dev.jemu.core.state.StateException} if another process holds
     * them. Nothing to do for disks that are active.
     */
    default void activateDisks() {
    }
}
