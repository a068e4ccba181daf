package dev.jemu.arm.cpu;

import dev.jemu.arm.cpu.SimdLanes.Lane;
import dev.jemu.core.fpu.SoftFloat;

/**
 * AdvSIMD FP two-register misc (vector and scalar: compares with zero, FABS/FNEG/FSQRT, FRINT*, FCVT*S/U,
 * SCVTF/UCVTF, FCVTN/FCVTL/FCVTXN, FRECPE/FRSQRTE/FRECPX), FP across lanes, the scalar pairwise group and the
 * fixed-point conversions of the shift-by-immediate group.
 */
final class SimdFpMisc {
    private SimdFpMisc() {
    }

    /** 0 Q U 01110 a sz 10000 opcode 10 Rn Rd, opcode 01100-11111 (scalar: 01 U 11110 ...). */
    static ArmOp decode(int insn, boolean scalar) {
        boolean q = (insn & (1 << 30)) != 0, u = (insn & (1 << 29)) != 0;
        boolean a = (insn & (1 << 23)) != 0, dbl = (insn & (1 << 22)) != 0;
        int opcode = (insn >>> 12) & 31, rn = (insn >>> 5) & 31, rd = insn & 31;
        if (opcode == 0b10110 || opcode == 0b10111) return a ? null : convertPrecision(insn, scalar);
        if (!scalar && dbl && !q) return null;
        int esize = dbl ? 8 : 4;
        long sign = ArmFp.signBit(dbl);
        int key = (u ? 64 : 0) | (a ? 32 : 0) | opcode;
        Lane f = switch (key) {
            case 0b0101100 -> cmpZero(2, false, dbl); // FCMGT #0
            case 0b0101101 -> cmpZero(0, false, dbl); // FCMEQ #0
            case 0b0101110 -> cmpZero(2, true, dbl); // FCMLT #0: 0 > x
            case 0b1101100 -> cmpZero(1, false, dbl); // FCMGE #0
            case 0b1101101 -> cmpZero(1, true, dbl); // FCMLE #0: 0 >= x
            case 0b0101111 -> scalar ? null : (c, x, y, d) -> x & ~sign; // FABS
            case 0b1101111 -> scalar ? null : (c, x, y, d) -> x ^ sign; // FNEG
            case 0b1111111 -> scalar ? null : (c, x, y, d) -> ArmFp.sqrt(c, x, dbl); // FSQRT
            case 0b0011000, 0b0011001, 0b0111000, 0b0111001, 0b1011000, 0b1011001, 0b1111001 -> {
                if (scalar) yield null;
                int rmode = switch (key) {
                    case 0b0011000 -> SoftFloat.RNE;
                    case 0b0011001 -> SoftFloat.RDN;
                    case 0b0111000 -> SoftFloat.RUP;
                    case 0b0111001 -> SoftFloat.RTZ;
                    case 0b1011000 -> SoftFloat.RMM;
                    default -> -1; // FRINTX, FRINTI: FPCR
                };
                boolean exact = key == 0b1011001;
                yield (c, x, y, d) -> ArmFp.roundInt(c, x, dbl, rmode < 0 ? ArmFp.rmode(c.fpcr) : rmode, exact);
            }
            case 0b0011010, 0b0011011, 0b0011100, 0b0111010, 0b0111011, 0b1011010, 0b1011011, 0b1011100,
                    0b1111010, 0b1111011 -> {
                // 11010: N (a = 0) or P; 11011: M or Z; 11100: A
                int rmode = (opcode & 7) == 4 ? SoftFloat.RMM : FpScalar.roundingOf((opcode & 1) << 1 | (a ? 1 : 0));
                boolean unsigned = u;
                yield (c, x, y, d) -> ArmFp.toInt(c, x, dbl, 0, rmode, unsigned, dbl);
            }
            case 0b0011101, 0b1011101 -> (c, x, y, d) -> ArmFp.fromInt(c, x, dbl, u, 0, dbl); // SCVTF, UCVTF
            case 0b0111100 -> scalar || dbl ? null : (c, x, y, d) -> FpEstimate.unsignedRecip(x); // URECPE
            case 0b1111100 -> scalar || dbl ? null : (c, x, y, d) -> FpEstimate.unsignedRsqrt(x); // URSQRTE
            case 0b0111101 -> (c, x, y, d) -> FpEstimate.recip(c, x, dbl); // FRECPE
            case 0b1111101 -> (c, x, y, d) -> FpEstimate.rsqrt(c, x, dbl); // FRSQRTE
            case 0b0111111 -> scalar ? (c, x, y, d) -> FpEstimate.recpx(c, x, dbl) : null; // FRECPX
            default -> null;
        };
        if (f == null) return null;
        return scalar ? SimdLanes.scalar(esize, rd, rn, rn, f) : SimdLanes.vector(q, esize, rd, rn, rn, f);
    }

    private static Lane cmpZero(int kind, boolean swap, boolean dbl) {
        return swap ? (c, x, y, d) -> ArmFp.compareLane(c, kind, 0, x, dbl, false) ? -1 : 0
                : (c, x, y, d) -> ArmFp.compareLane(c, kind, x, 0, dbl, false) ? -1 : 0;
    }

    /** FCVTN/FCVTN2, FCVTL/FCVTL2, FCVTXN (vector and scalar). */
    private static ArmOp convertPrecision(int insn, boolean scalar) {
        boolean q = (insn & (1 << 30)) != 0, u = (insn & (1 << 29)) != 0, sz = (insn & (1 << 22)) != 0;
        boolean lengthen = ((insn >>> 12) & 1) != 0;
        int rn = (insn >>> 5) & 31, rd = insn & 31;
        if (lengthen) { // FCVTL: half -> single (sz 0) or single -> double (sz 1)
            if (scalar || u) return null;
            int elements = sz ? 2 : 4, srcSize = sz ? 4 : 2, part = q ? elements : 0;
            return c -> {
                if (c.fpDisabled) throw c.fpAccessTrap();
                long[] v = c.v;
                long r0 = 0, r1 = 0;
                for (int e = 0; e < elements; e++) {
                    long x = Vreg.get(v, rn, part + e, srcSize);
                    long y = sz ? ArmFp.widen(c, x) : FpConvert.halfToSingle(c, x);
                    int bit = e * srcSize * 16;
                    if (bit < 64) r0 |= y << bit;
                    else r1 |= y << (bit - 64);
                }
                v[2 * rd] = r0;
                v[2 * rd + 1] = r1;
            };
        }
        if (u && !sz) return null; // FCVTXN is double -> single only
        if (!u && scalar) return null;
        int elements = scalar ? 1 : sz ? 2 : 4, dstSize = sz ? 4 : 2;
        return c -> {
            if (c.fpDisabled) throw c.fpAccessTrap();
            long[] v = c.v;
            long r = 0;
            for (int e = 0; e < elements; e++) {
                long x = Vreg.get(v, rn, e, 2 * dstSize);
                long y = u ? toOdd(c, x) : sz ? ArmFp.narrow(c, x) : FpConvert.toHalf(c, x, false);
                r |= y << (e * dstSize * 8);
            }
            if (scalar) Vreg.setScalar(v, rd, 4, r);
            else if (q) v[2 * rd + 1] = r;
            else Vreg.set64(v, rd, r);
        };
    }

    /** FCVTXN: double to single rounding to odd (truncate, then set the last bit when inexact). */
    private static long toOdd(ArmCpu c, long a) {
        if (ArmFp.isNaN(a, true)) return ArmFp.narrow(c, a);
        a = ArmFp.flushIn(c, a, true);
        SoftFloat sf = ArmFp.core(c);
        long r = sf.f64ToF32(a, SoftFloat.RTZ) & 0xffffffffL;
        if ((sf.flags & SoftFloat.NX) != 0) r |= 1;
        return ArmFp.finish(c, sf, r, false);
    }

    /** FMAXNMV, FMINNMV, FMAXV, FMINV (4S only): pairwise halving as the Arm ARM's Reduce does. */
    static ArmOp across(int insn) {
        boolean q = (insn & (1 << 30)) != 0, u = (insn & (1 << 29)) != 0;
        boolean a = (insn & (1 << 23)) != 0, sz = (insn & (1 << 22)) != 0;
        if (!u || !q || sz) return null;
        boolean nm = ((insn >>> 12) & 31) == 0b01100;
        int op = nm ? (a ? ArmFp.MINNM : ArmFp.MAXNM) : (a ? ArmFp.MIN : ArmFp.MAX);
        int rn = (insn >>> 5) & 31, rd = insn & 31;
        return c -> {
            if (c.fpDisabled) throw c.fpAccessTrap();
            long[] v = c.v;
            long lo = ArmFp.binop(c, op, v[2 * rn] & 0xffffffffL, v[2 * rn] >>> 32, false);
            long hi = ArmFp.binop(c, op, v[2 * rn + 1] & 0xffffffffL, v[2 * rn + 1] >>> 32, false);
            Vreg.setScalar(v, rd, 4, ArmFp.binop(c, op, lo, hi, false));
        };
    }

    /** 01 U 11110 size 11000 opcode 10 Rn Rd: ADDP (scalar) and FADDP/FMAXP/FMINP/FMAXNMP/FMINNMP (scalar). */
    static ArmOp scalarPairwise(int insn) {
        boolean u = (insn & (1 << 29)) != 0;
        int size = (insn >>> 22) & 3, opcode = (insn >>> 12) & 31;
        int rn = (insn >>> 5) & 31, rd = insn & 31;
        if (!u) {
            if (opcode != 0b11011 || size != 3) return null;
            return c -> {
                if (c.fpDisabled) throw c.fpAccessTrap();
                Vreg.setScalar(c.v, rd, 8, c.v[2 * rn] + c.v[2 * rn + 1]);
            };
        }
        boolean a = (size & 2) != 0, dbl = (size & 1) != 0;
        int op = switch (opcode) {
            case 0b01100 -> a ? ArmFp.MINNM : ArmFp.MAXNM;
            case 0b01101 -> a ? -1 : ArmFp.ADD;
            case 0b01111 -> a ? ArmFp.MIN : ArmFp.MAX;
            default -> -1;
        };
        if (op < 0) return null;
        return c -> {
            if (c.fpDisabled) throw c.fpAccessTrap();
            long[] v = c.v;
            long x = dbl ? v[2 * rn] : v[2 * rn] & 0xffffffffL, y = dbl ? v[2 * rn + 1] : v[2 * rn] >>> 32;
            Vreg.setScalar(v, rd, dbl ? 8 : 4, ArmFp.binop(c, op, x, y, dbl));
        };
    }

    /** SCVTF/UCVTF (11100) and FCVTZS/FCVTZU (11111) with fbits from the shift-by-immediate encoding. */
    static ArmOp fixedPoint(int insn, boolean scalar) {
        boolean q = (insn & (1 << 30)) != 0, u = (insn & (1 << 29)) != 0;
        int immh = (insn >>> 19) & 15, immhb = (insn >>> 16) & 127;
        if ((immh & 0b1100) == 0) return null; // FP16 forms
        boolean dbl = (immh & 8) != 0;
        if (!scalar && dbl && !q) return null;
        int esize = dbl ? 8 : 4, fbits = (dbl ? 128 : 64) - immhb;
        int rn = (insn >>> 5) & 31, rd = insn & 31;
        boolean toFloat = ((insn >>> 11) & 31) == 0b11100;
        Lane f = toFloat ? (c, x, y, d) -> ArmFp.fromInt(c, x, dbl, u, fbits, dbl)
                : (c, x, y, d) -> ArmFp.toInt(c, x, dbl, fbits, SoftFloat.RTZ, u, dbl);
        return scalar ? SimdLanes.scalar(esize, rd, rn, rn, f) : SimdLanes.vector(q, esize, rd, rn, rn, f);
    }
}
