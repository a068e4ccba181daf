package dev.jemu.arm.cpu;

/**
 * Branches: B, BL, B.cond, CBZ/CBNZ, TBZ/TBNZ, BR, BLR, RET. Integer work. Targets are computed from c.pc when the
 * op runs (ops never capture a virtual address); a branch only sets c.npc.
 */
final class Branches {
    private Branches() {
    }

    /** The op for {@code insn}, or null when the encoding is unallocated (UNDEFINED). */
    static ArmOp decode(int insn) {
        if ((insn & 0x7c000000) == 0x14000000) {
            return branchImm(insn);
        }
        if ((insn & 0x7e000000) == 0x34000000) {
            return compareBranch(insn);
        }
        if ((insn & 0x7e000000) == 0x36000000) {
            return testBranch(insn);
        }
        if ((insn & 0xff000000) == 0x54000000) {
            return (insn & 0x10) != 0 ? null : conditional(insn & 15, (long) (insn << 8 >> 13) << 2);
        }
        if ((insn & 0xfe000000) == 0xd6000000) {
            return branchReg(insn);
        }
        return null;
    }

    /** B, BL. */
    private static ArmOp branchImm(int insn) {
        long off = (long) (insn << 6 >> 6) << 2;
        if (insn < 0) {
            return c -> {
                c.x[30] = c.pc + 4;
                c.npc = c.pc + off;
            };
        }
        return c -> c.npc = c.pc + off;
    }

    /** CBZ, CBNZ (a W register compares its low 32 bits). */
    private static ArmOp compareBranch(int insn) {
        long off = (long) (insn << 8 >> 13) << 2;
        int t = Regs.rz(insn & 31);
        boolean nz = (insn & (1 << 24)) != 0;
        if (insn < 0) {
            return nz ? c -> { if (c.x[t] != 0) c.npc = c.pc + off; } : c -> { if (c.x[t] == 0) c.npc = c.pc + off; };
        }
        return nz ? c -> { if ((int) c.x[t] != 0) c.npc = c.pc + off; } : c -> { if ((int) c.x[t] == 0) c.npc = c.pc + off; };
    }

    /** TBZ, TBNZ. */
    private static ArmOp testBranch(int insn) {
        long off = (long) (insn << 13 >> 18) << 2;
        int t = Regs.rz(insn & 31);
        long bit = 1L << (((insn >>> 26) & 32) | ((insn >>> 19) & 31));
        if ((insn & (1 << 24)) != 0) {
            return c -> { if ((c.x[t] & bit) != 0) c.npc = c.pc + off; };
        }
        return c -> { if ((c.x[t] & bit) == 0) c.npc = c.pc + off; };
    }

    /** B.cond, one op per condition so that running it is a single test of the flags. */
    private static ArmOp conditional(int cond, long off) {
        return switch (cond) {
            case 0 -> c -> { if (c.zf != 0) c.npc = c.pc + off; };
            case 1 -> c -> { if (c.zf == 0) c.npc = c.pc + off; };
            case 2 -> c -> { if (c.cf != 0) c.npc = c.pc + off; };
            case 3 -> c -> { if (c.cf == 0) c.npc = c.pc + off; };
            case 4 -> c -> { if (c.nf != 0) c.npc = c.pc + off; };
            case 5 -> c -> { if (c.nf == 0) c.npc = c.pc + off; };
            case 6 -> c -> { if (c.vf != 0) c.npc = c.pc + off; };
            case 7 -> c -> { if (c.vf == 0) c.npc = c.pc + off; };
            case 8 -> c -> { if (c.cf != 0 && c.zf == 0) c.npc = c.pc + off; };
            case 9 -> c -> { if (c.cf == 0 || c.zf != 0) c.npc = c.pc + off; };
            case 10 -> c -> { if (c.nf == c.vf) c.npc = c.pc + off; };
            case 11 -> c -> { if (c.nf != c.vf) c.npc = c.pc + off; };
            case 12 -> c -> { if (c.nf == c.vf && c.zf == 0) c.npc = c.pc + off; };
            case 13 -> c -> { if (c.nf != c.vf || c.zf != 0) c.npc = c.pc + off; };
            default -> c -> c.npc = c.pc + off; // AL and NV both always branch
        };
    }

    /** BR, BLR, RET (the ARMv8.3 pointer-authentication forms are unallocated in ARMv8.0). */
    private static ArmOp branchReg(int insn) {
        if ((insn & 0x001ffc1f) != 0x001f0000) {
            return null; // op2 != 11111, op3 != 0 or op4 != 0
        }
        int n = Regs.rz((insn >>> 5) & 31);
        return switch ((insn >>> 21) & 15) {
            case 0, 2 -> c -> c.npc = c.x[n];
            case 1 -> c -> {
                long target = c.x[n]; // read before the link write: BLR X30
                c.x[30] = c.pc + 4;
                c.npc = target;
            };
            default -> null; // ERET/DRPS go to the system decoder; the rest is unallocated
        };
    }
}
