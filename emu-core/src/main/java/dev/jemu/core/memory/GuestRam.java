package dev.jemu.core.memory;

import dev.jemu.core.host.Libc;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
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
    private final boolean mapped;
    private final DirtyLog dirty;

    public GuestRam(long size) {
        if (size <= 0 || (size & 0xfff) != 0) {
            throw new IllegalArgumentException("RAM size must be a positive multiple of 4 KiB: " + size);
        }
        this.arena = Arena.ofShared();
        MemorySegment mapped = mapZeroed(size, arena);
        this.segment = mapped != null ? mapped : arena.allocate(size, 4096);
        this.mapped = mapped != null;
        this.size = size;
        this.dirty = new DirtyLog(size);
    }

    private GuestRam(GuestRam whole, long offset, long size) {
        this.arena = null;
        this.segment = whole.segment.asSlice(offset, size);
        this.mapped = whole.mapped;
        this.size = size;
        this.dirty = whole.dirty.window(offset, size);
    }

    /**
     * A window of {@code size} bytes at {@code offset} into this RAM, sharing its memory and dirty log: how a board
     * maps one block of RAM at two places (x86's RAM below and above the 4 GiB hole, as QEMU's aliases of one
     * RAM block). Snapshots and migration keep using the whole block; closing a window does nothing.
     */
    public GuestRam slice(long offset, long size) {
        if (size <= 0 || ((offset | size) & 0xfff) != 0 || offset < 0 || offset + size > this.size) {
            throw new IllegalArgumentException("RAM window " + offset + "+" + size + " is not whole pages inside "
                    + this.size + " bytes");
        }
        return new GuestRam(this, offset, size);
    }

    /** The pages written while live migration logs them; every writer below marks it. */
    public DirtyLog dirtyLog() {
        return dirty;
    }

    // Linux: RAM is an anonymous private mapping, which the kernel zeroes page by page on first touch, instead of
    // memory the JVM zeroes up front (~0.25 s per 512 MiB at start-up, and every page resident from the start)
    private static final long MAP_FAILED = -1;
    private static final int PROT_READ_WRITE = 1 | 2, MAP_PRIVATE_ANONYMOUS_NORESERVE = 0x02 | 0x20 | 0x4000;
    private static final MethodHandle MMAP = Libc.function("mmap", FunctionDescriptor.of(ValueLayout.ADDRESS,
            ValueLayout.ADDRESS, ValueLayout.JAVA_LONG, ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.JAVA_INT,
            ValueLayout.JAVA_LONG));
    private static final MethodHandle MUNMAP = Libc.function("munmap",
            FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.JAVA_LONG));

    /** A zero-filled anonymous mapping of {@code size} bytes unmapped when {@code arena} closes, or null. */
    private static MemorySegment mapZeroed(long size, Arena arena) {
        if (MMAP == null || MUNMAP == null) {
            return null;
        }
        try {
            MemorySegment m = (MemorySegment) MMAP.invokeExact(MemorySegment.NULL, size, PROT_READ_WRITE,
                    MAP_PRIVATE_ANONYMOUS_NORESERVE, -1, 0L);
            if (m.address() == MAP_FAILED || m.address() == 0) {
                return null;
            }
            if (HUGE_PAGES && MADVISE != null) {
                int rc = (int) MADVISE.invokeExact(m, size, MADV_HUGEPAGE); // only a hint: no error if refused
            }
            return m.reinterpret(size, arena, seg -> unmap(seg, size));
        } catch (Throwable t) {
            return null;
        }
    }

    private static final int MADV_DONTNEED = 4;
    /**
     * {@code -Djemu.ram.hugepages=true}: guest RAM in transparent huge pages where the host allows them (its THP
     * setting "madvise" gives them only to memory that asks), as QEMU asks for its RAM blocks, so that guest code
     * walking megabytes at random (7-Zip's match finder) misses the host TLB less. Off by default: side by side it
     * saved 4-8 % of the emulation thread's CPU in 7-Zip's compression, but 7-Zip's own rating did not follow
     * (load 1.5-3.5: 395, 347, 439, 420 with it, 461 without, 386-490 on the base; perhaps the kernel's direct
     * compaction or 2 MiB zeroing at first touch, which the guest clock sees).
     */
    private static final int MADV_HUGEPAGE = 14;
    private static final boolean HUGE_PAGES = Boolean.getBoolean("jemu.ram.hugepages");
    private static final MethodHandle MADVISE = Libc.function("madvise",
            FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.JAVA_LONG, ValueLayout.JAVA_INT));

    /**
     * Makes whole pages read as zero. On the anonymous mapping the kernel just drops them (MADV_DONTNEED), so
     * loading a snapshot does not have to write, or even fault in, the pages it leaves empty.
     */
    public void zero(long off, long len) {
        if ((off & 0xfff) != 0 || (len & 0xfff) != 0 || off < 0 || len < 0 || off + len > size) {
            throw new IllegalArgumentException("zero: not whole pages inside RAM: " + off + "+" + len);
        }
        if (len == 0) {
            return;
        }
        MemorySegment part = segment.asSlice(off, len);
        if (mapped && MADVISE != null) {
            try {
                if ((int) MADVISE.invokeExact(part, len, MADV_DONTNEED) == 0) {
                    dirty.mark(off, len); // after the change: a concurrent take() must not miss it
                    return;
                }
            } catch (Throwable t) {
                // fall back to writing zeroes
            }
        }
        part.fill((byte) 0);
        dirty.mark(off, len);
    }

    private static final int MADV_POPULATE_WRITE = 23;

    /**
     * Faults whole pages in, writable, with one call (Linux 5.14+), before a large read fills them: much
     * cheaper than a page fault per 4 KiB in the middle of the copy. Only a hint; nothing changes in content.
     */
    public void populate(long off, long len) {
        if (!mapped || MADVISE == null || len <= 0) {
            return;
        }
        try {
            int rc = (int) MADVISE.invokeExact(segment.asSlice(off, len), len, MADV_POPULATE_WRITE);
        } catch (Throwable t) {
            // an older kernel: the read faults the pages in
        }
    }

    private static void unmap(MemorySegment seg, long size) {
        try {
            int rc = (int) MUNMAP.invokeExact(seg, size);
        } catch (Throwable t) {
            // nothing to do: the process keeps the mapping
        }
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
        dirty.mark(off);
    }

    public void writeShort(long off, short v) {
        segment.set(SHORT, off, v);
        dirty.mark(off);
    }

    public void writeInt(long off, int v) {
        segment.set(INT, off, v);
        dirty.mark(off);
    }

    public void writeLong(long off, long v) {
        segment.set(LONG, off, v);
        dirty.mark(off);
    }

    /**
     * Reads 1, 2, 4 or 8 (any other size) little-endian bytes at {@code off} of a RAM segment, zero-extended: the
     * CPUs' TLB fast paths, which hold the segment and mark the dirty log themselves (on a TLB fill).
     */
    public static long readFrom(MemorySegment seg, long off, int size) {
        return switch (size) {
            case 1 -> seg.get(BYTE, off) & 0xffL;
            case 2 -> seg.get(SHORT, off) & 0xffffL;
            case 4 -> seg.get(INT, off) & 0xffff_ffffL;
            default -> seg.get(LONG, off);
        };
    }

    /** Writes 1, 2, 4 or 8 (any other size) bytes of {@code v}, without marking the dirty log (see {@link #readFrom}). */
    public static void writeTo(MemorySegment seg, long off, int size, long v) {
        switch (size) {
            case 1 -> seg.set(BYTE, off, (byte) v);
            case 2 -> seg.set(SHORT, off, (short) v);
            case 4 -> seg.set(INT, off, (int) v);
            default -> seg.set(LONG, off, v);
        }
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
        dirty.mark(off);
    }

    public void load(long off, byte[] data) {
        MemorySegment.copy(data, 0, segment, BYTE, off, data.length);
        dirty.mark(off, data.length);
    }

    /**
     * Reads {@code len} bytes of {@code file} from its start into RAM at {@code off}: the kernel copies them from
     * its page cache straight into guest memory (no Java array in between: a 31 MB kernel image took ~0.3 s of
     * start-up through {@code readAllBytes} and {@link #load}). Fails if the file is shorter.
     */
    public void loadFrom(long off, java.nio.channels.FileChannel file, long len) throws java.io.IOException {
        java.nio.ByteBuffer dst = segment.asSlice(off, len).asByteBuffer();
        while (dst.hasRemaining()) {
            if (file.read(dst, dst.position()) < 0) {
                throw new java.io.EOFException("the file ended after " + dst.position() + " of " + len + " bytes");
            }
        }
        dirty.mark(off, len);
    }

    public void copyOut(long off, byte[] dst, int dstOff, int len) {
        MemorySegment.copy(segment, BYTE, off, dst, dstOff, len);
    }

    @Override
    public void close() {
        if (arena != null) {
            arena.close();
        }
    }
}
