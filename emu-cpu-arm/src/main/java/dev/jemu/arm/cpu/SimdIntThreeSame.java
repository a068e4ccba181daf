package dev.jemu.arm.cpu;

import dev.jemu.arm.cpu.SimdLanes.Lane;

/** AdvSIMD three same, integer half (opcode < 11000), vector and scalar; FP opcodes go to {@link SimdFpThreeSame}. */
final class SimdIntThreeSame {
    private SimdIntThreeSame() {
    }

    /** 0 Q U 01110 size 1 Rm opcode 1 Rn Rd (scalar: 01 U 11110 ...). */
    static ArmOp decode(int insn, boolean scalar) {
        boolean q = (insn & (1 << 30)) != 0, u = (insn & (1 << 29)) != 0;
        int size = (insn >>> 22) & 3, opcode = (insn >>> 11) & 31;
        int rm = (insn >>> 16) & 31, rn = (insn >>> 5) & 31, rd = insn & 31;
        if (opcode >= 0b11000) return SimdFpThreeSame.decode(insn, scalar);
        if (opcode == 0b00011) { // bitwise: size selects the op, whole 64-bit halves
            if (scalar) return null;
            Lane f = logical(u, size);
            return SimdLanes.vector(q, 8, rd, rn, rm, f);
        }
        int esize = 1 << size;
        if (scalar) {
            boolean ok = switch (opcode) {
                case 0b00001, 0b00101, 0b01001, 0b01011 -> true; // SQADD, SQSUB, SQSHL, SQRSHL (any size)
                case 0b10110 -> size == 1 || size == 2;
                case 0b00110, 0b00111, 0b01000, 0b01010, 0b10000, 0b10001 -> size == 3;
                default -> false;
            };
            if (!ok) return null;
            Lane f = lane(opcode, u, esize);
            return f == null ? null : SimdLanes.scalar(esize, rd, rn, rm, f);
        }
        if (size == 3 && !q) return null;
        switch (opcode) {
            case 0b10100, 0b10101, 0b10111: { // SMAXP/UMAXP, SMINP/UMINP, ADDP
                if (size == 3 && opcode != 0b10111 || u && opcode == 0b10111) return null;
                Lane f = opcode == 0b10111 ? (c, a, b, d) -> a + b : minMax(opcode == 0b10100, u, esize * 8);
                return SimdLanes.pairwise(q, esize, rd, rn, rm, f);
            }
            default:
                break;
        }
        if (size == 3 && (opcode == 0b00000 || opcode == 0b00010 || opcode == 0b00100 || opcode >= 0b01100
                && opcode <= 0b01111 || opcode == 0b10010 || opcode == 0b10011)) {
            return null;
        }
        if (opcode == 0b10000 || opcode == 0b10001 && u) {
            ArmOp fast = SimdSwar.decode(q, esize, u && opcode == 0b10000, opcode == 0b10001, rd, rn, rm);
            if (fast != null) return fast;
        }
        Lane f = lane(opcode, u, esize);
        return f == null ? null : SimdLanes.vector(q, esize, rd, rn, rm, f);
    }

    private static Lane logical(boolean u, int size) {
        if (!u) {
            return switch (size) {
                case 0 -> (c, n, m, d) -> n & m;
                case 1 -> (c, n, m, d) -> n & ~m;
                case 2 -> (c, n, m, d) -> n | m;
                default -> (c, n, m, d) -> n | ~m;
            };
        }
        return switch (size) {
            case 0 -> (c, n, m, d) -> n ^ m;
            case 1 -> (c, n, m, d) -> (d & n) | (~d & m); // BSL
            case 2 -> (c, n, m, d) -> (n & m) | (d & ~m); // BIT
            default -> (c, n, m, d) -> (n & ~m) | (d & m); // BIF
        };
    }

    static Lane minMax(boolean max, boolean u, int bits) {
        if (u) {
            return max ? (c, a, b, d) -> Long.compareUnsigned(a, b) >= 0 ? a : b
                    : (c, a, b, d) -> Long.compareUnsigned(a, b) <= 0 ? a : b;
        }
        return max ? (c, a, b, d) -> SimdLanes.sx(a, bits) >= SimdLanes.sx(b, bits) ? a : b
                : (c, a, b, d) -> SimdLanes.sx(a, bits) <= SimdLanes.sx(b, bits) ? a : b;
    }

    private static Lane lane(int opcode, boolean u, int esize) {
        int bits = esize * 8;
        long mask = Vreg.mask(esize);
        long smax = mask >>> 1, smin = ~smax;
        switch (opcode) {
            case 0b00000: // SHADD/UHADD
                return u ? (c, a, b, d) -> (a + b) >>> 1
                        : (c, a, b, d) -> (SimdLanes.sx(a, bits) + SimdLanes.sx(b, bits)) >> 1;
            case 0b00010: // SRHADD/URHADD
                return u ? (c, a, b, d) -> (a + b + 1) >>> 1
                        : (c, a, b, d) -> (SimdLanes.sx(a, bits) + SimdLanes.sx(b, bits) + 1) >> 1;
            case 0b00100: // SHSUB/UHSUB
                return u ? (c, a, b, d) -> (a - b) >> 1
                        : (c, a, b, d) -> (SimdLanes.sx(a, bits) - SimdLanes.sx(b, bits)) >> 1;
            case 0b00001: // SQADD/UQADD
                if (u) {
                    return (c, a, b, d) -> {
                        long r = a + b;
                        boolean over = esize == 8 ? Long.compareUnsigned(r, a) < 0 : r > mask;
                        return over ? sat(c, mask) : r;
                    };
                }
                return (c, a, b, d) -> {
                    long x = SimdLanes.sx(a, bits), y = SimdLanes.sx(b, bits), r = x + y;
                    if (esize == 8 ? ((x ^ r) & (y ^ r)) < 0 : r > smax || r < SimdLanes.sx(smin, bits)) {
                        return sat(c, x < 0 ? smin : smax);
                    }
                    return r;
                };
            case 0b00101: // SQSUB/UQSUB
                if (u) {
                    return (c, a, b, d) -> Long.compareUnsigned(a, b) < 0 ? sat(c, 0) : a - b;
                }
                return (c, a, b, d) -> {
                    long x = SimdLanes.sx(a, bits), y = SimdLanes.sx(b, bits), r = x - y;
                    if (esize == 8 ? ((x ^ y) & (x ^ r)) < 0 : r > smax || r < SimdLanes.sx(smin, bits)) {
                        return sat(c, x < 0 ? smin : smax);
                    }
                    return r;
                };
            case 0b00110: // CMGT/CMHI
                return u ? (c, a, b, d) -> Long.compareUnsigned(a, b) > 0 ? -1 : 0
                        : (c, a, b, d) -> SimdLanes.sx(a, bits) > SimdLanes.sx(b, bits) ? -1 : 0;
            case 0b00111: // CMGE/CMHS
                return u ? (c, a, b, d) -> Long.compareUnsigned(a, b) >= 0 ? -1 : 0
                        : (c, a, b, d) -> SimdLanes.sx(a, bits) >= SimdLanes.sx(b, bits) ? -1 : 0;
            case 0b01000: // SSHL/USHL
                return (c, a, b, d) -> shiftLeft(u ? a : SimdLanes.sx(a, bits), (int) SimdLanes.sx(b, 8), u, bits,
                        false);
            case 0b01010: // SRSHL/URSHL
                return (c, a, b, d) -> shiftLeft(u ? a : SimdLanes.sx(a, bits), (int) SimdLanes.sx(b, 8), u, bits,
                        true);
            case 0b01100: // SMAX/UMAX
                return minMax(true, u, bits);
            case 0b01101: // SMIN/UMIN
                return minMax(false, u, bits);
            case 0b01110: // SABD/UABD
                return u ? (c, a, b, d) -> a > b ? a - b : b - a // elements below 64 bits: no unsigned compare needed
                        : (c, a, b, d) -> Math.abs(SimdLanes.sx(a, bits) - SimdLanes.sx(b, bits));
            case 0b01111: // SABA/UABA
                return u ? (c, a, b, d) -> d + (a > b ? a - b : b - a)
                        : (c, a, b, d) -> d + Math.abs(SimdLanes.sx(a, bits) - SimdLanes.sx(b, bits));
            case 0b10000: // ADD/SUB
                return u ? (c, a, b, d) -> a - b : (c, a, b, d) -> a + b;
            case 0b10001: // CMTST/CMEQ
                return u ? (c, a, b, d) -> a == b ? -1 : 0 : (c, a, b, d) -> (a & b) != 0 ? -1 : 0;
            case 0b10010: // MLA/MLS
                return u ? (c, a, b, d) -> d - a * b : (c, a, b, d) -> d + a * b;
            case 0b10011: // MUL/PMUL
                if (u) {
                    if (esize != 1) return null;
                    return (c, a, b, d) -> SimdWiden.pmul(a, b, 8);
                }
                return (c, a, b, d) -> a * b;
            case 0b10110: { // SQDMULH/SQRDMULH
                if (esize != 2 && esize != 4) return null;
                long round = u ? 1L << (bits - 1) : 0;
                return (c, a, b, d) -> {
                    long x = SimdLanes.sx(a, bits), y = SimdLanes.sx(b, bits);
                    long p = 2 * x * y + round; // fits: |2xy| <= 2^63 only when x = y = min (32-bit)
                    if (x == y && x == SimdLanes.sx(smin, bits)) return sat(c, smax);
                    return p >> bits;
                };
            }
            case 0b01001, 0b01011: { // SQSHL/UQSHL, SQRSHL/UQRSHL (register)
                boolean round = opcode == 0b01011;
                return (c, a, b, d) -> saturatingShift(c, a, (int) SimdLanes.sx(b, 8), u, bits, round);
            }
            default:
                return null;
        }
    }

    /** [SU]Q[R]SHL (register): left shifts saturate (QC), right shifts (negative counts) never do. */
    static long saturatingShift(ArmCpu c, long a, int shift, boolean unsigned, int bits, boolean round) {
        long x = unsigned ? a : SimdLanes.sx(a, bits);
        if (shift < 0) return shiftLeft(x, shift, unsigned, bits, round);
        if (x == 0) return 0;
        if (shift >= bits) {
            long mask = Vreg.mask(bits / 8);
            return sat(c, unsigned ? mask : x < 0 ? ~(mask >>> 1) : mask >>> 1);
        }
        return SimdShiftImm.saturatingShiftLeft(c, a, shift, bits, !unsigned, unsigned);
    }

    /** Sets FPSR.QC and returns the saturated value. */
    static long sat(ArmCpu c, long value) {
        c.fpsr |= SimdLanes.QC;
        return value;
    }

    /** SSHL/USHL/SRSHL/URSHL: a shifted left by a signed count (right when negative), optionally rounding. */
    static long shiftLeft(long a, int shift, boolean unsigned, int bits, boolean round) {
        if (shift >= 0) {
            return shift >= bits ? 0 : a << shift;
        }
        int n = -shift;
        if (n > 64) return round || unsigned ? 0 : a >> 63; // counts down to -128: all sign bits
        long r = n == 64 ? (unsigned ? 0 : a >> 63) : unsigned ? a >>> n : a >> n;
        if (round) r += (a >>> (n - 1)) & 1;
        else if (n >= bits) r = unsigned ? 0 : a >> 63;
        return r;
    }
}
