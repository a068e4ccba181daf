package dev.jemu.arm.cpu;

import dev.jemu.arm.cpu.SimdLanes.Lane;

/** AdvSIMD two-register miscellaneous, integer half (vector and scalar); FP opcodes go to {@link SimdFpMisc}. */
final class SimdIntMisc {
    private SimdIntMisc() {
    }

    /** 0 Q U 01110 size 10000 opcode 10 Rn Rd (scalar: 01 U 11110 ...). */
    static ArmOp decode(int insn, boolean scalar) {
        boolean q = (insn & (1 << 30)) != 0, u = (insn & (1 << 29)) != 0;
        int size = (insn >>> 22) & 3, opcode = (insn >>> 12) & 31;
        int rn = (insn >>> 5) & 31, rd = insn & 31;
        if (opcode >= 0b01100 && opcode != 0b10010 && opcode != 0b10011 && opcode != 0b10100) {
            return SimdFpMisc.decode(insn, scalar);
        }
        int esize = 1 << size, bits = esize * 8;
        if (opcode == 0b10010 || opcode == 0b10100) { // XTN, SQXTN, SQXTUN, UQXTN
            if (size == 3) return null;
            if (opcode == 0b10010 && !u && scalar) return null;
            return SimdNarrow.op(q, scalar, esize, rd, rn, opcode == 0b10010 ? (u ? 1 : 0) : (u ? 3 : 2), 0, false);
        }
        if (scalar) {
            Lane f = switch (opcode) {
                case 0b01000, 0b01001, 0b01010, 0b01011 -> size == 3 ? compareZeroOrAbs(opcode, u, bits) : null;
                case 0b00111 -> saturatingAbsNeg(u, bits);
                case 0b00011 -> accumulateOtherSign(u, bits);
                default -> null;
            };
            return f == null ? null : SimdLanes.scalar(esize, rd, rn, rn, f);
        }
        if (size == 3 && !q && opcode != 0b00000) { // the 1D forms are all reserved
            return null;
        }
        switch (opcode) {
            case 0b00000, 0b00001: { // REV64, REV32 (U), REV16
                int container = opcode == 1 ? (u ? -1 : 2) : (u ? 4 : 8);
                if (container < 0 || esize >= container) return null;
                int groupElems = container / esize;
                return SimdLanes.vector(q, 8, rd, rn, rn, (c, n, m, d) -> reverse(n, esize, groupElems));
            }
            case 0b00010, 0b00110: { // SADDLP/UADDLP, SADALP/UADALP
                if (size == 3) return null;
                boolean acc = opcode == 0b00110;
                return SimdLanes.vector(q, 2 * esize, rd, rn, rn, (c, n, m, d) -> {
                    long lo = n & Vreg.mask(esize), hi = n >>> bits & Vreg.mask(esize);
                    long r = u ? lo + hi : SimdLanes.sx(lo, bits) + SimdLanes.sx(hi, bits);
                    return acc ? d + r : r;
                });
            }
            case 0b00100: // CLS, CLZ
                if (size == 3) return null;
                return SimdLanes.vector(q, esize, rd, rn, rn, u
                        ? (c, n, m, d) -> Long.numberOfLeadingZeros(n) - (64 - bits)
                        : (c, n, m, d) -> {
                            long x = SimdLanes.sx(n, bits);
                            return Long.numberOfLeadingZeros(x ^ (x >> 63)) - 1 - (64 - bits);
                        });
            case 0b00101: // CNT, NOT, RBIT
                if (!u) {
                    return size == 0 ? SimdLanes.vector(q, 1, rd, rn, rn, (c, n, m, d) -> Long.bitCount(n)) : null;
                }
                return switch (size) {
                    case 0 -> SimdLanes.vector(q, 8, rd, rn, rn, (c, n, m, d) -> ~n);
                    case 1 -> SimdLanes.vector(q, 1, rd, rn, rn, (c, n, m, d) -> Integer.reverse((int) n) >>> 24);
                    default -> null;
                };
            case 0b00111: // SQABS, SQNEG
                return SimdLanes.vector(q, esize, rd, rn, rn, saturatingAbsNeg(u, bits));
            case 0b01000, 0b01001, 0b01010, 0b01011: {
                Lane f = compareZeroOrAbs(opcode, u, bits);
                return f == null ? null : SimdLanes.vector(q, esize, rd, rn, rn, f);
            }
            case 0b10011: { // SHLL/SHLL2
                if (!u || size == 3) return null;
                int elements = 8 / esize, part = q ? elements : 0;
                return c -> {
                    if (c.fpDisabled) throw c.fpAccessTrap();
                    long[] v = c.v;
                    long r0 = 0, r1 = 0;
                    for (int e = 0; e < elements; e++) {
                        long x = Vreg.get(v, rn, part + e, esize) << bits;
                        int bit = e * bits * 2;
                        if (bit < 64) r0 |= x << bit;
                        else r1 |= x << (bit - 64);
                    }
                    v[2 * rd] = r0;
                    v[2 * rd + 1] = r1;
                };
            }
            case 0b00011: // SUQADD, USQADD
                return SimdLanes.vector(q, esize, rd, rn, rn, accumulateOtherSign(u, bits));
            default:
                return null;
        }
    }

    /** SUQADD (signed accumulator + unsigned operand) and USQADD (unsigned accumulator + signed operand), saturating. */
    static Lane accumulateOtherSign(boolean unsignedAcc, int bits) {
        java.math.BigInteger min = java.math.BigInteger.ONE.shiftLeft(bits - 1).negate();
        java.math.BigInteger max = java.math.BigInteger.ONE.shiftLeft(bits - 1).subtract(java.math.BigInteger.ONE);
        java.math.BigInteger umax = java.math.BigInteger.ONE.shiftLeft(bits).subtract(java.math.BigInteger.ONE);
        return (c, n, m, d) -> {
            if (bits < 64) {
                long r = unsignedAcc ? d + SimdLanes.sx(n, bits) : SimdLanes.sx(d, bits) + n;
                long lo = unsignedAcc ? 0 : -(1L << (bits - 1)), hi = unsignedAcc ? (1L << bits) - 1 : (1L << (bits - 1)) - 1;
                return r < lo ? SimdIntThreeSame.sat(c, lo) : r > hi ? SimdIntThreeSame.sat(c, hi) : r;
            }
            java.math.BigInteger acc = unsignedAcc ? new java.math.BigInteger(Long.toUnsignedString(d))
                    : java.math.BigInteger.valueOf(d);
            java.math.BigInteger op = unsignedAcc ? java.math.BigInteger.valueOf(n)
                    : new java.math.BigInteger(Long.toUnsignedString(n));
            java.math.BigInteger r = acc.add(op);
            java.math.BigInteger lo = unsignedAcc ? java.math.BigInteger.ZERO : min, hi = unsignedAcc ? umax : max;
            if (r.compareTo(lo) < 0) return SimdIntThreeSame.sat(c, lo.longValue());
            if (r.compareTo(hi) > 0) return SimdIntThreeSame.sat(c, hi.longValue());
            return r.longValue();
        };
    }

    private static Lane compareZeroOrAbs(int opcode, boolean u, int bits) {
        return switch (opcode) {
            case 0b01000 -> u ? (c, n, m, d) -> SimdLanes.sx(n, bits) >= 0 ? -1 : 0
                    : (c, n, m, d) -> SimdLanes.sx(n, bits) > 0 ? -1 : 0;
            case 0b01001 -> u ? (c, n, m, d) -> SimdLanes.sx(n, bits) <= 0 ? -1 : 0
                    : (c, n, m, d) -> n == 0 ? -1 : 0;
            case 0b01010 -> u ? null : (c, n, m, d) -> SimdLanes.sx(n, bits) < 0 ? -1 : 0;
            default -> u ? (c, n, m, d) -> -n : (c, n, m, d) -> Math.abs(SimdLanes.sx(n, bits));
        };
    }

    private static Lane saturatingAbsNeg(boolean neg, int bits) {
        long min = SimdLanes.sx(1L << (bits - 1), bits);
        return (c, n, m, d) -> {
            long x = SimdLanes.sx(n, bits);
            if (x == min) {
                return SimdIntThreeSame.sat(c, ~min); // -min and |min| saturate to the maximum
            }
            return neg ? -x : Math.abs(x);
        };
    }

    /** Reverses the order of {@code esize}-byte elements in each group of {@code groupElems} within 64 bits. */
    static long reverse(long x, int esize, int groupElems) {
        int bits = esize * 8, groupBits = bits * groupElems;
        long mask = Vreg.mask(esize), r = 0;
        for (int g = 0; g < 64; g += groupBits) {
            for (int i = 0; i < groupElems; i++) {
                long e = (x >>> (g + i * bits)) & mask;
                r |= e << (g + (groupElems - 1 - i) * bits);
            }
        }
        return r;
    }

}
