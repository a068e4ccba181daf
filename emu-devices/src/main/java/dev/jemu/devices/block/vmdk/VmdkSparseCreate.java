package dev.jemu.devices.block.vmdk;

import dev.jemu.devices.block.BlockException;
import dev.jemu.devices.block.ImageFile;

import java.nio.file.Path;

import static dev.jemu.devices.block.vmdk.VmdkStreamCreate.putLE;

/**
 * An empty monolithicSparse image in qemu-img's layout: header, embedded descriptor (20 sectors), the
 * redundant grain directory and its grain tables, the grain directory and its grain tables (all tables
 * preallocated, zeroed), grains from the next 64 KiB boundary on.
 */
final class VmdkSparseCreate {
    private static final int GRAIN_SECTORS = VmdkStreamCreate.GRAIN_SECTORS;
    private static final int GT_ENTRIES = 512;
    private static final int GT_SECTORS = GT_ENTRIES * 4 / 512;
    private static final int DESCRIPTOR_SECTORS = VmdkStreamCreate.DESCRIPTOR_SECTORS;

    private VmdkSparseCreate() {
    }

    static void create(Path path, long sectors, long cid, boolean zeroedGrain) throws BlockException {
        long grains = Math.ceilDiv(sectors, GRAIN_SECTORS);
        long gtCount = Math.ceilDiv(grains, GT_ENTRIES);
        long gdSectors = Math.ceilDiv(gtCount * 4, 512);
        long rgdOffset = 1 + DESCRIPTOR_SECTORS;
        long gdOffset = rgdOffset + gdSectors + GT_SECTORS * gtCount;
        long grainOffset = Math.ceilDiv(gdOffset + gdSectors + GT_SECTORS * gtCount, GRAIN_SECTORS) * GRAIN_SECTORS;
        if (grainOffset + grains * GRAIN_SECTORS > 0xffffffffL) throw new BlockException("VMDK sparse images are limited to 2 TiB");
        byte[] h = VmdkStreamCreate.header(1, 1 | 2 | (zeroedGrain ? 4 : 0), sectors, rgdOffset, gdOffset, grainOffset); // newline test, redundant GT
        byte[] text = VmdkStreamCreate.descriptor(path, sectors, cid, "monolithicSparse");
        if (text.length > DESCRIPTOR_SECTORS * 512) throw new BlockException("VMDK file name too long for the descriptor");
        try (ImageFile f = ImageFile.create(path)) {
            f.truncate(grainOffset * 512);
            f.write(512, text, 0, text.length);
            for (long dir : new long[]{rgdOffset, gdOffset}) {
                byte[] gd = new byte[(int) (gdSectors * 512)];
                for (int i = 0; i < gtCount; i++) putLE(gd, i * 4, dir + gdSectors + (long) i * GT_SECTORS, 4);
                f.write(dir * 512, gd, 0, gd.length);
            }
            f.write(0, h, 0, h.length); // last: the file becomes a VMDK only now
            f.force();
        }
    }
}
