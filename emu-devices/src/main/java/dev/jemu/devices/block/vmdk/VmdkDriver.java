package dev.jemu.devices.block.vmdk;

import dev.jemu.devices.block.BlockDriver;
import dev.jemu.devices.block.BlockException;
import dev.jemu.devices.block.BlockStatus;
import dev.jemu.devices.block.ImageInfo;
import dev.jemu.devices.block.ImageLock;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** A VMDK disk: the concatenation of its extents (monolithicSparse: one sparse extent; monolithicFlat: flat ones). */
public final class VmdkDriver implements BlockDriver {
    private final Path path;
    private final VmdkDescriptor desc;
    private final List<VmdkExtent> extents;
    private final long[] starts; // byte offset where each extent begins
    private final long size;
    private final boolean readOnly;
    /** The lock bytes on a descriptor file (its extents hold their own), or null. */
    private final ImageLock descriptorLock;

    VmdkDriver(Path path, VmdkDescriptor desc, List<VmdkExtent> extents, boolean readOnly, ImageLock descriptorLock) {
        this.path = path;
        this.descriptorLock = descriptorLock;
        this.desc = desc;
        this.extents = extents;
        this.readOnly = readOnly;
        starts = new long[extents.size()];
        long s = 0;
        for (int i = 0; i < extents.size(); i++) {
            starts[i] = s;
            s += extents.get(i).sectors() * 512;
        }
        size = s;
    }

    private int extentAt(long off) {
        int i = extents.size() - 1;
        while (i > 0 && starts[i] > off) i--;
        return i;
    }

    @Override
    public String formatName() {
        return "vmdk";
    }

    @Override
    public Path path() {
        return path;
    }

    @Override
    public long size() {
        return size;
    }

    @Override
    public boolean readOnly() {
        return readOnly;
    }

    @Override
    public int clusterSize() {
        return extents.isEmpty() ? 0 : extents.getFirst().grainBytes();
    }

    @Override
    public void read(long offset, byte[] buf, int off, int len) throws BlockException {
        BlockDriver.checkRange(offset, len, size);
        while (len > 0) {
            int i = extentAt(offset);
            long in = offset - starts[i];
            int n = (int) Math.min(len, extents.get(i).sectors() * 512 - in);
            extents.get(i).read(in, buf, off, n);
            offset += n;
            off += n;
            len -= n;
        }
    }

    @Override
    public void write(long offset, byte[] buf, int off, int len) throws BlockException {
        if (readOnly) throw new BlockException("image '" + path + "' is opened read-only");
        BlockDriver.checkRange(offset, len, size);
        while (len > 0) {
            int i = extentAt(offset);
            long in = offset - starts[i];
            int n = (int) Math.min(len, extents.get(i).sectors() * 512 - in);
            extents.get(i).write(in, buf, off, n);
            offset += n;
            off += n;
            len -= n;
        }
    }

    @Override
    public void flush() throws BlockException {
        for (VmdkExtent e : extents) e.flush();
    }

    @Override
    public void writeZeroes(long offset, long length) throws BlockException {
        BlockDriver.writeZeroBytes(this, offset, length);
    }

    @Override
    public void discard(long offset, long length) throws BlockException {
        BlockDriver.checkRange(offset, length, size);
    }

    @Override
    public BlockStatus status(long offset, long length) throws BlockException {
        BlockDriver.checkRange(offset, length, size);
        int i = extentAt(offset);
        long in = offset - starts[i];
        BlockStatus s = extents.get(i).status(in, Math.min(length, extents.get(i).sectors() * 512 - in));
        return new BlockStatus(offset, s.length(), s.kind(), s.hostOffset());
    }

    @Override
    public ImageInfo info() {
        Map<String, Object> fs = new LinkedHashMap<>();
        fs.put("cid", parseHex(desc.values.get("CID")));
        fs.put("parent-cid", parseHex(desc.values.get("parentCID")));
        fs.put("create-type", desc.values.getOrDefault("createType", ""));
        long actual = 0;
        for (VmdkExtent e : extents) actual += Math.max(0, e.allocatedBytes());
        return new ImageInfo(path.toString(), "vmdk", size, actual, clusterSize(), null, null, null, null, fs, List.of());
    }

    private static long parseHex(String s) {
        try {
            return s == null ? 0 : Long.parseLong(s, 16);
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    @Override
    public void close() throws BlockException {
        if (descriptorLock != null) descriptorLock.close();
        BlockException first = null;
        for (VmdkExtent e : extents) {
            try {
                e.close();
            } catch (BlockException x) {
                if (first == null) first = x;
            }
        }
        if (first != null) throw first;
    }
}
