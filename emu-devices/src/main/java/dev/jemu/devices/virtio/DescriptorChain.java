package dev.jemu.devices.virtio;

import java.lang.foreign.MemorySegment;

/**
 * One available buffer, checked: its device-readable segments (in order, all before the writable ones) and
 * its device-writable segments, every one inside guest RAM. {@link #read} gathers from the readable part and
 * {@link #write} scatters into the writable part, both addressed as one flat byte stream.
 */
public final class DescriptorChain {
    private final int head;
    private final long[] addr;
    private final int[] len;
    private final int readableCount;
    private final int count;
    private final long readableLength;
    private final long writableLength;

    DescriptorChain(int head, long[] addr, int[] len, int readableCount, int count) {
        this.head = head;
        this.addr = addr;
        this.len = len;
        this.readableCount = readableCount;
        this.count = count;
        long r = 0, w = 0;
        for (int i = 0; i < count; i++) {
            if (i < readableCount) {
                r += len[i] & 0xffff_ffffL;
            } else {
                w += len[i] & 0xffff_ffffL;
            }
        }
        this.readableLength = r;
        this.writableLength = w;
    }

    /** The head descriptor's index: the id that goes into the used ring. */
    public int head() {
        return head;
    }

    public long readableLength() {
        return readableLength;
    }

    public long writableLength() {
        return writableLength;
    }

    /** Number of descriptors (segments) in the chain. */
    public int segments() {
        return count;
    }

    /** Copies {@code n} bytes starting {@code pos} bytes into the readable part. */
    public void read(DmaMemory mem, long pos, byte[] dst, int off, int n) throws VirtqueueException {
        copy(mem, 0, readableCount, pos, MemorySegment.ofArray(dst), off, n, false);
    }

    /** Copies {@code n} bytes to {@code pos} bytes into the writable part. */
    public void write(DmaMemory mem, long pos, byte[] src, int off, int n) throws VirtqueueException {
        copy(mem, readableCount, count, pos, MemorySegment.ofArray(src), off, n, true);
    }

    /** Gathers {@code dst.byteSize()} bytes starting {@code pos} bytes into the readable part. */
    public void read(DmaMemory mem, long pos, MemorySegment dst) throws VirtqueueException {
        copy(mem, 0, readableCount, pos, dst, 0, dst.byteSize(), false);
    }

    /** Scatters {@code src} to {@code pos} bytes into the writable part. */
    public void write(DmaMemory mem, long pos, MemorySegment src) throws VirtqueueException {
        copy(mem, readableCount, count, pos, src, 0, src.byteSize(), true);
    }

    private void copy(DmaMemory mem, int from, int to, long pos, MemorySegment buf, long off, long n, boolean toGuest)
            throws VirtqueueException {
        for (int i = from; i < to && n > 0; i++) {
            long l = len[i] & 0xffff_ffffL;
            if (pos >= l) {
                pos -= l;
                continue;
            }
            long chunk = Math.min(n, l - pos);
            if (toGuest) {
                mem.write(addr[i] + pos, buf, off, chunk);
            } else {
                mem.read(addr[i] + pos, buf, off, chunk);
            }
            off += chunk;
            n -= chunk;
            pos = 0;
        }
        if (n > 0) {
            throw new VirtqueueException("access beyond the end of the buffer");
        }
    }
}
