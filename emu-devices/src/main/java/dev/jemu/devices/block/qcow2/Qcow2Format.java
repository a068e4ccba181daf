package dev.jemu.devices.block.qcow2;

import dev.jemu.devices.block.BlockDriver;
import dev.jemu.devices.block.BlockException;
import dev.jemu.devices.block.BlockFormat;
import dev.jemu.devices.block.BlockFormats;
import dev.jemu.devices.block.Bytes;
import dev.jemu.devices.block.CreateOptions;
import dev.jemu.devices.block.ImageFile;
import dev.jemu.devices.block.OpenOptions;
import dev.jemu.devices.block.Preallocation;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/** The qcow2 entry of the format registry: probing, opening and creating images. */
public final class Qcow2Format implements BlockFormat {
    @Override
    public String name() {
        return "qcow2";
    }

    @Override
    public int probe(byte[] head, int len) {
        if (len < 8 || Bytes.getInt(head, 0) != Qcow2Header.MAGIC) return 0;
        int v = Bytes.getInt(head, 4);
        return v >= 2 ? 100 : 0;
    }

    @Override
    public BlockDriver open(Path path, OpenOptions options) throws BlockException {
        return Qcow2Driver.open(path, options);
    }

    /**
     * Options: cluster_size, compat (0.10/v2 or 1.1/v3), lazy_refcounts, refcount_bits, backing_file,
     * backing_fmt, preallocation (off), compression_type (zlib), extended_l2 (off).
     * A size of -1 takes the backing file's size.
     */
    @Override
    public void create(Path path, long size, CreateOptions o) throws BlockException {
        long clusterSize = o.getSize("cluster_size", 65536);
        if (clusterSize < 512 || clusterSize > (2 << 20) || Long.bitCount(clusterSize) != 1) {
            throw new BlockException("Cluster size must be a power of two between 512 and 2048k");
        }
        String compat = o.get("compat");
        int version;
        if (compat == null || compat.equals("1.1") || compat.equals("v3")) version = 3;
        else if (compat.equals("0.10") || compat.equals("v2")) version = 2;
        else throw new BlockException("Invalid compatibility level: '" + compat + "'");
        boolean lazy = o.getBool("lazy_refcounts", false);
        if (lazy && version < 3) throw new BlockException("Lazy refcounts only supported with compatibility level 1.1 and above (use compat=1.1 or greater)");
        long refBits = o.getSize("refcount_bits", 16);
        if (refBits < 1 || refBits > 64 || Long.bitCount(refBits) != 1) throw new BlockException("Refcount width must be a power of two and may be at most 64 bits");
        if (version < 3 && refBits != 16) throw new BlockException("Different refcount widths than 16 bits require compatibility level 1.1 or above (use compat=1.1 or greater)");
        Preallocation pre = Preallocation.parse(o.get("preallocation"));
        String ct = o.get("compression_type");
        if (ct != null && !ct.equals("zlib")) throw new BlockException("Unsupported compression type '" + ct + "'");
        if (o.getBool("extended_l2", false)) throw new BlockException("extended_l2 is not supported");
        String backingFile = o.get("backing_file");
        String backingFmt = o.get("backing_fmt");
        o.checkAllUsed("qcow2");
        if (backingFile != null) {
            if (backingFile.getBytes(StandardCharsets.UTF_8).length > 1023) throw new BlockException("backing file name too long");
            Path parent = path.getParent();
            Path bp = parent == null ? Path.of(backingFile) : parent.resolve(backingFile);
            if (backingFmt == null) throw new BlockException("Backing file specified without backing format");
            try (BlockDriver b = BlockFormats.open(bp, backingFmt, OpenOptions.readOnlyOpts())) {
                if (size < 0) size = b.size();
            } catch (BlockException e) {
                throw new BlockException("Could not open backing image '" + backingFile + "': " + e.getMessage());
            }
            if (pre != Preallocation.OFF) {
                throw new BlockException("Backing file and preallocation can only be used at the same time if extended_l2 is on");
            }
        } else if (backingFmt != null) {
            throw new BlockException("backing_fmt given without backing_file");
        }
        if (size < 0) throw new BlockException("Image creation needs a size parameter");
        writeNewImage(path, size, (int) clusterSize, version, lazy, Long.numberOfTrailingZeros(refBits), backingFile, backingFmt);
        if (pre != Preallocation.OFF) {
            try (Qcow2Driver d = Qcow2Driver.open(path, OpenOptions.readWrite().withNoBacking(true))) {
                d.preallocate(0, size, pre);
            }
        }
    }

    /**
     * qemu-img measure for qcow2: {required, fully allocated} bytes of an image of virtualSize bytes of which
     * dataBytes (whole clusters) hold data. The metadata is counted as for a fully allocated image (the
     * worst case), as qemu-img does. Options: cluster_size, refcount_bits, compat, preallocation.
     */
    public static long[] measure(long virtualSize, long dataBytes, CreateOptions o) throws BlockException {
        long cs = o.getSize("cluster_size", 65536);
        if (cs < 512 || cs > (2 << 20) || Long.bitCount(cs) != 1) throw new BlockException("Cluster size must be a power of two between 512 and 2048k");
        long refBits = o.getSize("refcount_bits", 16);
        if (refBits < 1 || refBits > 64 || Long.bitCount(refBits) != 1) throw new BlockException("Refcount width must be a power of two and may be at most 64 bits");
        o.get("compat");
        o.getBool("lazy_refcounts", false);
        Preallocation pre = Preallocation.parseRaw(o.get("preallocation"));
        o.checkAllUsed("qcow2");
        long aligned = Math.ceilDiv(virtualSize, cs) * cs;
        long meta = cs;                                        // header
        long l2e = Math.ceilDiv(aligned / cs, cs / 8) * (cs / 8);
        meta += l2e * 8;                                       // L2 tables
        long l1e = Math.ceilDiv(l2e * 8 / cs, cs / 8) * (cs / 8);
        meta += l1e * 8;                                       // L1 table
        long clusters = (meta + aligned) / cs;
        long perBlock = cs * 8 / refBits, perTable = cs / 8;
        long table = 0, blocks = 0, n = 0, last;
        do {                                                   // refcount structures covering themselves
            last = n;
            blocks = Math.ceilDiv(clusters + table + blocks, perBlock);
            table = Math.ceilDiv(blocks, perTable);
            n = clusters + blocks + table;
        } while (n != last);
        long fully = meta + (blocks + table) * cs + aligned;
        long required = pre == Preallocation.FALLOC || pre == Preallocation.FULL ? aligned : dataBytes;
        return new long[]{fully - aligned + required, fully};
    }

    private static void writeNewImage(Path path, long size, int cs, int version, boolean lazy, int refOrder,
                                      String backingFile, String backingFmt) throws BlockException {
        int cb = Integer.numberOfTrailingZeros(cs);
        long l1Entries = Math.ceilDiv(Math.ceilDiv(size, cs), cs / 8);
        if (l1Entries * 8 > Qcow2Header.MAX_L1_BYTES) throw new BlockException("Image size too large for cluster size " + cs + " (L1 table would exceed 32 MiB)");
        long l1c = Math.ceilDiv(l1Entries * 8, cs);
        long epb = (long) cs * 8 / (1 << refOrder);
        // qemu-img's layout: header | refcount table | refcount blocks | L1, the file ending with the L1's
        // last entry; the tables sized to a fixed point.
        long rtc = 1, nb = 1;
        while (true) {
            long total = 1 + l1c + rtc + nb;
            long nb2 = Math.ceilDiv(total, epb);
            long rtc2 = Math.max(1, Math.ceilDiv(nb2 * 8, cs));
            if (nb2 == nb && rtc2 == rtc) break;
            nb = nb2;
            rtc = rtc2;
        }
        long total = 1 + l1c + rtc + nb;
        long rtOff = (long) cs;
        long rbFirst = 1 + rtc;
        long l1Off = (1 + rtc + nb) << cb;

        byte[] header = headerCluster(cs, version, size, lazy, refOrder, (int) l1Entries, l1Off, rtOff, (int) rtc,
                backingFile, backingFmt);
        try (ImageFile f = ImageFile.create(path)) {
            f.truncate(l1Off + l1Entries * 8);
            byte[] rt = new byte[(int) (rtc * cs)];
            for (int i = 0; i < nb; i++) Bytes.putLong(rt, i * 8, (rbFirst + i) << cb);
            f.write(rtOff, rt, 0, rt.length);
            int bits = 1 << refOrder;
            for (int i = 0; i < nb; i++) {
                byte[] blk = new byte[cs];
                for (long c = i * epb; c < Math.min(total, (i + 1) * epb); c++) {
                    long idx = c - i * epb;
                    if (bits >= 8) blk[(int) (idx * (bits / 8) + bits / 8 - 1)] = 1;
                    else blk[(int) (idx * bits / 8)] |= (byte) (1 << ((idx * bits) % 8));
                }
                f.write((rbFirst + i) << cb, blk, 0, cs);
            }
            f.write(0, header, 0, header.length); // last: the file becomes a qcow2 image only now
            f.force();
        }
    }

    private static byte[] headerCluster(int cs, int version, long size, boolean lazy, int refOrder, int l1Size,
                                        long l1Off, long rtOff, int rtc, String backingFile, String backingFmt) throws BlockException {
        int hlen = version == 3 ? 112 : 72;
        byte[] h = new byte[hlen];
        Bytes.putInt(h, 0, Qcow2Header.MAGIC);
        Bytes.putInt(h, 4, version);
        Bytes.putInt(h, 20, Integer.numberOfTrailingZeros(cs));
        Bytes.putLong(h, 24, size);
        Bytes.putInt(h, 36, l1Size);
        Bytes.putLong(h, 40, l1Off);
        Bytes.putLong(h, 48, rtOff);
        Bytes.putInt(h, 56, rtc);
        if (version == 3) {
            Bytes.putLong(h, 80, lazy ? Qcow2Header.COMPAT_LAZY_REFCOUNTS : 0);
            Bytes.putInt(h, 96, refOrder);
            Bytes.putInt(h, 100, hlen);
        }
        ByteArrayOutputStream ext = new ByteArrayOutputStream();
        if (backingFmt != null) extension(ext, Qcow2Header.EXT_BACKING_FORMAT, backingFmt.getBytes(StandardCharsets.UTF_8));
        byte[] name = backingFile == null ? new byte[0] : backingFile.getBytes(StandardCharsets.UTF_8);
        if (version == 3) {
            byte[] ft = featureTable();
            if (hlen + ext.size() + 8 + ft.length + 8 + name.length <= cs) extension(ext, Qcow2Header.EXT_FEATURE_TABLE, ft);
        }
        ext.writeBytes(new byte[8]); // end of extensions
        ByteArrayOutputStream all = new ByteArrayOutputStream();
        all.writeBytes(h);
        all.writeBytes(ext.toByteArray());
        if (name.length > 0) {
            int off = all.size();
            all.writeBytes(name);
            byte[] out = all.toByteArray();
            Bytes.putLong(out, 8, off);
            Bytes.putInt(out, 16, name.length);
            if (out.length > cs) throw new BlockException("backing file name does not fit in the header cluster");
            return out;
        }
        if (all.size() > cs) throw new BlockException("header does not fit in one cluster");
        return all.toByteArray();
    }

    /** One header extension: type, length, data padded to 8 bytes. */
    static void extension(ByteArrayOutputStream out, int type, byte[] data) {
        byte[] hd = new byte[8];
        Bytes.putInt(hd, 0, type);
        Bytes.putInt(hd, 4, data.length);
        out.writeBytes(hd);
        out.writeBytes(data);
        out.writeBytes(new byte[(int) (Qcow2Header.roundUp(data.length, 8) - data.length)]);
    }

    static byte[] featureTable() {
        String[][] f = {{"0", "0", "dirty bit"}, {"0", "1", "corrupt bit"}, {"0", "2", "external data file"},
                {"0", "3", "compression type"}, {"0", "4", "extended L2 entries"}, {"1", "0", "lazy refcounts"},
                {"2", "0", "bitmaps"}, {"2", "1", "raw external data"}};
        byte[] t = new byte[f.length * 48];
        for (int i = 0; i < f.length; i++) {
            t[i * 48] = (byte) Integer.parseInt(f[i][0]);
            t[i * 48 + 1] = (byte) Integer.parseInt(f[i][1]);
            byte[] n = f[i][2].getBytes(StandardCharsets.US_ASCII);
            System.arraycopy(n, 0, t, i * 48 + 2, n.length);
        }
        return t;
    }
}
