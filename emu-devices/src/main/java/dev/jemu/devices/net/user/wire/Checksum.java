package dev.jemu.devices.net.user.wire;

/** The Internet checksum (RFC 1071) over byte ranges, with the IPv4 pseudo-header TCP and UDP add. */
public final class Checksum {
    private Checksum() {
    }

    /** One's-complement sum of 16-bit big-endian words, not yet folded or inverted. */
    public static long sum(byte[] b, int off, int len, long acc) {
        int end = off + len;
        int i = off;
        for (; i + 1 < end; i += 2) {
            acc += ((b[i] & 0xff) << 8) | (b[i + 1] & 0xff);
        }
        if (i < end) {
            acc += (b[i] & 0xff) << 8;
        }
        return acc;
    }

    /** The pseudo-header sum of an IPv4 TCP/UDP segment. */
    public static long pseudoHeader(int src, int dst, int protocol, int length) {
        return (src >>> 16) + (src & 0xffff) + (dst >>> 16) + (dst & 0xffff) + protocol + length;
    }

    /** Folds a sum to 16 bits and inverts it: the value to store in a header. */
    public static int finish(long acc) {
        while ((acc >>> 16) != 0) {
            acc = (acc & 0xffff) + (acc >>> 16);
        }
        return (int) (~acc & 0xffff);
    }

    /** The checksum of a range, ready to store. A range that holds its own correct checksum gives 0. */
    public static int of(byte[] b, int off, int len) {
        return finish(sum(b, off, len, 0));
    }
}
