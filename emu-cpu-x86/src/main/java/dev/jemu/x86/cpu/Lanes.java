package dev.jemu.x86.cpu;

/** Lane-wise arithmetic on a 64-bit chunk of a vector register (8, 16, 32 or 64-bit lanes). */
final class Lanes {
    private Lanes() {
    }

    /** A lane operation on two lane values (zero-extended); the result is truncated to the lane. */
    @FunctionalInterface
    interface Op {
        long apply(long a, long b);
    }

    /** A 64-bit chunk operation. */
    @FunctionalInterface
    interface Chunk {
        long apply(long a, long b);
    }

    static long mask(int bits) {
        return bits == 64 ? -1L : (1L << bits) - 1;
    }

    /** Sign-extends the low {@code bits} of v. */
    static long sx(long v, int bits) {
        return v << (64 - bits) >> (64 - bits);
    }

    static long map(long a, long b, int bits, Op op) {
        long m = mask(bits), r = 0;
        for (int s = 0; s < 64; s += bits) {
            r |= (op.apply(a >>> s & m, b >>> s & m) & m) << s;
        }
        return r;
    }

    /** The lane operation as a chunk operation. */
    static Chunk lanes(int bits, Op op) {
        return (a, b) -> map(a, b, bits, op);
    }

    static long satS(long v, int bits) {
        long max = (1L << (bits - 1)) - 1, min = -(1L << (bits - 1));
        return v > max ? max : v < min ? min : v;
    }

    static long satU(long v, int bits) {
        long max = (1L << bits) - 1;
        return v > max ? max : v < 0 ? 0 : v;
    }

    // SWAR forms of the hot byte operations (strlen/memchr loops)

    private static final long H8 = 0x8080808080808080L, L7 = 0x7f7f7f7f7f7f7f7fL;

    static long add8(long a, long b) {
        return ((a & L7) + (b & L7)) ^ ((a ^ b) & H8);
    }

    static long sub8(long a, long b) {
        return ((a | H8) - (b & L7)) ^ ((a ^ ~b) & H8);
    }

    /** 0xff in each byte where a and b are equal. */
    static long eq8(long a, long b) {
        long x = a ^ b;                                  // zero bytes where equal
        long t = ((x & L7) + L7 | x) & H8;               // high bit set where the byte is nonzero
        t = ~t & H8;                                     // high bit where zero
        return (t >>> 7) * 0xff;
    }

    /** The top bit of each byte gathered into 8 bits. */
    static int msb8(long a) {
        long t = (a & H8) >>> 7;                         // 0 or 1 in each byte
        return (int) ((t * 0x0102040810204080L) >>> 56);
    }
}
