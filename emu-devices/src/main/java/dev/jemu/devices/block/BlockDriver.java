package dev.jemu.devices.block;

import java.io.Closeable;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Path;
import java.util.List;

/**
 * One opened disk image: a byte-addressed virtual disk of {@link #size()} bytes. Every method that can
 * fail throws {@link BlockException} with a one-line message. Implementations are not thread-safe;
 * callers serialize requests (the block device's I/O thread, or jemu-img).
 */
public interface BlockDriver extends Closeable {
    /** The registry name of the format ("raw", "qcow2"). */
    String formatName();

    Path path();

    /** Virtual size in bytes. */
    long size();

    boolean readOnly();

    void read(long offset, byte[] buf, int off, int len) throws BlockException;

    void write(long offset, byte[] buf, int off, int len) throws BlockException;

    /**
     * Reads {@code dst.byteSize()} bytes at offset into a memory segment. Drivers that can read straight
     * into it (raw, qcow2: native segments without a bounce copy) override this; the default goes through
     * a byte array.
     */
    default void read(long offset, MemorySegment dst) throws BlockException {
        byte[] b = new byte[Math.toIntExact(dst.byteSize())];
        read(offset, b, 0, b.length);
        MemorySegment.copy(b, 0, dst, ValueLayout.JAVA_BYTE, 0, b.length);
    }

    /** Writes the segment's bytes at offset; see {@link #read(long, MemorySegment)}. */
    default void write(long offset, MemorySegment src) throws BlockException {
        byte[] b = src.toArray(ValueLayout.JAVA_BYTE);
        write(offset, b, 0, b.length);
    }

    /** Makes every completed write durable on the host. */
    void flush() throws BlockException;

    /** Makes the range read as zeroes, deallocating where the format can. */
    void writeZeroes(long offset, long length) throws BlockException;

    /** Tells the image the range is unused; its content afterwards is zeroes or unchanged. */
    void discard(long offset, long length) throws BlockException;

    @Override
    void close() throws BlockException;

    /** The state of the run of bytes starting at offset in this layer (at most length bytes). */
    BlockStatus status(long offset, long length) throws BlockException;

    ImageInfo info() throws BlockException;

    /** The opened backing image, or null. */
    default BlockDriver backing() {
        return null;
    }

    /** Allocation unit, 0 if none; `convert` uses it as its chunk size. */
    default int clusterSize() {
        return 0;
    }

    default CheckResult check(RepairMode mode) throws BlockException {
        throw new CheckUnsupportedException();
    }

    /** The format has no consistency check (qemu-img check exits 63 then). */
    final class CheckUnsupportedException extends BlockException {
        public CheckUnsupportedException() {
            super("This image format does not support checks");
        }
    }

    default void resize(long newSize, boolean shrink) throws BlockException {
        throw new BlockException("Image format '" + formatName() + "' does not support resizing");
    }

    /** Resizes with the new area preallocated as qemu-img resize --preallocation does (growing only). */
    default void resize(long newSize, boolean shrink, Preallocation prealloc) throws BlockException {
        if (prealloc != Preallocation.OFF) {
            throw new BlockException("Unsupported preallocation mode: " + prealloc.qemuName());
        }
        resize(newSize, shrink);
    }

    /**
     * Whether status queries should look at holes of the host file under data clusters (qemu does so for
     * images that look preallocated with preallocation=metadata, whose clusters are mostly holes).
     */
    default boolean dataMayBeHoles() {
        return false;
    }

    /** Drops all data of this layer (opened without its chain), as commit does to the committed image. */
    default void makeEmpty() throws BlockException {
        discard(0, size());
    }

    /** Rewrites the name of the backing file (null: none) without touching data, as rebase -u does. */
    default void setBacking(String backingFile, String backingFmt) throws BlockException {
        throw new BlockException("Image format '" + formatName() + "' does not support backing files");
    }

    /** Whether {@link #writeCompressed} works (qcow2 on a fresh cluster). */
    default boolean supportsCompression() {
        return false;
    }

    /** Writes one whole guest cluster compressed; offset is cluster-aligned, buf holds a full cluster. */
    default void writeCompressed(long offset, byte[] buf, int off) throws BlockException {
        throw new BlockException("Image format '" + formatName() + "' does not support compression");
    }

    default List<SnapshotInfo> snapshots() throws BlockException {
        return List.of();
    }

    default void snapshotCreate(String name) throws BlockException {
        throw new BlockException("Image format '" + formatName() + "' does not support internal snapshots");
    }

    default void snapshotApply(String nameOrId) throws BlockException {
        throw new BlockException("Image format '" + formatName() + "' does not support internal snapshots");
    }

    default void snapshotDelete(String nameOrId) throws BlockException {
        throw new BlockException("Image format '" + formatName() + "' does not support internal snapshots");
    }

    /**
     * Snapshot with savevm's VM state: its size in the image's VM state area (written before with
     * {@link #writeVmState}) and the guest clock.
     */
    default void snapshotCreate(String name, long vmStateSize, long vmClockNsec) throws BlockException {
        throw new BlockException("Image format '" + formatName() + "' does not support internal snapshots");
    }

    /** Whether the format keeps a VM state beside the disk (qcow2's area past the virtual disk). */
    default boolean hasVmStateArea() {
        return false;
    }

    /** Writes VM state bytes at {@code pos} in the active layer's VM state area. */
    default void writeVmState(long pos, MemorySegment src) throws BlockException {
        throw new BlockException("Image format '" + formatName() + "' cannot hold a VM state");
    }

    /** Reads VM state bytes at {@code pos} from the active layer's VM state area (after a snapshot revert). */
    default void readVmState(long pos, MemorySegment dst) throws BlockException {
        throw new BlockException("Image format '" + formatName() + "' cannot hold a VM state");
    }

    /** Reads VM state bytes at {@code pos} of snapshot {@code nameOrId}, the disk left as it is. */
    default void readSnapshotVmState(String nameOrId, long pos, MemorySegment dst) throws BlockException {
        throw new BlockException("Image format '" + formatName() + "' cannot hold a VM state");
    }

    /** Drops the active layer's VM state (snapshots keep theirs). */
    default void discardVmState() throws BlockException {
    }

    /**
     * {@link #writeZeroes} for a format with nothing lighter than data: writes zero bytes over the range (in
     * chunks of at most 1 MiB), after checking it against the virtual disk.
     */
    static void writeZeroBytes(BlockDriver d, long offset, long length) throws BlockException {
        checkRange(offset, length, d.size());
        byte[] zero = new byte[(int) Math.min(length, 1 << 20)];
        for (long done = 0; done < length; ) {
            int n = (int) Math.min(zero.length, length - done);
            d.write(offset + done, zero, 0, n);
            done += n;
        }
    }

    /** Throws unless [offset, offset+len) lies inside the virtual disk. */
    static void checkRange(long offset, long len, long size) throws BlockException {
        if (offset < 0 || len < 0 || offset + len > size || offset + len < offset) {
            throw new BlockException("request at offset " + offset + " length " + len
                    + " is beyond the end of the device (" + size + " bytes)");
        }
    }
}
