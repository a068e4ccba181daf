package dev.jemu.x86.cpu;

/**
 * ROL ROR RCL RCR SHL SHR SAL SAR, SHLD and SHRD with their flags. The count is masked to 5 bits (6 for 64-bit
 * operands); a masked count of 0 changes nothing, not even the flags. OF and AF where the SDM leaves them undefined
 * follow QEMU 7.2: shifts set OF from the last step (MSB of the result against the bit shifted out before it) and
 * AF = 0; rotates touch only CF and OF.
 */
final class Shifts {
    private Shifts() {
    }

    static int maskCount(long count, int s) {
        return (int) count & (s == 64 ? 0x3f : 0x1f);
    }

    /** Shift or rotate {@code a} by {@code count} (already the raw count operand); {@code kind} is ModRM.reg. */
    static long shift(X86Cpu c, int kind, long a, long count, int s) {
        int n = maskCount(count, s);
        if (n == 0) {
            return a;
        }
        return switch (kind) {
            case 0 -> rol(c, a, n, s);
            case 1 -> ror(c, a, n, s);
            case 2 -> rcl(c, a, n, s);
            case 3 -> rcr(c, a, n, s);
            case 4, 6 -> shl(c, a, n, s);
            case 5 -> shr(c, a, n, s);
            default -> sar(c, a, n, s);
        };
    }

    // each kind by a masked count n != 0 (the block JIT calls them directly when it knows the kind)

    static long rol(X86Cpu c, long a, int n, int s) {
        int k = n & (s - 1);
        long r = k == 0 ? a : Alu.trunc(a << k | a >>> (s - k), s);
        c.setCf((int) r & 1);
        c.setOf(Alu.msb(r, s) ^ c.cf());
        return r;
    }

    static long ror(X86Cpu c, long a, int n, int s) {
        int k = n & (s - 1);
        long r = k == 0 ? a : Alu.trunc(a >>> k | a << (s - k), s);
        c.setCf(Alu.msb(r, s));
        c.setOf(c.cf() ^ (int) (r >>> (s - 2)) & 1);
        return r;
    }

    static long shl(X86Cpu c, long a, int n, int s) { // SHL/SAL
        long before = n - 1 >= 64 ? 0 : a << (n - 1);
        long r = n >= 64 ? 0 : Alu.trunc(a << n, s);
        int cf = Alu.msb(before, s);
        Alu.shiftFlags(c, cf, Alu.msb(r, s) ^ cf, r, s);
        return r;
    }

    static long shr(X86Cpu c, long a, int n, int s) {
        long before = a >>> (n - 1);
        long r = before >>> 1;
        Alu.shiftFlags(c, (int) before & 1, Alu.msb(before ^ r, s), r, s);
        return r;
    }

    static long sar(X86Cpu c, long a, int n, int s) {
        long x = Alu.sext(a, s);
        long before = x >> Math.min(n - 1, 63);
        long r = Alu.trunc(before >> 1, s);
        Alu.shiftFlags(c, (int) before & 1, 0, r, s);
        return r;
    }

    static long rcl(X86Cpu c, long a, int n, int s) {
        int k = s == 8 ? n % 9 : s == 16 ? n % 17 : n;
        if (k == 0) {
            return a;
        }
        long cf = c.cf();
        long r;
        int out;
        if (s == 64 && k == 1) {
            r = a << 1 | cf;
            out = (int) (a >>> 63);
        } else if (s == 64) {
            r = a << k | cf << (k - 1) | a >>> (65 - k);
            out = (int) (a >>> (64 - k)) & 1;
        } else {
            // rotate the (s+1)-bit value CF:a left by k
            long v = cf << s | a;
            long w = (v << k | v >>> (s + 1 - k)) & ((1L << (s + 1)) - 1);
            r = w & ((1L << s) - 1);
            out = (int) (w >>> s) & 1;
        }
        r = Alu.trunc(r, s);
        c.setOf(Alu.msb(a ^ r, s));
        c.setCf(out);
        return r;
    }

    static long rcr(X86Cpu c, long a, int n, int s) {
        int k = s == 8 ? n % 9 : s == 16 ? n % 17 : n;
        if (k == 0) {
            return a;
        }
        long cf = c.cf();
        long r;
        int out;
        if (s == 64 && k == 1) {
            r = a >>> 1 | cf << 63;
            out = (int) a & 1;
        } else if (s == 64) {
            r = a >>> k | cf << (64 - k) | a << (65 - k);
            out = (int) (a >>> (k - 1)) & 1;
        } else {
            long v = cf << s | a;
            long w = (v >>> k | v << (s + 1 - k)) & ((1L << (s + 1)) - 1);
            r = w & ((1L << s) - 1);
            out = (int) (w >>> s) & 1;
        }
        r = Alu.trunc(r, s);
        c.setOf(Alu.msb(a ^ r, s));
        c.setCf(out);
        return r;
    }

    /**
     * SHLD dst, src, count: dst shifted left with src's high bits coming in. For 16-bit operands a count above 16 (the
     * SDM: undefined) shifts the 48-bit dst:src:dst, as Intel CPUs and QEMU do.
     */
    static long shld(X86Cpu c, long a, long b, long count, int s) {
        int n = maskCount(count, s);
        if (n == 0) {
            return a;
        }
        long r, before;
        if (s == 64) {
            r = a << n | (b >>> (64 - n));
            before = a << (n - 1) | (n == 1 ? 0 : b >>> (65 - n));
        } else if (s == 32) {
            long v = a << 32 | b;
            r = (v << n) >>> 32;
            before = (v << (n - 1)) >>> 32;
        } else {
            // 48-bit a:b:a
            long v = a << 32 | b << 16 | a;
            r = (v << n) >>> 32 & 0xffff;
            before = (v << (n - 1)) >>> 32 & 0xffff;
        }
        r = Alu.trunc(r, s);
        int cf = Alu.msb(before, s);
        Alu.shiftFlags(c, cf, Alu.msb(r, s) ^ cf, r, s);
        return r;
    }

    /** SHRD dst, src, count: dst shifted right with src's low bits coming in. */
    static long shrd(X86Cpu c, long a, long b, long count, int s) {
        int n = maskCount(count, s);
        if (n == 0) {
            return a;
        }
        long r, before;
        if (s == 64) {
            r = a >>> n | (b << (64 - n));
            before = a >>> (n - 1) | (n == 1 ? 0 : b << (65 - n));
        } else if (s == 32) {
            long v = b << 32 | a;
            r = v >>> n;
            before = v >>> (n - 1);
        } else {
            // 48-bit a:b:a from the low end: bits 0-15 a, 16-31 b, 32-47 a
            long v = a << 32 | b << 16 | a;
            r = v >>> n;
            before = v >>> (n - 1);
        }
        r = Alu.trunc(r, s);
        Alu.shiftFlags(c, (int) before & 1, Alu.msb(Alu.trunc(before, s) ^ r, s), r, s);
        return r;
    }
}
