package dev.jemu.devices.block;

/** One internal snapshot as `info` and `snapshot -l` list it (qemu-img's field names). */
public record SnapshotInfo(String id, String name, long vmStateSize, long dateSec, long dateNsec,
                           long vmClockNsec, long icount, long diskSize) {
}
