package dev.jemu.x86.cpu;

import java.math.BigInteger;

/**
 * MUL, IMUL and DIV/IDIV with their flags. CF = OF = "the result did not fit"; SF, ZF, PF follow the low half of the
 * product and AF is 0, as QEMU 7.2 computes them (the SDM leaves them undefined). DIV and IDIV leave the flags alone
 * and raise #DE for a zero divisor or a quotient that does not fit.
 */
final class MulDiv {
    private MulDiv() {
    }

    private static void mulFlags(X86Cpu c, long low, boolean overflow, int s) {
        // all six flags are written: an earlier lazily kept result's flags are dropped, never computed
        Alu.shiftFlags(c, overflow ? 1 : 0, overflow ? 1 : 0, Alu.trunc(low, s), s);
    }

    /** One-operand MUL: AX = AL*src, DX:AX, EDX:EAX, RDX:RAX. */
    static void mul(X86Cpu c, long b, int s) {
        switch (s) {
            case 8 -> {
                long p = (c.r[0] & 0xff) * b;
                Alu.set(c, 0, 16, p);
                mulFlags(c, p, (p & 0xff00) != 0, 8);
            }
            case 16 -> {
                long p = (c.r[0] & 0xffff) * b;
                Alu.set(c, 0, 16, p);
                Alu.set(c, 2, 16, p >>> 16);
                mulFlags(c, p, (p >>> 16) != 0, 16);
            }
            case 32 -> {
                long p = (c.r[0] & 0xffffffffL) * b;
                c.r[0] = p & 0xffffffffL;
                c.r[2] = p >>> 32;
                mulFlags(c, p, (p >>> 32) != 0, 32);
            }
            default -> {
                long a = c.r[0];
                long lo = a * b;
                long hi = Math.unsignedMultiplyHigh(a, b);
                c.r[0] = lo;
                c.r[2] = hi;
                mulFlags(c, lo, hi != 0, 64);
            }
        }
    }

    /** One-operand IMUL. */
    static void imul1(X86Cpu c, long b, int s) {
        switch (s) {
            case 8 -> {
                long p = (byte) c.r[0] * (long) (byte) b;
                Alu.set(c, 0, 16, p);
                mulFlags(c, p, p != (byte) p, 8);
            }
            case 16 -> {
                long p = (short) c.r[0] * (long) (short) b;
                Alu.set(c, 0, 16, p);
                Alu.set(c, 2, 16, p >>> 16);
                mulFlags(c, p, p != (short) p, 16);
            }
            case 32 -> {
                long p = (int) c.r[0] * (long) (int) b;
                c.r[0] = p & 0xffffffffL;
                c.r[2] = p >>> 32 & 0xffffffffL;
                mulFlags(c, p, p != (int) p, 32);
            }
            default -> {
                long a = c.r[0];
                long lo = a * b;
                long hi = Math.multiplyHigh(a, b);
                c.r[0] = lo;
                c.r[2] = hi;
                mulFlags(c, lo, hi != lo >> 63, 64);
            }
        }
    }

    /** Two- and three-operand IMUL: the truncated product, CF = OF = it did not fit. */
    static long imul2(X86Cpu c, long a, long b, int s) {
        long lo;
        boolean over;
        if (s == 64) {
            lo = a * b;
            over = Math.multiplyHigh(a, b) != lo >> 63;
        } else {
            long p = Alu.sext(a, s) * Alu.sext(b, s);
            lo = p;
            over = p != Alu.sext(p, s);
        }
        mulFlags(c, lo, over, s);
        return Alu.trunc(lo, s);
    }

    static void div(X86Cpu c, long b, int s) {
        if (b == 0) {
            throw c.fault(Vectors.DE);
        }
        switch (s) {
            case 8 -> {
                long a = c.r[0] & 0xffff;
                long q = a / b;
                if (q > 0xff) throw c.fault(Vectors.DE);
                Alu.set(c, 0, 16, (a % b) << 8 | q);
            }
            case 16 -> {
                long a = (c.r[2] & 0xffff) << 16 | c.r[0] & 0xffff;
                long q = a / b;
                if (q > 0xffff) throw c.fault(Vectors.DE);
                Alu.set(c, 0, 16, q);
                Alu.set(c, 2, 16, a % b);
            }
            case 32 -> {
                long a = (c.r[2] & 0xffffffffL) << 32 | c.r[0] & 0xffffffffL;
                long q = Long.divideUnsigned(a, b);
                if (Long.compareUnsigned(q, 0xffffffffL) > 0) throw c.fault(Vectors.DE);
                c.r[0] = q;
                c.r[2] = Long.remainderUnsigned(a, b);
            }
            default -> {
                long hi = c.r[2], lo = c.r[0];
                if (Long.compareUnsigned(hi, b) >= 0) throw c.fault(Vectors.DE);
                if (hi == 0) {
                    c.r[0] = Long.divideUnsigned(lo, b);
                    c.r[2] = Long.remainderUnsigned(lo, b);
                } else {
                    divide128(c, hi, lo, b);
                }
            }
        }
    }

    static void idiv(X86Cpu c, long b, int s) {
        if (Alu.trunc(b, s) == 0) {
            throw c.fault(Vectors.DE);
        }
        switch (s) {
            case 8 -> {
                long a = (short) c.r[0];
                long d = (byte) b;
                long q = a / d;
                if (q != (byte) q) throw c.fault(Vectors.DE);
                Alu.set(c, 0, 16, ((a % d) & 0xff) << 8 | q & 0xff);
            }
            case 16 -> {
                long a = (int) ((c.r[2] & 0xffff) << 16 | c.r[0] & 0xffff);
                long d = (short) b;
                long q = a / d;
                if (q != (short) q) throw c.fault(Vectors.DE);
                Alu.set(c, 0, 16, q);
                Alu.set(c, 2, 16, a % d);
            }
            case 32 -> {
                long a = (c.r[2] & 0xffffffffL) << 32 | c.r[0] & 0xffffffffL;
                long d = (int) b;
                if (a == Long.MIN_VALUE) throw c.fault(Vectors.DE); // its quotient never fits 32 bits
                long q = a / d;
                if (q != (int) q) throw c.fault(Vectors.DE);
                c.r[0] = q & 0xffffffffL;
                c.r[2] = (a % d) & 0xffffffffL;
            }
            default -> {
                long hi = c.r[2], lo = c.r[0];
                if (hi == lo >> 63) {
                    if (lo == Long.MIN_VALUE && b == -1) throw c.fault(Vectors.DE);
                    c.r[0] = lo / b;
                    c.r[2] = lo % b;
                } else {
                    BigInteger a = BigInteger.valueOf(hi).shiftLeft(64).or(unsigned(lo));
                    BigInteger[] qr = a.divideAndRemainder(BigInteger.valueOf(b));
                    if (qr[0].bitLength() > 63) throw c.fault(Vectors.DE);
                    c.r[0] = qr[0].longValue();
                    c.r[2] = qr[1].longValue();
                }
            }
        }
    }

    /**
     * rAX = hi:lo / b and rDX = the remainder, unsigned, for hi < b (the quotient fits 64 bits): Knuth's
     * algorithm D on 32-bit digits (Hacker's Delight, divlu), without BigInteger's allocations (Linux divides
     * 128-bit products this way, e.g. mul_u64_u64_div_u64).
     */
    static void divide128(X86Cpu c, long hi, long lo, long b) {
        final long base = 1L << 32;
        int sh = Long.numberOfLeadingZeros(b); // normalise: the divisor's top bit set
        b <<= sh;
        long vn1 = b >>> 32, vn0 = b & 0xffffffffL;
        long un32 = sh == 0 ? hi : hi << sh | lo >>> (64 - sh);
        long un10 = lo << sh;
        long un1 = un10 >>> 32, un0 = un10 & 0xffffffffL;
        long q1 = Long.divideUnsigned(un32, vn1);
        long rhat = un32 - q1 * vn1;
        while (q1 >= base || Long.compareUnsigned(q1 * vn0, rhat << 32 | un1) > 0) {
            q1--;
            rhat += vn1;
            if (rhat >= base) {
                break;
            }
        }
        long un21 = (un32 << 32 | un1) - q1 * b;
        long q0 = Long.divideUnsigned(un21, vn1);
        rhat = un21 - q0 * vn1;
        while (q0 >= base || Long.compareUnsigned(q0 * vn0, rhat << 32 | un0) > 0) {
            q0--;
            rhat += vn1;
            if (rhat >= base) {
                break;
            }
        }
        c.r[2] = ((un21 << 32 | un0) - q0 * b) >>> sh;
        c.r[0] = q1 << 32 | q0;
    }

    private static BigInteger unsigned(long v) {
        BigInteger b = BigInteger.valueOf(v & Long.MAX_VALUE);
        return v < 0 ? b.setBit(63) : b;
    }
}
