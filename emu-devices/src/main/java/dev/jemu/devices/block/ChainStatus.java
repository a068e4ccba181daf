package dev.jemu.devices.block;

/**
 * The state of a run of guest bytes seen through a whole backing chain, with qemu's block-status flags
 * (what `map` prints and what `compare -s` compares): which layer answers, whether it holds data, reads
 * as zeroes, is allocated at all, and where the bytes sit in that layer's file. A data cluster over a
 * hole of its host file (qcow2 preallocation=metadata) reads as zeroes too, as qemu reports it.
 *
 * @param depth      0 for the top image, 1 for its backing file, ...
 * @param hostOffset offset in {@code layer}'s file, -1 when none
 */
public record ChainStatus(long offset, long length, int depth, int flags, long hostOffset, BlockDriver layer) {
    public static final int DATA = 1, ZERO = 2, OFFSET_VALID = 4, ALLOCATED = 0x10, EOF = 0x20;

    public boolean has(int flag) {
        return (flags & flag) != 0;
    }

    /** The run at offset (at most length bytes) of the image d and the layers under it. */
    public static ChainStatus at(BlockDriver d, long offset, long length) throws BlockException {
        return at(d, offset, length, 0, d.size());
    }

    private static ChainStatus at(BlockDriver d, long offset, long length, int depth, long topSize) throws BlockException {
        BlockStatus st = d.status(offset, length);
        long len = st.length();
        int flags;
        long host = st.hostOffset();
        switch (st.kind()) {
            case DATA -> {
                flags = DATA | ALLOCATED | (host >= 0 ? OFFSET_VALID : 0);
                if (host >= 0 && d.dataMayBeHoles()) {
                    long[] hole = holeAt(d, host, len);
                    if (hole != null) {
                        len = hole[1];
                        if (hole[0] == 1) flags |= ZERO;
                    }
                }
            }
            case ZERO -> flags = ZERO | ALLOCATED | (host >= 0 ? OFFSET_VALID : 0);
            default -> {
                BlockDriver b = d.backing();
                if (b != null && offset < b.size()) {
                    return at(b, offset, Math.min(len, b.size() - offset), depth + 1, topSize);
                }
                flags = ZERO;
                host = -1;
            }
        }
        if (depth == 0 && offset + len == topSize) flags |= EOF;
        return new ChainStatus(offset, len, depth, flags, host, d);
    }

    /** {1 if [host, host+len) starts in a hole of d's file else 0, bytes of that same kind}; null if unknown. */
    private static long[] holeAt(BlockDriver d, long host, long len) {
        try (HostFileExtents x = HostFileExtents.open(d.path())) {
            if (x == null) return null;
            long end = host + len;
            long data = x.nextData(host, end);
            if (data < 0) return null;
            if (data > host) return new long[]{1, data - host};
            long hole = x.nextHole(host);
            return hole > host ? new long[]{0, Math.min(hole, end) - host} : null;
        }
    }
}
