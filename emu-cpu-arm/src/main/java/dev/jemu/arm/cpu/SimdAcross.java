package dev.jemu.arm.cpu;

/** AdvSIMD across lanes: ADDV, SADDLV/UADDLV, SMAXV/UMAXV, SMINV/UMINV; the FP ones in {@link SimdFpMisc}. */
final class SimdAcross {
    private SimdAcross() {
    }

    /** 0 Q U 01110 size 11000 opcode 10 Rn Rd. */
    static ArmOp decode(int insn) {
        boolean q = (insn & (1 << 30)) != 0, u = (insn & (1 << 29)) != 0;
        int size = (insn >>> 22) & 3, opcode = (insn >>> 12) & 31;
        int rn = (insn >>> 5) & 31, rd = insn & 31;
        if (opcode == 0b01100 || opcode == 0b01111) return SimdFpMisc.across(insn);
        if (size == 3 || size == 2 && !q) return null;
        int esize = 1 << size, bits = esize * 8, elements = (q ? 16 : 8) / esize;
        int kind = switch (opcode) {
            case 0b00011 -> 0; // xADDLV
            case 0b01010 -> 1; // xMAXV
            case 0b11010 -> 2; // xMINV
            case 0b11011 -> u ? -1 : 3; // ADDV
            default -> -1;
        };
        if (kind < 0) return null;
        int outSize = kind == 0 ? 2 * esize : esize;
        return c -> {
            if (c.fpDisabled) throw c.fpAccessTrap();
            long[] v = c.v;
            long acc = u ? Vreg.get(v, rn, 0, esize) : Vreg.sget(v, rn, 0, esize);
            for (int e = 1; e < elements; e++) {
                long x = u ? Vreg.get(v, rn, e, esize) : Vreg.sget(v, rn, e, esize);
                acc = switch (kind) {
                    case 1 -> Math.max(acc, x);
                    case 2 -> Math.min(acc, x);
                    default -> acc + x;
                };
            }
            Vreg.setScalar(v, rd, outSize, acc);
        };
    }
}
