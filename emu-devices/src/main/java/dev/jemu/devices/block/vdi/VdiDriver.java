package dev.jemu.devices.block.vdi;

import dev.jemu.devices.block.BlockDriver;
import dev.jemu.devices.block.BlockException;
import dev.jemu.devices.block.BlockStatus;
import dev.jemu.devices.block.Bytes;
import dev.jemu.devices.block.ImageFile;
import dev.jemu.devices.block.ImageInfo;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * A VDI image, dynamic (blocks allocated on first write, appended after the last one) or static.
 *
 * <p>Allocation order: the whole new block is written first, then its block map entry, then the
 * header's allocated count. A kill between steps leaves an unreferenced block at the end (leak) or a
 * count that lags behind the map; on opening we take the next block after the highest one the map
 * uses, so a block is never handed out twice.
 */
public final class VdiDriver implements BlockDriver {
    private final ImageFile file;
    private final VdiHeader h;
    private final int[] bmap;
    private long nextBlock;

    VdiDriver(ImageFile file) throws BlockException {
        this.file = file;
        this.h = VdiHeader.read(file);
        byte[] raw = new byte[(int) (h.blocks * 4)];
        file.readFully(h.offsetBmap, raw, 0, raw.length, "VDI block map");
        bmap = new int[(int) h.blocks];
        long max = -1, used = 0;
        for (int i = 0; i < bmap.length; i++) {
            bmap[i] = Bytes.getIntLE(raw, i * 4);
            if (allocated(bmap[i])) {
                long idx = Integer.toUnsignedLong(bmap[i]);
                if (idx >= h.blocks) throw BlockException.corrupt("VDI block map entry " + i + " points to block " + idx + " of " + h.blocks);
                max = Math.max(max, idx);
                used++;
            }
        }
        nextBlock = Math.max(max + 1, h.allocated);
        if (!file.readOnly() && used != h.allocated && h.type == VdiHeader.TYPE_DYNAMIC) {
            file.writeInt(VdiHeader.OFF_ALLOCATED, Integer.reverseBytes((int) used)); // repair a lagging count
            h.allocated = used;
        }
    }

    private static boolean allocated(int e) {
        return e != VdiHeader.BLOCK_FREE && e != VdiHeader.BLOCK_ZERO;
    }

    private long hostOffset(int e) {
        return h.offsetData + Integer.toUnsignedLong(e) * h.blockSize;
    }

    @Override
    public String formatName() {
        return "vdi";
    }

    @Override
    public Path path() {
        return file.path();
    }

    @Override
    public long size() {
        return h.diskSize;
    }

    @Override
    public boolean readOnly() {
        return file.readOnly();
    }

    @Override
    public int clusterSize() {
        return h.blockSize;
    }

    @Override
    public void read(long offset, byte[] buf, int off, int len) throws BlockException {
        BlockDriver.checkRange(offset, len, h.diskSize);
        while (len > 0) {
            int blk = (int) (offset / h.blockSize);
            int in = (int) (offset % h.blockSize);
            int n = Math.min(len, h.blockSize - in);
            int e = bmap[blk];
            if (allocated(e)) file.readUpTo(hostOffset(e) + in, buf, off, n);
            else java.util.Arrays.fill(buf, off, off + n, (byte) 0);
            offset += n;
            off += n;
            len -= n;
        }
    }

    @Override
    public void write(long offset, byte[] buf, int off, int len) throws BlockException {
        if (file.readOnly()) throw new BlockException("image '" + file.path() + "' is opened read-only");
        BlockDriver.checkRange(offset, len, h.diskSize);
        while (len > 0) {
            int blk = (int) (offset / h.blockSize);
            int in = (int) (offset % h.blockSize);
            int n = Math.min(len, h.blockSize - in);
            int e = bmap[blk];
            if (allocated(e)) {
                // A block must lie inside the file: a corrupt map never makes us write far beyond it.
                if (hostOffset(e) + h.blockSize > file.size()) throw BlockException.corrupt("VDI block " + blk + " lies beyond end of file");
                file.write(hostOffset(e) + in, buf, off, n);
            } else if (!Bytes.isZero(buf, off, n)) {
                allocate(blk, in, buf, off, n);
            }
            offset += n;
            off += n;
            len -= n;
        }
    }

    private void allocate(int blk, int in, byte[] buf, int off, int n) throws BlockException {
        if (nextBlock >= h.blocks) throw BlockException.corrupt("no free VDI block left");
        if (hostOffset((int) nextBlock) > file.size()) throw BlockException.corrupt("VDI data area ends before block " + nextBlock);
        int idx = (int) nextBlock++;
        byte[] full = new byte[h.blockSize];
        System.arraycopy(buf, off, full, in, n);
        file.write(hostOffset(idx), full, 0, full.length); // 1. data
        byte[] e = new byte[4];
        e[0] = (byte) idx;
        e[1] = (byte) (idx >>> 8);
        e[2] = (byte) (idx >>> 16);
        e[3] = (byte) (idx >>> 24);
        file.write(h.offsetBmap + blk * 4L, e, 0, 4); // 2. map entry
        bmap[blk] = idx;
        h.allocated++;
        file.writeInt(VdiHeader.OFF_ALLOCATED, Integer.reverseBytes((int) h.allocated)); // 3. count
    }

    @Override
    public void flush() throws BlockException {
        file.force();
    }

    @Override
    public void writeZeroes(long offset, long length) throws BlockException {
        BlockDriver.checkRange(offset, length, h.diskSize);
        byte[] z = new byte[h.blockSize];
        long end = offset + length;
        while (offset < end) {
            int blk = (int) (offset / h.blockSize);
            int in = (int) (offset % h.blockSize);
            int n = (int) Math.min(end - offset, h.blockSize - in);
            if (allocated(bmap[blk])) write(offset, z, 0, n); // unallocated blocks already read as zero
            offset += n;
        }
    }

    @Override
    public void discard(long offset, long length) throws BlockException {
        BlockDriver.checkRange(offset, length, h.diskSize);
    }

    @Override
    public BlockStatus status(long offset, long length) throws BlockException {
        BlockDriver.checkRange(offset, length, h.diskSize);
        long end = offset + length;
        long g = offset;
        Boolean alloc = null;
        long host0 = -1;
        while (g < end) {
            int blk = (int) (g / h.blockSize);
            boolean a = allocated(bmap[blk]);
            long host = a ? hostOffset(bmap[blk]) + g % h.blockSize : -1;
            if (alloc == null) {
                alloc = a;
                host0 = host;
            } else if (a != alloc || (a && host != host0 + (g - offset))) break;
            g = Math.min(end, (g / h.blockSize + 1) * h.blockSize);
        }
        // VDI has no backing files: an unallocated block is simply zero.
        return new BlockStatus(offset, g - offset, alloc ? BlockStatus.Kind.DATA : BlockStatus.Kind.ZERO, host0);
    }

    /** Every block used once, and the header's count right (qemu-img check's rules for VDI). */
    @Override
    public dev.jemu.devices.block.CheckResult check(dev.jemu.devices.block.RepairMode mode) throws BlockException {
        if (mode != dev.jemu.devices.block.RepairMode.NONE) throw new BlockException("Repairing VDI images is not supported");
        java.util.List<String> msgs = new java.util.ArrayList<>();
        int[] owner = new int[bmap.length];
        java.util.Arrays.fill(owner, -1);
        long errors = 0, used = 0, end = h.offsetData;
        for (int i = 0; i < bmap.length; i++) {
            if (!allocated(bmap[i])) continue;
            int idx = bmap[i];
            used++;
            end = Math.max(end, hostOffset(idx) + h.blockSize);
            if (owner[idx] >= 0) {
                errors++;
                msgs.add("ERROR: block index " + idx + " also used by " + owner[idx]);
            } else owner[idx] = i;
        }
        if (used != h.allocated) {
            errors++;
            msgs.add("ERROR: allocated blocks mismatch, is " + used + ", should be " + h.allocated);
        }
        return new dev.jemu.devices.block.CheckResult(file.path().toString(), "vdi", errors, 0, 0, 0, used, h.blocks,
                0, 0, end, msgs);
    }

    @Override
    public ImageInfo info() {
        return new ImageInfo(file.path().toString(), "vdi", h.diskSize, file.allocatedBytes(), h.blockSize, null,
                null, null, null, Map.of(), List.of());
    }

    @Override
    public void close() throws BlockException {
        file.close();
    }
}
