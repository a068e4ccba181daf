package dev.jemu.cli.img;

import dev.jemu.devices.block.Sizes;
import dev.jemu.devices.block.SnapshotInfo;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.List;

/**
 * The snapshot table as qemu-img's {@code snapshot -l}/{@code info} and the HMP's {@code info snapshots} print
 * it (QEMU's {@code bdrv_snapshot_dump}), so scripts that parse one parse the other.
 */
public final class SnapshotTable {
    private SnapshotTable() {
    }

    /**
     * The heading and one row per snapshot, each ending in a newline. {@code dashIds}: the ID column shows
     * {@code --}, as the HMP does for snapshots present on all disks (their IDs differ from disk to disk).
     */
    public static String format(List<SnapshotInfo> snaps, boolean dashIds) {
        StringBuilder b = new StringBuilder();
        b.append(String.format("%-9s %-17s %7s%20s%13s%11s%n", "ID", "TAG", "VM SIZE", "DATE", "VM CLOCK", "ICOUNT"));
        DateTimeFormatter df = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss").withZone(ZoneId.systemDefault());
        for (SnapshotInfo s : snaps) {
            long ns = s.vmClockNsec();
            String clock = String.format("%02d:%02d:%02d.%03d", ns / 3_600_000_000_000L, (ns / 60_000_000_000L) % 60,
                    (ns / 1_000_000_000L) % 60, (ns / 1_000_000L) % 1000);
            // qemu-img's row: the name column is one narrower than its heading, so an 8-character size still aligns
            b.append(String.format("%-9s %-16s %8s%20s%13s%11s%n", dashIds ? "--" : s.id(), s.name(),
                    Sizes.human(s.vmStateSize()), df.format(Instant.ofEpochSecond(s.dateSec())), clock,
                    s.icount() < 0 ? "" : Long.toString(s.icount())));
        }
        return b.toString();
    }
}
