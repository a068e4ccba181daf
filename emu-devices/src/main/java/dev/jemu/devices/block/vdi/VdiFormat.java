package dev.jemu.devices.block.vdi;

import dev.jemu.devices.block.BlockDriver;
import dev.jemu.devices.block.BlockException;
import dev.jemu.devices.block.BlockFormat;
import dev.jemu.devices.block.Bytes;
import dev.jemu.devices.block.CreateOptions;
import dev.jemu.devices.block.ImageFile;
import dev.jemu.devices.block.OpenOptions;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.UUID;

/** VDI in the format registry: probe by signature, open, create (dynamic or static=on). */
public final class VdiFormat implements BlockFormat {
    private static final int BLOCK = 1 << 20;

    @Override
    public String name() {
        return "vdi";
    }

    @Override
    public int probe(byte[] head, int len) {
        if (len < 0x44) return 0;
        return Bytes.getIntLE(head, VdiHeader.OFF_SIGNATURE) == VdiHeader.SIGNATURE ? 100 : 0;
    }

    @Override
    public BlockDriver open(Path path, OpenOptions options) throws BlockException {
        ImageFile f = ImageFile.open(path, options.readOnly(), options.use(), true);
        try {
            return new VdiDriver(f);
        } catch (BlockException | RuntimeException e) {
            f.close();
            if (e instanceof BlockException be) throw be;
            throw new BlockException("cannot open '" + path + "': " + e);
        }
    }

    @Override
    public void create(Path path, long size, CreateOptions o) throws BlockException {
        boolean fixed = o.getBool("static", false);
        String pre = o.get("preallocation");
        if (pre != null && !pre.equals("off")) throw new BlockException("Unsupported preallocation mode '" + pre + "'");
        o.checkAllUsed("vdi");
        if (size < 0) throw new BlockException("Image creation needs a size parameter");
        long blocks = Math.ceilDiv(size, BLOCK);
        if (blocks > VdiHeader.MAX_BLOCKS) throw new BlockException("Unsupported VDI image size (size is " + size + ")");
        long bmapOff = 512;
        long dataOff = bmapOff + Math.ceilDiv(blocks * 4, 512) * 512;
        byte[] hd = new byte[512];
        byte[] banner = "<<< QEMU VM Virtual Disk Image >>>\n".getBytes(StandardCharsets.US_ASCII);
        System.arraycopy(banner, 0, hd, 0, banner.length);
        putLE(hd, VdiHeader.OFF_SIGNATURE, VdiHeader.SIGNATURE);
        putLE(hd, VdiHeader.OFF_VERSION, VdiHeader.VERSION_1_1);
        putLE(hd, VdiHeader.OFF_HEADER_SIZE, 0x180);
        putLE(hd, VdiHeader.OFF_TYPE, fixed ? VdiHeader.TYPE_STATIC : VdiHeader.TYPE_DYNAMIC);
        putLE(hd, VdiHeader.OFF_BMAP, (int) bmapOff);
        putLE(hd, VdiHeader.OFF_DATA, (int) dataOff);
        putLE(hd, VdiHeader.OFF_SECTOR_SIZE, 512);
        putLE(hd, VdiHeader.OFF_DISK_SIZE, (int) size);
        putLE(hd, VdiHeader.OFF_DISK_SIZE + 4, (int) (size >>> 32));
        putLE(hd, VdiHeader.OFF_BLOCK_SIZE, BLOCK);
        putLE(hd, VdiHeader.OFF_BLOCKS, (int) blocks);
        putLE(hd, VdiHeader.OFF_ALLOCATED, fixed ? (int) blocks : 0);
        UUID u = UUID.randomUUID();
        Bytes.putLong(hd, VdiHeader.OFF_UUID, u.getMostSignificantBits());
        Bytes.putLong(hd, VdiHeader.OFF_UUID + 8, u.getLeastSignificantBits());
        byte[] bmap = new byte[(int) (dataOff - bmapOff)];
        for (int i = 0; i < blocks; i++) putLE(bmap, i * 4, fixed ? i : VdiHeader.BLOCK_FREE);
        try (ImageFile f = ImageFile.create(path)) {
            f.write(bmapOff, bmap, 0, bmap.length);
            if (fixed) f.truncate(dataOff + blocks * BLOCK);
            f.write(0, hd, 0, hd.length);
            f.force();
        }
    }

    private static void putLE(byte[] b, int o, int v) {
        b[o] = (byte) v;
        b[o + 1] = (byte) (v >>> 8);
        b[o + 2] = (byte) (v >>> 16);
        b[o + 3] = (byte) (v >>> 24);
    }
}
