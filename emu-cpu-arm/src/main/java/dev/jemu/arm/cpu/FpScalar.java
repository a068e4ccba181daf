package dev.jemu.arm.cpu;

import dev.jemu.core.fpu.SoftFloat;

/**
 * Scalar FP (x 0 x 1111x): data processing with 1, 2 and 3 sources, FCMP/FCMPE, FCCMP/FCCMPE, FCSEL,
 * FMOV (register, immediate, general), FCVT between H/S/D, FRINT*, and the integer and fixed-point
 * conversions ({@link FpConvert}). Half precision is only converted and moved (no FP16 arithmetic in v8.0).
 */
final class FpScalar {
    private FpScalar() {
    }

    static ArmOp decode(int insn) {
        if ((insn & (1 << 24)) != 0) return (insn >>> 31) == 0 && (insn & (1 << 29)) == 0 ? multiplyAdd(insn) : null;
        if ((insn & (1 << 21)) == 0) return FpConvert.fixedPoint(insn);
        if (((insn >>> 10) & 63) == 0) return FpConvert.integer(insn);
        if ((insn >>> 31) != 0 || (insn & (1 << 29)) != 0) return null;
        int type = (insn >>> 22) & 3;
        if (type == 2) return null;
        boolean dbl = type == 1;
        int rm = (insn >>> 16) & 31, rn = (insn >>> 5) & 31, rd = insn & 31;
        switch ((insn >>> 10) & 3) {
            case 1:
                return type == 3 ? null : condCompare(insn, dbl, rm, rn);
            case 2:
                return type == 3 ? null : twoSource(insn, dbl, rm, rn, rd);
            case 3:
                return type == 3 ? null : select(dbl, (insn >>> 12) & 15, rm, rn, rd);
            default:
                break;
        }
        if ((insn & (1 << 12)) != 0) { // FMOV (scalar, immediate)
            if (((insn >>> 5) & 31) != 0 || type == 3) return null;
            int imm8 = (insn >>> 13) & 0xff;
            long value = dbl ? FpImm.expand64(imm8) : FpImm.expand32(imm8) & 0xffffffffL;
            return c -> {
                if (c.fpDisabled) throw c.fpAccessTrap();
                c.v[2 * rd] = value;
                c.v[2 * rd + 1] = 0;
            };
        }
        if (((insn >>> 10) & 15) == 0b1000) return type == 3 ? null : compare(insn, dbl, rm, rn);
        if (((insn >>> 10) & 31) == 0b10000) return oneSource(insn, type, rn, rd);
        return null;
    }

    private static ArmOp twoSource(int insn, boolean dbl, int rm, int rn, int rd) {
        int opcode = (insn >>> 12) & 15;
        int op = switch (opcode) {
            case 0 -> ArmFp.MUL;
            case 1 -> ArmFp.DIV;
            case 2 -> ArmFp.ADD;
            case 3 -> ArmFp.SUB;
            case 4 -> ArmFp.MAX;
            case 5 -> ArmFp.MIN;
            case 6 -> ArmFp.MAXNM;
            case 7 -> ArmFp.MINNM;
            case 8 -> ArmFp.NMUL;
            default -> -1;
        };
        if (op < 0) return null;
        long mask = dbl ? -1L : 0xffffffffL;
        return c -> {
            if (c.fpDisabled) throw c.fpAccessTrap();
            long r = ArmFp.binop(c, op, c.v[2 * rn] & mask, c.v[2 * rm] & mask, dbl);
            c.v[2 * rd] = r;
            c.v[2 * rd + 1] = 0;
        };
    }

    private static ArmOp multiplyAdd(int insn) {
        int type = (insn >>> 22) & 3;
        if (type > 1) return null;
        boolean dbl = type == 1;
        int rm = (insn >>> 16) & 31, ra = (insn >>> 10) & 31, rn = (insn >>> 5) & 31, rd = insn & 31;
        boolean o1 = (insn & (1 << 21)) != 0, o0 = (insn & (1 << 15)) != 0;
        long mask = dbl ? -1L : 0xffffffffL, sign = ArmFp.signBit(dbl);
        long negA = o1 ? sign : 0, negN = o0 != o1 ? sign : 0; // FMSUB, FNMADD negate n; FNMADD, FNMSUB negate a
        return c -> {
            if (c.fpDisabled) throw c.fpAccessTrap();
            long r = ArmFp.mulAdd(c, (c.v[2 * ra] & mask) ^ negA, (c.v[2 * rn] & mask) ^ negN, c.v[2 * rm] & mask, dbl);
            c.v[2 * rd] = r;
            c.v[2 * rd + 1] = 0;
        };
    }

    private static ArmOp compare(int insn, boolean dbl, int rm, int rn) {
        if (((insn >>> 14) & 3) != 0 || (insn & 7) != 0) return null;
        boolean withZero = (insn & 8) != 0, signal = (insn & 16) != 0;
        long mask = dbl ? -1L : 0xffffffffL;
        return c -> {
            if (c.fpDisabled) throw c.fpAccessTrap();
            long b = withZero ? 0 : c.v[2 * rm] & mask;
            c.setNzcv((long) ArmFp.compare(c, c.v[2 * rn] & mask, b, dbl, signal) << 28);
        };
    }

    private static ArmOp condCompare(int insn, boolean dbl, int rm, int rn) {
        int cond = (insn >>> 12) & 15, nzcv = insn & 15;
        boolean signal = (insn & 16) != 0;
        long mask = dbl ? -1L : 0xffffffffL;
        return c -> {
            if (c.fpDisabled) throw c.fpAccessTrap();
            int flags = c.cond(cond) ? ArmFp.compare(c, c.v[2 * rn] & mask, c.v[2 * rm] & mask, dbl, signal) : nzcv;
            c.setNzcv((long) flags << 28);
        };
    }

    private static ArmOp select(boolean dbl, int cond, int rm, int rn, int rd) {
        long mask = dbl ? -1L : 0xffffffffL;
        return c -> {
            if (c.fpDisabled) throw c.fpAccessTrap();
            long r = (c.cond(cond) ? c.v[2 * rn] : c.v[2 * rm]) & mask;
            c.v[2 * rd] = r;
            c.v[2 * rd + 1] = 0;
        };
    }

    private static ArmOp oneSource(int insn, int type, int rn, int rd) {
        int opcode = (insn >>> 15) & 63;
        boolean dbl = type == 1;
        long mask = dbl ? -1L : 0xffffffffL, sign = ArmFp.signBit(dbl);
        if (opcode >= 0b000100 && opcode <= 0b000111) { // FCVT between precisions
            int to = opcode & 3;
            if (to == 2 || to == type) return null;
            return FpConvert.precision(type, to, rn, rd);
        }
        if (type == 3) return null;
        switch (opcode) {
            case 0b000000: // FMOV (register)
                return c -> {
                    if (c.fpDisabled) throw c.fpAccessTrap();
                    c.v[2 * rd] = c.v[2 * rn] & mask;
                    c.v[2 * rd + 1] = 0;
                };
            case 0b000001: // FABS
                return c -> {
                    if (c.fpDisabled) throw c.fpAccessTrap();
                    c.v[2 * rd] = c.v[2 * rn] & mask & ~sign;
                    c.v[2 * rd + 1] = 0;
                };
            case 0b000010: // FNEG
                return c -> {
                    if (c.fpDisabled) throw c.fpAccessTrap();
                    c.v[2 * rd] = (c.v[2 * rn] ^ sign) & mask;
                    c.v[2 * rd + 1] = 0;
                };
            case 0b000011: // FSQRT
                return c -> {
                    if (c.fpDisabled) throw c.fpAccessTrap();
                    c.v[2 * rd] = ArmFp.sqrt(c, c.v[2 * rn] & mask, dbl);
                    c.v[2 * rd + 1] = 0;
                };
            default:
                break;
        }
        if (opcode < 0b001000 || opcode > 0b001111 || opcode == 0b001101) return null;
        int rmode = roundingOf(opcode & 7);
        boolean exact = (opcode & 7) == 6;
        boolean dynamic = (opcode & 7) >= 6; // FRINTX, FRINTI use FPCR
        return c -> {
            if (c.fpDisabled) throw c.fpAccessTrap();
            int rm = dynamic ? ArmFp.rmode(c.fpcr) : rmode;
            c.v[2 * rd] = ArmFp.roundInt(c, c.v[2 * rn] & mask, dbl, rm, exact);
            c.v[2 * rd + 1] = 0;
        };
    }

    /** FRINT{N,P,M,Z,A} (rmode field 0-4) as a SoftFloat rounding mode. */
    static int roundingOf(int rmode) {
        return switch (rmode) {
            case 0 -> SoftFloat.RNE;
            case 1 -> SoftFloat.RUP;
            case 2 -> SoftFloat.RDN;
            case 3 -> SoftFloat.RTZ;
            default -> SoftFloat.RMM;
        };
    }
}
