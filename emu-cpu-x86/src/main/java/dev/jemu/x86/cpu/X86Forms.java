package dev.jemu.x86.cpu;

/**
 * The instruction forms the block JIT writes as bytecode instead of calling their decoded op ({@link X86Emit}):
 * the common 32/64-bit integer moves, ALU ops, NOT/NEG, LEA, INC/DEC, MOVZX/MOVSX/MOVSXD, PUSH/POP and Jcc, byte
 * stores and byte CMP/TEST, ADC/SBB, MUL/IMUL, DIV/IDIV, register shifts/rotates and SHLD/SHRD, BSF/BSR, BSWAP,
 * SETcc and CMOVcc, JMP rel, CALL rel/r, RET and the string ops (REP or not), recognised
 * from the decoder's state after it decoded the instruction, and ADD/SUB/AND/OR/XOR of memory (read-modify-write).
 * Whatever is not recognised here (other sizes, ADC/SBB/INC/DEC/NOT/NEG/shifts of memory, 16-bit addressing, LOCK
 * and other prefixes with side meanings) keeps its closure.
 */
record X86Forms(int kind, int size, int alu, int dst, Operand a, Operand b, long imm, int cc, long ipMask) {
    /** dst = b; [a] = b; dst = extend(b) from {@link #imm} bits (signed when cc is 1); dst = offset(a). */
    static final int MOV = 0, STORE = 1, MOVX = 2, LEA = 3;
    /** flags of a alu b (Alu.ADD..CMP, or {@link #TEST}), dst (or [a]: {@link #TO_MEMORY}) = the result unless dst is -1. */
    static final int ALU = 4;
    /** dst = dst + 1 (imm 1) or - 1 (imm -1); dst {@link #TO_MEMORY}: of memory operand a. */
    static final int INCDEC = 5;
    /** Jcc cc to the fall-through + imm. */
    static final int JCC = 6;
    static final int PUSH = 7, POP = 8;
    /** dst = ~dst. */
    static final int NOT = 9;
    /** Nothing: the decoder's empty op (NOP, PAUSE, the hint NOPs, ENDBR64). */
    static final int NOP = 10;
    /** MUL (alu 4) or one-operand IMUL (alu 5) of rAX by b, into rDX:rAX, as MulDiv.mul/imul1. */
    static final int MUL = 11;
    /** dst = a * b truncated (two- and three-operand IMUL), as MulDiv.imul2. */
    static final int IMUL = 12;
    /** dst = shift/rotate kind alu (ModRM.reg: ROL..SAR) of register dst by b (an immediate or rCX), as Shifts.shift. */
    static final int SHIFT = 13;
    /** SETcc cc of byte register dst (X86Cpu.setReg8's coding). */
    static final int SETCC = 14;
    /** CMOVcc cc: dst = b when it holds, else dst zero-extended at the size (32-bit writes it either way). */
    static final int CMOV = 15;
    /**
     * JMP rel (b null) to the fall-through + imm: nothing when the block goes on at the target (not its last
     * instruction); JMP of r/m b, as BranchOps.jumpTo (always the block's last).
     */
    static final int JMP = 16;
    /** Near CALL of size {@code size}: rel (b null: to the fall-through + imm) or of r/m b, as BranchOps.call/callTo. */
    static final int CALL = 17;
    /** Near RET of size {@code size}, as BranchOps.ret. */
    static final int RET = 18;
    /** SHLD (alu 0) or SHRD (alu 1) of register dst with register b by a (an immediate or rCX), as Shifts.shld/shrd. */
    static final int DSHIFT = 19;
    /** BSWAP of register dst, as MoveOps.bswap. */
    static final int BSWAP = 20;
    /** BSF (alu 0) or BSR (alu 1) of source b into register dst, as BitOps.bsf/bsr. */
    static final int SCAN = 21;
    /** DIV (alu 6) or IDIV (alu 7) of rDX:rAX by b, as MulDiv.div/idiv (#DE: a fault without memory). */
    static final int DIV = 22;
    /**
     * String op alu (StringOps.MOVS..SCAS) of {@code size} bits, address size cc, source segment dst, prefix imm
     * (0, 0xf3, 0xf2), as StringOps.exec; a REP op may leave c.nrip at itself (a chunk done, more to do).
     */
    static final int STRING = 23;
    static final X86Forms NOTHING = new X86Forms(NOP, 0, 0, -1, null, null, 0, 0, 0);
    /** The dst of an ALU op that writes its result back to its memory operand a (read-modify-write). */
    static final int TO_MEMORY = -2;
    /** The ALU kind of TEST: AND without storing. */
    static final int TEST = 8;

    /** A register (byte registers in X86Cpu.reg8's coding), an immediate already sized, or a memory operand. */
    record Operand(int reg, long imm, Ea ea) {
        boolean isMem() {
            return ea != null;
        }

        boolean isImm() {
            return reg < 0 && ea == null;
        }

        static Operand reg(int n) {
            return new Operand(n, 0, null);
        }

        static Operand imm(long v) {
            return new Operand(-1, v, null);
        }

        static Operand mem(Ea ea) {
            return new Operand(-1, 0, ea);
        }
    }

    /** Whether it reads or writes memory or may fault (so it may end the block, and needs rip/nrip exact). */
    boolean touchesMemory() {
        return kind == PUSH || kind == POP || kind == CALL || kind == RET || kind == DIV || kind == STRING
                || kind == JMP && b != null
                || (kind != LEA && (a != null && a.isMem() || b != null && b.isMem()));
    }

    /** The emitted form of the instruction the decoder decoded last, at {@code at} ({@code len} bytes), or null. */
    static X86Forms of(Insn d, Insn.Fetcher bytes, int at, int len) {
        if (d.mode == 16 || d.lock) {
            return null;
        }
        int s = d.opsize;
        int op = d.opcode;
        if (d.map == OpcodeTable.ONE && op >= 0xa4 && op <= 0xaf && op != 0xa8 && op != 0xa9) { // MOVS CMPS STOS LODS SCAS
            int seg = d.segOverride >= 0 ? d.segOverride : X86Cpu.DS;
            int kind = switch (op >>> 1) {
                case 0x52 -> StringOps.MOVS;
                case 0x53 -> StringOps.CMPS;
                case 0x55 -> StringOps.STOS;
                case 0x56 -> StringOps.LODS;
                default -> StringOps.SCAS;
            };
            return new X86Forms(STRING, (op & 1) == 0 ? 8 : s, kind, seg, null, null, d.rep, d.addrsize, 0);
        }
        if (d.rep != 0) {
            return null;
        }
        boolean wide = s == 32 || s == 64;
        if (d.map == OpcodeTable.TWO) {
            if ((op == 0xa4 || op == 0xa5 || op == 0xac || op == 0xad) && wide && !d.isMem()) { // SHLD/SHRD r
                Operand count = (op & 1) != 0 ? Operand.reg(X86Cpu.RCX) : Operand.imm(bytes.byteAt(at + len - 1) & 0xff);
                return new X86Forms(DSHIFT, s, op < 0xac ? 0 : 1, d.rm(), count, Operand.reg(d.reg()), 0, 0, 0);
            }
            if (op >= 0xc8 && op <= 0xcf && wide) {
                return new X86Forms(BSWAP, s, 0, op & 7 | (d.rex & 1) << 3, null, null, 0, 0, 0);
            }
            if ((op == 0xbc || op == 0xbd) && wide && d.mandatory != 0xf3) { // BSF/BSR (not TZCNT/LZCNT)
                Operand src = source(d, s);
                return src == null ? null : new X86Forms(SCAN, s, op & 1, d.reg(), null, src, 0, 0, 0);
            }
            if (op >= 0x80 && op <= 0x8f) {
                return jcc(d, op & 15, (int) le(bytes, at + len - 4, 4));
            }
            if (op >= 0x90 && op <= 0x9f && !d.isMem()) {
                return new X86Forms(SETCC, 8, 0, Rm.rmReg(d, 8), null, null, 0, op & 15, 0);
            }
            if (op >= 0x40 && op <= 0x4f && wide) {
                Operand src = source(d, s);
                return src == null ? null : new X86Forms(CMOV, s, 0, d.reg(), null, src, 0, op & 15, 0);
            }
            if (op == 0xaf && wide) { // IMUL r, r/m
                Operand src = source(d, s);
                return src == null ? null : new X86Forms(IMUL, s, 0, d.reg(), Operand.reg(d.reg()), src, 0, 0, 0);
            }
            if ((op == 0xb6 || op == 0xb7 || op == 0xbe || op == 0xbf) && wide) {
                int from = (op & 1) == 0 ? 8 : 16;
                Operand src = source(d, from);
                return src == null ? null : new X86Forms(MOVX, s, 0, d.reg(), null, src, from, op >= 0xbe ? 1 : 0, 0);
            }
            return null;
        }
        if (d.map != OpcodeTable.ONE) {
            return null;
        }
        if (op >= 0x70 && op <= 0x7f) {
            return jcc(d, op & 15, (byte) bytes.byteAt(at + len - 1));
        }
        if (op == 0xe8 || op == 0xe9 || op == 0xeb || op == 0xc3) {
            return transfer(d, bytes, at, len);
        }
        if ((op >= 0x50 && op <= 0x5f) && d.mode == 64 && d.opsize64() == 64) {
            int n = op & 7 | (d.rex & 1) << 3;
            return new X86Forms(op < 0x58 ? PUSH : POP, 64, 0, n, null, null, 0, 0, 0);
        }
        X86Forms bytes8 = byteForm(d, bytes, at, len);
        if (bytes8 != null || !wide) {
            return bytes8 != null || s != 16 ? bytes8 : wordForm(d, bytes, at, len);
        }
        if (op >= 0x40 && op <= 0x4f) { // INC/DEC r outside 64-bit mode (REX there)
            return new X86Forms(INCDEC, s, 0, op & 7, null, null, op < 0x48 ? 1 : -1, 0, 0);
        }
        if (op < 0x40 && (op & 7) <= 5) {
            int alu = op >>> 3;
            if ((op & 7) == 0 || (op & 7) == 2 || (op & 7) == 4) {
                return null; // byte forms keep their closures
            }
            boolean store = alu != Alu.CMP;
            if ((op & 7) == 5) { // eAX, imm
                long imm = Alu.trunc(s == 16 ? (short) le(bytes, at + len - 2, 2) : (int) le(bytes, at + len - 4, 4), s);
                return new X86Forms(ALU, s, alu, store ? 0 : -1, Operand.reg(0), Operand.imm(imm), 0, 0, 0);
            }
            if ((op & 7) == 1) { // r/m op= r
                if (d.isMem() && (alu == Alu.ADC || alu == Alu.SBB)) {
                    return null;
                }
                Operand rm = source(d, s);
                return rm == null ? null
                        : new X86Forms(ALU, s, alu, store ? dest(rm) : -1, rm, Operand.reg(d.reg()), 0, 0, 0);
            }
            Operand rm = source(d, s); // r op= r/m
            return rm == null ? null : new X86Forms(ALU, s, alu, store ? d.reg() : -1, Operand.reg(d.reg()), rm, 0, 0, 0);
        }
        switch (op) {
            case 0x81, 0x83 -> {
                int alu = d.modrmReg();
                boolean store = alu != Alu.CMP;
                if (d.isMem() && (alu == Alu.ADC || alu == Alu.SBB)) {
                    return null;
                }
                long imm = op == 0x83 ? (byte) bytes.byteAt(at + len - 1) : (int) le(bytes, at + len - 4, 4);
                Operand rm = source(d, s);
                return rm == null ? null
                        : new X86Forms(ALU, s, alu, store ? dest(rm) : -1, rm, Operand.imm(Alu.trunc(imm, s)), 0, 0, 0);
            }
            case 0x85 -> {
                Operand rm = source(d, s);
                return rm == null ? null : new X86Forms(ALU, s, TEST, -1, rm, Operand.reg(d.reg()), 0, 0, 0);
            }
            case 0xf7 -> { // TEST r/m, imm (/0 and its alias /1), NOT and NEG of a register, MUL/IMUL, DIV/IDIV
                int g = d.modrmReg();
                if (g == 6 || g == 7) {
                    Operand src = source(d, s);
                    return src == null ? null : new X86Forms(DIV, s, g, -1, null, src, 0, 0, 0);
                }
                if (g == 4 || g == 5) {
                    Operand src = source(d, s);
                    return src == null ? null : new X86Forms(MUL, s, g, -1, null, src, 0, 0, 0);
                }
                if (g == 2 || g == 3) {
                    if (d.isMem()) {
                        return null;
                    }
                    return g == 2 ? new X86Forms(NOT, s, 0, d.rm(), null, null, 0, 0, 0) // NEG: flags of 0 - r
                            : new X86Forms(ALU, s, Alu.SUB, d.rm(), Operand.imm(0), Operand.reg(d.rm()), 0, 0, 0);
                }
                if (g > 1) {
                    return null;
                }
                Operand rm = source(d, s);
                long imm = Alu.trunc((int) le(bytes, at + len - 4, 4), s);
                return rm == null ? null : new X86Forms(ALU, s, TEST, -1, rm, Operand.imm(imm), 0, 0, 0);
            }
            case 0xa9 -> {
                long imm = Alu.trunc((int) le(bytes, at + len - 4, 4), s);
                return new X86Forms(ALU, s, TEST, -1, Operand.reg(0), Operand.imm(imm), 0, 0, 0);
            }
            case 0x69, 0x6b -> { // IMUL r, r/m, imm
                long imm = op == 0x6b ? (byte) bytes.byteAt(at + len - 1) : (int) le(bytes, at + len - 4, 4);
                Operand src = source(d, s);
                return src == null ? null
                        : new X86Forms(IMUL, s, 0, d.reg(), src, Operand.imm(Alu.trunc(imm, s)), 0, 0, 0);
            }
            case 0xc1, 0xd1, 0xd3 -> { // shifts and rotates of a register by imm8, 1 or CL
                if (d.isMem()) {
                    return null;
                }
                Operand count = op == 0xd3 ? Operand.reg(X86Cpu.RCX)
                        : Operand.imm(op == 0xd1 ? 1 : bytes.byteAt(at + len - 1) & 0xff);
                return new X86Forms(SHIFT, s, d.modrmReg(), Rm.rmReg(d, s), null, count, 0, 0, 0);
            }
            case 0x89 -> {
                if (d.isMem()) {
                    Operand m = source(d, s);
                    return m == null ? null : new X86Forms(STORE, s, 0, -1, m, Operand.reg(d.reg()), 0, 0, 0);
                }
                return new X86Forms(MOV, s, 0, d.rm(), null, Operand.reg(d.reg()), 0, 0, 0);
            }
            case 0x8b -> {
                Operand src = source(d, s);
                return src == null ? null : new X86Forms(MOV, s, 0, d.reg(), null, src, 0, 0, 0);
            }
            case 0xc7 -> {
                if (d.modrmReg() != 0) {
                    return null;
                }
                Operand imm = Operand.imm(Alu.trunc((int) le(bytes, at + len - 4, 4), s));
                if (d.isMem()) {
                    Operand m = source(d, s);
                    return m == null ? null : new X86Forms(STORE, s, 0, -1, m, imm, 0, 0, 0);
                }
                return new X86Forms(MOV, s, 0, d.rm(), null, imm, 0, 0, 0);
            }
            case 0x8d -> {
                Operand m = source(d, s);
                return m == null || !m.isMem() ? null : new X86Forms(LEA, s, 0, d.reg(), m, null, 0, 0, 0);
            }
            case 0x63 -> {
                if (d.mode != 64 || s != 64) {
                    return null;
                }
                Operand src = source(d, 32);
                return src == null ? null : new X86Forms(MOVX, 64, 0, d.reg(), null, src, 32, 1, 0);
            }
            case 0xff -> {
                int g = d.modrmReg();
                if ((g == 2 || g == 4) && BranchOps.branchSize(d) != 16) { // CALL r/m, JMP r/m
                    int bs = BranchOps.branchSize(d);
                    Operand to = source(d, bs);
                    return to == null ? null
                            : new X86Forms(g == 2 ? CALL : JMP, bs, 0, -1, null, to, 0, 0, BranchOps.ipMask(d));
                }
                if (g > 1) {
                    return null;
                }
                if (d.isMem()) { // INC/DEC of memory: read-modify-write
                    Operand m = source(d, s);
                    return m == null ? null : new X86Forms(INCDEC, s, 0, TO_MEMORY, m, null, g == 0 ? 1 : -1, 0, 0);
                }
                return new X86Forms(INCDEC, s, 0, d.rm(), null, null, g == 0 ? 1 : -1, 0, 0);
            }
            default -> {
                if (op >= 0xb8 && op <= 0xbf) {
                    int n = op & 7 | (d.rex & 1) << 3;
                    long imm = s == 64 ? le(bytes, at + len - 8, 8) : le(bytes, at + len - 4, 4);
                    return new X86Forms(MOV, s, 0, n, null, Operand.imm(imm), 0, 0, 0);
                }
                return null;
            }
        }
    }

    /**
     * The byte forms: MOV to memory (from a register or an immediate), the ALU ops of a register destination (written
     * as X86Cpu.setReg8 does) or of none (CMP/TEST, also on memory), TEST r/m8, imm8.
     */
    private static X86Forms byteForm(Insn d, Insn.Fetcher bytes, int at, int len) {
        int op = d.opcode;
        if (op < 0x40 && ((op & 7) == 0 || (op & 7) == 2 || (op & 7) == 4)) {
            int alu = op >>> 3;
            boolean store = alu != Alu.CMP;
            if (alu == Alu.ADC || alu == Alu.SBB) {
                return null; // their carry in: the wide forms only
            }
            if ((op & 7) == 4) { // AL, imm8
                long imm = bytes.byteAt(at + len - 1);
                return new X86Forms(ALU, 8, alu, store ? 0 : -1, Operand.reg(0), Operand.imm(imm), 0, 0, 0);
            }
            Operand rm = source(d, 8);
            Operand r = Operand.reg(d.byteReg(d.reg()));
            if (rm == null) {
                return null;
            }
            return (op & 7) == 0 ? new X86Forms(ALU, 8, alu, store ? dest(rm) : -1, rm, r, 0, 0, 0)
                    : new X86Forms(ALU, 8, alu, store ? r.reg() : -1, r, rm, 0, 0, 0);
        }
        switch (op) {
            case 0x88 -> {
                if (!d.isMem()) {
                    return null;
                }
                Operand m = source(d, 8);
                return m == null ? null : new X86Forms(STORE, 8, 0, -1, m, Operand.reg(d.byteReg(d.reg())), 0, 0, 0);
            }
            case 0xc6 -> {
                if (d.modrmReg() != 0 || !d.isMem()) {
                    return null;
                }
                Operand m = source(d, 8);
                long imm = bytes.byteAt(at + len - 1);
                return m == null ? null : new X86Forms(STORE, 8, 0, -1, m, Operand.imm(imm), 0, 0, 0);
            }
            case 0x80 -> {
                int alu = d.modrmReg();
                boolean store = alu != Alu.CMP;
                Operand rm = source(d, 8);
                if (rm == null || store && (alu == Alu.ADC || alu == Alu.SBB)) {
                    return null;
                }
                long imm = bytes.byteAt(at + len - 1);
                return new X86Forms(ALU, 8, alu, store ? dest(rm) : -1, rm, Operand.imm(imm), 0, 0, 0);
            }
            case 0xf6 -> { // TEST r/m8, imm8 (/0 and its alias /1)
                if (d.modrmReg() > 1) {
                    return null;
                }
                Operand rm = source(d, 8);
                long imm = bytes.byteAt(at + len - 1);
                return rm == null ? null : new X86Forms(ALU, 8, TEST, -1, rm, Operand.imm(imm), 0, 0, 0);
            }
            case 0x84 -> {
                Operand rm = source(d, 8);
                return rm == null ? null
                        : new X86Forms(ALU, 8, TEST, -1, rm, Operand.reg(d.byteReg(d.reg())), 0, 0, 0);
            }
            case 0xa8 -> {
                long imm = bytes.byteAt(at + len - 1);
                return new X86Forms(ALU, 8, TEST, -1, Operand.reg(0), Operand.imm(imm), 0, 0, 0);
            }
            default -> {
                return null;
            }
        }
    }

    /** The 16-bit forms that write no register: stores, CMP and TEST (flags at 16 bits), also of memory. */
    private static X86Forms wordForm(Insn d, Insn.Fetcher bytes, int at, int len) {
        int op = d.opcode;
        switch (op) {
            case 0x89 -> {
                Operand m = d.isMem() ? source(d, 16) : null;
                return m == null ? null : new X86Forms(STORE, 16, 0, -1, m, Operand.reg(d.reg()), 0, 0, 0);
            }
            case 0xc7 -> {
                Operand m = d.modrmReg() == 0 && d.isMem() ? source(d, 16) : null;
                long imm = le(bytes, at + len - 2, 2);
                return m == null ? null : new X86Forms(STORE, 16, 0, -1, m, Operand.imm(imm), 0, 0, 0);
            }
            case 0x39, 0x3b, 0x85 -> {
                Operand rm = source(d, 16);
                Operand r = Operand.reg(d.reg());
                int alu = op == 0x85 ? TEST : Alu.CMP;
                return rm == null ? null
                        : new X86Forms(ALU, 16, alu, -1, op == 0x3b ? r : rm, op == 0x3b ? rm : r, 0, 0, 0);
            }
            case 0x3d, 0xa9 -> {
                long imm = le(bytes, at + len - 2, 2);
                return new X86Forms(ALU, 16, op == 0xa9 ? TEST : Alu.CMP, -1, Operand.reg(0), Operand.imm(imm), 0, 0, 0);
            }
            case 0x81, 0x83, 0xf7 -> {
                int g = d.modrmReg();
                if (op == 0xf7 ? g > 1 : g != Alu.CMP) {
                    return null;
                }
                Operand rm = source(d, 16);
                long imm = Alu.trunc(op == 0x83 ? (byte) bytes.byteAt(at + len - 1) : le(bytes, at + len - 2, 2), 16);
                return rm == null ? null
                        : new X86Forms(ALU, 16, op == 0xf7 ? TEST : Alu.CMP, -1, rm, Operand.imm(imm), 0, 0, 0);
            }
            default -> {
                return null;
            }
        }
    }

    /** JMP rel8/rel32, CALL rel32 and RET of a 32/64-bit code size. */
    private static X86Forms transfer(Insn d, Insn.Fetcher bytes, int at, int len) {
        int bs = BranchOps.branchSize(d);
        if (bs == 16) {
            return null;
        }
        long mask = BranchOps.ipMask(d);
        return switch (d.opcode) {
            case 0xeb -> new X86Forms(JMP, bs, 0, -1, null, null, (byte) bytes.byteAt(at + len - 1), 0, mask);
            case 0xe9 -> new X86Forms(JMP, bs, 0, -1, null, null, (int) le(bytes, at + len - 4, 4), 0, mask);
            case 0xe8 -> new X86Forms(CALL, bs, 0, -1, null, null, (int) le(bytes, at + len - 4, 4), 0, mask);
            default -> new X86Forms(RET, bs, 0, -1, null, null, 0, 0, mask);
        };
    }

    private static X86Forms jcc(Insn d, int cc, long rel) {
        if (BranchOps.branchSize(d) == 16) {
            return null;
        }
        return new X86Forms(JCC, 0, 0, -1, null, null, rel, cc, BranchOps.ipMask(d));
    }

    /** Where an ALU op whose first operand is {@code rm} stores its result: the register, or {@link #TO_MEMORY}. */
    private static int dest(Operand rm) {
        return rm.isMem() ? TO_MEMORY : rm.reg();
    }

    /** The r/m operand at {@code size}; null for 16-bit addressing. */
    private static Operand source(Insn d, int size) {
        if (!d.isMem()) {
            return Operand.reg(Rm.rmReg(d, size));
        }
        Ea ea = d.ea();
        return ea.addrsize == 16 ? null : Operand.mem(ea);
    }

    /** {@code n} little-endian bytes at {@code at}, zero-extended. */
    private static long le(Insn.Fetcher bytes, int at, int n) {
        long v = 0;
        for (int i = n - 1; i >= 0; i--) {
            v = v << 8 | bytes.byteAt(at + i);
        }
        return v;
    }
}
