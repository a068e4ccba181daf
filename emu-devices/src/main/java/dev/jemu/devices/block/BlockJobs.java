package dev.jemu.devices.block;

import java.nio.file.Path;
import java.util.Arrays;

/**
 * The chain-changing operations of qemu-img: commit (an overlay's data into an image below it) and rebase
 * (the overlay onto another backing file, keeping its guest-visible content unless unsafe). Both work in
 * runs of block status and copy at most {@link #CHUNK} bytes at a time.
 */
public final class BlockJobs {
    private static final int CHUNK = 1 << 20;

    /** Called with the bytes done so far and the total. */
    public interface Progress {
        void at(long done, long total);
    }

    private BlockJobs() {
    }

    /** Where a backing file named in an image is, relative to that image's directory (as qemu resolves it). */
    public static Path resolveBacking(Path image, String backing) {
        Path parent = image.toAbsolutePath().getParent();
        return parent == null ? Path.of(backing) : parent.resolve(backing);
    }

    /**
     * Copies into {@code base} every run that a layer above it (depth below baseDepth in the chain of
     * {@code top}) defines: data as read through the chain, zero clusters as zeroes. The base grows to the
     * top's size when it is smaller.
     */
    public static void commit(BlockDriver top, int baseDepth, BlockDriver base, Progress p) throws BlockException {
        if (base.size() < top.size()) base.resize(top.size(), false);
        byte[] buf = new byte[CHUNK];
        long size = top.size();
        for (long off = 0; off < size; ) {
            ChainStatus st = ChainStatus.at(top, off, Math.min(size - off, CHUNK));
            long n = st.length();
            if (st.depth() < baseDepth && st.has(ChainStatus.ALLOCATED)) {
                if (st.has(ChainStatus.ZERO) && !st.has(ChainStatus.DATA)) {
                    base.writeZeroes(off, n);
                } else {
                    top.read(off, buf, 0, (int) n);
                    base.write(off, buf, 0, (int) n);
                }
            }
            off += n;
            if (p != null) p.at(off, size);
        }
        base.flush();
    }

    /**
     * Safe rebase: wherever {@code overlay} (opened without its chain) defers to its backing file, the
     * content seen through the old chain ({@code oldView}, the overlay with its old backing) is compared
     * with the new backing's ({@code newBacking}, null: none, reads as zeroes); differing ranges are
     * written into the overlay, so its guest-visible content stays the same.
     */
    public static void rebaseCopy(BlockDriver overlay, BlockDriver oldView, BlockDriver newBacking, Progress p) throws BlockException {
        long size = overlay.size();
        // whole clusters: a write into an unallocated cluster of the chain-less overlay must not copy zeroes
        int g = overlay.clusterSize() > 0 ? overlay.clusterSize() : 65536;
        int chunk = Math.max(CHUNK, g);
        byte[] a = new byte[chunk], b = new byte[chunk];
        for (long off = 0; off < size; ) {
            BlockStatus st = overlay.status(off, Math.min(size - off, chunk));
            long n = st.length();
            if (st.kind() == BlockStatus.Kind.UNALLOCATED) {
                for (long o = off; o < off + n; ) {
                    int len = (int) Math.min(chunk, off + n - o);
                    oldView.read(o, a, 0, len);
                    Arrays.fill(b, 0, len, (byte) 0);
                    if (newBacking != null && o < newBacking.size()) {
                        newBacking.read(o, b, 0, (int) Math.min(len, newBacking.size() - o));
                    }
                    for (int i = 0; i < len; i += g) {
                        int m = Math.min(g, len - i);
                        if (Arrays.mismatch(a, i, i + m, b, i, i + m) >= 0) overlay.write(o + i, a, i, m);
                    }
                    o += len;
                }
            }
            off += n;
            if (p != null) p.at(off, size);
        }
        overlay.flush();
    }
}
