package dev.jemu.devices.block.vdi;

import dev.jemu.devices.block.BlockException;
import dev.jemu.devices.block.Bytes;
import dev.jemu.devices.block.ImageFile;

/**
 * The VirtualBox VDI header (version 1.1; little-endian), as qemu and VirtualBox write it: a 64-byte
 * text banner, then signature, version, sizes, the block map offset and the data offset.
 */
final class VdiHeader {
    static final int SIGNATURE = 0xbeda107f;
    static final int VERSION_1_1 = 0x00010001;
    static final int TYPE_DYNAMIC = 1;
    static final int TYPE_STATIC = 2;
    static final int BLOCK_FREE = 0xffffffff;
    static final int BLOCK_ZERO = 0xfffffffe;
    static final int HEADER_BYTES = 512;

    static final int OFF_SIGNATURE = 0x40, OFF_VERSION = 0x44, OFF_HEADER_SIZE = 0x48, OFF_TYPE = 0x4c,
            OFF_BMAP = 0x154, OFF_DATA = 0x158, OFF_SECTOR_SIZE = 0x168, OFF_DISK_SIZE = 0x170,
            OFF_BLOCK_SIZE = 0x178, OFF_BLOCK_EXTRA = 0x17c, OFF_BLOCKS = 0x180, OFF_ALLOCATED = 0x184,
            OFF_UUID = 0x188;

    /** Bound on the in-memory block map (4 bytes per block). */
    static final long MAX_BLOCKS = 1L << 24;

    int type;
    long offsetBmap;
    long offsetData;
    long diskSize;
    int blockSize;
    long blocks;
    long allocated;

    static VdiHeader read(ImageFile f) throws BlockException {
        long fileSize = f.size();
        if (fileSize < HEADER_BYTES) throw new BlockException("image is truncated: VDI header needs 512 bytes");
        byte[] b = new byte[HEADER_BYTES];
        f.readFully(0, b, 0, b.length, "VDI header");
        if (Bytes.getIntLE(b, OFF_SIGNATURE) != SIGNATURE) throw new BlockException("not a VDI image (bad signature)");
        int version = Bytes.getIntLE(b, OFF_VERSION);
        if (version != VERSION_1_1) throw new BlockException("unsupported VDI version 0x" + Integer.toHexString(version));
        long hsize = Integer.toUnsignedLong(Bytes.getIntLE(b, OFF_HEADER_SIZE));
        if (hsize < 0x180 || hsize > HEADER_BYTES - 0x40) throw BlockException.corrupt("invalid VDI header size " + hsize);
        VdiHeader h = new VdiHeader();
        h.type = Bytes.getIntLE(b, OFF_TYPE);
        if (h.type != TYPE_DYNAMIC && h.type != TYPE_STATIC) throw new BlockException("unsupported VDI image type " + h.type);
        h.offsetBmap = Integer.toUnsignedLong(Bytes.getIntLE(b, OFF_BMAP));
        h.offsetData = Integer.toUnsignedLong(Bytes.getIntLE(b, OFF_DATA));
        int sector = Bytes.getIntLE(b, OFF_SECTOR_SIZE);
        if (sector != 512) throw new BlockException("unsupported VDI sector size " + Integer.toUnsignedString(sector));
        h.diskSize = Bytes.getLongLE(b, OFF_DISK_SIZE);
        h.blockSize = Bytes.getIntLE(b, OFF_BLOCK_SIZE);
        if (h.blockSize < 512 || h.blockSize > (256 << 20) || Integer.bitCount(h.blockSize) != 1) {
            throw new BlockException("unsupported VDI block size " + Integer.toUnsignedString(h.blockSize));
        }
        if (Bytes.getIntLE(b, OFF_BLOCK_EXTRA) != 0) throw new BlockException("VDI images with block extra data are not supported");
        h.blocks = Integer.toUnsignedLong(Bytes.getIntLE(b, OFF_BLOCKS));
        h.allocated = Integer.toUnsignedLong(Bytes.getIntLE(b, OFF_ALLOCATED));
        if (h.blocks > MAX_BLOCKS) throw BlockException.corrupt("too many VDI blocks (" + h.blocks + ")");
        if (h.diskSize < 0 || h.diskSize > h.blocks * h.blockSize) throw BlockException.corrupt("VDI disk size " + h.diskSize + " exceeds its blocks");
        if (h.allocated > h.blocks) throw BlockException.corrupt("more VDI blocks allocated than exist");
        if ((h.offsetBmap & 511) != 0 || h.offsetBmap < HEADER_BYTES) throw BlockException.corrupt("invalid VDI block map offset " + h.offsetBmap);
        if (h.offsetBmap + h.blocks * 4 > fileSize) throw BlockException.corrupt("VDI block map is beyond end of file");
        if ((h.offsetData & 511) != 0 || h.offsetData < h.offsetBmap + h.blocks * 4) throw BlockException.corrupt("VDI data offset " + h.offsetData + " overlaps the block map");
        return h;
    }
}
