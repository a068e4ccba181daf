package dev.jemu.riscv.cpu;

/**
 * Decoded operation ids. {@link Decoder} turns an instruction word (compressed ones expanded) into one of
 * these plus pre-extracted operands; the hart dispatches on the id. 0 marks a slot not decoded yet.
 * Ids inside a group are contiguous; the hart relies on the group order (FIRST_SYSTEM, FIRST_AMO, FIRST_FP), the
 * JIT on the ranges named below.
 */
final class Op {
    private Op() {
    }

    // The interpreter (Hart.run) dispatches with two switches on these ids (below BEQ, and the rest), and C1, which
    // compiles it, turns a switch into a chain of compares in ascending id order (no jump table): an id's place is
    // what its dispatch costs. So the ids below 76 go by how often the interpreter ran them in a Debian boot (addi,
    // ld, add, sd, or, slli, xor, the branches...), within what the JIT's range tests need: LUI..SLLI_UW are the ops
    // it compiles, with BEQ..BGEU, LB..LWU and SB..SD contiguous inside (a group whose ops share one case costs one
    // range test). 0 stays the slot not decoded yet (a fresh page's zeros).
    static final int UNDECODED = 0;
    // RV64I and M, the most frequent first
    static final int LUI = 1;
    static final int ADDI = 2;
    static final int ADD = 3;
    // loads (LB first and LWU last: the JIT's range)
    static final int LB = 4;
    static final int LD = 5;
    static final int LW = 6;
    static final int LBU = 7;
    static final int LH = 8;
    static final int LHU = 9;
    static final int LWU = 10;
    // stores (SB..SD)
    static final int SB = 11;
    static final int SW = 12;
    static final int SH = 13;
    static final int SD = 14;
    // branches (BEQ..BGEU: one case)
    static final int BEQ = 15;
    static final int BNE = 16;
    static final int BLT = 17;
    static final int BGE = 18;
    static final int BLTU = 19;
    static final int BGEU = 20;
    // the rest of RV64I by frequency
    static final int OR = 21;
    static final int SLLI = 22;
    static final int XOR = 23;
    static final int SRLIW = 24;
    static final int SLLIW = 25;
    static final int JALR = 26;
    static final int ADDW = 27;
    static final int AUIPC = 28;
    static final int SRLI = 29;
    static final int AND = 30;
    static final int ADDIW = 31;
    static final int ANDI = 32;
    static final int SUB = 33;
    static final int XORI = 34;
    static final int SLTU = 35;
    static final int JAL = 36;
    static final int SLTI = 37;
    static final int SLTIU = 38;
    static final int ORI = 39;
    static final int SRAI = 40;
    static final int SLL = 41;
    static final int SLT = 42;
    static final int SRL = 43;
    static final int SRA = 44;
    static final int SRAIW = 45;
    static final int SUBW = 46;
    static final int SLLW = 47;
    static final int SRLW = 48;
    static final int SRAW = 49;
    // M (the divisions: one case), FENCE
    static final int MUL = 50;
    static final int MULH = 51;
    static final int MULHSU = 52;
    static final int MULHU = 53;
    static final int MULW = 54;
    static final int FENCE = 55;
    static final int DIV = 56;
    static final int DIVU = 57;
    static final int REM = 58;
    static final int REMU = 59;
    static final int DIVW = 60;
    static final int DIVUW = 61;
    static final int REMW = 62;
    static final int REMUW = 63;
    // Zba (SLLI_UW last: the end of the JIT's range)
    static final int SH1ADD = 64;
    static final int SH2ADD = 65;
    static final int SH3ADD = 66;
    static final int ADD_UW = 67;
    static final int SH1ADD_UW = 68;
    static final int SH2ADD_UW = 69;
    static final int SH3ADD_UW = 70;
    static final int SLLI_UW = 71;
    // control (outside the JIT's ranges, rare: the end of the interpreter's chain)
    static final int ILLEGAL = 72;
    static final int PAGE_END = 73;
    static final int STALE = 74;
    static final int CROSS = 75;
    // Zbb/Zbs (BitManip)
    static final int ANDN = 76;
    static final int ORN = 77;
    static final int XNOR = 78;
    static final int CLZ = 79;
    static final int CLZW = 80;
    static final int CTZ = 81;
    static final int CTZW = 82;
    static final int CPOP = 83;
    static final int CPOPW = 84;
    static final int MAX = 85;
    static final int MAXU = 86;
    static final int MIN = 87;
    static final int MINU = 88;
    static final int SEXT_B = 89;
    static final int SEXT_H = 90;
    static final int ZEXT_H = 91;
    static final int ROL = 92;
    static final int ROLW = 93;
    static final int ROR = 94;
    static final int RORI = 95;
    static final int RORIW = 96;
    static final int RORW = 97;
    static final int ORC_B = 98;
    static final int REV8 = 99;
    static final int BCLR = 100;
    static final int BCLRI = 101;
    static final int BEXT = 102;
    static final int BEXTI = 103;
    static final int BINV = 104;
    static final int BINVI = 105;
    static final int BSET = 106;
    static final int BSETI = 107;
    // system
    static final int FIRST_SYSTEM = 108;
    static final int FENCE_I = 108;
    static final int ECALL = 109;
    static final int EBREAK = 110;
    static final int MRET = 111;
    static final int SRET = 112;
    static final int WFI = 113;
    static final int SFENCE_VMA = 114;
    static final int CSRRW = 115;
    static final int CSRRS = 116;
    static final int CSRRC = 117;
    static final int CSRRWI = 118;
    static final int CSRRSI = 119;
    static final int CSRRCI = 120;
    // A
    static final int FIRST_AMO = 121;
    static final int LR_W = 121;
    static final int SC_W = 122;
    static final int AMOSWAP_W = 123;
    static final int AMOADD_W = 124;
    static final int AMOXOR_W = 125;
    static final int AMOAND_W = 126;
    static final int AMOOR_W = 127;
    static final int AMOMIN_W = 128;
    static final int AMOMAX_W = 129;
    static final int AMOMINU_W = 130;
    static final int AMOMAXU_W = 131;
    static final int LR_D = 132;
    static final int SC_D = 133;
    static final int AMOSWAP_D = 134;
    static final int AMOADD_D = 135;
    static final int AMOXOR_D = 136;
    static final int AMOAND_D = 137;
    static final int AMOOR_D = 138;
    static final int AMOMIN_D = 139;
    static final int AMOMAX_D = 140;
    static final int AMOMINU_D = 141;
    static final int AMOMAXU_D = 142;
    // F/D
    static final int FIRST_FP = 143;
    static final int FLW = 143;
    static final int FLD = 144;
    static final int FSW = 145;
    static final int FSD = 146;
    static final int FMADD_S = 147;
    static final int FMSUB_S = 148;
    static final int FNMSUB_S = 149;
    static final int FNMADD_S = 150;
    static final int FADD_S = 151;
    static final int FSUB_S = 152;
    static final int FMUL_S = 153;
    static final int FDIV_S = 154;
    static final int FSQRT_S = 155;
    static final int FSGNJ_S = 156;
    static final int FSGNJN_S = 157;
    static final int FSGNJX_S = 158;
    static final int FMIN_S = 159;
    static final int FMAX_S = 160;
    static final int FCVT_W_S = 161;
    static final int FCVT_WU_S = 162;
    static final int FCVT_L_S = 163;
    static final int FCVT_LU_S = 164;
    static final int FMV_X_W = 165;
    static final int FEQ_S = 166;
    static final int FLT_S = 167;
    static final int FLE_S = 168;
    static final int FCLASS_S = 169;
    static final int FCVT_S_W = 170;
    static final int FCVT_S_WU = 171;
    static final int FCVT_S_L = 172;
    static final int FCVT_S_LU = 173;
    static final int FMV_W_X = 174;
    static final int FMADD_D = 175;
    static final int FMSUB_D = 176;
    static final int FNMSUB_D = 177;
    static final int FNMADD_D = 178;
    static final int FADD_D = 179;
    static final int FSUB_D = 180;
    static final int FMUL_D = 181;
    static final int FDIV_D = 182;
    static final int FSQRT_D = 183;
    static final int FSGNJ_D = 184;
    static final int FSGNJN_D = 185;
    static final int FSGNJX_D = 186;
    static final int FMIN_D = 187;
    static final int FMAX_D = 188;
    static final int FCVT_S_D = 189;
    static final int FCVT_D_S = 190;
    static final int FCVT_W_D = 191;
    static final int FCVT_WU_D = 192;
    static final int FCVT_L_D = 193;
    static final int FCVT_LU_D = 194;
    static final int FMV_X_D = 195;
    static final int FEQ_D = 196;
    static final int FLT_D = 197;
    static final int FLE_D = 198;
    static final int FCLASS_D = 199;
    static final int FCVT_D_W = 200;
    static final int FCVT_D_WU = 201;
    static final int FCVT_D_L = 202;
    static final int FCVT_D_LU = 203;
    static final int FMV_D_X = 204;
    static final int COUNT = 205;

    /** Each id's mnemonic, from its constant's name (AMOSWAP_W is "amoswap.w"); made on first use (tests, errors). */
    private static final class Names {
        static final String[] NAMES = new String[COUNT];

        static {
            for (java.lang.reflect.Field f : Op.class.getDeclaredFields()) {
                if (f.getType() == int.class && !f.getName().startsWith("FIRST_") && !f.getName().equals("COUNT")) {
                    try {
                        NAMES[f.getInt(null)] = f.getName().toLowerCase(java.util.Locale.ROOT).replace('_', '.');
                    } catch (IllegalAccessException e) {
                        throw new AssertionError(e);
                    }
                }
            }
        }
    }

    static String name(int op) {
        return op >= 0 && op < COUNT && Names.NAMES[op] != null ? Names.NAMES[op] : "op" + op;
    }
}
