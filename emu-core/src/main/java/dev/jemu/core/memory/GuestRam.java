package dev.jemu.core.memory;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

/**
 * Guest memory backed by off-heap host memory: one segment shared by the CPU interpreter, device DMA and
 * (later) KVM. All accessors take an offset into this block, not a guest address, and are little-endian.
 */
public final class GuestRam implements AutoCloseable {
    public static final ValueLayout.OfByte BYTE = ValueLayout.JAVA_BYTE;
    public static final ValueLayout.OfShort SHORT = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    public static final ValueLayout.OfInt INT = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    public static final ValueLayout.OfLong LONG = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    private final Arena arena;
    private final MemorySegment segment;
    private final long size;

    public GuestRam(long size) {
        if (size <= 0 || (size & 0xfff) != 0) {
            throw new IllegalArgumentException("RAM size must be a positive multiple of 4 KiB: " + size);
        }
        this.arena = Arena.ofShared();
        this.segment = arena.allocate(size, 4096);
        this.size = size;
    }

    public MemorySegment segment() {
        return segment;
    }

    public long size() {
        return size;
    }

    public byte readByte(long off) {
        return segment.get(BYTE, off);
    }

    public short readShort(long off) {
        return segment.get(SHORT, off);
    }

    public int readInt(long off) {
        return segment.get(INT, off);
    }

    public long readLong(long off) {
        return segment.get(LONG, off);
    }

    public void writeByte(long off, byte v) {
        segment.set(BYTE, off, v);
    }

    public void writeShort(long off, short v) {
        segment.set(SHORT, off, v);
    }

    public void writeInt(long off, int v) {
        segment.set(INT, off, v);
    }

    public void writeLong(long off, long v) {
        segment.set(LONG, off, v);
    }

    /** Reads 1, 2, 4 or 8 bytes, zero-extended. */
    public long read(long off, int size) {
        return switch (size) {
            case 1 -> segment.get(BYTE, off) & 0xffL;
            case 2 -> segment.get(SHORT, off) & 0xffffL;
            case 4 -> segment.get(INT, off) & 0xffff_ffffL;
            case 8 -> segment.get(LONG, off);
            default -> throw new IllegalArgumentException("access size " + size);
        };
    }

    public void write(long off, int size, long v) {
        switch (size) {
            case 1 -> segment.set(BYTE, off, (byte) v);
            case 2 -> segment.set(SHORT, off, (short) v);
            case 4 -> segment.set(INT, off, (int) v);
            case 8 -> segment.set(LONG, off, v);
            default -> throw new IllegalArgumentException("access size " + size);
        }
    }

    public void load(long off, byte[] data) {
        MemorySegment.copy(data, 0, segment, BYTE, off, data.length);
    }

    public void copyOut(long off, byte[] dst, int dstOff, int len) {
        MemorySegment.copy(segment, BYTE, off, dst, dstOff, len);
    }

    @Override
    public void close() {
        arena.close();
    }
}
