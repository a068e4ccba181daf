package dev.jemu.devices.snapshot;

import dev.jemu.core.snapshot.MachineStateStream;
import dev.jemu.core.state.StateException;
import dev.jemu.devices.block.BlockException;
import dev.jemu.devices.block.Drive;
import dev.jemu.devices.block.SnapshotInfo;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * Whole-VM snapshots as QEMU's savevm/loadvm/delvm make them: every writable disk gets an internal snapshot
 * of the same name, and the first writable disk's also holds the machine state stream (its vm_state_size and
 * VM state area, qcow2.txt). Call on the machine-loop thread with the machine stopped (the guest clock paused);
 * every refusal is a {@link StateException} with one line.
 */
public final class VmSnapshots {
    private VmSnapshots() {
    }

    /** What one save or load did, for timing reports: total time, and the phases' (check, disks, state). */
    public record Result(String name, long vmStateSize, long nanos, long checkNanos, long diskNanos, long stateNanos) {
    }

    /**
     * savevm NAME: the machine state into the first writable disk's VM state area, then a snapshot of every
     * writable disk. An older snapshot of the same name is replaced, as in QEMU.
     */
    public static Result save(SnapshotMachine m, String name) {
        return save(m, name, writableDisks(m));
    }

    /** save on the given disks only (QMP's snapshot-save {@code devices}); the first one takes the VM state. */
    public static Result save(SnapshotMachine m, String name, List<Drive> disks) {
        long start = System.nanoTime();
        checkName(name);
        Drive vm = disks.get(0);
        m.drainDevices();
        try {
            for (Drive d : disks) {
                if (has(d, name)) {
                    d.snapshotDelete(name);
                }
            }
            vm.discardVmState();
            long t0 = System.nanoTime();
            VmStateOutput out = new VmStateOutput(vm);
            try {
                MachineStateStream.save(m, out); // devices drain first: their last writes reach the disks
                out.flush();
            } catch (IOException e) {
                vm.discardVmState();
                throw new StateException("cannot save the VM state on " + vm.options().file() + ": " + e.getMessage());
            }
            long t1 = System.nanoTime();
            long clock = m.clock().nanos();
            for (Drive d : disks) {
                d.flushAll();
                d.snapshotCreate(name, d == vm ? out.size() : 0, clock);
            }
            vm.discardVmState(); // the snapshot keeps it; the active layer need not copy it on the next save
            long t2 = System.nanoTime();
            return new Result(name, out.size(), t2 - start, 0, t2 - t1, t1 - t0);
        } catch (BlockException e) {
            throw new StateException("Error while creating snapshot on '" + vm.options().file() + "': "
                    + e.getMessage());
        }
    }

    /**
     * loadvm NAME: the state is checked against the machine first (nothing changes if it does not fit), then
     * every writable disk reverts to the snapshot and the machine state is loaded.
     */
    public static Result load(SnapshotMachine m, String name) {
        return load(m, name, writableDisks(m));
    }

    /** load from the given disks only (QMP's snapshot-load {@code devices}); the first one has the VM state. */
    public static Result load(SnapshotMachine m, String name, List<Drive> disks) {
        long start = System.nanoTime();
        Drive vm = disks.get(0);
        SnapshotInfo info = find(vm, name);
        if (info == null) {
            throw new StateException("Snapshot '" + name + "' does not exist in one or more devices");
        }
        if (info.vmStateSize() == 0) {
            throw new StateException("Snapshot '" + name + "' has no VM state (a disk-only snapshot: revert to it "
                    + "offline with jemu-img snapshot -a)");
        }
        for (Drive d : disks) {
            if (find(d, name) == null) {
                throw new StateException("Snapshot '" + name + "' does not exist in one or more devices");
            }
        }
        long t0 = System.nanoTime();
        try {
            MachineStateStream.check(m, new VmStateInput(vm, info.id(), info.vmStateSize()));
        } catch (StateException e) {
            throw new StateException("Snapshot '" + name + "': " + e.getMessage());
        }
        long t1 = System.nanoTime();
        m.drainDevices();
        try {
            for (Drive d : disks) {
                d.flushAll();
                d.snapshotApply(find(d, name).id());
            }
            vm.discardVmState(); // the revert brought the VM state into the active layer too; the snapshot has it
        } catch (BlockException e) {
            throw new StateException("Could not revert to snapshot '" + name + "': " + e.getMessage());
        }
        long t2 = System.nanoTime();
        try {
            MachineStateStream.load(m, new VmStateInput(vm, info.id(), info.vmStateSize()));
        } catch (StateException e) {
            throw new StateException("Error while loading VM state of snapshot '" + name + "': " + e.getMessage());
        }
        long t3 = System.nanoTime();
        return new Result(name, info.vmStateSize(), t3 - start, t1 - t0, t2 - t1, t3 - t2);
    }

    /**
     * delvm NAME: removes the snapshot from every writable disk that has it (a missing name is no error, nor is a
     * machine without disks, as QEMU's delvm).
     */
    public static void delete(SnapshotMachine m, String name) {
        if (m.drives().stream().allMatch(Drive::readOnly)) {
            return;
        }
        delete(m, name, writableDisks(m));
    }

    /** delete on the given disks only (QMP's snapshot-delete {@code devices}). */
    public static void delete(SnapshotMachine m, String name, List<Drive> disks) {
        m.drainDevices();
        for (Drive d : disks) {
            try {
                if (has(d, name)) {
                    d.snapshotDelete(name);
                }
            } catch (BlockException e) {
                throw new StateException("Error while deleting snapshot on '" + deviceName(d) + "': "
                        + e.getMessage());
            }
        }
    }

    /** The snapshots of the VM state disk (info snapshots), oldest first. */
    public static List<SnapshotInfo> list(SnapshotMachine m) {
        Drive vm = writableDisks(m).get(0);
        try {
            return List.copyOf(vm.snapshots());
        } catch (BlockException e) {
            throw new StateException(deviceName(vm) + ": " + e.getMessage());
        }
    }

    /** QEMU 7.2's error when no disk can take the VM state (savevm, loadvm and info snapshots without a disk). */
    public static final String NO_VM_STATE_DEVICE = "no block device can store vmstate for snapshot";

    /** Every writable disk, each able to hold snapshots (QEMU refuses a savevm otherwise). */
    private static List<Drive> writableDisks(SnapshotMachine m) {
        List<Drive> out = new ArrayList<>();
        for (Drive d : m.drives()) {
            if (d.readOnly()) {
                continue;
            }
            if (!d.hasVmStateArea()) {
                throw new StateException("Device '" + deviceName(d) + "' is writable but does not support snapshots");
            }
            out.add(d);
        }
        if (out.isEmpty()) {
            throw new StateException(NO_VM_STATE_DEVICE);
        }
        return out;
    }

    private static void checkName(String name) {
        if (name == null || name.isEmpty()) {
            throw new StateException("snapshot name must not be empty");
        }
    }

    /** Whether any of {@code disks} has a snapshot named (or numbered) {@code name}. */
    public static boolean anyHas(List<Drive> disks, String name) {
        for (Drive d : disks) {
            if (find(d, name) != null) {
                return true;
            }
        }
        return false;
    }

    private static boolean has(Drive d, String name) throws BlockException {
        return find(d, name) != null;
    }

    /** By id first, then by name, as QEMU looks snapshots up. */
    private static SnapshotInfo find(Drive d, String nameOrId) {
        try {
            List<SnapshotInfo> all = d.snapshots();
            for (SnapshotInfo s : all) {
                if (s.id().equals(nameOrId)) {
                    return s;
                }
            }
            for (SnapshotInfo s : all) {
                if (s.name().equals(nameOrId)) {
                    return s;
                }
            }
            return null;
        } catch (BlockException e) {
            throw new StateException(deviceName(d) + ": " + e.getMessage());
        }
    }

    private static String deviceName(Drive d) {
        return d.id() != null ? d.id() : d.options().file();
    }
}
