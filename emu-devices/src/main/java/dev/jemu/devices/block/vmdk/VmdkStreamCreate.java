package dev.jemu.devices.block.vmdk;

import dev.jemu.devices.block.BlockException;
import dev.jemu.devices.block.ImageFile;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/**
 * An empty streamOptimized extent in qemu-img's layout: header, embedded descriptor, then a grain
 * directory of zero entries (grain tables and compressed grains are appended by writes).
 */
final class VmdkStreamCreate {
    static final int GRAIN_SECTORS = 128; // 64 KiB, as qemu-img and VMware use
    static final int DESCRIPTOR_SECTORS = 20;

    private VmdkStreamCreate() {
    }

    static void create(Path path, long sectors, long cid) throws BlockException {
        if (sectors > (1L << 32) * GRAIN_SECTORS / 2) throw new BlockException("VMDK streamOptimized images are limited to 1 TiB here");
        long grains = Math.ceilDiv(sectors, GRAIN_SECTORS);
        long gdEntries = Math.max(1, Math.ceilDiv(grains, 512));
        long gdSector = 1 + DESCRIPTOR_SECTORS;
        long gdSectors = Math.ceilDiv(gdEntries * 4, 512);
        long overhead = Math.ceilDiv(gdSector + gdSectors, GRAIN_SECTORS) * GRAIN_SECTORS;
        byte[] h = header(3, 1 | (1 << 16) | (1 << 17), sectors, 0, gdSector, overhead); // newline test, compressed, markers
        h[77] = 1; // deflate
        byte[] text = descriptor(path, sectors, cid, "streamOptimized");
        if (text.length > DESCRIPTOR_SECTORS * 512) throw new BlockException("VMDK file name too long for the descriptor");
        try (ImageFile f = ImageFile.create(path)) {
            f.write(0, h, 0, h.length);
            f.write(512, text, 0, text.length);
            f.truncate(overhead * 512); // the zeroed grain directory and padding stay sparse
            f.force();
        }
    }

    /**
     * A sparse extent header (64 KiB grains, 512-entry grain tables, the descriptor in sectors 1-20):
     * version, flags, capacity and the sector offsets of the redundant and main grain directories and grains.
     */
    static byte[] header(int version, int flags, long sectors, long rgdSector, long gdSector, long grainSector) {
        byte[] h = new byte[512];
        putLE(h, 0, VmdkSparseExtent.MAGIC, 4);
        putLE(h, 4, version, 4);
        putLE(h, 8, flags, 4);
        putLE(h, 12, sectors, 8);
        putLE(h, 20, GRAIN_SECTORS, 8);
        putLE(h, 28, 1, 8);
        putLE(h, 36, DESCRIPTOR_SECTORS, 8);
        putLE(h, 44, 512, 4);
        putLE(h, 48, rgdSector, 8);
        putLE(h, 56, gdSector, 8);
        putLE(h, 64, grainSector, 8);
        h[73] = '\n'; // the newline detection bytes
        h[74] = ' ';
        h[75] = '\r';
        h[76] = '\n';
        return h;
    }

    /** The embedded descriptor of a one-extent sparse image, as qemu-img writes it. */
    static byte[] descriptor(Path path, long sectors, long cid, String createType) {
        String name = path.getFileName().toString();
        long cyl = Math.min(16383, Math.max(1, sectors / (16 * 63)));
        String desc = "# Disk DescriptorFile\nversion=1\nCID=" + String.format("%08x", cid) + "\nparentCID=ffffffff\n"
                + "createType=\"" + createType + "\"\n\n# Extent description\nRW " + sectors + " SPARSE \"" + name + "\"\n\n"
                + "# The Disk Data Base\n#DDB\n\nddb.virtualHWVersion = \"4\"\nddb.geometry.cylinders = \"" + cyl + "\"\n"
                + "ddb.geometry.heads = \"16\"\nddb.geometry.sectors = \"63\"\nddb.adapterType = \"ide\"\n";
        return desc.getBytes(StandardCharsets.UTF_8);
    }

    static void putLE(byte[] b, int o, long v, int width) {
        for (int i = 0; i < width; i++) b[o + i] = (byte) (v >>> (8 * i));
    }
}
