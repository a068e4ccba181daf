package dev.jemu.cli.monitor;

import dev.jemu.core.control.MachineControl;
import dev.jemu.core.migration.Migration;
import dev.jemu.devices.snapshot.SnapshotMachine;

/**
 * What every monitor session of one machine shares: the machine's control API and the facts the query
 * commands report. {@code version} is the QEMU interface version jemu implements (7.2.0), {@code packageName}
 * jemu's own ("jemu 0.1.0"). {@code snapshots} is the machine when it can save itself into its disks (savevm,
 * loadvm), else null. {@code jobs} are the QMP jobs (snapshot-save ...), shared by every session. {@code migration}
 * is the machine's live migration (null when the board cannot save itself); {@code gdb} the gdb stub (HMP's
 * {@code gdbserver}).
 */
record MonitorContext(MachineControl control, String packageName, String vmName, String machineName,
                      String architecture, SnapshotMachine snapshots, QmpJobs jobs, Migration migration,
                      GdbServers gdb) {
    MonitorContext(MachineControl control, String packageName, String vmName, String machineName,
                   String architecture, SnapshotMachine snapshots, Migration migration) {
        this(control, packageName, vmName, machineName, architecture, snapshots, new QmpJobs(control), migration,
                new GdbServers(control));
    }

    static final int QEMU_MAJOR = 7, QEMU_MINOR = 2, QEMU_MICRO = 0;

    static String qemuVersion() {
        return QEMU_MAJOR + "." + QEMU_MINOR + "." + QEMU_MICRO;
    }
}
