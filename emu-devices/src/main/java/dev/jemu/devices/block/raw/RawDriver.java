package dev.jemu.devices.block.raw;

import dev.jemu.devices.block.BlockDriver;
import dev.jemu.devices.block.BlockException;
import dev.jemu.devices.block.BlockFormat;
import dev.jemu.devices.block.BlockFormats;
import dev.jemu.devices.block.BlockStatus;
import dev.jemu.devices.block.HostFileExtents;
import dev.jemu.devices.block.ImageFile;
import dev.jemu.devices.block.ImageInfo;
import dev.jemu.devices.block.Preallocation;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/** A raw image: host file or block device, read and written with positional I/O. */
public final class RawDriver implements BlockDriver {
    private static final int SECTOR = 512;
    private final ImageFile file;
    private final boolean probed;
    private long size;
    /** Opened on the first status query (only jemu-img asks). */
    private HostFileExtents extents;
    private boolean extentsTried;

    public RawDriver(ImageFile file, boolean probed) throws BlockException {
        this.file = file;
        this.probed = probed;
        this.size = roundUp(file.size()); // as qemu: whole sectors, the tail past end of file reads as zeroes
    }

    private static long roundUp(long n) {
        return (n + SECTOR - 1) & -SECTOR;
    }

    @Override
    public String formatName() {
        return "raw";
    }

    @Override
    public Path path() {
        return file.path();
    }

    @Override
    public long size() {
        return size;
    }

    @Override
    public boolean readOnly() {
        return file.readOnly();
    }

    @Override
    public void read(long offset, byte[] buf, int off, int len) throws BlockException {
        BlockDriver.checkRange(offset, len, size);
        file.readUpTo(offset, buf, off, len);
    }

    @Override
    public void read(long offset, MemorySegment dst) throws BlockException {
        BlockDriver.checkRange(offset, dst.byteSize(), size);
        file.readUpTo(offset, dst);
    }

    @Override
    public void write(long offset, byte[] buf, int off, int len) throws BlockException {
        BlockDriver.checkRange(offset, len, size);
        if (probed && offset < SECTOR && len > 0) guardSectorZero(offset, buf, off, len);
        file.write(offset, buf, off, len);
    }

    @Override
    public void write(long offset, MemorySegment src) throws BlockException {
        long len = src.byteSize();
        BlockDriver.checkRange(offset, len, size);
        if (probed && offset < SECTOR && len > 0) {
            int head = (int) Math.min(len, SECTOR - offset);
            guardSectorZero(offset, src.asSlice(0, head).toArray(ValueLayout.JAVA_BYTE), 0, head);
        }
        file.write(offset, src);
    }

    /**
     * A probed raw image must never be turned into something that probes as another format: the next
     * open would then trust a header the guest wrote (backing file = any host file).
     */
    private void guardSectorZero(long offset, byte[] buf, int off, int len) throws BlockException {
        byte[] head = new byte[SECTOR];
        int n = file.readUpTo(0, head, 0, SECTOR);
        int end = (int) Math.min(SECTOR, offset + len);
        System.arraycopy(buf, off, head, (int) offset, end - (int) offset);
        n = Math.max(n, end);
        BlockFormat other = BlockFormats.probeNonRaw(head, n);
        if (other != null) {
            throw new BlockException("refusing write to sector 0 of probed raw image '" + file.path()
                    + "': it would then look like a " + other.name() + " image (open it with an explicit format)");
        }
    }

    @Override
    public void flush() throws BlockException {
        file.force();
    }

    @Override
    public void writeZeroes(long offset, long length) throws BlockException {
        BlockDriver.writeZeroBytes(this, offset, length);
    }

    @Override
    public void discard(long offset, long length) throws BlockException {
        BlockDriver.checkRange(offset, length, size);
        // Advisory: content stays as it is (Java has no portable hole punching).
    }

    @Override
    public void resize(long newSize, boolean shrink) throws BlockException {
        resize(newSize, shrink, Preallocation.OFF);
    }

    /** The file is cut or extended to exactly newSize (qemu-img keeps odd sizes; the disk reads whole sectors). */
    @Override
    public void resize(long newSize, boolean shrink, Preallocation prealloc) throws BlockException {
        if (newSize < size && !shrink) {
            throw new BlockException("Use the --shrink option to perform a shrink operation");
        }
        if (prealloc == Preallocation.METADATA) throw new BlockException("Unsupported preallocation mode: metadata");
        long old = file.size();
        file.truncate(newSize);
        prealloc.apply(file, Math.min(old, newSize), newSize);
        size = roundUp(newSize);
    }

    /**
     * Holes of a sparse host file read as zeroes (ZERO, with their host offset, as qemu-img map shows
     * them); everything else, and every file whose extents we cannot ask for, is DATA.
     */
    @Override
    public BlockStatus status(long offset, long length) throws BlockException {
        BlockDriver.checkRange(offset, length, size);
        if (extents == null && !extentsTried) {
            extentsTried = true;
            extents = HostFileExtents.open(file.path());
        }
        if (extents != null && length > 0) {
            long end = offset + length;
            long data = extents.nextData(offset, end);
            if (data > offset) return new BlockStatus(offset, data - offset, BlockStatus.Kind.ZERO, offset);
            if (data == offset) {
                long hole = extents.nextHole(offset);
                if (hole > offset) return new BlockStatus(offset, Math.min(hole, end) - offset, BlockStatus.Kind.DATA, offset);
            }
        }
        return new BlockStatus(offset, length, BlockStatus.Kind.DATA, offset);
    }

    @Override
    public ImageInfo info() {
        return new ImageInfo(file.path().toString(), "raw", size, file.allocatedBytes(), 0, null, null, null,
                null, Map.of(), List.of());
    }

    @Override
    public void close() throws BlockException {
        if (extents != null) extents.close();
        file.close();
    }
}
