package dev.jemu.devices.block.vmdk;

import dev.jemu.devices.block.BlockException;
import dev.jemu.devices.block.BlockStatus;
import dev.jemu.devices.block.Bytes;
import dev.jemu.devices.block.ImageFile;

import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A hosted sparse extent (VMware "Virtual Disk Format 1.1", SparseExtentHeader, little-endian):
 * sectors map through a grain directory and grain tables of 512 entries to grains. Read-only here;
 * compressed (streamOptimized) extents are refused.
 */
final class VmdkSparseExtent implements VmdkExtent {
    static final int MAGIC = 0x564d444b; // "KDMV" little-endian
    private static final long GD_AT_END = -1L;
    private static final long FLAG_ZERO_GRAIN = 1 << 2;
    private static final long FLAG_COMPRESSED = 1 << 16;

    private final ImageFile file;
    final long capacity; // sectors
    final long grainSectors;
    final int gtEntries;
    private final long[] gd;
    final long descriptorOffset, descriptorSize;
    private final boolean zeroGrains;
    private final LinkedHashMap<Long, int[]> gtCache = new LinkedHashMap<>(16, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<Long, int[]> e) {
            return size() > 64;
        }
    };

    VmdkSparseExtent(ImageFile file) throws BlockException {
        this.file = file;
        long fileSize = file.size();
        if (fileSize < 512) throw new BlockException("image is truncated: VMDK sparse header needs 512 bytes");
        byte[] h = new byte[512];
        file.readFully(0, h, 0, 512, "VMDK header");
        if (Bytes.getIntLE(h, 0) != MAGIC) throw new BlockException("not a VMDK sparse extent (bad magic)");
        int version = Bytes.getIntLE(h, 4);
        long flags = Integer.toUnsignedLong(Bytes.getIntLE(h, 8));
        if (version == 3 || (flags & FLAG_COMPRESSED) != 0) throw new BlockException("compressed (streamOptimized) VMDK images are not supported");
        if (version != 1 && version != 2) throw new BlockException("unsupported VMDK version " + version);
        capacity = Bytes.getLongLE(h, 12);
        grainSectors = Bytes.getLongLE(h, 20);
        descriptorOffset = Bytes.getLongLE(h, 28);
        descriptorSize = Bytes.getLongLE(h, 36);
        gtEntries = Bytes.getIntLE(h, 44);
        long gdOffset = Bytes.getLongLE(h, 56);
        zeroGrains = (flags & FLAG_ZERO_GRAIN) != 0;
        if (grainSectors < 1 || grainSectors > 4096 || Long.bitCount(grainSectors) != 1) throw BlockException.corrupt("invalid VMDK grain size " + grainSectors);
        if (gtEntries != 512) throw BlockException.corrupt("invalid VMDK grain table size " + Integer.toUnsignedString(gtEntries));
        if (capacity < 0 || capacity > (1L << 40)) throw BlockException.corrupt("invalid VMDK capacity " + capacity);
        if (gdOffset == GD_AT_END) throw new BlockException("VMDK grain directory at end of file (streamOptimized) is not supported");
        long gdEntries = Math.ceilDiv(Math.ceilDiv(capacity, grainSectors), gtEntries);
        if (gdEntries > (1 << 22)) throw BlockException.corrupt("VMDK grain directory too large");
        if (gdOffset < 1 || gdOffset > fileSize / 512 || gdOffset * 512 + gdEntries * 4 > fileSize) throw BlockException.corrupt("VMDK grain directory beyond end of file");
        byte[] raw = new byte[(int) (gdEntries * 4)];
        file.readFully(gdOffset * 512, raw, 0, raw.length, "VMDK grain directory");
        gd = new long[(int) gdEntries];
        for (int i = 0; i < gd.length; i++) gd[i] = Integer.toUnsignedLong(Bytes.getIntLE(raw, i * 4));
    }

    /** The embedded descriptor text, or null. */
    String descriptor() throws BlockException {
        if (descriptorOffset == 0 || descriptorSize == 0) return null;
        if (descriptorSize > 128 || (descriptorOffset + descriptorSize) * 512 > file.size()) throw BlockException.corrupt("invalid embedded VMDK descriptor");
        byte[] b = new byte[(int) (descriptorSize * 512)];
        file.readFully(descriptorOffset * 512, b, 0, b.length, "VMDK descriptor");
        int n = 0;
        while (n < b.length && b[n] != 0) n++;
        return new String(b, 0, n, StandardCharsets.UTF_8);
    }

    /** Grain table entry (sector of the grain, 0 unallocated, 1 zero grain) for a grain index. */
    private long gte(long grain) throws BlockException {
        int gdi = (int) (grain / gtEntries);
        long gtSector = gd[gdi];
        if (gtSector == 0) return 0;
        int[] gt = gtCache.get(gtSector);
        if (gt == null) {
            if ((gtSector + 4) * 512 > file.size()) throw BlockException.corrupt("VMDK grain table at sector " + gtSector + " is beyond end of file");
            byte[] raw = new byte[gtEntries * 4];
            file.readFully(gtSector * 512, raw, 0, raw.length, "VMDK grain table");
            gt = new int[gtEntries];
            for (int i = 0; i < gtEntries; i++) gt[i] = Bytes.getIntLE(raw, i * 4);
            gtCache.put(gtSector, gt);
        }
        return Integer.toUnsignedLong(gt[(int) (grain % gtEntries)]);
    }

    @Override
    public long sectors() {
        return capacity;
    }

    @Override
    public int grainBytes() {
        return (int) (grainSectors * 512);
    }

    @Override
    public void read(long off, byte[] buf, int at, int len) throws BlockException {
        int gb = grainBytes();
        while (len > 0) {
            long grain = off / gb;
            int in = (int) (off % gb);
            int n = Math.min(len, gb - in);
            long e = gte(grain);
            if (e == 0 || (e == 1 && zeroGrains)) java.util.Arrays.fill(buf, at, at + n, (byte) 0);
            else {
                if (e * 512 >= file.size()) throw BlockException.corrupt("VMDK grain at sector " + e + " is beyond end of file");
                file.readUpTo(e * 512 + in, buf, at, n);
            }
            off += n;
            at += n;
            len -= n;
        }
    }

    @Override
    public void write(long off, byte[] buf, int at, int len) throws BlockException {
        throw new BlockException("writing VMDK sparse extents is not supported (convert to qcow2 or monolithicFlat)");
    }

    @Override
    public BlockStatus status(long off, long len) throws BlockException {
        int gb = grainBytes();
        long end = off + len, g = off;
        BlockStatus.Kind kind = null;
        long host0 = -1;
        while (g < end) {
            long e = gte(g / gb);
            BlockStatus.Kind k = e == 0 || (e == 1 && zeroGrains) ? BlockStatus.Kind.ZERO : BlockStatus.Kind.DATA;
            long host = k == BlockStatus.Kind.DATA ? e * 512 + g % gb : -1;
            if (kind == null) {
                kind = k;
                host0 = host;
            } else if (k != kind || (host >= 0 && host != host0 + (g - off))) break;
            g = Math.min(end, (g / gb + 1) * gb);
        }
        return new BlockStatus(off, g - off, kind, host0);
    }

    @Override
    public void flush() {
    }

    @Override
    public void close() throws BlockException {
        file.close();
    }

    @Override
    public long allocatedBytes() {
        return file.allocatedBytes();
    }
}
