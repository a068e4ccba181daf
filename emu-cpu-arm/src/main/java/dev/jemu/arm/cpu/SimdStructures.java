package dev.jemu.arm.cpu;

/**
 * AdvSIMD load/store multiple structures (LD1-4/ST1-4 with 1-4 registers) and single structure (one lane, or
 * LD1R-4R replicating), each with or without post-index (immediate = bytes moved, or Xm).
 */
final class SimdStructures {
    private SimdStructures() {
    }

    static ArmOp decode(int insn) {
        boolean single = (insn & (1 << 24)) != 0;
        boolean post = (insn & (1 << 23)) != 0;
        int rm = (insn >>> 16) & 31;
        if (!post && rm != 0) return null;
        return single ? single(insn, post, rm) : multiple(insn, post, rm);
    }

    private static ArmOp multiple(int insn, boolean post, int rmField) {
        if ((insn & (1 << 21)) != 0) return null;
        boolean q = (insn & (1 << 30)) != 0, isLoad = (insn & (1 << 22)) != 0;
        int size = (insn >>> 10) & 3;
        int rpt, selem;
        switch ((insn >>> 12) & 15) {
            case 0b0000 -> { rpt = 1; selem = 4; }
            case 0b0010 -> { rpt = 4; selem = 1; }
            case 0b0100 -> { rpt = 1; selem = 3; }
            case 0b0110 -> { rpt = 3; selem = 1; }
            case 0b0111 -> { rpt = 1; selem = 1; }
            case 0b1000 -> { rpt = 1; selem = 2; }
            case 0b1010 -> { rpt = 2; selem = 1; }
            default -> { return null; }
        }
        if (size == 3 && !q && selem > 1) return null;
        int esize = 1 << size, elements = (q ? 16 : 8) / esize;
        int rt = insn & 31, rn = Regs.rsp((insn >>> 5) & 31);
        int total = (q ? 16 : 8) * rpt * selem;
        int rm = rmField == 31 ? -1 : Regs.rz(rmField);
        int nregs = rpt * selem;
        return c -> {
            if (c.fpDisabled) throw c.fpAccessTrap();
            long base = c.x[rn], addr = base;
            long[] v = c.v;
            if (selem == 1) { // whole registers in a row: 8-byte accesses
                for (int r = 0; r < rpt; r++) {
                    int t = (rt + r) & 31;
                    if (isLoad) {
                        long lo = c.read64(addr), hi = q ? c.read64(addr + 8) : 0;
                        v[2 * t] = lo;
                        v[2 * t + 1] = hi;
                    } else {
                        c.write64(addr, v[2 * t]);
                        if (q) c.write64(addr + 8, v[2 * t + 1]);
                    }
                    addr += q ? 16 : 8;
                }
            } else {
                for (int e = 0; e < elements; e++) {
                    for (int s = 0; s < selem; s++) {
                        int t = (rt + s) & 31;
                        if (isLoad) {
                            Vreg.set(v, t, e, esize, c.mmu.read(addr, esize));
                        } else {
                            c.mmu.write(addr, esize, Vreg.get(v, t, e, esize));
                        }
                        addr += esize;
                    }
                }
                if (isLoad && !q) {
                    for (int s = 0; s < nregs; s++) v[2 * ((rt + s) & 31) + 1] = 0;
                }
            }
            if (post) c.x[rn] = base + (rm < 0 ? total : c.x[rm]);
        };
    }

    private static ArmOp single(int insn, boolean post, int rmField) {
        boolean q = (insn & (1 << 30)) != 0, isLoad = (insn & (1 << 22)) != 0;
        int opcode = (insn >>> 13) & 7, s = (insn >>> 12) & 1, size = (insn >>> 10) & 3;
        int selem = ((opcode & 1) << 1 | (insn >>> 21) & 1) + 1;
        int scale = opcode >>> 1, index;
        boolean replicate = false;
        switch (scale) {
            case 3 -> {
                if (!isLoad || s != 0) return null;
                scale = size;
                replicate = true;
                index = 0;
            }
            default -> index = 0; // set below from Q:S:size
        }
        if (!replicate) {
            int qb = q ? 1 : 0;
            switch (scale) {
                case 0 -> index = qb << 3 | s << 2 | size;
                case 1 -> {
                    if ((size & 1) != 0) return null;
                    index = qb << 2 | s << 1 | size >>> 1;
                }
                default -> {
                    if ((size & 2) != 0) return null;
                    if ((size & 1) == 0) {
                        index = qb << 1 | s;
                    } else {
                        if (s != 0) return null;
                        index = qb;
                        scale = 3;
                    }
                }
            }
        }
        int esize = 1 << scale;
        int rt = insn & 31, rn = Regs.rsp((insn >>> 5) & 31);
        int total = selem * esize;
        int rm = rmField == 31 ? -1 : Regs.rz(rmField);
        int lane = index;
        if (replicate) {
            long m = Vreg.mask(esize);
            return c -> {
                if (c.fpDisabled) throw c.fpAccessTrap();
                long base = c.x[rn], addr = base;
                for (int k = 0; k < selem; k++) {
                    long e = c.mmu.read(addr, esize) & m;
                    long rep = e;
                    for (int w = esize * 8; w < 64; w <<= 1) rep |= rep << w;
                    int t = (rt + k) & 31;
                    c.v[2 * t] = rep;
                    c.v[2 * t + 1] = q ? rep : 0;
                    addr += esize;
                }
                if (post) c.x[rn] = base + (rm < 0 ? total : c.x[rm]);
            };
        }
        return c -> {
            if (c.fpDisabled) throw c.fpAccessTrap();
            long base = c.x[rn], addr = base;
            for (int k = 0; k < selem; k++) {
                int t = (rt + k) & 31;
                if (isLoad) {
                    Vreg.set(c.v, t, lane, esize, c.mmu.read(addr, esize));
                } else {
                    c.mmu.write(addr, esize, Vreg.get(c.v, t, lane, esize));
                }
                addr += esize;
            }
            if (post) c.x[rn] = base + (rm < 0 ? total : c.x[rm]);
        };
    }
}
