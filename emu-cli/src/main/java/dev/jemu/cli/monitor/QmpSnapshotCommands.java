package dev.jemu.cli.monitor;

import dev.jemu.core.control.ControlledBoard;
import dev.jemu.core.control.RunState;
import dev.jemu.core.state.StateException;
import dev.jemu.devices.block.Drive;
import dev.jemu.devices.snapshot.SnapshotMachine;
import dev.jemu.devices.snapshot.VmSnapshots;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * QEMU 7.2's job-style snapshot commands: snapshot-save, snapshot-load and snapshot-delete name the block nodes
 * to use ({@code devices}, and {@code vmstate} for the one holding the machine state), return at once and run as
 * a job (see {@link QmpJobs}); the checks QEMU makes in the job, with its texts, make the job fail. A node is
 * named by its node-name ({@code -blockdev node-name=...}, which jemu keeps as the drive's id), or by the device
 * name query-block gives it (a {@code -drive}'s node has only an automatic name in QEMU).
 */
final class QmpSnapshotCommands {
    private QmpSnapshotCommands() {
    }

    static final List<QmpCommands.Command> ALL = List.of(
            new QmpCommands.Command("snapshot-save", List.of(param("job-id"), param("tag"), param("vmstate"),
                    new QmpCommands.Param("devices", "array", false)), (c, a) -> job(c, a, "snapshot-save")),
            new QmpCommands.Command("snapshot-load", List.of(param("job-id"), param("tag"), param("vmstate"),
                    new QmpCommands.Param("devices", "array", false)), (c, a) -> job(c, a, "snapshot-load")),
            new QmpCommands.Command("snapshot-delete", List.of(param("job-id"), param("tag"),
                    new QmpCommands.Param("devices", "array", false)), (c, a) -> job(c, a, "snapshot-delete")),
            new QmpCommands.Command("query-jobs", List.of(), (c, a) -> CompletableFuture.completedFuture(c.jobs().query())),
            verb("dismiss"), verb("cancel"), verb("pause"), verb("resume"), verb("complete"), verb("finalize"));

    /** {@code job-VERB {id}}: an empty return, or the verb table's error. */
    private static QmpCommands.Command verb(String verb) {
        return new QmpCommands.Command("job-" + verb, List.of(param("id")), (c, a) -> {
            c.jobs().apply((String) a.get("id"), verb);
            return CompletableFuture.completedFuture(Map.of());
        });
    }

    private static QmpCommands.Param param(String name) {
        return new QmpCommands.Param(name, "str", false);
    }

    private static CompletableFuture<Object> job(MonitorContext c, Map<String, Object> a, String type) {
        List<String> devices = new ArrayList<>();
        List<?> raw = (List<?>) a.get("devices");
        for (int i = 0; i < raw.size(); i++) {
            if (!(raw.get(i) instanceof String s)) {
                throw QmpCommands.QmpError.generic("Invalid parameter type for 'devices[" + i + "]', expected: string");
            }
            devices.add(s);
        }
        String tag = (String) a.get("tag");
        String vmstate = (String) a.get("vmstate");
        SnapshotMachine m = c.snapshots();
        Runnable start = switch (type) {
            case "snapshot-save" -> c.jobs().create((String) a.get("job-id"), type,
                    board -> {
                        List<Drive> disks = nodes(m, board, devices, vmstate);
                        if (VmSnapshots.anyHas(disks, tag)) {
                            throw new StateException("Snapshot '" + tag + "' already exists in one or more devices");
                        }
                        return disks;
                    }, RunState.SAVE_VM, disks -> VmSnapshots.save(m, tag, disks));
            case "snapshot-load" -> c.jobs().create((String) a.get("job-id"), type,
                    board -> nodes(m, board, devices, vmstate), RunState.RESTORE_VM, disks -> VmSnapshots.load(m, tag, disks));
            default -> c.jobs().create((String) a.get("job-id"), type,
                    board -> nodes(m, board, devices, null), null, disks -> VmSnapshots.delete(m, tag, disks));
        };
        return CompletableFuture.completedFuture(new QmpCommands.AfterReply(Map.of(), start));
    }

    /**
     * The drives {@code devices} name, checked as QEMU checks them (in its order and words); the one holding the
     * VM state ({@code vmstate}, which must be among them) first. A node named twice counts once.
     */
    static List<Drive> nodes(SnapshotMachine m, ControlledBoard board, List<String> devices, String vmstate) {
        if (devices.isEmpty()) {
            throw new StateException("At least one device is required for snapshot");
        }
        List<Drive> out = new ArrayList<>();
        for (String name : devices) {
            Drive d = find(m, board, name);
            if (d == null) {
                throw new StateException("No block device node '" + name + "'");
            }
            if (!d.readOnly() && !d.hasVmStateArea()) {
                throw new StateException("Device '" + name + "' is writable but does not support snapshots");
            }
            if (!out.contains(d)) {
                out.add(d);
            }
        }
        if (vmstate != null) {
            Drive vm = devices.contains(vmstate) ? find(m, board, vmstate) : null;
            if (vm == null) {
                throw new StateException("vmstate block device '" + vmstate + "' does not exist");
            }
            out.remove(vm);
            out.add(0, vm);
        }
        return out;
    }

    /**
     * The drive named {@code node}: its node-name ({@code -blockdev}), else the device name query-block reports
     * for it ({@code -drive id=}, or {@code virtio0} ...), since jemu's query-block has no node names yet.
     */
    private static Drive find(SnapshotMachine m, ControlledBoard board, String node) {
        if (m == null) {
            return null;
        }
        List<Drive> drives = m.drives();
        List<ControlledBoard.BlockInfo> blocks = board.blocks(); // in the same order: /dev/vda first
        for (int i = 0; i < drives.size(); i++) {
            Drive d = drives.get(i);
            if (node.equals(d.id()) || (i < blocks.size() && node.equals(blocks.get(i).device()))) {
                return d;
            }
        }
        return null;
    }
}
