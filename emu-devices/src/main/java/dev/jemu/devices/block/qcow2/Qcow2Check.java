package dev.jemu.devices.block.qcow2;

import dev.jemu.devices.block.BlockException;
import dev.jemu.devices.block.CheckResult;
import dev.jemu.devices.block.RepairMode;

import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;

/**
 * Consistency check of a qcow2 image, counted as qemu-img check counts: every reference from the header,
 * the L1/L2 tables (active and snapshots), the refcount structures and the snapshot table is tallied per
 * host cluster and compared with the stored refcount. Stored below references is a corruption (the
 * cluster could be handed out twice), above is a leak. A COPIED flag that disagrees with "refcount is 1"
 * is a corruption too. Repair raises or lowers stored refcounts and rewrites flags.
 */
final class Qcow2Check {
    /** Bound on the tally array (4 bytes per cluster). */
    private static final long MAX_CLUSTERS = 1L << 27;

    private final Qcow2Driver d;
    private final int cs;
    private final int cb;
    private long fileSize;
    private int[] refs;
    private long corruptions, leaks, allocated, compressed, fragmented;
    private long lastDataHost = -1;
    private final List<String> messages = new ArrayList<>();
    /** Active-tree entries whose COPIED flag must be compared with the final refcount. */
    private final List<long[]> copiedChecks = new ArrayList<>(); // {kind 0=L1/1=L2, tableOffset, index, host}

    Qcow2Check(Qcow2Driver d) {
        this.d = d;
        this.cs = d.cs;
        this.cb = d.clusterBits;
    }

    CheckResult run(RepairMode mode) throws BlockException {
        tally();
        List<Long> low = new ArrayList<>(), high = new ArrayList<>();
        compare(low, high);
        checkFlags(false, true);
        long c0 = corruptions, l0 = leaks;
        List<long[]> badFlags = checkFlags(true, false);
        if (mode == RepairMode.NONE || (c0 == 0 && l0 == 0)) return result(0, 0);
        // Repair: leaks first (lower), then, for ALL, raise refcounts and rewrite flags.
        for (long c : high) d.refcounts.set(c, c < refs.length ? refs[(int) c] : 0);
        if (mode == RepairMode.ALL) {
            TreeSet<Long> ranges = new TreeSet<>();
            for (long c : low) ranges.add(c / d.refcounts.entriesPerBlock());
            d.refcounts.ensureBlocks(ranges);
            for (long c : low) d.refcounts.set(c, refs[(int) c]);
            d.barrier();
            fixFlags(badFlags);
        }
        d.barrier();
        d.invalidateL2Cache();
        d.refcounts.invalidateCache();
        Qcow2Check again = new Qcow2Check(d);
        CheckResult after = again.run(RepairMode.NONE);
        if (mode == RepairMode.ALL && after.corruptions() == 0) d.clearCorrupt();
        return new CheckResult(after.filename(), after.format(), after.corruptions(), after.leaks(),
                Math.max(0, c0 - after.corruptions()), Math.max(0, l0 - after.leaks()), after.allocatedClusters(),
                after.totalClusters(), after.compressedClusters(), after.fragmentedClusters(),
                after.imageEndOffset(), concat(messages, after.messages()));
    }

    private static List<String> concat(List<String> a, List<String> b) {
        List<String> out = new ArrayList<>(a);
        out.addAll(b);
        return out;
    }

    /** End of the highest cluster inside the file that is referenced or has a stored refcount (qemu's rule). */
    private long imageEnd = 0;

    private CheckResult result(long cf, long lf) {
        long end = imageEnd;
        return new CheckResult(d.file.path().toString(), "qcow2", corruptions, leaks, cf, lf, allocated,
                Math.ceilDiv(d.size(), cs), compressed, fragmented, end, messages);
    }

    private void error(String m) {
        corruptions++;
        messages.add("ERROR " + m);
    }

    private void tally() throws BlockException {
        fileSize = d.file.size();
        long n = Math.ceilDiv(fileSize, cs);
        if (n > MAX_CLUSTERS) throw new BlockException("image too large to check (" + n + " clusters)");
        refs = new int[(int) n];
        ref(0, 1, "header");
        ref(d.h.l1TableOffset, Math.ceilDiv((long) d.l1.length * 8, cs), "L1 table");
        walk(d.l1, true);
        if (!d.snapshots.isEmpty()) {
            ref(d.h.snapshotsOffset, Math.ceilDiv(Qcow2Snapshot.tableBytes(d.snapshots), cs), "snapshot table");
            for (Qcow2Snapshot s : d.snapshots) {
                ref(s.l1TableOffset(), Math.ceilDiv((long) s.l1Size() * 8, cs), "snapshot L1 table");
                long[] sl1;
                try {
                    sl1 = d.readSnapshotL1(s);
                } catch (BlockException e) {
                    error("snapshot '" + s.name() + "': " + e.getMessage());
                    continue;
                }
                walk(sl1, false);
            }
        }
        if (!d.bitmaps.isEmpty()) { // the bitmap directory, tables and data clusters
            ref(d.h.bitmapDirectoryOffset, Math.ceilDiv(d.h.bitmapDirectorySize, cs), "bitmap directory");
            for (Qcow2Bitmaps.Entry b : d.bitmaps) {
                if (b.tableSize() == 0) continue;
                ref(b.tableOffset(), Math.ceilDiv((long) b.tableSize() * 8, cs), "bitmap table");
                for (long en : Qcow2Bitmaps.readTable(d.file, b)) {
                    long off = en & Qcow2Bitmaps.TABLE_OFFSET_MASK;
                    if (off != 0) ref(off, 1, "bitmap data");
                }
            }
        }
        Qcow2Refcounts rc = d.refcounts;
        ref(rc.tableOffset, rc.tableClusters, "refcount table");
        for (long r = 0; r < rc.table.length; r++) {
            long off = rc.table[(int) r] & ~511L;
            if (off == 0) continue;
            if ((off & (cs - 1)) != 0 || (rc.table[(int) r] & 511) != 0) {
                error("refcount block " + r + " has an invalid offset 0x" + Long.toHexString(rc.table[(int) r]));
                continue;
            }
            if (off >= fileSize) {
                error("refcount block " + r + " is outside image");
                continue;
            }
            ref(off, 1, "refcount block");
        }
    }

    /**
     * Counts one reference to each of n clusters from host offset off. As qemu-img, a region that ends a
     * whole cluster or more past end of file is one corruption and is not counted (so its stored refcount
     * is neither a leak nor checked: the file ends before it).
     */
    private void ref(long off, long n, String what) {
        long size = n << cb;
        if (off < 0 || off + size - fileSize >= cs) {
            corruptions++;
            messages.add("ERROR: counting reference for region exceeding the end of the file by one cluster or more: offset 0x"
                    + Long.toHexString(off) + " size 0x" + Long.toHexString(size));
            return;
        }
        long c0 = off >>> cb;
        for (long c = c0; c < c0 + n && c < refs.length; c++) refs[(int) c]++;
    }

    /** An L2 table that may end past end of file: the missing part reads as zeroes, as qemu reads it. */
    private long[] l2Lenient(long off) throws BlockException {
        if (off + cs <= fileSize) return d.loadL2(off);
        byte[] raw = new byte[cs];
        d.file.readUpTo(off, raw, 0, cs);
        long[] t = new long[cs / 8];
        for (int i = 0; i < t.length; i++) t[i] = dev.jemu.devices.block.Bytes.getLong(raw, i * 8);
        return t;
    }

    private void walk(long[] l1, boolean active) throws BlockException {
        for (int i = 0; i < l1.length; i++) {
            long e = l1[i];
            long off = e & Qcow2Driver.OFFSET_MASK;
            if (off == 0) continue;
            if ((off & (cs - 1)) != 0) {
                error("l2_offset=" + Long.toHexString(off) + ": L2 table is not cluster aligned; L1 entry corrupted");
                continue;
            }
            ref(off, 1, "L2 table");
            if (active) copiedChecks.add(new long[]{0, 0, i, off, e});
            if (off >= fileSize) continue; // reads as zeroes: nothing mapped
            long[] t = l2Lenient(off);
            for (int k = 0; k < t.length; k++) {
                long en = t[k];
                if ((en & Qcow2Driver.COMPRESSED) != 0) {
                    long[] r = d.hostClustersOf(en);
                    if ((en & Qcow2Driver.COPIED) != 0) error("compressed cluster with COPIED flag: l2_entry=" + Long.toHexString(en));
                    if (active) {
                        allocated++;
                        compressed++;
                    }
                    ref(r[0] << cb, r[1] - r[0], "compressed cluster");
                    continue;
                }
                long host = en & Qcow2Driver.OFFSET_MASK;
                if ((en & Qcow2Driver.ZERO) != 0 && d.h.version < 3) error("zero flag in a version 2 image: l2_entry=" + Long.toHexString(en));
                if (host == 0) continue;
                if ((host & (cs - 1)) != 0) {
                    error("offset=" + Long.toHexString(host) + ": data cluster is not cluster aligned; L2 entry corrupted");
                    continue;
                }
                ref(host, 1, "data cluster");
                if (active) {
                    if ((en & Qcow2Driver.ZERO) == 0) {
                        allocated++;
                        if (lastDataHost >= 0 && host != lastDataHost + cs) fragmented++;
                        lastDataHost = host;
                    }
                    copiedChecks.add(new long[]{1, off, k, host, en});
                }
            }
        }
    }

    private void compare(List<Long> low, List<Long> high) throws BlockException {
        Qcow2Refcounts rc = d.refcounts;
        long epb = rc.entriesPerBlock();
        long ranges = Math.max(rc.table.length, Math.ceilDiv((long) refs.length, epb));
        for (long r = 0; r < ranges; r++) {
            long boff = 0;
            try {
                boff = rc.blockOffset(r);
                if (boff + cs > fileSize) boff = 0;
            } catch (BlockException e) {
                boff = 0;
            }
            long lo = r * epb, hi = Math.min((r + 1) * epb, refs.length);
            for (long c = lo; c < hi; c++) {
                long exp = refs[(int) c];
                if (boff == 0 && exp == 0) continue;
                long stored = boff == 0 ? 0 : rc.get(c);
                if (stored != 0 || exp != 0) imageEnd = (c + 1) << cb;
                if (stored == exp) continue;
                if (stored < exp) {
                    error("cluster " + c + " refcount=" + stored + " reference=" + exp);
                    low.add(c);
                } else {
                    leaks++;
                    messages.add("Leaked cluster " + c + " refcount=" + stored + " reference=" + exp);
                    high.add(c);
                }
            }
        }
    }

    /**
     * Active entries whose COPIED flag disagrees with "refcount == 1": by the stored refcounts (what
     * qemu-img reports), or by the tallied references (what a repair makes the refcounts).
     */
    private List<long[]> checkFlags(boolean quiet, boolean stored) throws BlockException {
        List<long[]> bad = new ArrayList<>();
        for (long[] c : copiedChecks) {
            long host = c[3];
            long n;
            if (stored) n = (host >>> cb) < d.refcounts.coveredClusters() ? storedRefcount(host >>> cb) : 0;
            else n = (host >>> cb) < refs.length ? refs[(int) (host >>> cb)] : 0;
            boolean flag = (c[4] & Qcow2Driver.COPIED) != 0;
            if (flag != (n == 1)) {
                bad.add(c);
                if (!quiet) {
                    error("OFLAG_COPIED " + (c[0] == 0 ? "L2 cluster: l1_index=" : "data cluster: l2_entry=")
                            + (c[0] == 0 ? Long.toString(c[2]) : Long.toHexString(c[4])) + " refcount=" + n);
                }
            }
        }
        return bad;
    }

    private long storedRefcount(long cluster) {
        try {
            return d.refcounts.get(cluster);
        } catch (BlockException e) {
            return 0;
        }
    }

    private void fixFlags(List<long[]> bad) throws BlockException {
        for (long[] c : bad) {
            long host = c[3];
            boolean want = (host >>> cb) < refs.length && refs[(int) (host >>> cb)] == 1;
            long v = want ? (c[4] | Qcow2Driver.COPIED) : (c[4] & ~Qcow2Driver.COPIED);
            if (c[0] == 0) {
                d.writeL1EntryRaw((int) c[2], v);
            } else {
                long[] t = d.loadL2(c[1]);
                t[(int) c[2]] = v;
                d.writeL2EntriesRaw(c[1], t, (int) c[2], (int) c[2] + 1);
            }
        }
    }
}
