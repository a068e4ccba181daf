package dev.jemu.arm.cpu;

import dev.jemu.arm.cpu.SimdLanes.Lane;

/**
 * AdvSIMD (vector and scalar) x indexed element: FMLA, FMLS, FMUL, FMULX, MUL, MLA, MLS, SQDMULH, SQRDMULH,
 * and the long forms SMULL/UMULL, SMLAL/UMLAL, SMLSL/UMLSL (vector only). The element of Vm is read once
 * per instruction and every lane of Vn uses it.
 */
final class SimdByElement {
    private SimdByElement() {
    }

    /** 0 Q U 01111 size L M Rm opcode H 0 Rn Rd (scalar: 01 U 11111 ...). */
    static ArmOp decode(int insn, boolean scalar) {
        boolean q = (insn & (1 << 30)) != 0, u = (insn & (1 << 29)) != 0;
        int size = (insn >>> 22) & 3, opcode = (insn >>> 12) & 15;
        int l = (insn >>> 21) & 1, m = (insn >>> 20) & 1, h = (insn >>> 11) & 1;
        int rn = (insn >>> 5) & 31, rd = insn & 31;
        boolean fp = opcode == 0b0001 || opcode == 0b0101 || opcode == 0b1001;
        int index, rm, esize;
        if (fp) {
            if ((size & 2) == 0) return null; // FP16 forms
            boolean dbl = (size & 1) != 0;
            if (dbl && (l != 0 || !q && !scalar)) return null;
            index = dbl ? h : h << 1 | l;
            rm = m << 4 | (insn >>> 16) & 15;
            esize = dbl ? 8 : 4;
            long sign = ArmFp.signBit(dbl);
            Lane f;
            if (opcode == 0b1001) {
                int op = u ? ArmFp.MULX : ArmFp.MUL;
                f = (c, x, y, d) -> ArmFp.binop(c, op, x, y, dbl);
            } else {
                if (u) return null;
                long neg = opcode == 0b0101 ? sign : 0;
                f = (c, x, y, d) -> ArmFp.mulAdd(c, d, x ^ neg, y, dbl);
            }
            return indexed(q, scalar, esize, rd, rn, rm, index, f);
        }
        if (size == 1) {
            index = h << 2 | l << 1 | m;
            rm = (insn >>> 16) & 15;
        } else if (size == 2) {
            index = h << 1 | l;
            rm = m << 4 | (insn >>> 16) & 15;
        } else {
            return null;
        }
        esize = 1 << size;
        int bits = esize * 8;
        long mask = Vreg.mask(esize), smax = mask >>> 1, smin = SimdLanes.sx(~smax, bits);
        switch (opcode) {
            case 0b1000, 0b0000, 0b0100: { // MUL, MLA, MLS
                if (scalar || opcode == 0b1000 && u || opcode != 0b1000 && !u) return null;
                Lane f = switch (opcode) {
                    case 0b1000 -> (c, x, y, d) -> x * y;
                    case 0b0000 -> (c, x, y, d) -> d + x * y;
                    default -> (c, x, y, d) -> d - x * y;
                };
                return indexed(q, false, esize, rd, rn, rm, index, f);
            }
            case 0b1100, 0b1101: { // SQDMULH, SQRDMULH
                if (u) return null;
                long round = opcode == 0b1101 ? 1L << (bits - 1) : 0;
                Lane f = (c, x, y, d) -> {
                    long a = SimdLanes.sx(x, bits), b = SimdLanes.sx(y, bits);
                    if (a == smin && b == smin) return SimdIntThreeSame.sat(c, smax);
                    return (2 * a * b + round) >> bits;
                };
                return indexed(q, scalar, esize, rd, rn, rm, index, f);
            }
            case 0b1010, 0b0010, 0b0110: { // [SU]MULL, [SU]MLAL, [SU]MLSL
                if (scalar) return null;
                int kind = opcode == 0b1010 ? 0 : opcode == 0b0010 ? 1 : 2;
                return longIndexed(q, u, esize, rd, rn, rm, index, kind);
            }
            case 0b0011, 0b0111, 0b1011: { // SQDMLAL, SQDMLSL, SQDMULL (by element)
                if (u) return null;
                int kind = opcode == 0b1011 ? 0 : opcode == 0b0011 ? 1 : 2;
                return SimdSatDoubling.decode(q, scalar, size, kind, rd, rn, rm, index);
            }
            default:
                return null;
        }
    }

    private static ArmOp indexed(boolean q, boolean scalar, int esize, int rd, int rn, int rm, int index, Lane f) {
        long mask = Vreg.mask(esize);
        int elements = scalar ? 1 : (q ? 16 : 8) / esize;
        return c -> {
            if (c.fpDisabled) throw c.fpAccessTrap();
            long[] v = c.v;
            long y = Vreg.get(v, rm, index, esize);
            long r0 = 0, r1 = 0;
            for (int e = 0; e < elements; e++) {
                long x = Vreg.get(v, rn, e, esize), d = Vreg.get(v, rd, e, esize);
                long r = f.apply(c, x, y, d) & mask;
                int bit = e * esize * 8;
                if (bit < 64) r0 |= r << bit;
                else r1 |= r << (bit - 64);
            }
            v[2 * rd] = r0;
            v[2 * rd + 1] = scalar ? 0 : r1;
        };
    }

    private static ArmOp longIndexed(boolean q, boolean u, int esize, int rd, int rn, int rm, int index, int kind) {
        int bits = esize * 8, elements = 8 / esize, part = q ? elements : 0;
        long dmask = Vreg.mask(2 * esize);
        return c -> {
            if (c.fpDisabled) throw c.fpAccessTrap();
            long[] v = c.v;
            long y = u ? Vreg.get(v, rm, index, esize) : Vreg.sget(v, rm, index, esize);
            long r0 = 0, r1 = 0;
            for (int e = 0; e < elements; e++) {
                long x = u ? Vreg.get(v, rn, part + e, esize) : Vreg.sget(v, rn, part + e, esize);
                long d = Vreg.get(v, rd, e, 2 * esize);
                long r = switch (kind) {
                    case 0 -> x * y;
                    case 1 -> d + x * y;
                    default -> d - x * y;
                } & dmask;
                int bit = e * bits * 2;
                if (bit < 64) r0 |= r << bit;
                else r1 |= r << (bit - 64);
            }
            v[2 * rd] = r0;
            v[2 * rd + 1] = r1;
        };
    }
}
