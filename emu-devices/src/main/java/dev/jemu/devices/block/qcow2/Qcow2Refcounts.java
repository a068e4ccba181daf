package dev.jemu.devices.block.qcow2;

import dev.jemu.devices.block.BlockException;
import dev.jemu.devices.block.Bytes;
import dev.jemu.devices.block.ImageFile;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SortedSet;
import java.util.TreeSet;

/**
 * Reference counts of host clusters (qcow2.txt, "Host cluster management") and the cluster allocator.
 *
 * <p>Write-through mode: updates are written to the file at once, each as the smallest write that
 * holds the changed entry. Writeback mode: changed blocks stay in memory until {@link #writeDirty()},
 * which the driver calls first in its ordered metadata flush. New blocks and table switches are always
 * written at once (they are rare), after the blocks they depend on.
 *
 * <p>Update order, chosen so that a kill at any point leaves leaks at worst, never a cluster that is in
 * use but counted free:
 * <ol>
 * <li>A cluster's refcount is raised (and, with barriers, flushed) before anything that references it
 *     is written; the caller does that ({@link Qcow2Driver}).</li>
 * <li>A new refcount block is written in full, counting itself, before the refcount table entry that
 *     points to it.</li>
 * <li>A grown refcount table is written in full (with its new blocks) before the header points to it;
 *     the old table is freed only afterwards.</li>
 * <li>A refcount is lowered only after the last reference to the cluster is gone from disk.</li>
 * </ol>
 */
final class Qcow2Refcounts {
    private final ImageFile file;
    private final int clusterBits;
    private final int cs;
    private final int refcountBits;
    private final long maxRefcount;
    /** Refcount entries per block. */
    private final long entriesPerBlock;
    private final Runnable0 barrier;

    long tableOffset;
    int tableClusters;
    long[] table;

    private final LinkedHashMap<Long, byte[]> blockCache;
    /** Writeback mode: changed blocks wait here (pinned, never evicted) until {@link #writeDirty()}. */
    private final boolean deferred;
    private final LinkedHashMap<Long, byte[]> dirty = new LinkedHashMap<>();
    /** Lowest cluster that may be free. */
    private long freeHint;
    /** First cluster past everything allocated by appending (may be past end of file until written). */
    private long appendHigh;

    /** A flush that may fail; with barriers off it does nothing. */
    interface Runnable0 {
        void run() throws BlockException;
    }

    Qcow2Refcounts(ImageFile file, Qcow2Header h, Runnable0 barrier, boolean deferred) throws BlockException {
        this.file = file;
        this.deferred = deferred;
        this.clusterBits = h.clusterBits;
        this.cs = h.clusterSize();
        this.refcountBits = 1 << h.refcountOrder;
        this.maxRefcount = refcountBits == 64 ? Long.MAX_VALUE : (1L << refcountBits) - 1;
        this.entriesPerBlock = (long) cs * 8 / refcountBits;
        this.barrier = barrier;
        this.tableOffset = h.refcountTableOffset;
        this.tableClusters = h.refcountTableClusters;
        int entries = (int) ((long) tableClusters * cs / 8);
        byte[] raw = new byte[entries * 8];
        file.readFully(tableOffset, raw, 0, raw.length, "refcount table");
        table = new long[entries];
        for (int i = 0; i < entries; i++) table[i] = Bytes.getLong(raw, i * 8);
        int cacheBlocks = Math.max(4, (1 << 20) / cs);
        blockCache = new LinkedHashMap<>(16, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<Long, byte[]> e) {
                return size() > cacheBlocks;
            }
        };
    }

    long entriesPerBlock() {
        return entriesPerBlock;
    }

    long maxRefcount() {
        return maxRefcount;
    }

    private long fileClusters() throws BlockException {
        return Math.ceilDiv(file.size(), cs);
    }

    /** Offset of the refcount block for range r, 0 if none (validated). */
    long blockOffset(long r) throws BlockException {
        if (r < 0 || r >= table.length) return 0;
        long off = table[(int) r] & ~511L & ((1L << 56) - 1);
        if (off == 0) return 0;
        if ((off & (cs - 1)) != 0) throw BlockException.corrupt("refcount block offset " + off + " is not cluster-aligned");
        return off;
    }

    private byte[] loadBlock(long off) throws BlockException {
        byte[] b = dirty.get(off);
        if (b != null) return b;
        b = blockCache.get(off);
        if (b == null) {
            if (off + cs > file.size()) throw BlockException.corrupt("refcount block at " + off + " is beyond end of file");
            b = new byte[cs];
            file.readFully(off, b, 0, cs, "refcount block");
            blockCache.put(off, b);
        }
        return b;
    }

    long getEntry(byte[] block, long idx) {
        if (refcountBits >= 8) {
            int w = refcountBits / 8;
            int o = (int) (idx * w);
            long v = 0;
            for (int i = 0; i < w; i++) v = (v << 8) | (block[o + i] & 0xff);
            return v;
        }
        long bit = idx * refcountBits;
        int shift = (int) (bit & 7);
        return ((block[(int) (bit >>> 3)] & 0xff) >>> shift) & ((1 << refcountBits) - 1);
    }

    /** Sets an entry in a block buffer; returns the byte range [start, start+len) that changed. */
    private int[] setEntry(byte[] block, long idx, long v) {
        if (refcountBits >= 8) {
            int w = refcountBits / 8;
            int o = (int) (idx * w);
            for (int i = w - 1; i >= 0; i--) {
                block[o + i] = (byte) v;
                v >>>= 8;
            }
            return new int[]{o, w};
        }
        long bit = idx * refcountBits;
        int shift = (int) (bit & 7);
        int mask = ((1 << refcountBits) - 1) << shift;
        int o = (int) (bit >>> 3);
        block[o] = (byte) ((block[o] & ~mask) | (((int) v << shift) & mask));
        return new int[]{o, 1};
    }

    /** Refcount of a host cluster (0 where no block covers it). */
    long get(long cluster) throws BlockException {
        long off = blockOffset(cluster / entriesPerBlock);
        if (off == 0) return 0;
        return getEntry(loadBlock(off), cluster % entriesPerBlock);
    }

    /** Writes a refcount through to the file; the cluster's refcount block must exist. */
    void set(long cluster, long value) throws BlockException {
        if (value < 0 || value > maxRefcount) throw BlockException.corrupt("refcount overflow for cluster " + cluster);
        long off = blockOffset(cluster / entriesPerBlock);
        if (off == 0) throw BlockException.corrupt("no refcount block covers cluster " + cluster);
        byte[] b = loadBlock(off);
        int[] ch = setEntry(b, cluster % entriesPerBlock, value);
        if (deferred) dirty.put(off, b);
        else file.write(off + ch[0], b, ch[0], ch[1]);
        if (value == 0 && cluster < freeHint) freeHint = cluster;
    }

    void add(long cluster, long delta) throws BlockException {
        long v = get(cluster) + delta;
        if (v < 0) throw BlockException.corrupt("refcount of cluster " + cluster + " would drop below zero");
        set(cluster, v);
    }

    /** Drops one reference to each of n clusters from host offset off (call only once unreferenced on disk). */
    void free(long off, long n) throws BlockException {
        long c0 = off >>> clusterBits;
        for (long c = c0; c < c0 + n; c++) add(c, -1);
    }

    /** Allocates n contiguous clusters with refcount 1; returns the host offset of the first. */
    long allocate(long n) throws BlockException {
        if (n == 1) {
            long c = findFree();
            if (c >= 0) {
                set(c, 1);
                freeHint = c + 1;
                return c << clusterBits;
            }
        }
        return appendAllocate(n, new TreeSet<>()) << clusterBits;
    }

    /** First free cluster inside the file, among ranges that have a refcount block; -1 if none. */
    private long findFree() throws BlockException {
        long limit = Math.max(fileClusters(), appendHigh);
        long c = Math.max(freeHint, 1);
        while (c < limit) {
            long r = c / entriesPerBlock;
            long off = blockOffset(r);
            if (off == 0) {
                c = (r + 1) * entriesPerBlock;
                continue;
            }
            byte[] b = loadBlock(off);
            long end = Math.min(limit, (r + 1) * entriesPerBlock);
            for (; c < end; c++) {
                if (getEntry(b, c % entriesPerBlock) == 0) return c;
            }
        }
        freeHint = limit;
        return -1;
    }

    private boolean blockMissing(long r) throws BlockException {
        return r >= table.length || blockOffset(r) == 0;
    }

    /**
     * Allocates n clusters at the end of the image. Refcount blocks missing for the new clusters (and for
     * the ranges in extraRanges) are placed right after them and count themselves; returns the first
     * cluster. Grows the refcount table first when it cannot point to the new blocks.
     */
    long appendAllocate(long n, SortedSet<Long> extraRanges) throws BlockException {
        while (true) {
            long start = Math.max(fileClusters(), appendHigh);
            List<Long> missing = missingRanges(start, n, extraRanges);
            long end = start + n + missing.size();
            long maxRange = (end - 1) / entriesPerBlock;
            for (long r : missing) maxRange = Math.max(maxRange, r);
            if (maxRange >= table.length) {
                growTable(maxRange + 1);
                continue;
            }
            writeRegion(start, end, start + n, missing, null);
            if (missing.isEmpty()) { // the clusters' refcounts are set; the caller orders the rest
                appendHigh = end;
                return start;
            }
            barrier.run(); // blocks before the table entries that point to them
            for (int i = 0; i < missing.size(); i++) {
                long r = missing.get(i);
                long boff = (start + n + i) << clusterBits;
                table[(int) r] = boff;
                file.writeLong(tableOffset + r * 8, boff);
                blockSet = null;
            }
            appendHigh = end;
            return start;
        }
    }

    /** Ranges without a block among those covering [start, start+n+#missing) plus extra; fixed point. */
    private List<Long> missingRanges(long start, long n, SortedSet<Long> extra) throws BlockException {
        List<Long> missing = new ArrayList<>();
        while (true) {
            List<Long> m = new ArrayList<>();
            for (long r : extra) if (blockMissing(r)) m.add(r);
            long end = start + n + missing.size();
            for (long r = start / entriesPerBlock; r <= (end - 1) / entriesPerBlock; r++) {
                if (blockMissing(r) && !m.contains(r)) m.add(r);
            }
            m.sort(null);
            if (m.size() == missing.size()) return m;
            missing = m;
        }
    }

    /**
     * Counts every cluster of [start, end) once: in new blocks (written whole, placed from blockStart
     * on, one per missing range) and in existing blocks (written through). newTable, if given, receives
     * the new block pointers instead of the live table.
     */
    private void writeRegion(long start, long end, long blockStart, List<Long> missing, long[] newTable) throws BlockException {
        for (int i = 0; i < missing.size(); i++) {
            long r = missing.get(i);
            byte[] b = new byte[cs];
            long lo = Math.max(start, r * entriesPerBlock), hi = Math.min(end, (r + 1) * entriesPerBlock);
            for (long c = lo; c < hi; c++) setEntry(b, c - r * entriesPerBlock, 1);
            long boff = (blockStart + i) << clusterBits;
            file.write(boff, b, 0, cs);
            blockCache.put(boff, b);
            if (newTable != null) newTable[(int) r] = boff;
        }
        for (long r = start / entriesPerBlock; r <= (end - 1) / entriesPerBlock; r++) {
            if (missing.contains(r)) continue;
            long lo = Math.max(start, r * entriesPerBlock), hi = Math.min(end, (r + 1) * entriesPerBlock);
            for (long c = lo; c < hi; c++) set(c, 1);
        }
    }

    /**
     * Moves the refcount table to a bigger copy at the end of the image: new table and the blocks that
     * count it are written first, then the header is switched (one 12-byte write), then the old table
     * is freed.
     */
    private void growTable(long minEntries) throws BlockException {
        moveTable(Math.max(minEntries, (long) table.length * 2));
    }

    /**
     * Writes the refcount table anew at the end of the file (same size) and frees the old one, as qemu
     * does before preallocating (falloc/full resize), so that the file grows as qemu-img's does.
     */
    void relocateTable() throws BlockException {
        moveTable(table.length);
    }

    /** Moves the table to the end of the file with at least this many entries (and blocks for itself). */
    private void moveTable(long minEntries) throws BlockException {
        long perCluster = cs / 8;
        long entries = minEntries;
        while (true) {
            entries = Math.ceilDiv(entries, perCluster) * perCluster;
            long tc = entries / perCluster;
            if (tc * cs > Qcow2Header.MAX_REFTABLE_BYTES) throw new BlockException("image too large: refcount table would exceed 8 MiB");
            long start = Math.max(fileClusters(), appendHigh);
            // Missing ranges for the region: ranges beyond the old table count as missing.
            List<Long> missing = missingRanges(start, tc, new TreeSet<>());
            long end = start + tc + missing.size();
            long maxRange = (end - 1) / entriesPerBlock;
            if (maxRange >= entries) {
                entries = maxRange + 1;
                continue;
            }
            long[] newTable = java.util.Arrays.copyOf(table, (int) entries);
            writeRegion(start, end, start + tc, missing, newTable);
            byte[] raw = new byte[(int) (tc * cs)];
            for (int i = 0; i < newTable.length; i++) Bytes.putLong(raw, i * 8, newTable[i]);
            long newOffset = start << clusterBits;
            file.write(newOffset, raw, 0, raw.length);
            barrier.run(); // new table and blocks before the header points to them
            byte[] hdr = new byte[12];
            Bytes.putLong(hdr, 0, newOffset);
            Bytes.putInt(hdr, 8, (int) tc);
            file.write(Qcow2Header.OFF_REFCOUNT_TABLE, hdr, 0, 12);
            barrier.run(); // header switched before the old table is freed
            long oldOffset = tableOffset;
            int oldClusters = tableClusters;
            table = newTable;
            blockSet = null;
            tableOffset = newOffset;
            tableClusters = (int) tc;
            appendHigh = end;
            free(oldOffset, oldClusters);
            return;
        }
    }

    /** Makes sure every range in the set has a refcount block (used by repair). */
    void ensureBlocks(SortedSet<Long> ranges) throws BlockException {
        boolean any = false;
        for (long r : ranges) any |= blockMissing(r);
        if (!any) return;
        long start = appendAllocate(0, ranges);
        if (start < 0) throw new BlockException("internal: could not create refcount blocks");
    }

    /** Highest cluster index with a nonzero refcount, or -1. */
    long lastUsedCluster() throws BlockException {
        for (long r = table.length - 1; r >= 0; r--) {
            long off = blockOffset(r);
            if (off == 0) continue;
            byte[] b = loadBlock(off);
            for (long i = entriesPerBlock - 1; i >= 0; i--) {
                if (getEntry(b, i) != 0) return r * entriesPerBlock + i;
            }
        }
        return -1;
    }

    /** Number of clusters the refcount table can describe. */
    long coveredClusters() {
        return table.length * entriesPerBlock;
    }

    /** Writes the blocks changed in writeback mode; returns whether there were any. */
    boolean writeDirty() throws BlockException {
        if (dirty.isEmpty()) return false;
        for (Map.Entry<Long, byte[]> e : dirty.entrySet()) file.write(e.getKey(), e.getValue(), 0, cs);
        for (Map.Entry<Long, byte[]> e : dirty.entrySet()) blockCache.put(e.getKey(), e.getValue());
        dirty.clear();
        return true;
    }

    int dirtyCount() {
        return dirty.size();
    }

    void invalidateCache() {
        blockCache.clear();
        blockSet = null;
        freeHint = 0;
    }

    /** Offsets of all refcount blocks, for overlap checks (rebuilt when the table changes). */
    private java.util.Set<Long> blockSet;

    boolean isRefBlock(long off) {
        if (blockSet == null) {
            blockSet = new java.util.HashSet<>();
            for (long e : table) {
                long o = e & ~511L & ((1L << 56) - 1);
                if (o != 0) blockSet.add(o);
            }
        }
        return blockSet.contains(off);
    }
}
