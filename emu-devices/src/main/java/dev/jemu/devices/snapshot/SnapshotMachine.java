package dev.jemu.devices.snapshot;

import dev.jemu.core.snapshot.MachineState;
import dev.jemu.devices.block.Drive;
import java.util.List;

/** A machine whose state {@link VmSnapshots} saves into, and loads from, its disks' internal snapshots. */
public interface SnapshotMachine extends MachineState {
    /** The drives, /dev/vda first: the VM state goes into the first writable one, as QEMU's does. */
    List<Drive> drives();

    /**
     * Finishes every virtio request in flight (disks, rng, 9p), so nothing of the old run reaches a disk or RAM
     * after a revert.
     */
    void drainDevices();

    @Override
    default void inactivateDisks() {
        for (Drive d : drives()) {
            try {
                d.inactivate();
            } catch (dev.jemu.devices.block.BlockException e) {
                throw new dev.jemu.core.state.StateException(d.options().file() + ": " + e.getMessage());
            }
        }
    }

    @Override
    default void activateDisks() {
        for (Drive d : drives()) {
            try {
                d.activate();
            } catch (dev.jemu.devices.block.BlockException e) {
                throw new dev.jemu.core.state.StateException(e.getMessage());
            }
        }
    }
}
