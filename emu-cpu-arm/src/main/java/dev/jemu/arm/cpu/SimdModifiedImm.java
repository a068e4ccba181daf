package dev.jemu.arm.cpu;

/** AdvSIMD modified immediate: MOVI, MVNI, ORR, BIC (vector, immediate) and FMOV (vector, immediate). */
final class SimdModifiedImm {
    private SimdModifiedImm() {
    }

    /** 0 Q op 0111100000 a b c cmode o2 1 d e f g h Rd. */
    static ArmOp decode(int insn) {
        boolean q = (insn & (1 << 30)) != 0, op = (insn & (1 << 29)) != 0;
        int cmode = (insn >>> 12) & 15, o2 = (insn >>> 11) & 1;
        int imm8 = ((insn >>> 16) & 7) << 5 | (insn >>> 5) & 0x1f;
        int rd = insn & 31;
        if (o2 != 0) return null; // FP16 FMOV: not implemented (no FP16)
        long imm;
        int kind; // 0 MOVI, 1 MVNI, 2 ORR, 3 BIC
        if (cmode == 0b1111) {
            if (!op) {
                long s = FpImm.expand32(imm8) & 0xffffffffL;
                imm = s | s << 32;
            } else {
                if (!q) return null;
                imm = FpImm.expand64(imm8);
            }
            kind = 0;
        } else if (cmode == 0b1110) {
            if (!op) {
                imm = SimdCopy.replicate(imm8, 1);
            } else {
                imm = 0;
                for (int i = 0; i < 8; i++) {
                    if ((imm8 & (1 << i)) != 0) imm |= 0xffL << (8 * i);
                }
            }
            kind = 0;
        } else {
            long e;
            int esize;
            if ((cmode & 8) == 0) { // 32-bit shifted
                e = (long) imm8 << (8 * ((cmode >>> 1) & 3));
                esize = 4;
            } else if ((cmode & 4) == 0) { // 16-bit shifted
                e = (long) imm8 << (8 * ((cmode >>> 1) & 1));
                esize = 2;
            } else { // 32-bit shifting ones (MSL)
                e = (cmode & 1) == 0 ? (long) imm8 << 8 | 0xff : (long) imm8 << 16 | 0xffff;
                esize = 4;
                cmode &= ~1; // MOVI/MVNI only
            }
            imm = SimdCopy.replicate(e, esize);
            boolean alu = (cmode & 1) != 0; // ORR/BIC for odd cmode < 12
            kind = alu ? (op ? 3 : 2) : (op ? 1 : 0);
        }
        long value = kind == 1 ? ~imm : imm;
        switch (kind) {
            case 0, 1:
                return c -> {
                    if (c.fpDisabled) throw c.fpAccessTrap();
                    c.v[2 * rd] = value;
                    c.v[2 * rd + 1] = q ? value : 0;
                };
            case 2:
                return c -> {
                    if (c.fpDisabled) throw c.fpAccessTrap();
                    c.v[2 * rd] |= value;
                    c.v[2 * rd + 1] = q ? c.v[2 * rd + 1] | value : 0;
                };
            default:
                return c -> {
                    if (c.fpDisabled) throw c.fpAccessTrap();
                    c.v[2 * rd] &= ~value;
                    c.v[2 * rd + 1] = q ? c.v[2 * rd + 1] & ~value : 0;
                };
        }
    }
}
