package dev.jemu.arm.cpu;

/**
 * Integer arithmetic shared by the data-processing decoders: flag-setting add (subtract is a + ~b + 1), the
 * NZ-only flags of logical ops, and the bit-mask immediates (Arm ARM DecodeBitMasks).
 */
final class Alu {
    static final long W = 0xffff_ffffL;

    private Alu() {
    }

    /** a + b + cin on 64 bits, setting NZCV. */
    static long adds64(ArmCpu c, long a, long b, long cin) {
        long r = a + b + cin;
        c.nf = (int) (r >>> 63);
        c.zf = r == 0 ? 1 : 0;
        c.cf = (int) (((a & b) | ((a | b) & ~r)) >>> 63);
        c.vf = (int) (((a ^ r) & (b ^ r)) >>> 63);
        return r;
    }

    /** a + b + cin on the low 32 bits, setting NZCV; the result zero-extended. */
    static long adds32(ArmCpu c, long a, long b, long cin) {
        int x = (int) a, y = (int) b;
        int r = x + y + (int) cin;
        c.nf = r >>> 31;
        c.zf = r == 0 ? 1 : 0;
        c.cf = ((x & y) | ((x | y) & ~r)) >>> 31;
        c.vf = ((x ^ r) & (y ^ r)) >>> 31;
        return r & W;
    }

    /** Flags of ANDS/BICS (64-bit): N and Z from the result, C and V cleared. */
    static long logic64(ArmCpu c, long r) {
        c.nf = (int) (r >>> 63);
        c.zf = r == 0 ? 1 : 0;
        c.cf = 0;
        c.vf = 0;
        return r;
    }

    /** Flags of ANDS/BICS (32-bit); the result zero-extended. */
    static long logic32(ArmCpu c, long r) {
        int v = (int) r;
        c.nf = v >>> 31;
        c.zf = v == 0 ? 1 : 0;
        c.cf = 0;
        c.vf = 0;
        return r & W;
    }

    /**
     * The immediate of a logical (immediate) instruction (DecodeBitMasks with immediate = TRUE), or 0 for a
     * reserved encoding (0 and all-ones are never encodable, so 0 is free to mean "reserved").
     */
    static long bitMask(int n, int immr, int imms, boolean sf) {
        int len = 31 - Integer.numberOfLeadingZeros((n << 6) | (~imms & 0x3f));
        if (len < 1 || (!sf && n != 0)) {
            return 0;
        }
        int size = 1 << len, levels = size - 1;
        int s = imms & levels, r = immr & levels;
        if (s == levels) {
            return 0;
        }
        long elem = (1L << (s + 1)) - 1;
        if (r != 0) {
            long sizeMask = size == 64 ? -1L : (1L << size) - 1;
            elem = ((elem >>> r) | (elem << (size - r))) & sizeMask;
        }
        for (int i = size; i < 64; i <<= 1) {
            elem |= elem << i;
        }
        return sf ? elem : elem & W;
    }
}
