package dev.jemu.riscv.cpu;

import static dev.jemu.riscv.cpu.Op.*;

/**
 * Turns an instruction word into the hart's compact decoded form: a {@code long} whose low half is
 * {@code op | rd << 9 | rs1 << 15 | rs2 << 20 | rs3 << 25 | compressed << 30} and whose high half is the
 * sign-extended immediate (for CSR instructions the CSR number, for F/D the rounding mode).
 *
 * <p>An integer destination x0 is decoded as register 32, a scratch slot, so the hart never has to re-zero
 * x0. Compressed instructions are expanded to their base equivalents with the compressed bit set (the hart
 * advances the pc by 2 for them). Reserved and unknown encodings decode to {@link Op#ILLEGAL}.
 */
public final class Decoder {
    static final int OP_MASK = 0x1ff;
    static final int COMPRESSED = 1 << 30;
    /** Register index that absorbs writes to x0. */
    static final int X0_SINK = 32;

    private Decoder() {
    }

    static int op(int packed) {
        return packed & OP_MASK;
    }

    static int rd(int packed) {
        return (packed >>> 9) & 63;
    }

    static int rs1(int packed) {
        return (packed >>> 15) & 31;
    }

    static int rs2(int packed) {
        return (packed >>> 20) & 31;
    }

    static int rs3(int packed) {
        return (packed >>> 25) & 31;
    }

    static int length(int packed) {
        return 4 - ((packed >>> 29) & 2);
    }

    /** Decodes a 32-bit instruction, or a 16-bit one when its low two bits are not 0b11. */
    public static long decode(int insn) {
        return (insn & 3) == 3 ? decode32(insn) : decode16(insn & 0xffff);
    }

    private static long make(int op, int rd, int rs1, int rs2, int rs3, long imm) {
        int packed = op | rd << 9 | rs1 << 15 | rs2 << 20 | rs3 << 25;
        return (packed & 0xffff_ffffL) | imm << 32;
    }

    /** Integer destination: x0 becomes the sink slot. */
    private static int xd(int rd) {
        return rd == 0 ? X0_SINK : rd;
    }

    private static long x(int op, int rd, int rs1, int rs2, long imm) {
        return make(op, xd(rd), rs1, rs2, 0, imm);
    }

    private static final long ILL = make(ILLEGAL, 0, 0, 0, 0, 0);

    // ---------------------------------------------------------------- 32-bit

    static long decode32(int w) {
        int opcode = w & 0x7f;
        int rd = (w >>> 7) & 31, f3 = (w >>> 12) & 7, rs1 = (w >>> 15) & 31, rs2 = (w >>> 20) & 31;
        int f7 = w >>> 25;
        long immI = w >> 20;
        long immS = (w >> 25) << 5 | (w >>> 7) & 31;
        return switch (opcode) {
            case 0x37 -> x(LUI, rd, 0, 0, w & 0xffff_f000);
            case 0x17 -> x(AUIPC, rd, 0, 0, w & 0xffff_f000);
            case 0x6f -> x(JAL, rd, 0, 0, immJ(w));
            case 0x67 -> f3 == 0 ? x(JALR, rd, rs1, 0, immI) : ILL;
            case 0x63 -> {
                int op = switch (f3) {
                    case 0 -> BEQ; case 1 -> BNE; case 4 -> BLT; case 5 -> BGE; case 6 -> BLTU; case 7 -> BGEU;
                    default -> -1;
                };
                yield op < 0 ? ILL : make(op, 0, rs1, rs2, 0, immB(w));
            }
            case 0x03 -> {
                int op = switch (f3) {
                    case 0 -> LB; case 1 -> LH; case 2 -> LW; case 3 -> LD; case 4 -> LBU; case 5 -> LHU;
                    case 6 -> LWU; default -> -1;
                };
                yield op < 0 ? ILL : x(op, rd, rs1, 0, immI);
            }
            case 0x23 -> {
                int op = switch (f3) {
                    case 0 -> SB; case 1 -> SH; case 2 -> SW; case 3 -> SD; default -> -1;
                };
                yield op < 0 ? ILL : make(op, 0, rs1, rs2, 0, immS);
            }
            case 0x13 -> opImm(w, rd, f3, rs1, immI);
            case 0x1b -> opImm32(w, rd, f3, rs1, immI);
            case 0x33 -> opReg(rd, f3, rs1, rs2, f7);
            case 0x3b -> opReg32(rd, f3, rs1, rs2, f7);
            case 0x0f -> f3 == 0 ? make(FENCE, 0, 0, 0, 0, fenceNeedsHostFence(w) ? 1 : 0)
                    : f3 == 1 ? make(FENCE_I, 0, 0, 0, 0, 0) : ILL;
            case 0x73 -> system(w, rd, f3, rs1, rs2, f7);
            case 0x2f -> amo(w, rd, f3, rs1, rs2);
            case 0x07 -> f3 == 2 ? make(FLW, rd, rs1, 0, 0, immI) : f3 == 3 ? make(FLD, rd, rs1, 0, 0, immI) : ILL;
            case 0x27 -> f3 == 2 ? make(FSW, 0, rs1, rs2, 0, immS) : f3 == 3 ? make(FSD, 0, rs1, rs2, 0, immS) : ILL;
            case 0x43, 0x47, 0x4b, 0x4f -> fused(opcode, rd, f3, rs1, rs2, w);
            case 0x53 -> opFp(rd, f3, rs1, rs2, f7);
            default -> ILL;
        };
    }

    static long immJ(int w) {
        return (long) ((w >> 31) << 20 | ((w >>> 12) & 0xff) << 12 | ((w >>> 20) & 1) << 11
                | ((w >>> 21) & 0x3ff) << 1);
    }

    static long immB(int w) {
        return (long) ((w >> 31) << 12 | ((w >>> 7) & 1) << 11 | ((w >>> 25) & 0x3f) << 5
                | ((w >>> 8) & 0xf) << 1);
    }

    private static long opImm(int w, int rd, int f3, int rs1, long imm) {
        int f6 = (w >>> 26) & 0x3f, sh = (w >>> 20) & 63, f12 = (w >>> 20) & 0xfff;
        switch (f3) {
            case 0: return x(ADDI, rd, rs1, 0, imm);
            case 2: return x(SLTI, rd, rs1, 0, imm);
            case 3: return x(SLTIU, rd, rs1, 0, imm);
            case 4: return x(XORI, rd, rs1, 0, imm);
            case 6: return x(ORI, rd, rs1, 0, imm);
            case 7: return x(ANDI, rd, rs1, 0, imm);
            case 1:
                if (f6 == 0) {
                    return x(SLLI, rd, rs1, 0, sh);
                }
                if (f6 == 0x12) {
                    return x(BCLRI, rd, rs1, 0, sh);
                }
                if (f6 == 0x1a) {
                    return x(BINVI, rd, rs1, 0, sh);
                }
                if (f6 == 0x0a) {
                    return x(BSETI, rd, rs1, 0, sh);
                }
                return switch (f12) {
                    case 0x600 -> x(CLZ, rd, rs1, 0, 0);
                    case 0x601 -> x(CTZ, rd, rs1, 0, 0);
                    case 0x602 -> x(CPOP, rd, rs1, 0, 0);
                    case 0x604 -> x(SEXT_B, rd, rs1, 0, 0);
                    case 0x605 -> x(SEXT_H, rd, rs1, 0, 0);
                    default -> ILL;
                };
            default: // 5
                if (f6 == 0) {
                    return x(SRLI, rd, rs1, 0, sh);
                }
                if (f6 == 0x10) {
                    return x(SRAI, rd, rs1, 0, sh);
                }
                if (f6 == 0x18) {
                    return x(RORI, rd, rs1, 0, sh);
                }
                if (f6 == 0x12) {
                    return x(BEXTI, rd, rs1, 0, sh);
                }
                if (f12 == 0x287) {
                    return x(ORC_B, rd, rs1, 0, 0);
                }
                if (f12 == 0x6b8) {
                    return x(REV8, rd, rs1, 0, 0);
                }
                return ILL;
        }
    }

    private static long opImm32(int w, int rd, int f3, int rs1, long imm) {
        int f7 = w >>> 25, sh = (w >>> 20) & 31, f12 = (w >>> 20) & 0xfff;
        switch (f3) {
            case 0: return x(ADDIW, rd, rs1, 0, imm);
            case 1:
                if (f7 == 0) {
                    return x(SLLIW, rd, rs1, 0, sh);
                }
                if ((w >>> 26) == 0x02) {
                    return x(SLLI_UW, rd, rs1, 0, (w >>> 20) & 63);
                }
                return switch (f12) {
                    case 0x600 -> x(CLZW, rd, rs1, 0, 0);
                    case 0x601 -> x(CTZW, rd, rs1, 0, 0);
                    case 0x602 -> x(CPOPW, rd, rs1, 0, 0);
                    default -> ILL;
                };
            case 5:
                return switch (f7) {
                    case 0 -> x(SRLIW, rd, rs1, 0, sh);
                    case 0x20 -> x(SRAIW, rd, rs1, 0, sh);
                    case 0x30 -> x(RORIW, rd, rs1, 0, sh);
                    default -> ILL;
                };
            default: return ILL;
        }
    }

    private static long opReg(int rd, int f3, int rs1, int rs2, int f7) {
        int op = switch (f7 << 3 | f3) {
            case 0 -> ADD; case 1 -> SLL; case 2 -> SLT; case 3 -> SLTU; case 4 -> XOR; case 5 -> SRL; case 6 -> OR;
            case 7 -> AND;
            case 0x20 << 3 -> SUB; case 0x20 << 3 | 5 -> SRA;
            case 0x20 << 3 | 7 -> ANDN; case 0x20 << 3 | 6 -> ORN; case 0x20 << 3 | 4 -> XNOR;
            case 1 << 3 -> MUL; case 1 << 3 | 1 -> MULH; case 1 << 3 | 2 -> MULHSU; case 1 << 3 | 3 -> MULHU;
            case 1 << 3 | 4 -> DIV; case 1 << 3 | 5 -> DIVU; case 1 << 3 | 6 -> REM; case 1 << 3 | 7 -> REMU;
            case 0x10 << 3 | 2 -> SH1ADD; case 0x10 << 3 | 4 -> SH2ADD; case 0x10 << 3 | 6 -> SH3ADD;
            case 0x05 << 3 | 4 -> MIN; case 0x05 << 3 | 5 -> MINU; case 0x05 << 3 | 6 -> MAX;
            case 0x05 << 3 | 7 -> MAXU;
            case 0x30 << 3 | 1 -> ROL; case 0x30 << 3 | 5 -> ROR;
            case 0x24 << 3 | 1 -> BCLR; case 0x24 << 3 | 5 -> BEXT;
            case 0x34 << 3 | 1 -> BINV; case 0x14 << 3 | 1 -> BSET;
            default -> -1;
        };
        return op < 0 ? ILL : x(op, rd, rs1, rs2, 0);
    }

    private static long opReg32(int rd, int f3, int rs1, int rs2, int f7) {
        if (f7 == 0x04 && f3 == 4) {
            return rs2 == 0 ? x(ZEXT_H, rd, rs1, 0, 0) : ILL;
        }
        int op = switch (f7 << 3 | f3) {
            case 0 -> ADDW; case 1 -> SLLW; case 5 -> SRLW;
            case 0x20 << 3 -> SUBW; case 0x20 << 3 | 5 -> SRAW;
            case 1 << 3 -> MULW; case 1 << 3 | 4 -> DIVW; case 1 << 3 | 5 -> DIVUW; case 1 << 3 | 6 -> REMW;
            case 1 << 3 | 7 -> REMUW;
            case 0x04 << 3 -> ADD_UW;
            case 0x10 << 3 | 2 -> SH1ADD_UW; case 0x10 << 3 | 4 -> SH2ADD_UW; case 0x10 << 3 | 6 -> SH3ADD_UW;
            case 0x30 << 3 | 1 -> ROLW; case 0x30 << 3 | 5 -> RORW;
            default -> -1;
        };
        return op < 0 ? ILL : x(op, rd, rs1, rs2, 0);
    }

    private static long system(int w, int rd, int f3, int rs1, int rs2, int f7) {
        if (f3 == 0) {
            if (w == 0x00000073) {
                return make(ECALL, 0, 0, 0, 0, 0);
            }
            if (w == 0x00100073) {
                return make(EBREAK, 0, 0, 0, 0, 0);
            }
            if (w == 0x30200073) {
                return make(MRET, 0, 0, 0, 0, 0);
            }
            if (w == 0x10200073) {
                return make(SRET, 0, 0, 0, 0, 0);
            }
            if (w == 0x10500073) {
                return make(WFI, 0, 0, 0, 0, 0);
            }
            if (f7 == 0x09 && rd == 0) {
                return make(SFENCE_VMA, 0, rs1, rs2, 0, 0);
            }
            return ILL;
        }
        int op = switch (f3) {
            case 1 -> CSRRW; case 2 -> CSRRS; case 3 -> CSRRC; case 5 -> CSRRWI; case 6 -> CSRRSI; case 7 -> CSRRCI;
            default -> -1;
        };
        // rs1 holds the register or, for the immediate forms, the 5-bit zimm; imm holds the CSR number.
        return op < 0 ? ILL : x(op, rd, rs1, 0, (w >>> 20) & 0xfff);
    }

    /**
     * FENCE's immediate: 1 when it orders earlier stores before later loads, the one ordering x86-TSO does not
     * keep and a host full fence must give; FENCE.TSO never asks for it. Device input and output need none:
     * every MMIO access takes the device lock, whose atomic acquire and release order it with everything.
     */
    static boolean fenceNeedsHostFence(int w) {
        int fm = w >>> 28, pred = (w >>> 24) & 0xf, succ = (w >>> 20) & 0xf;
        return fm != 8 && (pred & 0b0001) != 0 && (succ & 0b0010) != 0; // pred W, succ R
    }

    private static long amo(int w, int rd, int f3, int rs1, int rs2) {
        if (f3 != 2 && f3 != 3) {
            return ILL;
        }
        int base = switch (w >>> 27) {
            case 0x02 -> rs2 == 0 ? LR_W : -1;
            case 0x03 -> SC_W; case 0x01 -> AMOSWAP_W; case 0x00 -> AMOADD_W; case 0x04 -> AMOXOR_W;
            case 0x0c -> AMOAND_W; case 0x08 -> AMOOR_W; case 0x10 -> AMOMIN_W; case 0x14 -> AMOMAX_W;
            case 0x18 -> AMOMINU_W; case 0x1c -> AMOMAXU_W;
            default -> -1;
        };
        if (base < 0) {
            return ILL;
        }
        return x(f3 == 3 ? base + (LR_D - LR_W) : base, rd, rs1, rs2, 0);
    }

    private static long fused(int opcode, int rd, int rm, int rs1, int rs2, int w) {
        int fmt = (w >>> 25) & 3, rs3 = w >>> 27;
        if (fmt > 1) {
            return ILL;
        }
        int k = (opcode - 0x43) >> 2; // 0 madd, 1 msub, 2 nmsub, 3 nmadd
        int op = (fmt == 0 ? FMADD_S : FMADD_D) + k;
        return make(op, rd, rs1, rs2, rs3, rm);
    }

    private static long opFp(int rd, int rm, int rs1, int rs2, int f7) {
        boolean d = (f7 & 1) != 0;
        int op;
        boolean intDest = false;
        switch (f7 >>> 2) {
            case 0x00 -> op = d ? FADD_D : FADD_S;
            case 0x01 -> op = d ? FSUB_D : FSUB_S;
            case 0x02 -> op = d ? FMUL_D : FMUL_S;
            case 0x03 -> op = d ? FDIV_D : FDIV_S;
            case 0x0b -> op = rs2 != 0 ? -1 : d ? FSQRT_D : FSQRT_S;
            case 0x04 -> op = rm > 2 ? -1 : (d ? FSGNJ_D : FSGNJ_S) + rm;
            case 0x05 -> op = rm > 1 ? -1 : (d ? FMIN_D : FMIN_S) + rm;
            case 0x08 -> op = d ? (rs2 == 0 ? FCVT_D_S : -1) : (rs2 == 1 ? FCVT_S_D : -1);
            case 0x14 -> {
                op = rm == 0 ? (d ? FLE_D : FLE_S) : rm == 1 ? (d ? FLT_D : FLT_S) : rm == 2 ? (d ? FEQ_D : FEQ_S) : -1;
                intDest = true;
            }
            case 0x18 -> {
                op = rs2 > 3 ? -1 : (d ? FCVT_W_D : FCVT_W_S) + rs2;
                intDest = true;
            }
            case 0x1a -> op = rs2 > 3 ? -1 : (d ? FCVT_D_W : FCVT_S_W) + rs2;
            case 0x1c -> {
                op = rs2 != 0 ? -1 : rm == 0 ? (d ? FMV_X_D : FMV_X_W) : rm == 1 ? (d ? FCLASS_D : FCLASS_S) : -1;
                intDest = true;
            }
            case 0x1e -> op = rs2 != 0 || rm != 0 ? -1 : d ? FMV_D_X : FMV_W_X;
            default -> op = -1;
        }
        if (op < 0 || (f7 & 2) != 0) {
            return ILL;
        }
        return make(op, intDest ? xd(rd) : rd, rs1, rs2, 0, rm);
    }

    // ---------------------------------------------------------------- 16-bit (RVC)

    static long decode16(int h) {
        long r = expand16(h);
        return op((int) r) == ILLEGAL ? r : r | COMPRESSED;
    }

    private static long expand16(int h) {
        int q = h & 3, f3 = (h >>> 13) & 7;
        int rdp = 8 + ((h >>> 2) & 7), rs1p = 8 + ((h >>> 7) & 7);
        int rd = (h >>> 7) & 31, rs2 = (h >>> 2) & 31;
        int b12 = (h >>> 12) & 1;
        long imm6 = (long) ((h << 19) >> 26) & ~31L | ((h >>> 2) & 31); // sign-extended imm[5|4:0]
        long uimmD = ((h >>> 10) & 7) << 3 | ((h >>> 5) & 3) << 6;     // C.LD/C.SD/C.FLD/C.FSD
        long uimmW = ((h >>> 10) & 7) << 3 | ((h >>> 6) & 1) << 2 | ((h >>> 5) & 1) << 6;
        switch (q) {
            case 0:
                switch (f3) {
                    case 0: {
                        long imm = ((h >>> 11) & 3) << 4 | ((h >>> 7) & 0xf) << 6 | ((h >>> 6) & 1) << 2
                                | ((h >>> 5) & 1) << 3;
                        return imm == 0 ? ILL : x(ADDI, rdp, 2, 0, imm);
                    }
                    case 1: return make(FLD, rdp, rs1p, 0, 0, uimmD);
                    case 2: return x(LW, rdp, rs1p, 0, uimmW);
                    case 3: return x(LD, rdp, rs1p, 0, uimmD);
                    case 5: return make(FSD, 0, rs1p, rdp, 0, uimmD);
                    case 6: return make(SW, 0, rs1p, rdp, 0, uimmW);
                    case 7: return make(SD, 0, rs1p, rdp, 0, uimmD);
                    default: return ILL;
                }
            case 1:
                switch (f3) {
                    case 0: return x(ADDI, rd, rd, 0, imm6);
                    case 1: return rd == 0 ? ILL : x(ADDIW, rd, rd, 0, imm6);
                    case 2: return x(ADDI, rd, 0, 0, imm6);
                    case 3: {
                        if (rd == 2) {
                            long imm = (long) (-b12 << 9) | ((h >>> 6) & 1) << 4 | ((h >>> 5) & 1) << 6
                                    | ((h >>> 3) & 3) << 7 | ((h >>> 2) & 1) << 5;
                            return imm == 0 ? ILL : x(ADDI, 2, 2, 0, imm);
                        }
                        return imm6 == 0 ? ILL : x(LUI, rd, 0, 0, imm6 << 12);
                    }
                    case 4: {
                        int f2 = (h >>> 10) & 3;
                        long sh = (long) b12 << 5 | ((h >>> 2) & 31);
                        switch (f2) {
                            case 0: return x(SRLI, rs1p, rs1p, 0, sh);
                            case 1: return x(SRAI, rs1p, rs1p, 0, sh);
                            case 2: return x(ANDI, rs1p, rs1p, 0, imm6);
                            default: {
                                int k = (h >>> 5) & 3;
                                if (b12 == 0) {
                                    int op = k == 0 ? SUB : k == 1 ? XOR : k == 2 ? OR : AND;
                                    return x(op, rs1p, rs1p, rdp, 0);
                                }
                                return k == 0 ? x(SUBW, rs1p, rs1p, rdp, 0) : k == 1 ? x(ADDW, rs1p, rs1p, rdp, 0) : ILL;
                            }
                        }
                    }
                    case 5: {
                        long imm = (long) (-b12 << 11) | ((h >>> 11) & 1) << 4 | ((h >>> 9) & 3) << 8
                                | ((h >>> 8) & 1) << 10 | ((h >>> 7) & 1) << 6 | ((h >>> 6) & 1) << 7
                                | ((h >>> 3) & 7) << 1 | ((h >>> 2) & 1) << 5;
                        return x(JAL, 0, 0, 0, imm);
                    }
                    default: {
                        long imm = (long) (-b12 << 8) | ((h >>> 10) & 3) << 3 | ((h >>> 5) & 3) << 6
                                | ((h >>> 3) & 3) << 1 | ((h >>> 2) & 1) << 5;
                        return make(f3 == 6 ? BEQ : BNE, 0, rs1p, 0, 0, imm);
                    }
                }
            default: // quadrant 2
                switch (f3) {
                    case 0: return x(SLLI, rd, rd, 0, (long) b12 << 5 | rs2);
                    case 1: return make(FLD, rd, 2, 0, 0, (long) b12 << 5 | ((h >>> 5) & 3) << 3 | ((h >>> 2) & 7) << 6);
                    case 2: return rd == 0 ? ILL
                            : x(LW, rd, 2, 0, (long) b12 << 5 | ((h >>> 4) & 7) << 2 | ((h >>> 2) & 3) << 6);
                    case 3: return rd == 0 ? ILL
                            : x(LD, rd, 2, 0, (long) b12 << 5 | ((h >>> 5) & 3) << 3 | ((h >>> 2) & 7) << 6);
                    case 4:
                        if (b12 == 0) {
                            if (rs2 == 0) {
                                return rd == 0 ? ILL : x(JALR, 0, rd, 0, 0);
                            }
                            return x(ADD, rd, 0, rs2, 0);
                        }
                        if (rs2 == 0) {
                            return rd == 0 ? make(EBREAK, 0, 0, 0, 0, 0) : x(JALR, 1, rd, 0, 0);
                        }
                        return x(ADD, rd, rd, rs2, 0);
                    case 5: return make(FSD, 0, 2, rs2, 0, ((h >>> 10) & 7) << 3 | ((h >>> 7) & 7) << 6);
                    case 6: return make(SW, 0, 2, rs2, 0, ((h >>> 9) & 15) << 2 | ((h >>> 7) & 3) << 6);
                    default: return make(SD, 0, 2, rs2, 0, ((h >>> 10) & 7) << 3 | ((h >>> 7) & 7) << 6);
                }
        }
    }
}
