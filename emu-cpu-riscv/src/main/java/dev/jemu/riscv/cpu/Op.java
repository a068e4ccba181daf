package dev.jemu.riscv.cpu;

/**
 * Decoded operation ids. {@link Decoder} turns an instruction word (compressed ones expanded) into one of
 * these plus pre-extracted operands; the hart dispatches on the id. 0 marks a slot not decoded yet.
 * Ids inside a group are contiguous; the hart relies on the group order (FIRST_SYSTEM, FIRST_AMO, FIRST_FP).
 */
final class Op {
    private Op() {
    }

    // control
    static final int UNDECODED = 0;
    static final int ILLEGAL = 1;
    static final int PAGE_END = 2;
    static final int STALE = 3;
    static final int CROSS = 4;
    // RV64I
    static final int LUI = 5;
    static final int AUIPC = 6;
    static final int JAL = 7;
    static final int JALR = 8;
    static final int BEQ = 9;
    static final int BNE = 10;
    static final int BLT = 11;
    static final int BGE = 12;
    static final int BLTU = 13;
    static final int BGEU = 14;
    static final int LB = 15;
    static final int LH = 16;
    static final int LW = 17;
    static final int LD = 18;
    static final int LBU = 19;
    static final int LHU = 20;
    static final int LWU = 21;
    static final int SB = 22;
    static final int SH = 23;
    static final int SW = 24;
    static final int SD = 25;
    static final int ADDI = 26;
    static final int SLTI = 27;
    static final int SLTIU = 28;
    static final int XORI = 29;
    static final int ORI = 30;
    static final int ANDI = 31;
    static final int SLLI = 32;
    static final int SRLI = 33;
    static final int SRAI = 34;
    static final int ADD = 35;
    static final int SUB = 36;
    static final int SLL = 37;
    static final int SLT = 38;
    static final int SLTU = 39;
    static final int XOR = 40;
    static final int SRL = 41;
    static final int SRA = 42;
    static final int OR = 43;
    static final int AND = 44;
    static final int ADDIW = 45;
    static final int SLLIW = 46;
    static final int SRLIW = 47;
    static final int SRAIW = 48;
    static final int ADDW = 49;
    static final int SUBW = 50;
    static final int SLLW = 51;
    static final int SRLW = 52;
    static final int SRAW = 53;
    static final int FENCE = 54;
    // M
    static final int MUL = 55;
    static final int MULH = 56;
    static final int MULHSU = 57;
    static final int MULHU = 58;
    static final int DIV = 59;
    static final int DIVU = 60;
    static final int REM = 61;
    static final int REMU = 62;
    static final int MULW = 63;
    static final int DIVW = 64;
    static final int DIVUW = 65;
    static final int REMW = 66;
    static final int REMUW = 67;
    // Zba
    static final int SH1ADD = 68;
    static final int SH2ADD = 69;
    static final int SH3ADD = 70;
    static final int ADD_UW = 71;
    static final int SH1ADD_UW = 72;
    static final int SH2ADD_UW = 73;
    static final int SH3ADD_UW = 74;
    static final int SLLI_UW = 75;
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

    private static final String[] NAMES = {
        "undecoded", "illegal", "page.end", "stale", "cross", "lui", "auipc", "jal", "jalr", "beq", "bne",
        "blt", "bge", "bltu", "bgeu", "lb", "lh", "lw", "ld", "lbu", "lhu", "lwu", "sb", "sh", "sw", "sd",
        "addi", "slti", "sltiu", "xori", "ori", "andi", "slli", "srli", "srai", "add", "sub", "sll", "slt",
        "sltu", "xor", "srl", "sra", "or", "and", "addiw", "slliw", "srliw", "sraiw", "addw", "subw", "sllw",
        "srlw", "sraw", "fence", "mul", "mulh", "mulhsu", "mulhu", "div", "divu", "rem", "remu", "mulw",
        "divw", "divuw", "remw", "remuw", "sh1add", "sh2add", "sh3add", "add.uw", "sh1add.uw", "sh2add.uw",
        "sh3add.uw", "slli.uw", "andn", "orn", "xnor", "clz", "clzw", "ctz", "ctzw", "cpop", "cpopw", "max",
        "maxu", "min", "minu", "sext.b", "sext.h", "zext.h", "rol", "rolw", "ror", "rori", "roriw", "rorw",
        "orc.b", "rev8", "bclr", "bclri", "bext", "bexti", "binv", "binvi", "bset", "bseti", "fence.i",
        "ecall", "ebreak", "mret", "sret", "wfi", "sfence.vma", "csrrw", "csrrs", "csrrc", "csrrwi", "csrrsi",
        "csrrci", "lr.w", "sc.w", "amoswap.w", "amoadd.w", "amoxor.w", "amoand.w", "amoor.w", "amomin.w",
        "amomax.w", "amominu.w", "amomaxu.w", "lr.d", "sc.d", "amoswap.d", "amoadd.d", "amoxor.d", "amoand.d",
        "amoor.d", "amomin.d", "amomax.d", "amominu.d", "amomaxu.d", "flw", "fld", "fsw", "fsd", "fmadd.s",
        "fmsub.s", "fnmsub.s", "fnmadd.s", "fadd.s", "fsub.s", "fmul.s", "fdiv.s", "fsqrt.s", "fsgnj.s",
        "fsgnjn.s", "fsgnjx.s", "fmin.s", "fmax.s", "fcvt.w.s", "fcvt.wu.s", "fcvt.l.s", "fcvt.lu.s",
        "fmv.x.w", "feq.s", "flt.s", "fle.s", "fclass.s", "fcvt.s.w", "fcvt.s.wu", "fcvt.s.l", "fcvt.s.lu",
        "fmv.w.x", "fmadd.d", "fmsub.d", "fnmsub.d", "fnmadd.d", "fadd.d", "fsub.d", "fmul.d", "fdiv.d",
        "fsqrt.d", "fsgnj.d", "fsgnjn.d", "fsgnjx.d", "fmin.d", "fmax.d", "fcvt.s.d", "fcvt.d.s", "fcvt.w.d",
        "fcvt.wu.d", "fcvt.l.d", "fcvt.lu.d", "fmv.x.d", "feq.d", "flt.d", "fle.d", "fclass.d", "fcvt.d.w",
        "fcvt.d.wu", "fcvt.d.l", "fcvt.d.lu", "fmv.d.x",
    };

    static String name(int op) {
        return op >= 0 && op < COUNT ? NAMES[op] : "op" + op;
    }
}
