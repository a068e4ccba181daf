package dev.jemu.devices.block.qcow2;

import dev.jemu.devices.block.BlockException;
import dev.jemu.devices.block.Bytes;

import java.util.ArrayList;
import java.util.List;

/**
 * Internal snapshots: create, apply (revert) and delete. A snapshot is a copy of the active L1 table;
 * every L2 table and data cluster it reaches gets one more reference, so later writes copy on write.
 *
 * <p>Order: references are raised before the snapshot table that needs them is written; the header
 * switches to a new table in one 12-byte write (nb_snapshots, snapshots_offset); references are lowered
 * only once the table no longer holds the snapshot. A kill between steps leaves leaks, or COPIED flags
 * that disagree with refcounts (reported and repaired by check -r all, as with qemu).
 */
final class Qcow2Snapshots {
    private final Qcow2Driver d;

    Qcow2Snapshots(Qcow2Driver d) {
        this.d = d;
    }

    void create(String name) throws BlockException {
        create(name, 0, 0, 0);
    }

    /** A snapshot of the active layer, with savevm's VM state size, guest clock and icount (-1: none). */
    void create(String name, long vmStateSize, long vmClockNsec, long icount) throws BlockException {
        if (name == null || name.isEmpty()) throw new BlockException("snapshot name must not be empty");
        for (Qcow2Snapshot s : d.snapshots) {
            if (s.name().equals(name)) throw new BlockException("a snapshot named '" + name + "' already exists");
        }
        if (d.snapshots.size() >= Qcow2Header.MAX_SNAPSHOTS) throw new BlockException("too many snapshots");
        long[] l1 = d.l1.clone();
        // 1. More references to everything the active L1 reaches; active flags cleared (now shared).
        addTreeRefs(l1, +1);
        d.barrier();
        clearActiveFlags();
        // 2. The copy of the L1 table.
        long l1Clusters = Math.max(1, Math.ceilDiv((long) l1.length * 8, d.cs));
        long l1Off = d.refcounts.allocate(l1Clusters);
        byte[] raw = new byte[(int) (l1Clusters * d.cs)];
        for (int i = 0; i < l1.length; i++) Bytes.putLong(raw, i * 8, l1[i] & ~Qcow2Driver.COPIED);
        d.file.write(l1Off, raw, 0, raw.length);
        // 3. The new snapshot table, then the header.
        long now = System.currentTimeMillis();
        String id = nextId();
        List<Qcow2Snapshot> list = new ArrayList<>(d.snapshots);
        list.add(new Qcow2Snapshot(l1Off, l1.length, id, name, now / 1000, (now % 1000) * 1_000_000L, vmClockNsec,
                vmStateSize, d.size(), icount, new byte[24]));
        writeTable(list);
    }

    void apply(String nameOrId) throws BlockException {
        Qcow2Snapshot s = find(nameOrId);
        if (s.diskSize() != d.size()) throw new BlockException("snapshot '" + s.name() + "' has a different disk size; not supported");
        long[] snapL1 = d.readSnapshotL1(s);
        if (snapL1.length > d.l1.length) d.growL1(snapL1.length);
        long[] oldActive = d.l1.clone();
        // 1. References for the snapshot's tree, which becomes active too.
        addTreeRefs(snapL1, +1);
        d.barrier();
        // 2. The active L1 takes the snapshot's entries (one write).
        long[] nl1 = new long[d.l1.length];
        System.arraycopy(snapL1, 0, nl1, 0, snapL1.length);
        byte[] raw = new byte[nl1.length * 8];
        for (int i = 0; i < nl1.length; i++) Bytes.putLong(raw, i * 8, nl1[i] & ~Qcow2Driver.COPIED);
        d.file.write(d.h.l1TableOffset, raw, 0, raw.length);
        d.l1 = nl1;
        for (int i = 0; i < nl1.length; i++) nl1[i] &= ~Qcow2Driver.COPIED;
        d.invalidateL2Cache();
        d.barrier();
        // 3. The old active tree loses its references.
        addTreeRefs(oldActive, -1);
        d.barrier();
        setActiveFlags();
    }

    void delete(String nameOrId) throws BlockException {
        Qcow2Snapshot s = find(nameOrId);
        long[] snapL1 = d.readSnapshotL1(s);
        List<Qcow2Snapshot> list = new ArrayList<>(d.snapshots);
        list.remove(s);
        writeTable(list);
        d.barrier();
        addTreeRefs(snapL1, -1);
        if (s.l1Size() > 0) d.refcounts.free(s.l1TableOffset(), Math.ceilDiv((long) s.l1Size() * 8, d.cs));
        d.barrier();
        setActiveFlags();
    }

    private Qcow2Snapshot find(String nameOrId) throws BlockException {
        for (Qcow2Snapshot s : d.snapshots) if (s.id().equals(nameOrId)) return s;
        for (Qcow2Snapshot s : d.snapshots) if (s.name().equals(nameOrId)) return s;
        throw new BlockException("snapshot '" + nameOrId + "' not found");
    }

    private String nextId() {
        long max = 0;
        for (Qcow2Snapshot s : d.snapshots) {
            try {
                max = Math.max(max, Long.parseLong(s.id()));
            } catch (NumberFormatException ignored) {
                // non-numeric ids do not take part in numbering
            }
        }
        return Long.toString(max + 1);
    }

    /** Writes a new snapshot table, switches the header to it, then frees the old table. */
    private void writeTable(List<Qcow2Snapshot> list) throws BlockException {
        long oldOff = d.h.snapshotsOffset;
        long oldBytes = Qcow2Snapshot.tableBytes(d.snapshots);
        byte[] raw = Qcow2Snapshot.serialize(list);
        long newOff = 0;
        if (!list.isEmpty()) {
            long clusters = Math.ceilDiv(raw.length, d.cs);
            newOff = d.refcounts.allocate(clusters);
            d.file.write(newOff, raw, 0, raw.length);
        }
        d.barrier();
        byte[] hdr = new byte[12];
        Bytes.putInt(hdr, 0, list.size());
        Bytes.putLong(hdr, 4, newOff);
        d.file.write(Qcow2Header.OFF_NB_SNAPSHOTS, hdr, 0, 12);
        d.barrier();
        d.h.nbSnapshots = list.size();
        d.h.snapshotsOffset = newOff;
        if (!d.snapshots.isEmpty() && oldOff != 0) d.refcounts.free(oldOff, Math.ceilDiv(oldBytes, d.cs));
        d.snapshots = Qcow2Snapshot.readTable(d.file, d.h);
    }

    /** Adds delta to the refcount of every L2 table and data cluster reachable from an L1 table. */
    private void addTreeRefs(long[] l1, int delta) throws BlockException {
        for (long e : l1) {
            long off = e & Qcow2Driver.OFFSET_MASK;
            if (off == 0) continue;
            long[] t = d.loadL2(off);
            for (long en : t) {
                long[] r = d.hostClustersOf(en);
                if (r != null) for (long c = r[0]; c < r[1]; c++) d.refcounts.add(c, delta);
            }
            d.refcounts.add(off >>> d.clusterBits, delta);
        }
    }

    private void clearActiveFlags() throws BlockException {
        for (int i = 0; i < d.l1.length; i++) {
            long off = d.l1[i] & Qcow2Driver.OFFSET_MASK;
            if (off == 0) continue;
            long[] t = d.loadL2(off);
            boolean changed = false;
            for (int k = 0; k < t.length; k++) {
                if ((t[k] & Qcow2Driver.COPIED) != 0) {
                    t[k] &= ~Qcow2Driver.COPIED;
                    changed = true;
                }
            }
            if (changed) d.writeL2EntriesRaw(off, t, 0, t.length);
            if ((d.l1[i] & Qcow2Driver.COPIED) != 0) d.writeL1EntryRaw(i, d.l1[i] & ~Qcow2Driver.COPIED);
        }
    }

    /** Sets COPIED wherever the refcount is exactly one in the active tree (after apply/delete). */
    private void setActiveFlags() throws BlockException {
        for (int i = 0; i < d.l1.length; i++) {
            long off = d.l1[i] & Qcow2Driver.OFFSET_MASK;
            if (off == 0) continue;
            boolean own = d.refcounts.get(off >>> d.clusterBits) == 1;
            if (own) {
                long[] t = d.loadL2(off);
                boolean changed = false;
                for (int k = 0; k < t.length; k++) {
                    long host = t[k] & Qcow2Driver.OFFSET_MASK;
                    if ((t[k] & Qcow2Driver.COMPRESSED) != 0 || host == 0) continue;
                    boolean want = d.refcounts.get(host >>> d.clusterBits) == 1;
                    long v = want ? t[k] | Qcow2Driver.COPIED : t[k] & ~Qcow2Driver.COPIED;
                    if (v != t[k]) {
                        t[k] = v;
                        changed = true;
                    }
                }
                if (changed) d.writeL2EntriesRaw(off, t, 0, t.length);
            }
            long v = own ? d.l1[i] | Qcow2Driver.COPIED : d.l1[i] & ~Qcow2Driver.COPIED;
            if (v != d.l1[i]) d.writeL1EntryRaw(i, v);
        }
    }
}
