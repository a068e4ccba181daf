package dev.jemu.devices.block.vmdk;

import dev.jemu.devices.block.BlockException;
import dev.jemu.devices.block.BlockStatus;
import dev.jemu.devices.block.ImageFile;

/** A FLAT extent: the sectors are stored as-is in a file, from a sector offset on. */
final class VmdkFlatExtent implements VmdkExtent {
    private final ImageFile file;
    private final long sectors;
    private final long base;

    VmdkFlatExtent(ImageFile file, long sectors, long baseSector) {
        this.file = file;
        this.sectors = sectors;
        this.base = baseSector * 512;
    }

    @Override
    public long sectors() {
        return sectors;
    }

    @Override
    public void read(long off, byte[] buf, int at, int len) throws BlockException {
        file.readUpTo(base + off, buf, at, len);
    }

    @Override
    public void write(long off, byte[] buf, int at, int len) throws BlockException {
        long end = base + off + len;
        if (end > file.size()) throw new BlockException("write beyond the end of VMDK extent '" + file.path() + "'");
        file.write(base + off, buf, at, len);
    }

    @Override
    public BlockStatus status(long off, long len) {
        return new BlockStatus(off, len, BlockStatus.Kind.DATA, base + off);
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
    public int grainBytes() {
        return 0;
    }

    @Override
    public long allocatedBytes() {
        return file.allocatedBytes();
    }
}
