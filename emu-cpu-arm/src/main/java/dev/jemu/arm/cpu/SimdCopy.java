package dev.jemu.arm.cpu;

/** AdvSIMD copy: DUP (element, general), INS (general, element), UMOV, SMOV; and scalar DUP (element). */
final class SimdCopy {
    private SimdCopy() {
    }

    /** Vector copy group: 0 Q op 01110000 imm5 0 imm4 1 Rn Rd. */
    static ArmOp decode(int insn) {
        boolean q = (insn & (1 << 30)) != 0, op = (insn & (1 << 29)) != 0;
        int imm5 = (insn >>> 16) & 31, imm4 = (insn >>> 11) & 15;
        int size = Integer.numberOfTrailingZeros(imm5);
        if (size > 3) return null;
        int esize = 1 << size, index = imm5 >>> (size + 1);
        int rn = (insn >>> 5) & 31, rd = insn & 31;
        if (op) { // INS (element)
            if (!q) return null;
            int from = imm4 >>> size;
            return c -> {
                if (c.fpDisabled) throw c.fpAccessTrap();
                Vreg.set(c.v, rd, index, esize, Vreg.get(c.v, rn, from, esize));
            };
        }
        switch (imm4) {
            case 0b0000: { // DUP (element)
                if (size == 3 && !q) return null;
                return c -> {
                    if (c.fpDisabled) throw c.fpAccessTrap();
                    long rep = replicate(Vreg.get(c.v, rn, index, esize), esize);
                    c.v[2 * rd] = rep;
                    c.v[2 * rd + 1] = q ? rep : 0;
                };
            }
            case 0b0001: { // DUP (general)
                if (size == 3 && !q) return null;
                int xn = Regs.rz(rn);
                return c -> {
                    if (c.fpDisabled) throw c.fpAccessTrap();
                    long rep = replicate(c.x[xn] & Vreg.mask(esize), esize);
                    c.v[2 * rd] = rep;
                    c.v[2 * rd + 1] = q ? rep : 0;
                };
            }
            case 0b0011: { // INS (general)
                int xn = Regs.rz(rn);
                return c -> {
                    if (c.fpDisabled) throw c.fpAccessTrap();
                    Vreg.set(c.v, rd, index, esize, c.x[xn]);
                };
            }
            case 0b0101: { // SMOV
                if (size == 3 || (size == 2 && !q)) return null;
                int xd = Regs.wz(rd);
                return c -> {
                    if (c.fpDisabled) throw c.fpAccessTrap();
                    long val = Vreg.sget(c.v, rn, index, esize);
                    c.x[xd] = q ? val : val & 0xffffffffL;
                };
            }
            case 0b0111: { // UMOV
                if (q != (size == 3)) return null;
                int xd = Regs.wz(rd);
                return c -> {
                    if (c.fpDisabled) throw c.fpAccessTrap();
                    c.x[xd] = Vreg.get(c.v, rn, index, esize);
                };
            }
            default:
                return null;
        }
    }

    /** Scalar DUP (element): 01 0 11110000 imm5 0 0000 1 Rn Rd. */
    static ArmOp decodeScalar(int insn) {
        if (((insn >>> 11) & 15) != 0 || (insn & (1 << 29)) != 0) return null;
        int imm5 = (insn >>> 16) & 31;
        int size = Integer.numberOfTrailingZeros(imm5);
        if (size > 3) return null;
        int esize = 1 << size, index = imm5 >>> (size + 1);
        int rn = (insn >>> 5) & 31, rd = insn & 31;
        return c -> {
            if (c.fpDisabled) throw c.fpAccessTrap();
            Vreg.setScalar(c.v, rd, esize, Vreg.get(c.v, rn, index, esize));
        };
    }

    /** {@code e} (already masked to esize bytes) repeated over 64 bits. */
    static long replicate(long e, int esize) {
        for (int w = esize * 8; w < 64; w <<= 1) e |= e << w;
        return e;
    }
}
