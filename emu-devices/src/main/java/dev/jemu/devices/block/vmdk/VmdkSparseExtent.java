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
 * sectors map through a grain directory and grain tables of 512 entries to grains. Uncompressed
 * (monolithicSparse) extents write grains in place once allocated; a new grain is appended whole at the
 * end of the file, then the grain table entry (and its copy in the redundant table) points to it.
 * streamOptimized extents compress every grain (zlib)
 * behind a marker (LBA, size); their grain directory may be at the end of the file, found through the
 * footer; writes append new compressed grains (see {@link #write}).
 */
final class VmdkSparseExtent implements VmdkExtent {
    static final int MAGIC = 0x564d444b; // "KDMV" little-endian
    private static final long GD_AT_END = -1L;
    private static final long FLAG_RGD = 1 << 1;
    private static final long FLAG_ZERO_GRAIN = 1 << 2;
    private static final long FLAG_COMPRESSED = 1 << 16;
    private static final long FLAG_MARKERS = 1 << 17;
    private static final int COMPRESSION_DEFLATE = 1;
    /** Metadata marker types (a marker with size 0: lba = sectors of metadata that follow, then the type). */
    static final int MARKER_EOS = 0, MARKER_GT = 1, MARKER_GD = 2, MARKER_FOOTER = 3;

    private final ImageFile file;
    final long capacity; // sectors
    final long grainSectors;
    final int gtEntries;
    private final long[] gd;
    final long descriptorOffset, descriptorSize;
    private final boolean zeroGrains;
    /** streamOptimized: every grain is compressed, behind a marker (lba, size) when markers is set. */
    private final boolean compressed, markers;
    /** The grain directory follows the data and a footer ends the file (a stream); the header in use. */
    private final boolean gdAtEnd;
    private final byte[] footerHeader;
    private final long gdSector;
    /** The redundant grain directory (monolithicSparse as qemu-img and VMware write it), or null. */
    private final long[] rgd;
    private long cachedGrain = -1;
    /** Flush between the append and the table update (off for throw-away output). */
    boolean barriers = true;
    private byte[] cachedData;
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
        gdAtEnd = Bytes.getLongLE(h, 56) == GD_AT_END;
        if (gdAtEnd) h = footer(fileSize);
        footerHeader = h;
        int version = Bytes.getIntLE(h, 4);
        long flags = Integer.toUnsignedLong(Bytes.getIntLE(h, 8));
        if (version != 1 && version != 2 && version != 3) throw new BlockException("unsupported VMDK version " + version);
        compressed = (flags & FLAG_COMPRESSED) != 0;
        markers = (flags & FLAG_MARKERS) != 0;
        if (compressed) {
            int algo = (h[77] & 0xff) | (h[78] & 0xff) << 8;
            if (algo != COMPRESSION_DEFLATE) throw new BlockException("unsupported VMDK compression algorithm " + algo);
        }
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
        if (gdOffset == GD_AT_END) throw BlockException.corrupt("VMDK footer has no grain directory offset");
        long gdEntries = Math.ceilDiv(Math.ceilDiv(capacity, grainSectors), gtEntries);
        if (gdEntries > (1 << 22)) throw BlockException.corrupt("VMDK grain directory too large");
        if (gdOffset < 1 || gdOffset > fileSize / 512 || gdOffset * 512 + gdEntries * 4 > fileSize) throw BlockException.corrupt("VMDK grain directory beyond end of file");
        byte[] raw = new byte[(int) (gdEntries * 4)];
        file.readFully(gdOffset * 512, raw, 0, raw.length, "VMDK grain directory");
        gdSector = gdOffset;
        gd = new long[(int) gdEntries];
        for (int i = 0; i < gd.length; i++) gd[i] = Integer.toUnsignedLong(Bytes.getIntLE(raw, i * 4));
        long rgdOffset = Bytes.getLongLE(h, 48);
        if ((flags & FLAG_RGD) != 0 && !compressed && rgdOffset > 0 && rgdOffset * 512 + gdEntries * 4 <= fileSize) {
            file.readFully(rgdOffset * 512, raw, 0, raw.length, "VMDK redundant grain directory");
            rgd = new long[(int) gdEntries];
            for (int i = 0; i < rgd.length; i++) rgd[i] = Integer.toUnsignedLong(Bytes.getIntLE(raw, i * 4));
        } else {
            rgd = null;
        }
        rgdSector = rgd == null ? 0 : rgdOffset;
        grainAreaSector = Bytes.getLongLE(h, 64);
    }

    /** First sector grains may occupy (the header's overhead): an entry below points into metadata. */
    private final long grainAreaSector;

    private final long rgdSector;

    /**
     * A stream (gdOffset = GD_AT_END in the header) ends in a FOOTER marker, the footer (a header with
     * the real gdOffset) and an EOS marker, one sector each; the footer replaces the header.
     */
    private byte[] footer(long fileSize) throws BlockException {
        if (fileSize < 512 * 4) throw BlockException.corrupt("VMDK stream too short for a footer");
        long at = (fileSize & ~511L) - 3 * 512;
        byte[] b = new byte[3 * 512];
        file.readFully(at, b, 0, b.length, "VMDK footer");
        if (Bytes.getIntLE(b, 8) != 0 || Bytes.getIntLE(b, 12) != MARKER_FOOTER) throw BlockException.corrupt("VMDK stream has no footer marker before its end");
        if (Bytes.getIntLE(b, 1024 + 8) != 0 || Bytes.getIntLE(b, 1024 + 12) != MARKER_EOS) throw BlockException.corrupt("VMDK stream does not end with an end-of-stream marker");
        if (Bytes.getIntLE(b, 512) != MAGIC) throw BlockException.corrupt("VMDK footer has a bad magic");
        return java.util.Arrays.copyOfRange(b, 512, 1024);
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
                if (compressed) System.arraycopy(inflated(grain, e), in, buf, at, n);
                else file.readUpTo(e * 512 + in, buf, at, n);
            }
            off += n;
            at += n;
            len -= n;
        }
    }

    /** The whole grain at sector e, inflated (the last one is kept: reads come in pieces of a grain). */
    private byte[] inflated(long grain, long e) throws BlockException {
        if (grain == cachedGrain) return cachedData;
        int gb = grainBytes();
        long pos = e * 512;
        int len;
        if (markers) {
            byte[] m = new byte[12];
            file.readFully(pos, m, 0, 12, "VMDK grain marker");
            long lba = Bytes.getLongLE(m, 0);
            len = Bytes.getIntLE(m, 8);
            if (lba != grain * grainSectors) throw BlockException.corrupt("VMDK grain marker at sector " + e + " names LBA " + lba + ", expected " + grain * grainSectors);
            if (len <= 0 || len > maxCompressed()) throw BlockException.corrupt("VMDK grain marker at sector " + e + " has invalid size " + Integer.toUnsignedString(len));
            pos += 12;
        } else {
            len = (int) Math.min(maxCompressed(), file.size() - pos);
        }
        byte[] src = new byte[len];
        if (markers) file.readFully(pos, src, 0, len, "VMDK compressed grain");
        else file.readUpTo(pos, src, 0, len);
        byte[] out = cachedData != null && cachedData.length == gb ? cachedData : new byte[gb];
        cachedGrain = -1;
        VmdkGrainInflater.inflate(src, len, out, e);
        cachedData = out;
        cachedGrain = grain;
        return out;
    }

    /** zlib never grows data by more than a few bytes per 16 KiB block; anything beyond this is corrupt. */
    private int maxCompressed() {
        return grainBytes() + grainBytes() / 8 + 1024;
    }

    boolean compressed() {
        return compressed;
    }

    /**
     * streamOptimized only: a written grain is compressed and appended, never overwritten in place (the
     * old copy leaks). Order for crash consistency: (1) append the grain and, if its GD entry is 0, a new
     * grain table; (2) flush; (3) point the grain table entry, or the GD entry of the new table, at it:
     * one 4-byte in-place write, before which the old content is still what the image says.
     * A stream (GD at the end) must keep ending in FOOTER marker, footer, EOS, with no EOS before: the
     * new data starts where the old footer marker is. Its part beyond the old EOS (ending in the new
     * footer) is written first, flushed, then its first three sectors over the old footer; a crash
     * leaves a valid footer at the end either way. Zeroes become an appended zero grain there (a
     * sequential stream reader would not see a grain table entry cleared).
     */
    @Override
    public void write(long off, byte[] buf, int at, int len) throws BlockException {
        if (compressed && !markers) throw new BlockException("writing compressed VMDK extents without markers is not supported (convert to qcow2)");
        int gb = grainBytes();
        while (len > 0) {
            long grain = off / gb;
            int in = (int) (off % gb);
            int n = Math.min(len, gb - in);
            if (compressed) writeGrain(grain, in, buf, at, n);
            else writePlainGrain(grain, in, buf, at, n);
            off += n;
            at += n;
            len -= n;
        }
    }

    private void writeGrain(long grain, int in, byte[] buf, int at, int n) throws BlockException {
        int gb = grainBytes();
        long e = gte(grain);
        byte[] data;
        if (e == 0 || (e == 1 && zeroGrains)) data = new byte[gb];
        else {
            if (e * 512 >= file.size()) throw BlockException.corrupt("VMDK grain at sector " + e + " is beyond end of file");
            data = inflated(grain, e).clone();
        }
        System.arraycopy(buf, at, data, in, n);
        int valid = (int) Math.min(gb, capacity * 512 - grain * gb); // the last grain may be partial
        int gdi = (int) (grain / gtEntries), gti = (int) (grain % gtEntries);
        if (Bytes.isZero(data, 0, valid)) {
            if (e == 0) return;
            if (!gdAtEnd) { // unallocated reads as zeroes
                if (gd[gdi] != 0) setEntry(gd[gdi] * 512 + 4L * gti, 0);
                cachedGrain = -1;
                return;
            }
        }
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream(gb / 2);
        long end = gdAtEnd ? (file.size() & ~511L) - 3 * 512 : Math.ceilDiv(file.size(), 512) * 512;
        byte[] c = deflate(data, valid);
        byte[] m = new byte[(int) Math.ceilDiv(12L + c.length, 512) * 512];
        putLE(m, 0, grain * grainSectors, 8);
        putLE(m, 8, c.length, 4);
        System.arraycopy(c, 0, m, 12, c.length);
        out.writeBytes(m);
        long grainSector = end / 512;
        long newGt = 0;
        if (gd[gdi] == 0) { // a new grain table, holding just this entry
            out.writeBytes(metadataMarker(4, MARKER_GT));
            newGt = (end + out.size()) / 512;
            byte[] gt = new byte[gtEntries * 4];
            putLE(gt, gti * 4, grainSector, 4);
            out.writeBytes(gt);
        }
        if (gdAtEnd) {
            out.writeBytes(metadataMarker(1, MARKER_FOOTER));
            out.writeBytes(footerHeader);
            out.writeBytes(metadataMarker(0, MARKER_EOS));
        }
        if (grainSector > 0xffffffffL || newGt > 0xffffffffL) throw new BlockException("VMDK stream is full (grain offsets have 32 bits)");
        byte[] all = out.toByteArray();
        if (gdAtEnd) {
            int old = 3 * 512; // the old footer marker, footer and EOS
            file.write(end + old, all, old, all.length - old);
            if (barriers) file.force();
            file.write(end, all, 0, old);
        } else {
            file.write(end, all, 0, all.length);
        }
        if (barriers) file.force();
        cachedGrain = -1;
        if (newGt != 0) {
            setEntry(gdSector * 512 + 4L * gdi, newGt);
            gd[gdi] = newGt;
        } else {
            setEntry(gd[gdi] * 512 + 4L * gti, grainSector);
        }
    }

    /**
     * monolithicSparse: in place when the grain is allocated; otherwise (unless the data is all zeroes)
     * the whole grain is appended at the end of the file, flushed, then the grain table entry and its
     * redundant copy are set (a missing grain table is appended first and its directory entries set).
     */
    private void writePlainGrain(long grain, int in, byte[] buf, int at, int n) throws BlockException {
        long e = gte(grain);
        if (e > 1 || (e == 1 && !zeroGrains)) {
            if (e * 512 >= file.size()) throw BlockException.corrupt("VMDK grain at sector " + e + " is beyond end of file");
            if (e < grainAreaSector) throw BlockException.corrupt("VMDK grain at sector " + e + " lies in the image's metadata");
            file.write(e * 512 + in, buf, at, n);
            return;
        }
        if (Bytes.isZero(buf, at, n)) return; // unallocated (or zero) grains read as zeroes already
        int gb = grainBytes();
        int gdi = (int) (grain / gtEntries), gti = (int) (grain % gtEntries);
        if (gd[gdi] == 0) appendGrainTable(gdi);
        else if (gd[gdi] < 1 || (rgd != null && rgd[gdi] < 1)) throw BlockException.corrupt("VMDK grain table in the header");
        byte[] data = new byte[gb];
        System.arraycopy(buf, at, data, in, n);
        long sector = Math.ceilDiv(file.size(), 512);
        if (sector + grainSectors > 0xffffffffL) throw new BlockException("VMDK image is full (grain offsets have 32 bits)");
        file.write(sector * 512, data, 0, gb);
        if (barriers) file.force();
        setEntry(gd[gdi] * 512 + 4L * gti, sector);
        if (rgd != null && rgd[gdi] != 0) setEntry(rgd[gdi] * 512 + 4L * gti, sector);
    }

    private void appendGrainTable(int gdi) throws BlockException {
        int tableBytes = gtEntries * 4;
        long sector = Math.ceilDiv(file.size(), 512);
        file.write(sector * 512, new byte[tableBytes * (rgd != null ? 2 : 1)], 0, tableBytes * (rgd != null ? 2 : 1));
        if (barriers) file.force();
        setEntry(gdSector * 512 + 4L * gdi, sector);
        gd[gdi] = sector;
        if (rgd != null) {
            long r = sector + tableBytes / 512;
            setEntry(rgdSector * 512 + 4L * gdi, r);
            rgd[gdi] = r;
        }
    }

    /** Writes one grain table or directory entry in place and updates the cached table. */
    private void setEntry(long pos, long value) throws BlockException {
        if (pos < 512 || pos + 4 > file.size()) throw BlockException.corrupt("VMDK table entry at offset " + pos + " is outside the file");
        byte[] b = new byte[4];
        putLE(b, 0, value, 4);
        file.write(pos, b, 0, 4);
        gtCache.clear();
    }

    private static byte[] deflate(byte[] data, int len) {
        java.util.zip.Deflater d = new java.util.zip.Deflater(6); // zlib, as qemu and VMware write it
        try {
            d.setInput(data, 0, len);
            d.finish();
            byte[] out = new byte[len + len / 8 + 64];
            int n = 0;
            while (!d.finished()) {
                if (n == out.length) out = java.util.Arrays.copyOf(out, out.length * 2);
                n += d.deflate(out, n, out.length - n);
            }
            return java.util.Arrays.copyOf(out, n);
        } finally {
            d.end();
        }
    }

    private static byte[] metadataMarker(long sectors, int type) {
        byte[] m = new byte[512];
        putLE(m, 0, sectors, 8);
        putLE(m, 12, type, 4);
        return m;
    }

    private static void putLE(byte[] b, int o, long v, int width) {
        for (int i = 0; i < width; i++) b[o + i] = (byte) (v >>> (8 * i));
    }

    boolean writable() {
        return !compressed || markers;
    }

    @Override
    public BlockStatus status(long off, long len) throws BlockException {
        int gb = grainBytes();
        long end = off + len, g = off;
        BlockStatus.Kind kind = null;
        long host0 = -1;
        while (g < end) {
            long e = gte(g / gb);
            // no parent: an unallocated grain reads as zeroes, but is reported as such (as qemu-img map does)
            BlockStatus.Kind k = e == 0 ? BlockStatus.Kind.UNALLOCATED
                    : e == 1 && zeroGrains ? BlockStatus.Kind.ZERO : BlockStatus.Kind.DATA;
            long host = k == BlockStatus.Kind.DATA && !compressed ? e * 512 + g % gb : -1;
            if (kind == null) {
                kind = k;
                host0 = host;
            } else if (k != kind || (host >= 0 && host != host0 + (g - off))) break;
            g = Math.min(end, (g / gb + 1) * gb);
        }
        return new BlockStatus(off, g - off, kind, host0);
    }

    @Override
    public void flush() throws BlockException {
        file.force();
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
