package dev.jemu.devices.fs;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * A read-only FAT12/16/32 reader (an EFI system partition or a /boot on vfat): BIOS parameter block, the
 * first FAT, cluster chains, the fixed root directory of FAT12/16 and the cluster-chained one of FAT32,
 * long (VFAT) names. Names match case-insensitively, as on FAT.
 */
public final class Fat implements FileSystem {
    private final ByteSource src;
    private final int bytesPerSector, sectorsPerCluster;
    private final long fatStart, rootDirStart, rootDirBytes, dataStart, clusterCount, rootCluster;
    private final int bits;

    private Fat(ByteSource src, byte[] bpb) throws FsException {
        this.src = src;
        bytesPerSector = Le.u16(bpb, 0x0B);
        sectorsPerCluster = Le.u8(bpb, 0x0D);
        long reserved = Le.u16(bpb, 0x0E);
        int fats = Le.u8(bpb, 0x10);
        long rootEntries = Le.u16(bpb, 0x11);
        long total = Le.u16(bpb, 0x13) != 0 ? Le.u16(bpb, 0x13) : Le.u32(bpb, 0x20);
        long fatSize = Le.u16(bpb, 0x16) != 0 ? Le.u16(bpb, 0x16) : Le.u32(bpb, 0x24);
        long rootSectors = (rootEntries * 32 + bytesPerSector - 1) / bytesPerSector;
        long dataSector = reserved + fats * fatSize + rootSectors;
        if (fatSize == 0 || total <= dataSector) {
            throw new FsException("vfat: inconsistent boot sector");
        }
        clusterCount = (total - dataSector) / sectorsPerCluster;
        bits = clusterCount < 4085 ? 12 : clusterCount < 65525 ? 16 : 32;
        fatStart = reserved * bytesPerSector;
        rootDirStart = (reserved + fats * fatSize) * bytesPerSector;
        rootDirBytes = rootSectors * bytesPerSector;
        dataStart = dataSector * bytesPerSector;
        rootCluster = bits == 32 ? Le.u32(bpb, 0x2C) & 0x0fff_ffffL : 0;
    }

    public static boolean probe(ByteSource src) throws IOException {
        if (src.size() < 512) {
            return false;
        }
        byte[] b = src.read(0, 512);
        int bps = Le.u16(b, 0x0B), spc = Le.u8(b, 0x0D);
        return Le.u16(b, 510) == 0xAA55 && (b[0] == (byte) 0xEB || b[0] == (byte) 0xE9)
                && (bps == 512 || bps == 1024 || bps == 2048 || bps == 4096)
                && spc != 0 && Integer.bitCount(spc) == 1 && Le.u16(b, 0x0E) != 0 && Le.u8(b, 0x10) != 0;
    }

    public static Fat open(ByteSource src) throws IOException {
        if (!probe(src)) {
            throw new FsException("not a FAT file system");
        }
        return new Fat(src, src.read(0, 512));
    }

    @Override
    public String type() {
        return "vfat";
    }

    /** 12, 16 or 32. */
    public int bits() {
        return bits;
    }

    private long next(long cluster) throws IOException {
        long v;
        switch (bits) {
            case 12 -> {
                long off = cluster + cluster / 2;
                int w = Le.u16(src.read(fatStart + off, 2), 0);
                v = (cluster & 1) != 0 ? w >> 4 : w & 0xfff;
                return v >= 0xff8 ? -1 : v;
            }
            case 16 -> {
                v = Le.u16(src.read(fatStart + cluster * 2, 2), 0);
                return v >= 0xfff8 ? -1 : v;
            }
            default -> {
                v = Le.u32(src.read(fatStart + cluster * 4, 4), 0) & 0x0fff_ffffL;
                return v >= 0x0fff_fff8L ? -1 : v;
            }
        }
    }

    /** The bytes of a cluster chain, at most {@code limit} of them. */
    private byte[] chain(long first, long limit) throws IOException {
        long clusterBytes = (long) bytesPerSector * sectorsPerCluster;
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        long c = first, n = 0;
        while (c != -1 && out.size() < limit) {
            if (c < 2 || c >= clusterCount + 2 || ++n > clusterCount) {
                throw new FsException("vfat: bad cluster chain (cluster " + c + ")");
            }
            int len = (int) Math.min(clusterBytes, limit - out.size());
            out.write(src.read(dataStart + (c - 2) * clusterBytes, len), 0, len);
            c = next(c);
        }
        return out.toByteArray();
    }

    /** A directory entry. */
    public record Entry(String name, boolean directory, long cluster, long size) {
    }

    private List<Entry> parse(byte[] d) {
        List<Entry> out = new ArrayList<>();
        StringBuilder lfn = new StringBuilder();
        for (int p = 0; p + 32 <= d.length; p += 32) {
            int first = d[p] & 0xff;
            if (first == 0) {
                break;
            }
            int attr = d[p + 11] & 0xff;
            if (first == 0xE5) {
                lfn.setLength(0);
                continue;
            }
            if (attr == 0x0F) { // a long-name piece; they come last piece first
                StringBuilder piece = new StringBuilder();
                for (int o : new int[] {1, 3, 5, 7, 9, 14, 16, 18, 20, 22, 24, 28, 30}) {
                    char ch = (char) Le.u16(d, p + o);
                    if (ch == 0 || ch == 0xffff) {
                        break;
                    }
                    piece.append(ch);
                }
                if ((first & 0x40) != 0) {
                    lfn.setLength(0);
                }
                lfn.insert(0, piece);
                continue;
            }
            if ((attr & 0x08) != 0) { // volume label
                lfn.setLength(0);
                continue;
            }
            String name = lfn.length() > 0 ? lfn.toString() : shortName(d, p);
            lfn.setLength(0);
            long cluster = (long) Le.u16(d, p + 20) << 16 | Le.u16(d, p + 26);
            if (bits != 32) {
                cluster &= 0xffff;
            }
            out.add(new Entry(name, (attr & 0x10) != 0, cluster, Le.u32(d, p + 28)));
        }
        return out;
    }

    private static String shortName(byte[] d, int p) {
        int caseBits = d[p + 12];
        String base = new String(d, p, 8, StandardCharsets.ISO_8859_1).stripTrailing();
        String ext = new String(d, p + 8, 3, StandardCharsets.ISO_8859_1).stripTrailing();
        if (base.startsWith("\u0005")) {
            base = "\u00e5" + base.substring(1);
        }
        if ((caseBits & 0x08) != 0) {
            base = base.toLowerCase();
        }
        if ((caseBits & 0x10) != 0) {
            ext = ext.toLowerCase();
        }
        return ext.isEmpty() ? base : base + "." + ext;
    }

    private List<Entry> root() throws IOException {
        if (bits == 32) {
            return parse(chain(rootCluster, Ext4.MAX_FILE));
        }
        return parse(src.read(rootDirStart, (int) rootDirBytes));
    }

    /** The entries of the directory at {@code path}, or null. */
    public List<Entry> listDirectory(String path) throws IOException {
        List<Entry> dir = root();
        for (String part : path.split("/")) {
            if (part.isEmpty() || part.equals(".")) {
                continue;
            }
            Entry e = find(dir, part);
            if (e == null || !e.directory()) {
                return null;
            }
            dir = e.cluster() == 0 ? root() : parse(chain(e.cluster(), Ext4.MAX_FILE));
        }
        return dir;
    }

    private static Entry find(List<Entry> dir, String name) {
        for (Entry e : dir) {
            if (e.name().equalsIgnoreCase(name)) {
                return e;
            }
        }
        return null;
    }

    @Override
    public byte[] readFile(String path) throws IOException {
        int slash = path.lastIndexOf('/');
        List<Entry> dir = listDirectory(slash <= 0 ? "/" : path.substring(0, slash));
        if (dir == null) {
            return null;
        }
        Entry e = find(dir, path.substring(slash + 1));
        if (e == null || e.directory()) {
            return null;
        }
        if (e.size() > Ext4.MAX_FILE) {
            throw new FsException("vfat: file too large to load");
        }
        if (e.size() == 0) {
            return new byte[0];
        }
        byte[] data = chain(e.cluster(), e.size());
        if (data.length != e.size()) {
            throw new FsException("vfat: " + path + " is shorter than its directory entry says");
        }
        return data;
    }
}
