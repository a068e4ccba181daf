package dev.jemu.devices.block.qcow2;

import dev.jemu.devices.block.BlockException;
import dev.jemu.devices.block.Bytes;
import dev.jemu.devices.block.ImageFile;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The qcow2 header (docs/interop/qcow2.txt, "Header" and "Header extensions"), parsed and checked
 * against the file before anything trusts it: every table must be aligned, lie inside the file and
 * not overlap another, and every size must be bounded, so that a hostile image ends in a one-line error
 * and never in a giant allocation.
 */
public final class Qcow2Header {
    public static final int MAGIC = 0x514649fb; // "QFI\xfb"
    public static final int V2_LENGTH = 72;
    public static final int V3_LENGTH = 104;

    // Field offsets used for in-place updates.
    public static final int OFF_SIZE = 24;
    public static final int OFF_L1_SIZE = 36;          // l1_size (4) + l1_table_offset (8): one 12-byte write
    public static final int OFF_REFCOUNT_TABLE = 48;   // offset (8) + clusters (4): one 12-byte write
    public static final int OFF_NB_SNAPSHOTS = 60;     // nb_snapshots (4) + snapshots_offset (8)
    public static final int OFF_INCOMPATIBLE = 72;
    public static final int OFF_AUTOCLEAR = 88;

    public static final long INCOMPAT_DIRTY = 1;
    public static final long INCOMPAT_CORRUPT = 2;
    public static final long INCOMPAT_SUPPORTED = INCOMPAT_DIRTY | INCOMPAT_CORRUPT;
    public static final long COMPAT_LAZY_REFCOUNTS = 1;

    public static final int EXT_END = 0;
    public static final int EXT_BACKING_FORMAT = 0xe2792aca;
    public static final int EXT_FEATURE_TABLE = 0x6803f857;
    public static final int EXT_BITMAPS = 0x23852875;
    public static final long AUTOCLEAR_BITMAPS = 1;

    /** qemu's limits, which we share so that every image we write opens in qemu and vice versa. */
    public static final long MAX_L1_BYTES = 32L << 20;
    public static final long MAX_REFTABLE_BYTES = 8L << 20;
    public static final int MAX_SNAPSHOTS = 65536;

    public int version;
    public long backingFileOffset;
    public int backingFileSize;
    public int clusterBits;
    public long size;
    public int cryptMethod;
    public int l1Size;
    public long l1TableOffset;
    public long refcountTableOffset;
    public int refcountTableClusters;
    public int nbSnapshots;
    public long snapshotsOffset;
    public long incompatibleFeatures;
    public long compatibleFeatures;
    public long autoclearFeatures;
    public int refcountOrder = 4;
    public int headerLength = V2_LENGTH;

    public String backingFile;
    /** The bitmaps extension: count, directory size and offset (0 when absent). */
    public int nbBitmaps;
    public long bitmapDirectorySize, bitmapDirectoryOffset;
    public String backingFormat;
    /** (type << 8 | bit) -> name, from the feature name table. */
    public final Map<Integer, String> featureNames = new TreeMap<>();

    public int clusterSize() {
        return 1 << clusterBits;
    }

    /** Parses and validates the header of an image file of the given size. */
    public static Qcow2Header read(ImageFile file) throws BlockException {
        long fileSize = file.size();
        if (fileSize < V2_LENGTH) throw new BlockException("image is truncated: qcow2 header needs 72 bytes, file has " + fileSize);
        byte[] h = new byte[V3_LENGTH];
        file.readUpTo(0, h, 0, h.length);
        Qcow2Header hd = new Qcow2Header();
        if (Bytes.getInt(h, 0) != MAGIC) throw new BlockException("not a qcow2 image (bad magic)");
        hd.version = Bytes.getInt(h, 4);
        if (hd.version != 2 && hd.version != 3) throw new BlockException("unsupported qcow2 version " + Integer.toUnsignedString(hd.version));
        hd.backingFileOffset = Bytes.getLong(h, 8);
        hd.backingFileSize = Bytes.getInt(h, 16);
        hd.clusterBits = Bytes.getInt(h, 20);
        hd.size = Bytes.getLong(h, 24);
        hd.cryptMethod = Bytes.getInt(h, 32);
        hd.l1Size = Bytes.getInt(h, 36);
        hd.l1TableOffset = Bytes.getLong(h, 40);
        hd.refcountTableOffset = Bytes.getLong(h, 48);
        hd.refcountTableClusters = Bytes.getInt(h, 56);
        hd.nbSnapshots = Bytes.getInt(h, 60);
        hd.snapshotsOffset = Bytes.getLong(h, 64);
        if (hd.version == 3) {
            if (fileSize < V3_LENGTH) throw new BlockException("image is truncated: qcow2 v3 header needs 104 bytes");
            hd.incompatibleFeatures = Bytes.getLong(h, 72);
            hd.compatibleFeatures = Bytes.getLong(h, 80);
            hd.autoclearFeatures = Bytes.getLong(h, 88);
            hd.refcountOrder = Bytes.getInt(h, 96);
            hd.headerLength = Bytes.getInt(h, 100);
        }
        hd.validate(file, fileSize);
        return hd;
    }

    private void validate(ImageFile file, long fileSize) throws BlockException {
        if (clusterBits < 9 || clusterBits > 21) {
            throw new BlockException("unsupported cluster size: cluster_bits " + Integer.toUnsignedString(clusterBits)
                    + " (must be 9 to 21, i.e. 512 B to 2 MiB)");
        }
        int cs = clusterSize();
        if (version == 3 && (headerLength < V3_LENGTH || headerLength % 8 != 0 || headerLength > cs)) {
            throw BlockException.corrupt("invalid header_length " + Integer.toUnsignedString(headerLength));
        }
        readExtensions(file, fileSize);
        long unknown = incompatibleFeatures & ~INCOMPAT_SUPPORTED;
        if (unknown != 0) throw new BlockException("unsupported qcow2 feature(s): " + featureList(unknown, 0));
        if (cryptMethod != 0) throw new BlockException("encrypted qcow2 images are not supported");
        if (refcountOrder < 0 || refcountOrder > 6) {
            throw BlockException.corrupt("refcount_order " + Integer.toUnsignedString(refcountOrder) + " (must be 0 to 6)");
        }
        if (size < 0) throw BlockException.corrupt("negative virtual size");
        // Guest clusters are addressed through l1 and l2 tables: the L1 must cover the whole disk.
        long l2Entries = cs / 8;
        long neededL1 = ceilDiv(ceilDiv(size, cs), l2Entries);
        if (Integer.toUnsignedLong(l1Size) * 8 > MAX_L1_BYTES) throw BlockException.corrupt("active L1 table too large (" + Integer.toUnsignedString(l1Size) + " entries)");
        if (neededL1 > l1Size) throw BlockException.corrupt("L1 table too small for virtual size " + size);
        checkTable("L1 table", l1TableOffset, (long) l1Size * 8, fileSize, l1Size > 0);
        if (refcountTableClusters <= 0 || (long) refcountTableClusters * cs > MAX_REFTABLE_BYTES) {
            throw BlockException.corrupt("invalid refcount table size (" + Integer.toUnsignedString(refcountTableClusters) + " clusters)");
        }
        checkTable("refcount table", refcountTableOffset, (long) refcountTableClusters * cs, fileSize, true);
        if (refcountTableOffset == 0) throw BlockException.corrupt("refcount table at offset 0");
        if (Integer.toUnsignedLong(nbSnapshots) > MAX_SNAPSHOTS) throw BlockException.corrupt("too many snapshots (" + Integer.toUnsignedString(nbSnapshots) + ")");
        checkTable("snapshot table", snapshotsOffset, (long) nbSnapshots * 40, fileSize, nbSnapshots > 0);
        // Metadata areas must not overlap each other or the header cluster.
        long[][] areas = {
                {0, cs, 0},
                {l1TableOffset, (long) l1Size * 8, 1},
                {refcountTableOffset, (long) refcountTableClusters * cs, 2},
                {snapshotsOffset, (long) nbSnapshots * 40, 3}};
        String[] names = {"header", "L1 table", "refcount table", "snapshot table"};
        for (int i = 0; i < areas.length; i++) {
            for (int j = i + 1; j < areas.length; j++) {
                if (areas[i][1] == 0 || areas[j][1] == 0) continue;
                if (overlaps(areas[i][0], areas[i][1], areas[j][0], areas[j][1], cs)) {
                    throw BlockException.corrupt(names[i] + " overlaps " + names[j]);
                }
            }
        }
        if (backingFileOffset != 0) {
            if (Integer.toUnsignedLong(backingFileSize) > 1023) throw BlockException.corrupt("backing file name too long");
            if (backingFileOffset < 0 || backingFileOffset + backingFileSize > Math.min(cs, fileSize)) {
                throw BlockException.corrupt("backing file name outside the header cluster");
            }
            byte[] name = new byte[backingFileSize];
            file.readFully(backingFileOffset, name, 0, name.length, "backing file name");
            backingFile = new String(name, StandardCharsets.UTF_8);
            if (backingFile.indexOf('\0') >= 0) throw BlockException.corrupt("backing file name contains NUL");
        }
    }

    private static void checkTable(String what, long offset, long bytes, long fileSize, boolean present) throws BlockException {
        if (!present) return;
        if (offset < 0 || (offset & 511) != 0) throw BlockException.corrupt(what + " offset " + offset + " is not aligned");
        if (offset + bytes > fileSize || offset + bytes < offset) {
            throw BlockException.corrupt(what + " at offset " + offset + " (" + bytes + " bytes) is beyond end of file (" + fileSize + ")");
        }
    }

    static void checkAligned(String what, long offset, int cs) throws BlockException {
        if ((offset & (cs - 1)) != 0) throw BlockException.corrupt(what + " offset " + offset + " is not cluster-aligned");
    }

    private static boolean overlaps(long a, long alen, long b, long blen, int cs) {
        long ae = roundUp(a + alen, cs), be = roundUp(b + blen, cs);
        long as = a & ~(long) (cs - 1), bs = b & ~(long) (cs - 1);
        return as < be && bs < ae;
    }

    private void readExtensions(ImageFile file, long fileSize) throws BlockException {
        int cs = clusterSize();
        int end = (int) Math.min(cs, fileSize);
        int pos = version == 2 ? V2_LENGTH : headerLength;
        if (pos >= end) return;
        byte[] area = new byte[end];
        file.readUpTo(0, area, 0, end);
        boolean seenBackingFmt = false;
        while (pos + 8 <= end) {
            int type = Bytes.getInt(area, pos);
            long len = Integer.toUnsignedLong(Bytes.getInt(area, pos + 4));
            if (type == EXT_END) return;
            if (pos + 8 + len > end) throw BlockException.corrupt("header extension 0x" + Integer.toHexString(type) + " runs past the first cluster");
            int data = pos + 8;
            switch (type) {
                case EXT_BACKING_FORMAT -> {
                    if (seenBackingFmt || len > 1023) throw BlockException.corrupt("invalid backing format extension");
                    seenBackingFmt = true;
                    backingFormat = new String(area, data, (int) len, StandardCharsets.UTF_8);
                }
                case EXT_BITMAPS -> {
                    if (len < 24) throw BlockException.corrupt("bitmaps extension too short");
                    nbBitmaps = Bytes.getInt(area, data);
                    bitmapDirectorySize = Bytes.getLong(area, data + 8);
                    bitmapDirectoryOffset = Bytes.getLong(area, data + 16);
                }
                case EXT_FEATURE_TABLE -> {
                    for (int e = 0; e + 48 <= len; e += 48) {
                        int t = area[data + e] & 0xff, bit = area[data + e + 1] & 0xff;
                        int n = 0;
                        while (n < 46 && area[data + e + 2 + n] != 0) n++;
                        featureNames.put((t << 8) | bit, new String(area, data + e + 2, n, StandardCharsets.UTF_8));
                    }
                }
                default -> {
                    // Unknown extensions are left untouched on disk (we never rewrite this area).
                }
            }
            pos = data + (int) roundUp(len, 8);
        }
    }

    /**
     * Rewrites the header cluster's tail: every extension but the backing format is kept as it is, the
     * backing format extension and the backing file name are replaced (null: none). Written in one write
     * of the first cluster's used part, so a crash leaves either the old or the new header.
     */
    static void rewriteBacking(ImageFile file, Qcow2Header h, String backingFile, String backingFmt) throws BlockException {
        rewrite(file, h, h.version, h.compatibleFeatures, backingFile, backingFmt);
    }

    /**
     * Sets the bitmaps extension (null: removes it) and the autoclear bits, keeping everything else, in one
     * write of the header cluster's used part.
     */
    static void rewriteBitmaps(ImageFile file, Qcow2Header h, byte[] ext, long autoclear) throws BlockException {
        rewrite(file, h, h.version, h.compatibleFeatures, h.backingFile, h.backingFormat, EXT_BITMAPS, ext);
        file.writeLong(OFF_AUTOCLEAR, autoclear);
        h.autoclearFeatures = autoclear;
    }

    /**
     * Rewrites the header cluster with a new version (2 or 3; the v3 fields are added or dropped, with
     * the feature name table), compatible features and backing file; see {@link #rewriteBacking}.
     */
    static void rewrite(ImageFile file, Qcow2Header h, int version, long compat, String backingFile, String backingFmt) throws BlockException {
        rewrite(file, h, version, compat, backingFile, backingFmt, 0, null);
    }

    /** {@link #rewrite}, with the extension of type replaceExt (if not 0) replaced by replaceData (null: dropped). */
    private static void rewrite(ImageFile file, Qcow2Header h, int version, long compat, String backingFile, String backingFmt,
                                int replaceExt, byte[] replaceData) throws BlockException {
        int cs = h.clusterSize();
        int fixed = h.version == 2 ? V2_LENGTH : h.headerLength;
        byte[] area = new byte[cs];
        file.readUpTo(0, area, 0, cs);
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        byte[] head;
        if (version == 2) {
            head = java.util.Arrays.copyOf(area, V2_LENGTH);
        } else {
            head = java.util.Arrays.copyOf(area, h.version == 3 ? fixed : 112);
            if (h.version == 2) {
                java.util.Arrays.fill(head, V2_LENGTH, 112, (byte) 0); // the v2 extensions started here
                Bytes.putInt(head, 96, 4); // refcount_order: 16 bits, as v2 has
                Bytes.putInt(head, 100, 112);
            }
            Bytes.putLong(head, 80, compat);
        }
        Bytes.putInt(head, 4, version);
        out.writeBytes(head);
        if (version == 3 && h.version == 2) Qcow2Format.extension(out, EXT_FEATURE_TABLE, Qcow2Format.featureTable());
        if (backingFmt != null) Qcow2Format.extension(out, EXT_BACKING_FORMAT, backingFmt.getBytes(StandardCharsets.UTF_8));
        int pos = fixed;
        while (pos + 8 <= cs) {
            int type = Bytes.getInt(area, pos);
            int len = Bytes.getInt(area, pos + 4);
            if (type == EXT_END) break;
            int next = pos + 8 + (int) roundUp(len, 8);
            if (type != EXT_BACKING_FORMAT && type != replaceExt && !(version == 2 && type == EXT_FEATURE_TABLE)) out.write(area, pos, next - pos);
            pos = next;
        }
        if (replaceExt != 0 && replaceData != null) Qcow2Format.extension(out, replaceExt, replaceData);
        out.writeBytes(new byte[8]); // end of extensions
        byte[] name = backingFile == null ? new byte[0] : backingFile.getBytes(StandardCharsets.UTF_8);
        if (name.length > 1023) throw new BlockException("Backing file name too long");
        int nameOff = out.size();
        out.writeBytes(name);
        byte[] hdr = out.toByteArray();
        if (hdr.length > cs) throw new BlockException("Backing file name and format do not fit in the header cluster");
        Bytes.putLong(hdr, 8, name.length == 0 ? 0 : nameOff);
        Bytes.putInt(hdr, 16, name.length);
        int oldEnd = Math.max(hdr.length, h.backingFileOffset == 0 ? pos + 8 : (int) (h.backingFileOffset + h.backingFileSize));
        byte[] w = java.util.Arrays.copyOf(hdr, Math.min(cs, oldEnd)); // zeroes over what the old tail used
        file.write(0, w, 0, w.length);
        h.backingFile = backingFile;
        h.backingFormat = backingFmt;
        h.version = version;
        h.compatibleFeatures = version == 3 ? compat : 0;
        if (version == 2) {
            h.incompatibleFeatures = 0;
            h.autoclearFeatures = 0;
            h.headerLength = V2_LENGTH;
        } else if (fixed == V2_LENGTH) {
            h.headerLength = 112;
            h.refcountOrder = 4;
        }
        h.backingFileOffset = name.length == 0 ? 0 : nameOff;
        h.backingFileSize = name.length;
    }

    /** Names of the set bits of a feature bitmap of the given type, from the image's own table if it has one. */
    String featureList(long bits, int type) {
        List<String> out = new ArrayList<>();
        for (int b = 0; b < 64; b++) {
            if ((bits & (1L << b)) == 0) continue;
            String n = featureNames.get((type << 8) | b);
            if (n == null) n = switch (type == 0 ? b : -1) {
                case 2 -> "external data file";
                case 3 -> "compression type";
                case 4 -> "extended L2 entries";
                default -> "unknown incompatible feature bit " + b;
            };
            out.add(n);
        }
        return String.join(", ", out);
    }

    static long ceilDiv(long a, long b) {
        return Math.ceilDiv(a, b);
    }

    static long roundUp(long a, long m) {
        return Math.ceilDiv(a, m) * m;
    }
}
