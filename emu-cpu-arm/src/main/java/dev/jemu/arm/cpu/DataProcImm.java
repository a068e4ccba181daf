package dev.jemu.arm.cpu;

/** Data processing (immediate): PC-relative addressing, add/subtract (immediate), logical (immediate), move wide, bitfield, extract. Integer work. */
final class DataProcImm {
    private DataProcImm() {
    }

    /** The op for {@code insn}, or null when the encoding is unallocated (UNDEFINED). */
    static ArmOp decode(int insn) {
        return switch ((insn >>> 23) & 7) {
            case 0, 1 -> pcRel(insn);
            case 2 -> addSub(insn);
            case 4 -> logical(insn);
            case 5 -> moveWide(insn);
            case 6 -> bitfield(insn);
            case 7 -> extract(insn);
            default -> null; // 011: add/subtract with tags (MTE, ARMv8.5)
        };
    }

    /** ADR, ADRP: the offset is added to c.pc (ADRP to its 4 KiB page) when the op runs. */
    private static ArmOp pcRel(int insn) {
        int d = Regs.wz(insn & 31);
        long imm = ((long) (insn << 8 >> 13) << 2) | ((insn >>> 29) & 3); // immhi:immlo, sign-extended
        if (insn < 0) {
            long off = imm << 12;
            return c -> c.x[d] = (c.pc & ~0xfffL) + off;
        }
        return c -> c.x[d] = c.pc + imm;
    }

    /** ADD, ADDS, SUB, SUBS (immediate), optionally LSL #12; CMP, CMN and MOV (to/from SP) are aliases. */
    private static ArmOp addSub(int insn) {
        boolean sf = insn < 0, sub = (insn & (1 << 30)) != 0, flags = (insn & (1 << 29)) != 0;
        if ((insn & (1 << 23)) != 0) {
            return null; // only ARMv8.5 MTE uses bit 23 here
        }
        long imm = ((insn >>> 10) & 0xfff) << ((insn & (1 << 22)) != 0 ? 12 : 0);
        int n = Regs.rsp((insn >>> 5) & 31);
        int d = flags ? Regs.wz(insn & 31) : Regs.rsp(insn & 31);
        long nimm = ~imm;
        if (flags) {
            if (sf) {
                return sub ? c -> c.x[d] = Alu.adds64(c, c.x[n], nimm, 1) : c -> c.x[d] = Alu.adds64(c, c.x[n], imm, 0);
            }
            return sub ? c -> c.x[d] = Alu.adds32(c, c.x[n], nimm, 1) : c -> c.x[d] = Alu.adds32(c, c.x[n], imm, 0);
        }
        long add = sub ? -imm : imm;
        return sf ? c -> c.x[d] = c.x[n] + add : c -> c.x[d] = (c.x[n] + add) & Alu.W;
    }

    /** AND, ORR, EOR, ANDS (immediate); MOV (bitmask immediate) and TST are aliases. Reserved masks are UNDEFINED. */
    private static ArmOp logical(int insn) {
        boolean sf = insn < 0;
        long mask = Alu.bitMask((insn >>> 22) & 1, (insn >>> 16) & 63, (insn >>> 10) & 63, sf);
        if (mask == 0) {
            return null;
        }
        int opc = (insn >>> 29) & 3;
        int n = Regs.rz((insn >>> 5) & 31);
        int d = opc == 3 ? Regs.wz(insn & 31) : Regs.rsp(insn & 31);
        return switch (opc) {
            case 0 -> c -> c.x[d] = c.x[n] & mask;
            case 1 -> sf ? c -> c.x[d] = c.x[n] | mask : c -> c.x[d] = (c.x[n] | mask) & Alu.W;
            case 2 -> sf ? c -> c.x[d] = c.x[n] ^ mask : c -> c.x[d] = (c.x[n] ^ mask) & Alu.W;
            default -> sf ? c -> c.x[d] = Alu.logic64(c, c.x[n] & mask) : c -> c.x[d] = Alu.logic32(c, c.x[n] & mask);
        };
    }

    /** MOVN, MOVZ, MOVK. */
    private static ArmOp moveWide(int insn) {
        boolean sf = insn < 0;
        int opc = (insn >>> 29) & 3, hw = (insn >>> 21) & 3;
        if (opc == 1 || (!sf && hw >= 2)) {
            return null;
        }
        int d = Regs.wz(insn & 31);
        int shift = hw * 16;
        long imm = (long) ((insn >>> 5) & 0xffff) << shift;
        return switch (opc) {
            case 0 -> {
                long v = sf ? ~imm : ~imm & Alu.W;
                yield c -> c.x[d] = v;
            }
            case 2 -> c -> c.x[d] = imm;
            default -> {
                long keep = ~(0xffffL << shift) & (sf ? -1L : Alu.W);
                yield c -> c.x[d] = (c.x[d] & keep) | imm;
            }
        };
    }

    /**
     * SBFM, BFM, UBFM and their aliases (ASR, LSL, LSR, SBFIZ, SBFX, BFI, BFXIL, UBFIZ, UBFX, SXTB/H/W, UXTB/H),
     * each specialised at decode into shifts and masks.
     */
    private static ArmOp bitfield(int insn) {
        boolean sf = insn < 0;
        int opc = (insn >>> 29) & 3, nBit = (insn >>> 22) & 1;
        int immr = (insn >>> 16) & 63, imms = (insn >>> 10) & 63;
        if (opc == 3 || nBit != (sf ? 1 : 0) || (!sf && (immr >= 32 || imms >= 32))) {
            return null;
        }
        int size = sf ? 64 : 32;
        int n = Regs.rz((insn >>> 5) & 31), d = Regs.wz(insn & 31);
        // Work on the source as a 64-bit value; a 32-bit source is first moved to the top (or masked) as needed.
        boolean extract = imms >= immr; // the field is bits imms:immr of the source, placed at bit 0
        int width = extract ? imms - immr + 1 : imms + 1;
        int lsb = extract ? 0 : size - immr; // where the field lands in the result
        long fieldMask = width == 64 ? -1L : (1L << width) - 1;
        long outMask = sf ? -1L : Alu.W;
        switch (opc) {
            case 0: { // SBFM: sign-extend the field from its top bit, then place it at lsb
                int up = 64 - (extract ? imms + 1 : width); // bring the field's top bit to bit 63
                int down = 64 - width; // arithmetic shift back, sign-extending
                if (extract) {
                    return sf ? c -> c.x[d] = (c.x[n] << up) >> (up + immr)
                            : c -> c.x[d] = ((c.x[n] << up) >> (up + immr)) & Alu.W;
                }
                return c -> c.x[d] = (((c.x[n] << down) >> down) << lsb) & outMask;
            }
            case 2: { // UBFM: zero-extend the field and place it at lsb
                if (extract) {
                    return c -> c.x[d] = (c.x[n] >>> immr) & fieldMask;
                }
                long m = fieldMask;
                return c -> c.x[d] = ((c.x[n] & m) << lsb) & outMask;
            }
            default: { // BFM: insert the field into the destination, keeping its other bits
                long place = (fieldMask << lsb) & outMask;
                long keep = ~place & outMask;
                if (extract) {
                    return c -> c.x[d] = (c.x[d] & keep) | ((c.x[n] >>> immr) & fieldMask);
                }
                return c -> c.x[d] = (c.x[d] & keep) | ((c.x[n] << lsb) & place);
            }
        }
    }

    /** EXTR (ROR (immediate) is the alias with Rn == Rm). */
    private static ArmOp extract(int insn) {
        boolean sf = insn < 0;
        int lsb = (insn >>> 10) & 63;
        if (((insn >>> 29) & 3) != 0 || ((insn >>> 22) & 1) != (sf ? 1 : 0) || (insn & (1 << 21)) != 0
                || (!sf && lsb >= 32)) {
            return null;
        }
        int m = Regs.rz((insn >>> 16) & 31), n = Regs.rz((insn >>> 5) & 31), d = Regs.wz(insn & 31);
        if (lsb == 0) {
            return sf ? c -> c.x[d] = c.x[m] : c -> c.x[d] = c.x[m] & Alu.W;
        }
        if (sf) {
            int up = 64 - lsb;
            return c -> c.x[d] = (c.x[m] >>> lsb) | (c.x[n] << up);
        }
        int up = 32 - lsb;
        return c -> c.x[d] = (((c.x[m] & Alu.W) >>> lsb) | (c.x[n] << up)) & Alu.W;
    }
}
