package dev.jemu.arm.cpu;

import dev.jemu.arm.cpu.SimdLanes.Lane;

/** AdvSIMD shift by immediate, vector and scalar: SSHR/USHR, SSRA/USRA, SRSHR/URSHR, SRSRA/URSRA, SHL, SLI, SRI, SQSHL/UQSHL/SQSHLU, the narrowing SHRN family, SSHLL/USHLL; fixed-point conversions go to {@link SimdFpMisc}. */
final class SimdShiftImm {
    private SimdShiftImm() {
    }

    /** 0 Q U 011110 immh immb opcode 1 Rn Rd (scalar: 01 U 111110 ...); immh != 0. */
    static ArmOp decode(int insn, boolean scalar) {
        boolean q = (insn & (1 << 30)) != 0, u = (insn & (1 << 29)) != 0;
        int immh = (insn >>> 19) & 15, immhb = (insn >>> 16) & 127, opcode = (insn >>> 11) & 31;
        int rn = (insn >>> 5) & 31, rd = insn & 31;
        int size = 31 - Integer.numberOfLeadingZeros(immh);
        int esize = 1 << size, bits = esize * 8;
        int rshift = 2 * bits - immhb, lshift = immhb - bits;
        if (opcode == 0b11100 || opcode == 0b11111) return SimdFpMisc.fixedPoint(insn, scalar);
        if (opcode >= 0b10000 && opcode <= 0b10011) {
            if (size == 3) return null;
            return narrow(q, u, scalar, opcode, esize, rshift, rd, rn);
        }
        if (opcode == 0b10100) { // SSHLL/USHLL
            if (size == 3 || scalar) return null;
            int elements = 8 / esize, part = q ? elements : 0;
            return c -> {
                if (c.fpDisabled) throw c.fpAccessTrap();
                long[] v = c.v;
                long r0 = 0, r1 = 0;
                long dmask = Vreg.mask(2 * esize);
                for (int e = 0; e < elements; e++) {
                    long x = Vreg.get(v, rn, part + e, esize);
                    if (!u) x = SimdLanes.sx(x, bits);
                    x = (x << lshift) & dmask;
                    int bit = e * bits * 2;
                    if (bit < 64) r0 |= x << bit;
                    else r1 |= x << (bit - 64);
                }
                v[2 * rd] = r0;
                v[2 * rd + 1] = r1;
            };
        }
        if (scalar ? size != 3 && opcode != 0b01110 && opcode != 0b01100 : size == 3 && !q) return null;
        long mask = Vreg.mask(esize);
        Lane f;
        switch (opcode) {
            case 0b00000, 0b00010, 0b00100, 0b00110: { // [SU]R?SHR, [SU]R?SRA
                boolean round = (opcode & 4) != 0, acc = (opcode & 2) != 0;
                int n = rshift;
                f = (c, x, m, d) -> {
                    long s = u ? x : SimdLanes.sx(x, bits);
                    long r = SimdIntThreeSame.shiftLeft(s, -n, u, bits, round);
                    return acc ? d + r : r;
                };
                break;
            }
            case 0b01000: { // SRI
                if (!u) return null;
                int n = rshift;
                long keep = n == 64 ? mask : mask & ~(mask >>> n);
                f = (c, x, m, d) -> (d & keep) | (n == 64 ? 0 : x >>> n);
                break;
            }
            case 0b01010: { // SHL, SLI
                int n = lshift;
                long keep = (1L << n) - 1;
                f = u ? (c, x, m, d) -> (d & keep) | (x << n) : (c, x, m, d) -> x << n;
                break;
            }
            case 0b01100, 0b01110: { // SQSHLU, SQSHL/UQSHL (immediate)
                if (opcode == 0b01100 && !u) return null;
                int n = lshift;
                boolean srcSigned = opcode == 0b01100 || !u, dstUnsigned = u;
                f = (c, x, m, d) -> saturatingShiftLeft(c, x, n, bits, srcSigned, dstUnsigned);
                break;
            }
            default:
                return null;
        }
        return scalar ? SimdLanes.scalar(esize, rd, rn, rn, f) : SimdLanes.vector(q, esize, rd, rn, rn, f);
    }

    static long saturatingShiftLeft(ArmCpu c, long x, int n, int bits, boolean srcSigned,
            boolean dstUnsigned) {
        long mask = Vreg.mask(bits / 8);
        if (srcSigned) {
            long s = SimdLanes.sx(x, bits);
            if (dstUnsigned && s < 0) return SimdIntThreeSame.sat(c, 0);
            long r = s << n;
            if ((r >> n) != s) return SimdIntThreeSame.sat(c, dstUnsigned ? mask : s < 0 ? ~(mask >>> 1) : mask >>> 1);
            if (dstUnsigned ? Long.compareUnsigned(r, mask) > 0 : r != SimdLanes.sx(r, bits)) {
                return SimdIntThreeSame.sat(c, dstUnsigned ? mask : s < 0 ? ~(mask >>> 1) : mask >>> 1);
            }
            return r;
        }
        long r = x << n;
        if ((r >>> n) != x || Long.compareUnsigned(r, mask) > 0) return SimdIntThreeSame.sat(c, mask);
        return r;
    }

    /** SHRN/RSHRN, SQSHRUN/SQRSHRUN, SQSHRN/SQRSHRN, UQSHRN/UQRSHRN: wide source, right shift, narrow. */
    private static ArmOp narrow(boolean q, boolean u, boolean scalar, int opcode, int esize, int n, int rd, int rn) {
        int kind = opcode >= 0b10010 ? (u ? SimdNarrow.UNSIGNED : SimdNarrow.SIGNED)
                : (u ? SimdNarrow.SIGNED_TO_UNSIGNED : SimdNarrow.TRUNCATE);
        if (scalar && kind == SimdNarrow.TRUNCATE) return null;
        return SimdNarrow.op(q, scalar, esize, rd, rn, kind, n, (opcode & 1) != 0);
    }
}
