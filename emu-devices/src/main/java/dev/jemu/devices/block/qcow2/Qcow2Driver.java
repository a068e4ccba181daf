package dev.jemu.devices.block.qcow2;

import dev.jemu.devices.block.BlockDriver;
import dev.jemu.devices.block.BlockException;
import dev.jemu.devices.block.BlockFormats;
import dev.jemu.devices.block.BlockStatus;
import dev.jemu.devices.block.Bytes;
import dev.jemu.devices.block.CheckResult;
import dev.jemu.devices.block.ImageFile;
import dev.jemu.devices.block.ImageInfo;
import dev.jemu.devices.block.ImageLockedException;
import dev.jemu.devices.block.OpenOptions;
import dev.jemu.devices.block.Preallocation;
import dev.jemu.devices.block.RepairMode;
import dev.jemu.devices.block.SnapshotInfo;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.DataFormatException;
import java.util.zip.Deflater;
import java.util.zip.Inflater;

/**
 * A qcow2 image (docs/interop/qcow2.txt): guest clusters map through the L1 table and one-cluster L2
 * tables to host clusters, which are reference counted ({@link Qcow2Refcounts}).
 *
 * <h2>Update order (crash consistency)</h2>
 * Every metadata change is written through at once, in an order that keeps the image consistent if the
 * process dies between any two writes (leaked clusters at worst, never a reference to a cluster that
 * counts as free or holds other data). With barriers on, the host file is also flushed between the
 * dependent steps, so a power loss gives the same guarantee.
 * <ol>
 * <li>Allocating a data cluster: raise its refcount; barrier; write the guest data (the whole cluster,
 *     merged with the old content for partial writes); barrier; write the L2 entry; and only if an
 *     old cluster was replaced: barrier, then lower the old cluster's refcount.</li>
 * <li>Allocating an L2 table: raise its refcount; write the whole table (zeroes, or a copy of a shared
 *     table); barrier; write the L1 entry; barrier and free the old table if one was copied.</li>
 * <li>Growing the L1 table: allocate and write the new table; barrier; switch l1_size and
 *     l1_table_offset in one 12-byte header write; barrier; free the old table.</li>
 * <li>Refcount blocks and table growth: see {@link Qcow2Refcounts}.</li>
 * <li>Zeroing/discarding: write the new L2 entries first, barrier, then free the old clusters.</li>
 * </ol>
 * With lazy refcounts (v3 compatible bit 0) the image is marked dirty before the first allocation and
 * the refcount barrier is skipped; a dirty image gets its refcounts rebuilt on the next read-write open.
 *
 * <h2>Writeback mode</h2>
 * With {@link OpenOptions#writeback()} the same updates are kept in memory (refcount blocks, L2 tables,
 * L1 entries; frees are queued) and {@link #flushMetadata()} writes them in the order above as four
 * phases, with a flush after each: refcount increments (and the guest data written before them), L2
 * tables, L1 entries, then the queued frees. Guest data is always written at once; an L2 entry is
 * changed in memory only after its data is written, so a flush at any moment writes a consistent state.
 * A kill loses what was not flushed but never corrupts: the file holds the state of the last flush.
 */
public final class Qcow2Driver implements BlockDriver {
    static final long OFFSET_MASK = 0x00fffffffffffe00L;
    static final long COPIED = 1L << 63;
    static final long COMPRESSED = 1L << 62;
    static final long ZERO = 1L;

    private static final ThreadLocal<Integer> CHAIN_DEPTH = ThreadLocal.withInitial(() -> 0);

    final ImageFile file;
    final Qcow2Header h;
    final int cs;
    final int clusterBits;
    final int l2Bits;
    final int l2Entries;
    long[] l1;
    final Qcow2Refcounts refcounts;
    List<Qcow2Snapshot> snapshots;
    /** Persistent dirty bitmaps, valid on disk while the autoclear bit is set (see {@link Qcow2Bitmaps}). */
    List<Qcow2Bitmaps.Entry> bitmaps;
    private final boolean bitmapsValidAtOpen;
    private final BlockDriver backing;
    private final String fullBackingName;
    private final boolean readOnly;
    private final boolean barriers;
    private final boolean lazyRefcounts;
    private final boolean writeback;
    /** Writeback mode: changed L2 tables (pinned), the dirty L1 range, clusters waiting to be freed. */
    private final LinkedHashMap<Long, long[]> dirtyL2 = new LinkedHashMap<>();
    private int l1DirtyLo = Integer.MAX_VALUE, l1DirtyHi = -1;
    private final List<long[]> pendingFrees = new ArrayList<>();
    private final int maxDirty;
    private boolean dirtyMarkedByUs;
    private final LinkedHashMap<Long, long[]> l2Cache;
    /** Compressed writes pack data from here (0: start in a fresh cluster). */
    private long compressedCursor;
    private long lastCompressedEntry = -1;
    private byte[] lastCompressedData;
    private final int csBitsCompressed;

    private Qcow2Driver(ImageFile file, Qcow2Header h, OpenOptions o, BlockDriver backing, String fullBackingName) throws BlockException {
        this.file = file;
        this.h = h;
        this.cs = h.clusterSize();
        this.clusterBits = h.clusterBits;
        this.l2Bits = clusterBits - 3;
        this.l2Entries = cs / 8;
        this.readOnly = o.readOnly();
        this.barriers = o.barriers();
        this.lazyRefcounts = h.version >= 3 && (h.compatibleFeatures & Qcow2Header.COMPAT_LAZY_REFCOUNTS) != 0;
        this.writeback = o.writeback() && !o.readOnly();
        this.maxDirty = Math.max(16, (8 << 20) / cs);
        this.backing = backing;
        this.fullBackingName = fullBackingName;
        this.csBitsCompressed = 62 - (clusterBits - 8);
        this.l1 = readL1(h.l1TableOffset, h.l1Size);
        this.refcounts = new Qcow2Refcounts(file, h, this::refcountsDurable, writeback);
        this.snapshots = Qcow2Snapshot.readTable(file, h);
        this.bitmaps = Qcow2Bitmaps.read(file, h); // before a writable open clears the autoclear bit
        this.bitmapsValidAtOpen = !bitmaps.isEmpty();
        int cacheTables = Math.max(4, (4 << 20) / cs);
        this.l2Cache = new LinkedHashMap<>(16, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<Long, long[]> e) {
                return size() > cacheTables;
            }
        };
    }

    /** Opens an image and its backing chain. */
    public static Qcow2Driver open(Path path, OpenOptions o) throws BlockException {
        ImageFile file = ImageFile.open(path, o.readOnly(), o.use(), true);
        BlockDriver backing = null;
        try {
            Qcow2Header h = Qcow2Header.read(file);
            if (!o.readOnly() && (h.incompatibleFeatures & Qcow2Header.INCOMPAT_CORRUPT) != 0 && !o.forCheck()) {
                throw new BlockException("image is marked corrupt and cannot be opened read-write "
                        + "(repair it with 'jemu-img check -r all')");
            }
            String full = null;
            if (h.backingFile != null) {
                Path parent = path.getParent();
                Path bp = parent == null ? Path.of(h.backingFile) : parent.resolve(h.backingFile);
                full = bp.toString();
                if (!o.noBacking()) backing = openBacking(bp, h.backingFormat, o.forBacking());
            }
            Qcow2Driver d = new Qcow2Driver(file, h, o, backing, full);
            if (!o.readOnly()) d.prepareForWriting(o);
            return d;
        } catch (BlockException | RuntimeException e) {
            try {
                file.close();
                if (backing != null) backing.close();
            } catch (BlockException ignored) {
                // the first error is the one to report
            }
            if (e instanceof BlockException be) throw be;
            throw new BlockException("cannot open '" + path + "': " + e);
        }
    }

    private static BlockDriver openBacking(Path bp, String fmt, OpenOptions o) throws BlockException {
        int depth = CHAIN_DEPTH.get();
        if (depth >= BlockFormats.MAX_CHAIN) throw new BlockException("backing chain too deep (more than " + BlockFormats.MAX_CHAIN + " images, or a loop)");
        CHAIN_DEPTH.set(depth + 1);
        try {
            return BlockFormats.open(bp, fmt, o);
        } catch (BlockException e) {
            if (e.getMessage().startsWith("backing chain") || e instanceof ImageLockedException) throw e;
            throw new BlockException("Could not open backing file: " + e.getMessage());
        } finally {
            CHAIN_DEPTH.set(depth);
        }
    }

    private void prepareForWriting(OpenOptions o) throws BlockException {
        // We maintain none of them while writing guest data: clear before the first write. A check (repair)
        // leaves the guest data, so the bitmaps stay valid.
        long keep = o.forCheck() ? h.autoclearFeatures & Qcow2Header.AUTOCLEAR_BITMAPS : 0;
        if (h.autoclearFeatures != keep) {
            file.writeLong(Qcow2Header.OFF_AUTOCLEAR, keep);
            h.autoclearFeatures = keep;
        }
        if ((h.incompatibleFeatures & Qcow2Header.INCOMPAT_DIRTY) != 0 && !o.forCheck()) {
            // Refcounts may lag behind the L2 tables (lazy refcounts, then a crash): rebuild them.
            check(RepairMode.ALL);
            barrier();
            setIncompatible(h.incompatibleFeatures & ~Qcow2Header.INCOMPAT_DIRTY);
            file.force();
        }
    }

    private long[] readL1(long offset, int size) throws BlockException {
        long[] t = new long[size];
        if (size == 0) return t;
        byte[] raw = new byte[size * 8];
        file.readFully(offset, raw, 0, raw.length, "L1 table");
        for (int i = 0; i < size; i++) t[i] = Bytes.getLong(raw, i * 8);
        return t;
    }

    /** Strong barrier: everything so far is on disk in order (writeback: an ordered metadata flush). */
    void barrier() throws BlockException {
        if (writeback) flushMetadata();
        else if (barriers) file.force();
    }

    /** A hot-path barrier: in writeback mode the flush phases keep this order, so nothing to do now. */
    private void softBarrier() throws BlockException {
        if (!writeback && barriers) file.force();
    }

    /** The barrier between raising a refcount and referencing the cluster (skipped with lazy refcounts). */
    private void refBarrier() throws BlockException {
        if (!lazyRefcounts) softBarrier();
    }

    /** Refcount changes on disk (the refcount structures' own barrier). */
    private void refcountsDurable() throws BlockException {
        refcounts.writeDirty();
        if (barriers) file.force();
    }

    private boolean flushing;

    /**
     * Writeback mode: writes the metadata kept in memory as four ordered phases with a flush after each
     * (see the class comment). Write-through mode has nothing pending.
     */
    void flushMetadata() throws BlockException {
        if (!writeback || flushing) return;
        flushing = true;
        try {
            if (refcounts.writeDirty() && barriers) file.force(); // 1. refcount increments (+ data before them)
            if (!dirtyL2.isEmpty()) {                                 // 2. L2 tables
                byte[] raw = new byte[cs];
                for (Map.Entry<Long, long[]> e : dirtyL2.entrySet()) {
                    long[] t = e.getValue();
                    for (int k = 0; k < l2Entries; k++) Bytes.putLong(raw, k * 8, t[k]);
                    file.write(e.getKey(), raw, 0, cs);
                }
                dirtyL2.clear();
                if (barriers) file.force();
            }
            if (l1DirtyHi >= 0) {                                     // 3. L1 entries
                int lo = l1DirtyLo, hi = l1DirtyHi;
                byte[] raw = new byte[(hi - lo + 1) * 8];
                for (int k = lo; k <= hi; k++) Bytes.putLong(raw, (k - lo) * 8, l1[k]);
                file.write(h.l1TableOffset + (long) lo * 8, raw, 0, raw.length);
                l1DirtyLo = Integer.MAX_VALUE;
                l1DirtyHi = -1;
                if (barriers) file.force();
            }
            if (!pendingFrees.isEmpty()) {                            // 4. frees, now unreferenced on disk
                for (long[] r : pendingFrees) for (long c = r[0]; c < r[1]; c++) refcounts.add(c, -1);
                pendingFrees.clear();
                if (refcounts.writeDirty() && barriers) file.force();
            }
        } finally {
            flushing = false;
        }
    }

    /** Writeback mode: flushes when too much metadata waits in memory. */
    private void limitDirty() throws BlockException {
        if (writeback && (dirtyL2.size() > maxDirty || refcounts.dirtyCount() > maxDirty || pendingFrees.size() > 65536)) {
            flushMetadata();
        }
    }

    private void setIncompatible(long bits) throws BlockException {
        if (h.version < 3) return;
        file.writeLong(Qcow2Header.OFF_INCOMPATIBLE, bits);
        h.incompatibleFeatures = bits;
    }

    /** Marks a v3 image corrupt (writes refused from now on) and returns the error to throw. */
    BlockException markCorrupt(String what) {
        try {
            if (!readOnly && h.version >= 3) {
                setIncompatible(h.incompatibleFeatures | Qcow2Header.INCOMPAT_CORRUPT);
                file.force();
            }
        } catch (BlockException ignored) {
            // reporting the corruption matters more
        }
        return BlockException.corrupt(what + " (image marked corrupt)");
    }

    private void beforeAllocation() throws BlockException {
        if (lazyRefcounts && !dirtyMarkedByUs) {
            setIncompatible(h.incompatibleFeatures | Qcow2Header.INCOMPAT_DIRTY);
            file.force();
            dirtyMarkedByUs = true;
        }
    }

    // ---------------------------------------------------------------- mapping

    long[] loadL2(long off) throws BlockException {
        long[] t = dirtyL2.get(off);
        if (t != null) return t;
        t = l2Cache.get(off);
        if (t != null) return t;
        if ((off & (cs - 1)) != 0) throw BlockException.corrupt("L2 table offset " + off + " is not cluster-aligned");
        if (off == 0) throw BlockException.corrupt("L2 table at offset 0 overlaps the header");
        if (off + cs > file.size()) throw BlockException.corrupt("L2 table at offset " + off + " is beyond end of file");
        byte[] raw = new byte[cs];
        file.readFully(off, raw, 0, cs, "L2 table");
        t = new long[l2Entries];
        for (int i = 0; i < l2Entries; i++) t[i] = Bytes.getLong(raw, i * 8);
        l2Cache.put(off, t);
        return t;
    }

    private int l1Index(long guest) {
        return (int) (guest >>> (clusterBits + l2Bits));
    }

    private int l2Index(long guest) {
        return (int) ((guest >>> clusterBits) & (l2Entries - 1));
    }

    /** The L2 entry for a guest offset, 0 if its L2 table is unallocated. */
    long l2Entry(long guest) throws BlockException {
        int i = l1Index(guest);
        if (i >= l1.length) return 0;
        long off = l1[i] & OFFSET_MASK;
        if (off == 0) return 0;
        return loadL2(off)[l2Index(guest)];
    }

    private void checkDataCluster(long host) throws BlockException {
        if ((host & (cs - 1)) != 0) throw BlockException.corrupt("data cluster offset " + host + " is not cluster-aligned");
        if (host >= file.size()) throw BlockException.corrupt("data cluster offset " + host + " is beyond end of file");
    }

    private boolean isZeroFlag(long entry) throws BlockException {
        if ((entry & ZERO) == 0 || (entry & COMPRESSED) != 0) return false;
        if (h.version < 3) throw BlockException.corrupt("zero cluster flag in a version 2 image");
        return true;
    }

    // ---------------------------------------------------------------- reading

    @Override
    public void read(long offset, byte[] buf, int off, int len) throws BlockException {
        read(offset, MemorySegment.ofArray(buf).asSlice(off, len));
    }

    /** Reads into a segment; a native one receives plain data clusters straight from the file. */
    @Override
    public void read(long offset, MemorySegment dst) throws BlockException {
        BlockDriver.checkRange(offset, dst.byteSize(), h.size);
        readAt(offset, dst);
    }

    /** Reads any guest offset the L1 table can address (the disk, or the VM state after it). */
    private void readAt(long offset, MemorySegment dst) throws BlockException {
        long len = dst.byteSize();
        long pos = 0;
        while (pos < len) {
            int in = (int) (offset & (cs - 1));
            long n = Math.min(len - pos, cs - in);
            long entry = l2Entry(offset);
            long host = entry & OFFSET_MASK;
            if ((entry & COMPRESSED) == 0 && host != 0 && !isZeroFlag(entry)) {
                // Plain data: extend over following clusters that sit right after it in the file.
                checkDataCluster(host);
                long fileSize = file.size();
                while (pos + n < len && n < MAX_RUN && (((offset + n) & (cs - 1)) == 0)) {
                    long next = l2Entry(offset + n);
                    long nh = next & OFFSET_MASK;
                    if ((next & COMPRESSED) != 0 || (next & ZERO) != 0 || nh != host + in + n || nh >= fileSize) break;
                    n += Math.min(len - pos - n, cs);
                }
                file.readUpTo(host + in, dst.asSlice(pos, n));
            } else {
                readWithEntry(entry, offset, dst.asSlice(pos, n));
            }
            offset += n;
            pos += n;
        }
    }

    /** Longest run of contiguous clusters read with one call (a ByteBuffer holds at most 2 GiB). */
    private static final long MAX_RUN = 1L << 30;

    /** Reads part of one guest cluster (b's length, from guest on) given its L2 entry. */
    private void readWithEntry(long entry, long guest, MemorySegment b) throws BlockException {
        int in = (int) (guest & (cs - 1));
        int len = (int) b.byteSize();
        if ((entry & COMPRESSED) != 0) {
            MemorySegment.copy(decompress(entry), in, b, ValueLayout.JAVA_BYTE, 0, len);
        } else if (isZeroFlag(entry)) {
            b.fill((byte) 0);
        } else if ((entry & OFFSET_MASK) != 0) {
            long host = entry & OFFSET_MASK;
            checkDataCluster(host);
            file.readUpTo(host + in, b);
        } else {
            readBacking(guest, b);
        }
    }

    private void readBacking(long guest, MemorySegment b) throws BlockException {
        long len = b.byteSize();
        long n = 0;
        if (backing != null && guest < backing.size()) {
            n = Math.min(len, backing.size() - guest);
            backing.read(guest, b.asSlice(0, n));
        }
        if (n < len) b.asSlice(n).fill((byte) 0);
    }

    /** First host byte and the sector-rounded length of a compressed cluster. */
    private long compressedStart(long entry) {
        return entry & ((1L << csBitsCompressed) - 1);
    }

    private long compressedSectors(long entry) {
        return ((entry >>> csBitsCompressed) & ((1L << (clusterBits - 8)) - 1)) + 1;
    }

    private byte[] decompress(long entry) throws BlockException {
        if (entry == lastCompressedEntry) return lastCompressedData;
        long start = compressedStart(entry);
        long avail = compressedSectors(entry) * 512 - (start & 511);
        if (start >= file.size()) throw BlockException.corrupt("compressed cluster at " + start + " is beyond end of file");
        byte[] in = new byte[(int) avail];
        int n = file.readUpTo(start, in, 0, in.length);
        byte[] out = new byte[cs];
        Inflater inf = new Inflater(true); // qcow2 stores raw deflate without zlib header
        try {
            inf.setInput(in, 0, n);
            int got = 0;
            while (got < cs) {
                int r = inf.inflate(out, got, cs - got);
                if (r == 0 && (inf.finished() || inf.needsInput() || inf.needsDictionary())) break;
                got += r;
            }
            if (got < cs) throw BlockException.corrupt("compressed cluster at " + start + " is truncated");
        } catch (DataFormatException e) {
            throw BlockException.corrupt("compressed cluster at " + start + " does not decompress");
        } finally {
            inf.end();
        }
        lastCompressedEntry = entry;
        lastCompressedData = out;
        return out;
    }

    // ---------------------------------------------------------------- writing

    private void checkWritable() throws BlockException {
        if (readOnly) throw new BlockException("image '" + file.path() + "' is opened read-only");
        if ((h.incompatibleFeatures & Qcow2Header.INCOMPAT_CORRUPT) != 0) {
            throw new BlockException("image is marked corrupt; refusing to write");
        }
    }

    @Override
    public void write(long offset, byte[] buf, int off, int len) throws BlockException {
        write(offset, MemorySegment.ofArray(buf).asSlice(off, len));
    }

    /** Writes a segment; a native one goes to the file without a bounce copy. */
    @Override
    public void write(long offset, MemorySegment src) throws BlockException {
        checkWritable();
        BlockDriver.checkRange(offset, src.byteSize(), h.size);
        writeAt(offset, src);
    }

    /** Writes at any guest offset the L1 table covers (the disk, or the VM state after it). */
    private void writeAt(long offset, MemorySegment src) throws BlockException {
        long len = src.byteSize();
        long pos = 0;
        while (pos < len) {
            // One L2 table's worth at a time, so its allocations share two barriers.
            long l2Span = (long) cs * l2Entries;
            long n = Math.min(len - pos, l2Span - (offset & (l2Span - 1)));
            writeInL2(offset, src.asSlice(pos, n));
            offset += n;
            pos += n;
        }
        limitDirty();
    }

    /** Returns the offset of a writable (refcount 1, COPIED) L2 table for L1 index i, allocating or copying. */
    private long l2ForWrite(int i) throws BlockException {
        if (i >= l1.length) throw new BlockException("internal: L1 index " + i + " beyond L1 table");
        long e = l1[i];
        long old = e & OFFSET_MASK;
        if (old != 0 && (e & COPIED) != 0) {
            loadL2(old);
            return old;
        }
        beforeAllocation();
        if (old != 0 && refcounts.get(old >>> clusterBits) == 1) {
            // Only the flag was missing: the table is ours alone.
            loadL2(old);
            writeL1Entry(i, old | COPIED);
            return old;
        }
        long[] t = new long[l2Entries];
        if (old != 0) {
            long[] src = loadL2(old);
            for (int k = 0; k < l2Entries; k++) {
                long en = src[k] & ~COPIED;
                long host = en & OFFSET_MASK;
                // The copy shares the clusters with the old table: flags say whether we own them alone.
                if ((en & COMPRESSED) == 0 && host != 0 && refcounts.get(host >>> clusterBits) == 1) en |= COPIED;
                t[k] = en;
            }
        }
        long nw = refcounts.allocate(1);
        l2Cache.put(nw, t);
        if (writeback) {
            dirtyL2.put(nw, t);
        } else {
            byte[] raw = new byte[cs];
            for (int k = 0; k < l2Entries; k++) Bytes.putLong(raw, k * 8, t[k]);
            file.write(nw, raw, 0, cs);
        }
        refBarrier(); // refcount and table content before the L1 entry points to it
        writeL1Entry(i, nw | COPIED);
        if (old != 0) freeLater(old >>> clusterBits, (old >>> clusterBits) + 1);
        return nw;
    }

    private void writeL1Entry(int i, long v) throws BlockException {
        l1[i] = v;
        if (writeback) {
            l1DirtyLo = Math.min(l1DirtyLo, i);
            l1DirtyHi = Math.max(l1DirtyHi, i);
        } else {
            file.writeLong(h.l1TableOffset + (long) i * 8, v);
        }
    }

    /** Drops references to host clusters [first, end) once nothing on disk points to them any more. */
    private void freeLater(long first, long end) throws BlockException {
        if (writeback) {
            pendingFrees.add(new long[]{first, end});
        } else {
            softBarrier(); // unreferenced on disk before the refcount drops
            for (long c = first; c < end; c++) refcounts.add(c, -1);
        }
    }

    /** Writes the L2 entries [from, to) of a cached table back to the file in one write. */
    private void writeL2Entries(long l2off, long[] t, int from, int to) throws BlockException {
        if (writeback) {
            dirtyL2.put(l2off, t);
            return;
        }
        byte[] raw = new byte[(to - from) * 8];
        for (int k = from; k < to; k++) Bytes.putLong(raw, (k - from) * 8, t[k]);
        file.write(l2off + (long) from * 8, raw, 0, raw.length);
    }

    private void writeInL2(long offset, MemorySegment buf) throws BlockException {
        int len = (int) buf.byteSize(); // at most one L2 table's span
        long l2off = l2ForWrite(l1Index(offset));
        long[] t = loadL2(l2off);
        int first = l2Index(offset);
        int count = (int) (((offset + len - 1) >>> clusterBits) - (offset >>> clusterBits) + 1);
        long[] oldEntries = new long[count];
        long[] newHost = new long[count];
        boolean allocated = false;
        // 1. Allocate the clusters that cannot be written in place (refcounts written through).
        for (int k = 0; k < count; k++) {
            long en = t[first + k];
            oldEntries[k] = en;
            long host = en & OFFSET_MASK;
            boolean inPlace = (en & COPIED) != 0 && (en & COMPRESSED) == 0 && host != 0 && !isZeroFlag(en);
            if (inPlace) {
                checkDataCluster(host);
                checkNotMetadata(host, l2off);
                newHost[k] = -1;
            } else {
                if (!allocated) beforeAllocation();
                newHost[k] = refcounts.allocate(1);
                allocated = true;
            }
        }
        if (allocated) refBarrier(); // refcounts before the L2 entries that use them
        // 2. Data (runs that are contiguous both in buf and in the file go out as one write).
        long fileEnd = allocated ? file.size() : 0;
        long g = offset;
        int pos = 0, left = len;
        long runHost = -1;
        int runPos = 0, runLen = 0;
        for (int k = 0; k < count; k++) {
            int in = (int) (g & (cs - 1));
            int n = Math.min(left, cs - in);
            long target = newHost[k] < 0 ? (oldEntries[k] & OFFSET_MASK) + in : (n == cs ? newHost[k] : -1);
            if (target >= 0) {
                if (runLen > 0 && target == runHost + runLen && pos == runPos + runLen) {
                    runLen += n;
                } else {
                    if (runLen > 0) file.write(runHost, buf.asSlice(runPos, runLen));
                    runHost = target;
                    runPos = pos;
                    runLen = n;
                }
            } else if (newHost[k] >= fileEnd && readsAsZero(oldEntries[k], g - in)) {
                // A fresh cluster past the end of the file over zeroes: the rest of it can stay a hole.
                file.write(newHost[k] + in, buf.asSlice(pos, n));
                if (in + n < cs) file.write(newHost[k] + cs - 1, ONE_ZERO, 0, 1);
            } else {
                MemorySegment full = MemorySegment.ofArray(new byte[cs]);
                long base = g - in;
                readWithEntry(oldEntries[k], base, full); // copy-on-write of the untouched part
                MemorySegment.copy(buf, pos, full, in, n);
                file.write(newHost[k], full);
            }
            g += n;
            pos += n;
            left -= n;
        }
        if (runLen > 0) file.write(runHost, buf.asSlice(runPos, runLen));
        if (!allocated) return;
        softBarrier(); // data before the L2 entries make it visible
        // 3. L2 entries.
        int lo = Integer.MAX_VALUE, hi = -1;
        for (int k = 0; k < count; k++) {
            if (newHost[k] < 0) continue;
            t[first + k] = newHost[k] | COPIED;
            lo = Math.min(lo, first + k);
            hi = first + k;
        }
        writeL2Entries(l2off, t, lo, hi + 1);
        // 4. Free what the entries pointed to before.
        freeOld(oldEntries, newHost);
    }

    private static final byte[] ONE_ZERO = new byte[1];

    /** Whether a guest cluster with this L2 entry reads as zeroes without looking at data. */
    private boolean readsAsZero(long entry, long guestCluster) throws BlockException {
        if ((entry & COMPRESSED) != 0) return false;
        if (isZeroFlag(entry)) return true;
        if ((entry & OFFSET_MASK) != 0) return false;
        return backing == null || guestCluster >= backing.size();
    }

    private void freeOld(long[] oldEntries, long[] replaced) throws BlockException {
        boolean any = false;
        for (int k = 0; k < oldEntries.length; k++) {
            if (replaced[k] >= 0 && hostClustersOf(oldEntries[k]) != null) any = true;
        }
        if (!any) return;
        if (!writeback) softBarrier(); // new entries on disk before the old clusters count as free
        for (int k = 0; k < oldEntries.length; k++) {
            if (replaced[k] < 0) continue;
            long[] r = hostClustersOf(oldEntries[k]);
            if (r == null) continue;
            if (writeback) pendingFrees.add(r);
            else for (long c = r[0]; c < r[1]; c++) refcounts.add(c, -1);
        }
    }

    /** Host clusters [first, end) an L2 entry holds a reference to, or null. */
    long[] hostClustersOf(long entry) {
        if ((entry & COMPRESSED) != 0) {
            long start = compressedStart(entry) & ~511L;
            long end = start + compressedSectors(entry) * 512;
            return new long[]{start >>> clusterBits, ((end - 1) >>> clusterBits) + 1};
        }
        long host = entry & OFFSET_MASK;
        if (host == 0) return null;
        return new long[]{host >>> clusterBits, (host >>> clusterBits) + 1};
    }

    /** Guards in-place writes: a data cluster must never be one of our metadata clusters. */
    private void checkNotMetadata(long host, long l2off) throws BlockException {
        long c = host >>> clusterBits;
        if (c == 0 || host == l2off
                || inArea(host, h.l1TableOffset, (long) l1.length * 8)
                || inArea(host, refcounts.tableOffset, (long) refcounts.tableClusters * cs)
                || inArea(host, h.snapshotsOffset, h.nbSnapshots > 0 ? cs : 0)) {
            throw markCorrupt("data cluster at " + host + " overlaps metadata");
        }
        if (refcounts.isRefBlock(host)) throw markCorrupt("data cluster at " + host + " overlaps a refcount block");
    }

    private boolean inArea(long host, long start, long bytes) {
        if (bytes <= 0) return false;
        long s = start & ~(long) (cs - 1);
        return host >= s && host < start + bytes;
    }

    @Override
    public boolean supportsCompression() {
        return true;
    }

    @Override
    public void writeCompressed(long offset, byte[] buf, int off) throws BlockException {
        checkWritable();
        if ((offset & (cs - 1)) != 0) throw new BlockException("compressed writes must be cluster-aligned");
        BlockDriver.checkRange(offset, Math.min(cs, h.size - offset), h.size);
        long en = l2Entry(offset);
        if ((en & OFFSET_MASK) != 0 || (en & COMPRESSED) != 0) {
            throw new BlockException("compressed writes need an unallocated cluster (offset " + offset + ")");
        }
        Deflater def = new Deflater(Deflater.DEFAULT_COMPRESSION, true);
        byte[] out = new byte[cs + 64];
        int clen;
        try {
            def.setInput(buf, off, cs);
            def.finish();
            clen = 0;
            while (!def.finished() && clen < out.length) clen += def.deflate(out, clen, out.length - clen);
            if (!def.finished()) clen = Integer.MAX_VALUE;
        } finally {
            def.end();
        }
        long maxLen = Math.min(cs - 512, (1L << (clusterBits - 8)) * 512 - 512);
        if (clen >= maxLen) { // does not shrink: store it plainly
            write(offset, buf, off, cs);
            return;
        }
        long l2off = l2ForWrite(l1Index(offset));
        long[] t = loadL2(l2off);
        long oldEntry = t[l2Index(offset)];
        beforeAllocation();
        long start;
        long avail = compressedCursor == 0 ? 0 : cs - (compressedCursor & (cs - 1));
        if ((compressedCursor & (cs - 1)) != 0 && clen <= avail
                && refcounts.get(compressedCursor >>> clusterBits) > 0) {
            start = compressedCursor;
            refcounts.add(start >>> clusterBits, 1); // one more compressed cluster lives in this host cluster
        } else {
            start = refcounts.allocate(Math.ceilDiv(clen, cs));
        }
        refBarrier();
        file.write(start, out, 0, clen);
        softBarrier();
        long nsec = ((start + clen - 1) >>> 9) - (start >>> 9);
        t[l2Index(offset)] = COMPRESSED | (nsec << csBitsCompressed) | start;
        writeL2Entries(l2off, t, l2Index(offset), l2Index(offset) + 1);
        compressedCursor = start + clen;
        freeOld(new long[]{oldEntry}, new long[]{start});
        limitDirty();
    }

    @Override
    public void writeZeroes(long offset, long length) throws BlockException {
        zeroRange(offset, length, false);
    }

    @Override
    public void discard(long offset, long length) throws BlockException {
        zeroRange(offset, length, true);
    }

    private void zeroRange(long offset, long length, boolean discard) throws BlockException {
        checkWritable();
        BlockDriver.checkRange(offset, length, h.size);
        long end = offset + length;
        long a = roundUpCluster(offset);
        long b = end == h.size ? roundUpCluster(end) : end & ~(long) (cs - 1);
        if (a >= b) {
            if (!discard) writeZeroBytes(offset, length);
            return;
        }
        if (!discard) {
            writeZeroBytes(offset, a - offset);
            if (b < end) writeZeroBytes(b, end - b);
        }
        long g = a; // whole clusters by metadata only
        while (g < b) {
            long l2Span = (long) cs * l2Entries;
            long n = Math.min(b - g, l2Span - (g & (l2Span - 1)));
            zeroClustersInL2(g, n, discard);
            g += n;
        }
        limitDirty();
    }

    private long roundUpCluster(long v) {
        return Math.ceilDiv(v, cs) * (long) cs;
    }

    private void writeZeroBytes(long offset, long len) throws BlockException {
        if (len <= 0) return;
        write(offset, new byte[(int) len], 0, (int) len);
    }

    private void zeroClustersInL2(long g, long n, boolean discard) throws BlockException {
        int i = l1Index(g);
        long newEntry;
        if (h.version >= 3 && (backing != null || !discard)) newEntry = ZERO; // qemu: write-zeroes sets the flag
        else if (backing == null) newEntry = 0;
        else {
            if (!discard) { // v2 with a backing file cannot say "zero" without data
                byte[] z = new byte[cs];
                for (long p = g; p < g + n; p += cs) write(p, z, 0, (int) Math.min(cs, h.size - p));
            }
            return;
        }
        if ((l1[i] & OFFSET_MASK) == 0 && newEntry == 0) return;
        long l2off = l2ForWrite(i);
        long[] t = loadL2(l2off);
        int first = l2Index(g);
        int count = (int) (n >>> clusterBits);
        long[] old = new long[count];
        long[] replaced = new long[count];
        int lo = Integer.MAX_VALUE, hi = -1;
        for (int k = 0; k < count; k++) {
            old[k] = t[first + k];
            replaced[k] = -1;
            if (old[k] == newEntry) continue;
            t[first + k] = newEntry;
            replaced[k] = 0;
            lo = Math.min(lo, first + k);
            hi = first + k;
        }
        if (hi < 0) return;
        writeL2Entries(l2off, t, lo, hi + 1);
        freeOld(old, replaced);
    }

    /** Writes pending metadata; syncs the file unless opened without barriers (then nothing ever syncs). */
    @Override
    public void flush() throws BlockException {
        flushMetadata();
        if (!readOnly && barriers) file.force();
    }

    @Override
    public void close() throws BlockException {
        try {
            if (!readOnly) {
                flushMetadata();
                if (barriers) file.force();
                if (dirtyMarkedByUs) { // refcounts are complete (we write them through): clean again
                    setIncompatible(h.incompatibleFeatures & ~Qcow2Header.INCOMPAT_DIRTY);
                    if (barriers) file.force();
                }
            }
        } finally {
            file.close();
            if (backing != null) backing.close();
        }
    }

    // ---------------------------------------------------------------- resize

    @Override
    public void resize(long newSize, boolean shrink) throws BlockException {
        resize(newSize, shrink, Preallocation.OFF);
    }

    /**
     * Grows (the new area preallocated as asked) or, with shrink, cuts the disk; a shrunk image's file is
     * truncated after its last used cluster, as qemu-img does.
     */
    @Override
    public void resize(long newSize, boolean shrink, Preallocation prealloc) throws BlockException {
        checkWritable();
        if ((newSize & 511) != 0) throw new BlockException("The new size must be a multiple of 512");
        flushMetadata();
        if (!snapshots.isEmpty()) throw new BlockException("Can't resize an image which has snapshots");
        if (newSize < h.size) {
            if (!shrink) throw new BlockException("Use the --shrink option to perform a shrink operation");
            shrinkTo(newSize);
            truncateAfterLastCluster();
            return;
        }
        long old = h.size;
        long needL1 = Math.ceilDiv(Math.ceilDiv(newSize, cs), l2Entries);
        if (needL1 * 8 > Qcow2Header.MAX_L1_BYTES) throw new BlockException("image size too large for cluster size " + cs);
        if (needL1 > l1.length) growL1((int) needL1);
        byte[] b = new byte[8];
        Bytes.putLong(b, 0, newSize);
        file.write(Qcow2Header.OFF_SIZE, b, 0, 8);
        h.size = newSize;
        barrier();
        if (prealloc == Preallocation.FALLOC || prealloc == Preallocation.FULL) {
            beforeAllocation();
            refcounts.relocateTable(); // qemu-img's order: refcount structures for the new area first
        }
        if (prealloc != Preallocation.OFF) preallocate(old, newSize, prealloc);
    }

    /**
     * Maps every unallocated guest cluster of [from, to) to a fresh host cluster (qemu's preallocation):
     * per L2 table, one contiguous run is allocated, made real as the mode asks (metadata: only the file
     * grown over it; reused clusters inside the file are zeroed), then the L2 entries point to it.
     */
    public void preallocate(long from, long to, Preallocation mode) throws BlockException {
        checkWritable();
        long l2Span = (long) cs * l2Entries;
        long g = from & -(long) cs;
        while (g < to) {
            long spanEnd = Math.min(to, (g & -l2Span) + l2Span);
            long l2off = l2ForWrite(l1Index(g));
            long[] t = loadL2(l2off);
            int first = l2Index(g), count = (int) ((spanEnd - g + cs - 1) >>> clusterBits);
            int missing = 0;
            for (int k = first; k < first + count; k++) if (t[k] == 0) missing++;
            if (missing > 0) {
                beforeAllocation();
                long fileEnd = file.size();
                long run = refcounts.allocate(missing);
                refBarrier();
                long runEnd = run + ((long) missing << clusterBits);
                if (run < fileEnd) Preallocation.FULL.apply(file, run, Math.min(fileEnd, runEnd)); // no stale data
                if (file.size() < runEnd) file.truncate(runEnd);
                mode.apply(file, Math.max(run, fileEnd), runEnd);
                softBarrier();
                long host = run;
                for (int k = first; k < first + count; k++) {
                    if (t[k] != 0) continue;
                    t[k] = host | COPIED;
                    host += cs;
                }
                writeL2Entries(l2off, t, first, first + count);
            }
            g = spanEnd;
        }
        barrier();
    }

    /**
     * Drops every cluster past the new end: the L2 entries are cleared first, then the clusters freed;
     * the header's size is written last, so a kill in between leaves the old size with fewer clusters.
     */
    private void shrinkTo(long newSize) throws BlockException {
        long from = roundUpCluster(newSize);
        long end = roundUpCluster(h.size);
        long l2Span = (long) cs * l2Entries;
        for (long g = from; g < end; ) {
            long n = Math.min(end - g, l2Span - (g & (l2Span - 1)));
            int i = l1Index(g);
            // as qemu (its discard allocates the table it clears): the L2 table that keeps mapping the start
            // of the disk exists afterwards, so the shrunk file has qemu-img's size
            boolean keeps = (long) i * l2Span < newSize;
            if ((l1[i] & OFFSET_MASK) != 0 || keeps) {
                long l2off = l2ForWrite(i);
                long[] t = loadL2(l2off);
                int first = l2Index(g), count = (int) (n >>> clusterBits);
                long[] old = new long[count], replaced = new long[count];
                for (int k = 0; k < count; k++) {
                    old[k] = t[first + k];
                    replaced[k] = old[k] == 0 ? -1 : 0;
                    t[first + k] = 0;
                }
                writeL2Entries(l2off, t, first, first + count);
                freeOld(old, replaced);
            }
            g += n;
        }
        barrier();
        byte[] b = new byte[8];
        Bytes.putLong(b, 0, newSize);
        file.write(Qcow2Header.OFF_SIZE, b, 0, 8);
        h.size = newSize;
        barrier();
        // L2 tables that map nothing inside the new size go too (their L1 entries first).
        dropL2Tables((int) Math.ceilDiv(Math.ceilDiv(newSize, cs), l2Entries));
    }

    /** Frees the L2 tables of L1 entries from index keep on (their entries must map nothing any more). */
    private void dropL2Tables(int keep) throws BlockException {
        for (int i = keep; i < l1.length; i++) {
            long off = l1[i] & OFFSET_MASK;
            if (off == 0) continue;
            writeL1Entry(i, 0);
            freeLater(off >>> clusterBits, (off >>> clusterBits) + 1);
        }
        barrier();
    }

    /** Cuts the file after its last used cluster (after a shrink or commit's emptying), as qemu-img does. */
    private void truncateAfterLastCluster() throws BlockException {
        flushMetadata();
        long end = (refcounts.lastUsedCluster() + 1) << clusterBits;
        if (end < file.size()) file.truncate(end);
        barrier();
    }

    /**
     * commit's emptying: every cluster unallocated (so the backing file shows through again), the L2
     * tables freed and the file cut after its last used cluster.
     */
    @Override
    public void makeEmpty() throws BlockException {
        checkWritable();
        if (!snapshots.isEmpty() || backing != null) { // clusters shared with snapshots stay; zero flags would hide the backing file
            BlockDriver.super.makeEmpty();
            return;
        }
        discard(0, h.size);
        dropL2Tables(0);
        truncateAfterLastCluster();
    }

    /** Moves the active L1 table to a larger copy (see the update order above). */
    void growL1(int entries) throws BlockException {
        beforeAllocation();
        long clusters = Math.ceilDiv((long) entries * 8, cs);
        long off = refcounts.allocate(clusters);
        byte[] raw = new byte[(int) (clusters * cs)];
        for (int k = 0; k < l1.length; k++) Bytes.putLong(raw, k * 8, l1[k]);
        file.write(off, raw, 0, raw.length);
        refBarrier();
        byte[] hdr = new byte[12];
        Bytes.putInt(hdr, 0, entries);
        Bytes.putLong(hdr, 4, off);
        file.write(Qcow2Header.OFF_L1_SIZE, hdr, 0, 12);
        barrier();
        long oldOff = h.l1TableOffset;
        long oldClusters = Math.ceilDiv((long) l1.length * 8, cs);
        l1 = java.util.Arrays.copyOf(l1, entries);
        h.l1Size = entries;
        h.l1TableOffset = off;
        if (oldOff != 0 && oldClusters > 0) refcounts.free(oldOff, oldClusters);
    }

    private Boolean preallocatedLook;

    /**
     * qemu's test for a metadata-preallocated image: more clusters in use than the host file really
     * allocates (by a ninth, and at least two); then data clusters over host holes read as zeroes.
     */
    @Override
    public boolean dataMayBeHoles() {
        if (preallocatedLook == null) {
            boolean yes = false;
            try {
                long real = file.allocatedBytes() / cs;
                long threshold = Math.max(real * 10 / 9, real + 2);
                long n = Math.ceilDiv(file.size(), cs), counted = 0;
                for (long c = 0; c < n && !yes; c++) {
                    if (refcounts.get(c) > 0 && ++counted > threshold) yes = true;
                }
            } catch (BlockException e) {
                yes = false;
            }
            preallocatedLook = yes;
        }
        return preallocatedLook;
    }

    // ---------------------------------------------------------------- persistent dirty bitmaps

    /** {name, granularity, flags (1 in use, 2 auto = enabled)} of each valid bitmap. */
    public List<Object[]> bitmapList() {
        List<Object[]> out = new ArrayList<>();
        for (Qcow2Bitmaps.Entry e : bitmaps) out.add(new Object[]{e.name(), 1L << e.granularityBits(), e.flags()});
        return out;
    }

    private Qcow2Bitmaps.Entry bitmap(String name) throws BlockException {
        for (Qcow2Bitmaps.Entry e : bitmaps) if (e.name().equals(name)) return e;
        throw new BlockException("Dirty bitmap '" + name + "' not found");
    }

    /** A new, all-clean bitmap (its table allocated, zeroed); enabled bitmaps are "auto" (tracking writes). */
    public void bitmapAdd(String name, long granularity, boolean enabled) throws BlockException {
        checkWritable();
        if (h.version < 3) throw new BlockException("Can't make bitmap '" + name + "' persistent: Cannot store dirty bitmaps in qcow2 v2 files");
        for (Qcow2Bitmaps.Entry e : bitmaps) if (e.name().equals(name)) throw new BlockException("Bitmap already exists: " + name);
        if (granularity < 512 || Long.bitCount(granularity) != 1 || granularity > (1L << 31)) {
            throw new BlockException("Granularity must be power of 2 and at least 512");
        }
        if (name.isEmpty() || name.getBytes(java.nio.charset.StandardCharsets.UTF_8).length > 1023) throw new BlockException("Bitmap name is too long or empty");
        flushMetadata();
        int gb = Long.numberOfTrailingZeros(granularity);
        int n = Qcow2Bitmaps.tableEntries(h.size, gb, cs);
        long table = 0;
        if (n > 0) {
            beforeAllocation();
            long clusters = Math.ceilDiv((long) n * 8, cs);
            table = refcounts.allocate(clusters);
            file.write(table, new byte[(int) (clusters * cs)], 0, (int) (clusters * cs));
        }
        List<Qcow2Bitmaps.Entry> next = new ArrayList<>(bitmaps);
        next.add(new Qcow2Bitmaps.Entry(table, n, enabled ? Qcow2Bitmaps.FLAG_AUTO : 0, 1, gb, name, new byte[0]));
        storeBitmaps(next);
    }

    public void bitmapRemove(String name) throws BlockException {
        checkWritable();
        Qcow2Bitmaps.Entry e = bitmap(name);
        flushMetadata();
        long[] t = Qcow2Bitmaps.readTable(file, e);
        List<Qcow2Bitmaps.Entry> next = new ArrayList<>(bitmaps);
        next.remove(e);
        storeBitmaps(next); // unreferenced first, then freed
        freeBitmapClusters(t);
        if (e.tableSize() > 0) refcounts.free(e.tableOffset(), Math.ceilDiv((long) e.tableSize() * 8, cs));
        barrier();
    }

    /** Every bit clean again: the table's entries zeroed, then the data clusters they pointed to freed. */
    public void bitmapClear(String name) throws BlockException {
        checkWritable();
        Qcow2Bitmaps.Entry e = bitmap(name);
        flushMetadata();
        long[] t = Qcow2Bitmaps.readTable(file, e);
        if (e.tableSize() > 0) file.write(e.tableOffset(), new byte[e.tableSize() * 8], 0, e.tableSize() * 8);
        barrier();
        freeBitmapClusters(t);
        storeBitmaps(new ArrayList<>(bitmaps)); // the autoclear bit set again after the open cleared it
    }

    public void bitmapSetEnabled(String name, boolean enabled) throws BlockException {
        checkWritable();
        Qcow2Bitmaps.Entry e = bitmap(name);
        flushMetadata();
        List<Qcow2Bitmaps.Entry> next = new ArrayList<>(bitmaps);
        int f = enabled ? e.flags() | Qcow2Bitmaps.FLAG_AUTO : e.flags() & ~Qcow2Bitmaps.FLAG_AUTO;
        next.set(next.indexOf(e), e.withFlags(f));
        storeBitmaps(next);
    }

    /** Frees the data clusters a bitmap table pointed to (entry 1, "all dirty", has none). */
    private void freeBitmapClusters(long[] table) throws BlockException {
        for (long en : table) {
            long off = en & Qcow2Bitmaps.TABLE_OFFSET_MASK;
            if (off != 0) refcounts.free(off, 1);
        }
    }

    /**
     * Writes a new bitmap directory (fresh clusters), then the header extension pointing to it with the
     * autoclear bit set, then frees the old directory: a crash leaves the old or the new one.
     */
    private void storeBitmaps(List<Qcow2Bitmaps.Entry> next) throws BlockException {
        long oldOff = h.bitmapDirectoryOffset, oldSize = h.bitmapDirectorySize;
        boolean ownedOld = (bitmapsValidAtOpen || bitmapsStored) && oldOff != 0;
        if (next.isEmpty()) {
            barrier();
            Qcow2Header.rewriteBitmaps(file, h, null, h.autoclearFeatures & ~Qcow2Header.AUTOCLEAR_BITMAPS);
            h.nbBitmaps = 0;
            h.bitmapDirectoryOffset = h.bitmapDirectorySize = 0;
        } else {
            byte[] dir = Qcow2Bitmaps.directory(next);
            beforeAllocation();
            long clusters = Math.ceilDiv(dir.length, cs);
            long off = refcounts.allocate(clusters);
            file.write(off, dir, 0, dir.length);
            barrier();
            Qcow2Header.rewriteBitmaps(file, h, Qcow2Bitmaps.extension(next.size(), dir.length, off),
                    h.autoclearFeatures | Qcow2Header.AUTOCLEAR_BITMAPS);
            h.nbBitmaps = next.size();
            h.bitmapDirectoryOffset = off;
            h.bitmapDirectorySize = dir.length;
        }
        barrier();
        if (ownedOld) refcounts.free(oldOff, Math.ceilDiv(oldSize, cs));
        bitmaps = next;
        bitmapsStored = true;
        barrier();
    }

    private boolean bitmapsStored;

    // ---------------------------------------------------------------- rebase, amend

    /** Points the image at another backing file (null: none), without touching any data (rebase -u). */
    @Override
    public void setBacking(String backingFile, String backingFmt) throws BlockException {
        checkWritable();
        flushMetadata();
        barrier();
        Qcow2Header.rewriteBacking(file, h, backingFile, backingFmt);
        barrier();
    }

    /**
     * qemu-img amend's qcow2 options: compat (a downgrade to 0.10 turns zero clusters into data or holes and
     * needs 16-bit refcounts, no lazy refcounts and no snapshots) and lazy_refcounts.
     */
    public void amend(Integer version, Boolean lazy) throws BlockException {
        checkWritable();
        flushMetadata();
        int v = version == null ? h.version : version;
        boolean lz = lazy == null ? (h.version >= 3 && (h.compatibleFeatures & Qcow2Header.COMPAT_LAZY_REFCOUNTS) != 0) : lazy;
        if (v == 2 && lz) throw new BlockException("Lazy refcounts only supported with compatibility level 1.1 and above (use compat=1.1 or greater)");
        if (v == 2 && h.version == 3) {
            if (h.refcountOrder != 4) throw new BlockException("compat=0.10 requires refcount_bits=16");
            if (!snapshots.isEmpty()) throw new BlockException("Cannot downgrade an image with internal snapshots");
            expandZeroClusters();
        }
        String bf = h.backingFile;
        String bfmt = h.backingFormat;
        long compat = lz ? Qcow2Header.COMPAT_LAZY_REFCOUNTS : 0;
        barrier();
        Qcow2Header.rewrite(file, h, v, compat, bf, bfmt);
        barrier();
    }

    /** Before a downgrade to v2: every zero-flagged cluster becomes a hole (no backing file) or zero data. */
    private void expandZeroClusters() throws BlockException {
        byte[] zero = new byte[cs];
        for (long g = 0; g < h.size; g += cs) {
            long en = l2Entry(g);
            if ((en & ZERO) == 0 || (en & COMPRESSED) != 0) continue;
            int n = (int) Math.min(cs, h.size - g);
            if (h.backingFile == null) {
                long l2off = l2ForWrite(l1Index(g));
                long[] t = loadL2(l2off);
                int k = l2Index(g);
                long[] old = {t[k]}, replaced = {0};
                t[k] = 0;
                writeL2Entries(l2off, t, k, k + 1);
                freeOld(old, replaced);
            } else {
                write(g, zero, 0, n);
            }
        }
        flushMetadata();
    }

    // ---------------------------------------------------------------- info

    @Override
    public String formatName() {
        return "qcow2";
    }

    @Override
    public Path path() {
        return file.path();
    }

    @Override
    public long size() {
        return h.size;
    }

    @Override
    public boolean readOnly() {
        return readOnly;
    }

    @Override
    public int clusterSize() {
        return cs;
    }

    @Override
    public BlockDriver backing() {
        return backing;
    }

    public int version() {
        return h.version;
    }

    @Override
    public BlockStatus status(long offset, long length) throws BlockException {
        BlockDriver.checkRange(offset, length, h.size);
        long end = offset + length;
        BlockStatus.Kind kind = null;
        long host0 = -1;
        long g = offset;
        while (g < end) {
            long en = l2Entry(g);
            BlockStatus.Kind k;
            long host = -1;
            if ((en & COMPRESSED) != 0) k = BlockStatus.Kind.DATA;
            else if (isZeroFlag(en)) k = BlockStatus.Kind.ZERO;
            else if ((en & OFFSET_MASK) != 0) {
                k = BlockStatus.Kind.DATA;
                host = (en & OFFSET_MASK) + (g & (cs - 1));
            } else k = BlockStatus.Kind.UNALLOCATED;
            if (kind == null) {
                kind = k;
                host0 = host;
            } else if (k != kind || (host0 < 0) != (host < 0) || (host >= 0 && host != host0 + (g - offset))) {
                break;
            }
            g = Math.min(end, (g & ~(long) (cs - 1)) + cs);
        }
        return new BlockStatus(offset, g - offset, kind, host0);
    }

    @Override
    public ImageInfo info() throws BlockException {
        Map<String, Object> fs = new LinkedHashMap<>();
        if (h.version >= 3) {
            fs.put("compat", "1.1");
            fs.put("compression-type", "zlib");
            fs.put("lazy-refcounts", lazyRefcounts);
            if (!bitmaps.isEmpty()) {
                List<Object> bl = new ArrayList<>();
                for (Qcow2Bitmaps.Entry e : bitmaps) {
                    Map<String, Object> m = new LinkedHashMap<>();
                    List<Object> flags = new ArrayList<>();
                    if ((e.flags() & Qcow2Bitmaps.FLAG_IN_USE) != 0) flags.add("in-use");
                    if ((e.flags() & Qcow2Bitmaps.FLAG_AUTO) != 0) flags.add("auto");
                    m.put("flags", flags);
                    m.put("name", e.name());
                    m.put("granularity", 1L << e.granularityBits());
                    bl.add(m);
                }
                fs.put("bitmaps", bl);
            }
            fs.put("refcount-bits", 1 << h.refcountOrder);
            fs.put("corrupt", (h.incompatibleFeatures & Qcow2Header.INCOMPAT_CORRUPT) != 0);
            fs.put("extended-l2", false);
        } else {
            fs.put("compat", "0.10");
            fs.put("compression-type", "zlib");
            fs.put("refcount-bits", 16);
        }
        List<SnapshotInfo> snaps = new ArrayList<>();
        for (Qcow2Snapshot s : snapshots) snaps.add(s.info());
        return new ImageInfo(file.path().toString(), "qcow2", h.size, file.allocatedBytes(), cs,
                (h.incompatibleFeatures & Qcow2Header.INCOMPAT_DIRTY) != 0, h.backingFile, fullBackingName,
                h.backingFormat, fs, snaps);
    }

    @Override
    public List<SnapshotInfo> snapshots() {
        List<SnapshotInfo> out = new ArrayList<>();
        for (Qcow2Snapshot s : snapshots) out.add(s.info());
        return out;
    }

    @Override
    public CheckResult check(RepairMode mode) throws BlockException {
        if (mode != RepairMode.NONE) checkWritable0();
        flushMetadata();
        Qcow2Check c = new Qcow2Check(this);
        CheckResult r = c.run(mode);
        if (mode != RepairMode.NONE) {
            l2Cache.clear();
            refcounts.invalidateCache();
        }
        return r;
    }

    private void checkWritable0() throws BlockException {
        if (readOnly) throw new BlockException("image '" + file.path() + "' is opened read-only");
    }

    /** Clears the corrupt bit after a successful full repair. */
    void clearCorrupt() throws BlockException {
        if ((h.incompatibleFeatures & Qcow2Header.INCOMPAT_CORRUPT) != 0) {
            setIncompatible(h.incompatibleFeatures & ~Qcow2Header.INCOMPAT_CORRUPT);
            file.force();
        }
    }

    long[] readSnapshotL1(Qcow2Snapshot s) throws BlockException {
        return readL1(s.l1TableOffset(), s.l1Size());
    }

    void invalidateL2Cache() {
        l2Cache.clear();
    }

    // ---------------------------------------------------------------- VM state (qcow2.txt: vm_state_size)

    /**
     * Where a snapshot's VM state lives: guest offsets from the first L1 entry past the virtual disk on, stored
     * like disk data (QEMU's layout, so both read each other's snapshot tables and leave the area alone).
     */
    long vmStateOffset() {
        long span = (long) cs * l2Entries;
        return Math.ceilDiv(h.size, span) * span;
    }

    @Override
    public boolean hasVmStateArea() {
        return true;
    }

    @Override
    public void writeVmState(long pos, MemorySegment src) throws BlockException {
        checkWritable();
        long start = vmStateOffset() + pos;
        long end = start + src.byteSize();
        if (pos < 0 || end < start) throw new BlockException("VM state offset " + pos + " out of range");
        long needL1 = Math.ceilDiv(end, (long) cs * l2Entries);
        if (needL1 * 8 > Qcow2Header.MAX_L1_BYTES) throw new BlockException("VM state too large for this image");
        if (needL1 > l1.length) {
            flushMetadata();
            growL1((int) needL1);
        }
        writeAt(start, src);
        limitDirty();
    }

    @Override
    public void readVmState(long pos, MemorySegment dst) throws BlockException {
        if (pos < 0) throw new BlockException("VM state offset " + pos + " out of range");
        readAt(vmStateOffset() + pos, dst);
    }

    /** Reads a snapshot's VM state through its own L1 table, without reverting to it. */
    @Override
    public void readSnapshotVmState(String nameOrId, long pos, MemorySegment dst) throws BlockException {
        if (pos < 0) throw new BlockException("VM state offset " + pos + " out of range");
        Qcow2Snapshot snap = null;
        for (Qcow2Snapshot sn : snapshots) if (sn.id().equals(nameOrId) || (snap == null && sn.name().equals(nameOrId))) snap = sn;
        if (snap == null) throw new BlockException("snapshot '" + nameOrId + "' not found");
        flushMetadata();
        long[] active = l1;
        l1 = readSnapshotL1(snap); // L2 tables it shares with the active layer are never changed in place
        try {
            readAt(vmStateOffset() + pos, dst);
        } finally {
            l1 = active;
        }
    }

    /** Drops the active layer's VM state clusters (a snapshot keeps its own references to them). */
    @Override
    public void discardVmState() throws BlockException {
        checkWritable();
        long span = (long) cs * l2Entries;
        for (long g = vmStateOffset(); l1Index(g) < l1.length; g += span) {
            if ((l1[l1Index(g)] & OFFSET_MASK) != 0) zeroClustersInL2(g, span, true);
        }
        flushMetadata();
    }

    @Override
    public void snapshotCreate(String name, long vmStateSize, long vmClockNsec) throws BlockException {
        checkWritable();
        flushMetadata();
        new Qcow2Snapshots(this).create(name, vmStateSize, vmClockNsec, -1);
        flushMetadata();
    }

    // ---------------------------------------------------------------- snapshots

    @Override
    public void snapshotCreate(String name) throws BlockException {
        checkWritable();
        flushMetadata();
        new Qcow2Snapshots(this).create(name);
        flushMetadata();
    }

    @Override
    public void snapshotApply(String nameOrId) throws BlockException {
        checkWritable();
        flushMetadata();
        new Qcow2Snapshots(this).apply(nameOrId);
        flushMetadata();
    }

    @Override
    public void snapshotDelete(String nameOrId) throws BlockException {
        checkWritable();
        flushMetadata();
        new Qcow2Snapshots(this).delete(nameOrId);
        flushMetadata();
    }

    void writeL1EntryRaw(int i, long v) throws BlockException {
        writeL1Entry(i, v);
    }

    void writeL2EntriesRaw(long l2off, long[] t, int from, int to) throws BlockException {
        writeL2Entries(l2off, t, from, to);
    }
}
