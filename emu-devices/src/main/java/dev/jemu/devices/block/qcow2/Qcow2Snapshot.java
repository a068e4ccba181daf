package dev.jemu.devices.block.qcow2;

import dev.jemu.devices.block.BlockException;
import dev.jemu.devices.block.Bytes;
import dev.jemu.devices.block.ImageFile;
import dev.jemu.devices.block.SnapshotInfo;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * One entry of the snapshot table (qcow2.txt, "Snapshots"): a saved L1 table plus names and times.
 * Extra data we do not know is kept as-is when the table is rewritten.
 */
record Qcow2Snapshot(long l1TableOffset, int l1Size, String id, String name, long dateSec, long dateNsec,
                     long vmClockNsec, long vmStateSize, long diskSize, long icount, byte[] extra) {
    /** qemu's limit on the whole table. */
    static final long MAX_TABLE_BYTES = 64L << 20;

    SnapshotInfo info() {
        return new SnapshotInfo(id, name, vmStateSize, dateSec, dateNsec, vmClockNsec, icount, diskSize);
    }

    /** Bytes this entry occupies on disk. */
    long entryBytes() {
        return Qcow2Header.roundUp(40 + extra.length + id.getBytes(StandardCharsets.UTF_8).length
                + name.getBytes(StandardCharsets.UTF_8).length, 8);
    }

    static long tableBytes(List<Qcow2Snapshot> list) {
        long n = 0;
        for (Qcow2Snapshot s : list) n += s.entryBytes();
        return n;
    }

    static List<Qcow2Snapshot> readTable(ImageFile file, Qcow2Header h) throws BlockException {
        List<Qcow2Snapshot> out = new ArrayList<>();
        long pos = h.snapshotsOffset;
        long fileSize = file.size();
        int cs = h.clusterSize();
        for (int i = 0; i < h.nbSnapshots; i++) {
            if (pos - h.snapshotsOffset > MAX_TABLE_BYTES) throw BlockException.corrupt("snapshot table too large");
            byte[] e = new byte[40];
            file.readFully(pos, e, 0, 40, "snapshot table entry");
            long l1Off = Bytes.getLong(e, 0);
            int l1Size = Bytes.getInt(e, 8);
            int idLen = Bytes.getShort(e, 12), nameLen = Bytes.getShort(e, 14);
            long dateSec = Integer.toUnsignedLong(Bytes.getInt(e, 16));
            long dateNsec = Integer.toUnsignedLong(Bytes.getInt(e, 20));
            long vmClock = Bytes.getLong(e, 24);
            long vmState = Integer.toUnsignedLong(Bytes.getInt(e, 32));
            long extraLen = Integer.toUnsignedLong(Bytes.getInt(e, 36));
            if (extraLen > 1024) throw BlockException.corrupt("snapshot extra data too large (" + extraLen + " bytes)");
            byte[] extra = new byte[(int) extraLen];
            file.readFully(pos + 40, extra, 0, extra.length, "snapshot extra data");
            long diskSize = h.size, icount = -1;
            if (extraLen >= 8) vmState = Bytes.getLong(extra, 0);
            if (extraLen >= 16) diskSize = Bytes.getLong(extra, 8);
            if (extraLen >= 24) icount = Bytes.getLong(extra, 16);
            byte[] id = new byte[idLen], name = new byte[nameLen];
            file.readFully(pos + 40 + extraLen, id, 0, idLen, "snapshot id");
            file.readFully(pos + 40 + extraLen + idLen, name, 0, nameLen, "snapshot name");
            if ((l1Off & (cs - 1)) != 0) throw BlockException.corrupt("snapshot L1 table offset " + l1Off + " is not aligned");
            if (Integer.toUnsignedLong(l1Size) * 8 > Qcow2Header.MAX_L1_BYTES) throw BlockException.corrupt("snapshot L1 table too large");
            if (l1Size > 0 && l1Off + (long) l1Size * 8 > fileSize) throw BlockException.corrupt("snapshot L1 table beyond end of file");
            out.add(new Qcow2Snapshot(l1Off, l1Size, new String(id, StandardCharsets.UTF_8),
                    new String(name, StandardCharsets.UTF_8), dateSec, dateNsec, vmClock, vmState, diskSize, icount, extra));
            pos = Qcow2Header.roundUp(pos + 40 + extraLen + idLen + nameLen, 8);
        }
        return out;
    }

    /** The table as bytes, each entry padded to 8; v3 entries carry extra data up to icount. */
    static byte[] serialize(List<Qcow2Snapshot> list) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (Qcow2Snapshot s : list) {
            byte[] id = s.id.getBytes(StandardCharsets.UTF_8), name = s.name.getBytes(StandardCharsets.UTF_8);
            byte[] extra = s.extra.length >= 24 ? s.extra.clone() : java.util.Arrays.copyOf(s.extra, 24);
            Bytes.putLong(extra, 0, s.vmStateSize);
            Bytes.putLong(extra, 8, s.diskSize);
            Bytes.putLong(extra, 16, s.icount);
            byte[] e = new byte[(int) Qcow2Header.roundUp(40 + extra.length + id.length + name.length, 8)];
            Bytes.putLong(e, 0, s.l1TableOffset);
            Bytes.putInt(e, 8, s.l1Size);
            Bytes.putShort(e, 12, id.length);
            Bytes.putShort(e, 14, name.length);
            Bytes.putInt(e, 16, (int) s.dateSec);
            Bytes.putInt(e, 20, (int) s.dateNsec);
            Bytes.putLong(e, 24, s.vmClockNsec);
            Bytes.putInt(e, 32, (int) Math.min(s.vmStateSize, 0xffffffffL));
            Bytes.putInt(e, 36, extra.length);
            System.arraycopy(extra, 0, e, 40, extra.length);
            System.arraycopy(id, 0, e, 40 + extra.length, id.length);
            System.arraycopy(name, 0, e, 40 + extra.length + id.length, name.length);
            out.writeBytes(e);
        }
        return out.toByteArray();
    }
}
