package dev.jemu.arm.cpu;

import dev.jemu.arm.cpu.SimdLanes.Lane;

/** AdvSIMD three same, FP half (opcode 11xxx), vector and scalar: arithmetic, FMLA/FMLS, compares, pairwise. */
final class SimdFpThreeSame {
    private SimdFpThreeSame() {
    }

    /** 0 Q U 01110 a sz 1 Rm 11xxx 1 Rn Rd (scalar: 01 U 11110 ...). */
    static ArmOp decode(int insn, boolean scalar) {
        boolean q = (insn & (1 << 30)) != 0, u = (insn & (1 << 29)) != 0;
        boolean a = (insn & (1 << 23)) != 0, dbl = (insn & (1 << 22)) != 0;
        int opcode = (insn >>> 11) & 7; // low three bits of 11xxx
        int rm = (insn >>> 16) & 31, rn = (insn >>> 5) & 31, rd = insn & 31;
        if (!scalar && dbl && !q) return null;
        int esize = dbl ? 8 : 4;
        long sign = ArmFp.signBit(dbl);
        int key = (u ? 16 : 0) | (a ? 8 : 0) | opcode;
        if (u && (opcode == 0 || opcode == 2 || opcode == 6) && !(a && opcode == 2)) { // pairwise
            if (scalar) return null;
            int op = switch (opcode) {
                case 0 -> a ? ArmFp.MINNM : ArmFp.MAXNM;
                case 2 -> ArmFp.ADD;
                default -> a ? ArmFp.MIN : ArmFp.MAX;
            };
            return SimdLanes.pairwise(q, esize, rd, rn, rm, (c, x, y, d) -> ArmFp.binop(c, op, x, y, dbl));
        }
        Lane f = switch (key) {
            case 0b00000 -> binop(ArmFp.MAXNM, dbl);
            case 0b01000 -> binop(ArmFp.MINNM, dbl);
            case 0b00001 -> (c, x, y, d) -> ArmFp.mulAdd(c, d, x, y, dbl); // FMLA
            case 0b01001 -> (c, x, y, d) -> ArmFp.mulAdd(c, d, x ^ sign, y, dbl); // FMLS
            case 0b00010 -> binop(ArmFp.ADD, dbl);
            case 0b01010 -> binop(ArmFp.SUB, dbl);
            case 0b00011 -> binop(ArmFp.MULX, dbl);
            case 0b00100 -> compare(0, false, dbl); // FCMEQ
            case 0b00110 -> binop(ArmFp.MAX, dbl);
            case 0b01110 -> binop(ArmFp.MIN, dbl);
            case 0b00111 -> binop(ArmFp.RECPS, dbl);
            case 0b01111 -> binop(ArmFp.RSQRTS, dbl);
            case 0b10011 -> binop(ArmFp.MUL, dbl);
            case 0b10100 -> compare(1, false, dbl); // FCMGE
            case 0b10101 -> compare(1, true, dbl); // FACGE
            case 0b10111 -> binop(ArmFp.DIV, dbl);
            case 0b11010 -> binop(ArmFp.ABD, dbl);
            case 0b11100 -> compare(2, false, dbl); // FCMGT
            case 0b11101 -> compare(2, true, dbl); // FACGT
            default -> null;
        };
        if (f == null) return null;
        if (scalar) {
            boolean ok = key == 0b00011 || key == 0b00100 || key == 0b00111 || key == 0b01111 || key == 0b10100
                    || key == 0b10101 || key == 0b11010 || key == 0b11100 || key == 0b11101;
            return ok ? SimdLanes.scalar(esize, rd, rn, rm, f) : null;
        }
        return SimdLanes.vector(q, esize, rd, rn, rm, f);
    }

    static Lane binop(int op, boolean dbl) {
        return (c, x, y, d) -> ArmFp.binop(c, op, x, y, dbl);
    }

    private static Lane compare(int kind, boolean abs, boolean dbl) {
        return (c, x, y, d) -> ArmFp.compareLane(c, kind, x, y, dbl, abs) ? -1 : 0;
    }
}
