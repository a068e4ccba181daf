package dev.jemu.arm.cpu;

import static java.lang.constant.ConstantDescs.*;

import dev.jemu.core.memory.RawMemory;
import java.lang.classfile.CodeBuilder;
import java.lang.classfile.Label;
import java.lang.constant.ClassDesc;
import java.lang.constant.MethodTypeDesc;
import java.util.function.IntConsumer;

/**
 * The body of one {@link ArmJit} block's {@code run(ArmCpu c, long pc)}: the common A64 integer instructions
 * (add/subtract, logical, move wide, ADR/ADRP, bitfield, multiply-add, conditional select and compare, every
 * branch) and the general-register loads and stores (single and pair; immediate, pre/post-index and register
 * offsets) become bytecode; any other instruction calls its decoded op ({@link #fallback}).
 *
 * <p>Guest X registers (and SP) live in JVM locals inside the block: each is loaded from {@code c.x} where the
 * block first uses it, and the ones written go back to {@code c.x} at every exit and before any call that may
 * see them or raise an exception (a fallback op, a load or store slow path), so every exception is precise:
 * {@code c.pc} is the faulting instruction and {@code c.x} holds what the instructions before it wrote. Since a
 * block is straight-line code whose only branches leave it, which registers are loaded and written is known at
 * each instruction when the bytecode is made. The flags likewise: an instruction that sets NZCV computes them
 * inline into four int locals (no call of Alu), conditions read the locals, and they go back to
 * {@link ArmCpu}'s fields with the registers; until an instruction of the block sets them, conditions read the fields.
 *
 * <p>Loads and stores look up the {@link Mmu}'s read or write TLB inline (the same tag and page-crossing test as
 * {@link Mmu#read64}) and access guest RAM through {@link RawMemory}; a miss calls the CPU's access method, which
 * walks, fills the TLB, reaches devices or aborts. A slow path that ended the block's assumptions (a store to code,
 * a device access) sets {@code c.leave} and the block exits after the instruction.
 */
final class BlockEmitter {
    static final ClassDesc CD_CPU = ClassDesc.of("dev.jemu.arm.cpu.ArmCpu");
    static final ClassDesc CD_OP = ClassDesc.of("dev.jemu.arm.cpu.ArmOp");
    private static final ClassDesc CD_MMU = ClassDesc.of("dev.jemu.arm.cpu.Mmu");
    private static final ClassDesc CD_RAW = ClassDesc.of("dev.jemu.core.memory.RawMemory");
    private static final ClassDesc CD_UNSAFE = ClassDesc.of("sun.misc.Unsafe");
    private static final ClassDesc CD_LONGS = CD_long.arrayType();
    private static final MethodTypeDesc MTD_EXEC = MethodTypeDesc.of(CD_void, CD_CPU);
    private static final long W = Alu.W;

    // locals of run(): 0 this, 1 c, 2 pc (the block's guest address: blocks are position-independent), then the
    // TLB state loaded at the first memory access, scratch, and the guest registers X0..X30, SP at REGS + 2r
    private static final int C = 1, PC = 2, X = 4, RTAG = 5, ROFF = 6, WTAG = 7, WOFF = 8, T = 9, ADDR = 10,
            MEMBASE = 12, KEY = 14, SALT = 16, TMP = 18, TMP2 = 20, REGS = 22, DONE = REGS + 64, LIMIT = DONE + 1;
    /** The flags N, Z, C, V (ints 0/1) once an instruction of the block set them, and the operands of a flag-setting add. */
    private static final int NF = LIMIT + 1, FA = NF + 4, FB = FA + 2, FR = FB + 2;
    private static final String[] FLAG_FIELDS = {"nf", "zf", "cf", "vf"};
    /** The index of the flags in {@link #touched} and a looping block's preload. */
    static final int FLAGS = 32;

    private final CodeBuilder cb;
    private final ClassDesc self;
    private final int[] insns;
    private final int n;
    /** Which ops the block calls (their static fields must exist). */
    final boolean[] calls;
    /** Per register (0..31): its local holds the current value / differs from c.x. */
    private boolean[] loaded = new boolean[32], dirty = new boolean[32];
    private boolean memReady;
    /** Instructions emitted as bytecode (the others are calls). */
    int emitted;

    /** Every instruction calls its op (-Djemu.jit.calls=true: the call-threaded blocks, to compare). */
    private final boolean callsOnly;

    /**
     * A looping block (a branch back to its start becomes a JVM loop): the registers it touches (found by a first
     * emission of the same block), loaded before the loop and written back at every exit; null otherwise.
     */
    private final boolean[] preload;
    private final boolean loops;
    private Label head;
    /** Registers the emitted code loads or writes (read after {@link #emit}, for a looping block's preload). */
    final boolean[] touched = new boolean[33];
    /** The flag locals hold the current NZCV / differ from c's fields. */
    private boolean flagsLoaded, flagsDirty;

    BlockEmitter(CodeBuilder cb, ClassDesc self, int[] insns, int n, boolean callsOnly, boolean[] preload) {
        this.callsOnly = callsOnly;
        this.preload = preload;
        this.loops = preload != null;
        this.cb = cb;
        this.self = self;
        this.insns = insns;
        this.n = n;
        this.calls = new boolean[n];
    }

    static String field(int i) {
        return "op" + i;
    }

    void emit() {
        cb.aload(C).getfield(CD_CPU, "x", CD_LONGS).astore(X);
        if (loops) {
            for (int r = 0; r < 32; r++) {
                if (preload[r]) {
                    ensure(r);
                    dirty[r] = true; // (a later pass may have changed it: written back at every exit)
                }
            }
            if (preload[FLAGS]) {
                loadFlags();
                flagsDirty = true;
            }
            prepareMemory();
            cb.iconst_0().istore(DONE);
            cb.aload(C).getfield(CD_CPU, "jitBudget", CD_int).istore(LIMIT);
            head = cb.newBoundLabel();
        }
        boolean ended = false;
        for (int i = 0; i < n; i++) {
            ended = instruction(i);
            if (!emittedLast) {
                ended = fallback(i);
            }
        }
        if (!ended) {
            exit(n, 4L * n);
        }
    }

    private boolean emittedLast;

    /** Emits instruction i as bytecode if it can (emittedLast), returning whether the block's code ended there. */
    private boolean instruction(int i) {
        int insn = insns[i];
        emittedLast = !callsOnly;
        if (callsOnly) {
            return false;
        }
        int k = kind(insn);
        if ((DEBUG_KINDS >>> k & 1) == 0) { emittedLast = false; return false; }
        boolean done = switch (k) {
            case 1 -> addSubImm(insn);
            case 2 -> logicalImm(insn);
            case 3 -> moveWide(insn);
            case 4 -> bitfield(insn);
            case 5 -> pcRel(i, insn);
            case 6 -> logicalReg(insn);
            case 7 -> addSubShifted(insn);
            case 8 -> addSubExtended(insn);
            case 9 -> condSelect(insn);
            case 10 -> condCompare(insn);
            case 11 -> threeSource(insn);
            case 12 -> single(i, insn);
            case 13 -> pair(i, insn);
            default -> false;
        };
        if (done) {
            emitted++;
            return false;
        }
        int b = (DEBUG_KINDS >>> 14 & 1) == 0 ? -1 : branch(i, insn);
        if (b >= 0) {
            emitted++;
            return b == 1;
        }
        emittedLast = false;
        return false;
    }

    /**
     * For bisecting a JIT difference: {@code -Djemu.jit.kinds=MASK} emits only the instruction kinds whose bit is set
     * (bit k: kind k below, bit 14: branches); the others call their ops.
     */
    static final int DEBUG_KINDS = Integer.getInteger("jemu.jit.kinds", -1);

    private static int kind(int insn) {
        if ((insn & 0x1f800000) == 0x11000000) return 1;
        if ((insn & 0x1f800000) == 0x12000000) return 2;
        if ((insn & 0x1f800000) == 0x12800000) return 3;
        if ((insn & 0x1f800000) == 0x13000000) return 4;
        if ((insn & 0x1f000000) == 0x10000000) return 5;
        if ((insn & 0x1f000000) == 0x0a000000) return 6;
        if ((insn & 0x1f200000) == 0x0b000000) return 7;
        if ((insn & 0x1f200000) == 0x0b200000) return 8;
        if ((insn & 0x1fe00000) == 0x1a800000) return 9;
        if ((insn & 0x1fe00000) == 0x1a400000) return 10;
        if ((insn & 0x1f000000) == 0x1b000000) return 11;
        if ((insn & 0x3e000000) == 0x38000000) return 12; // (bit 25 clear: not data processing)
        if ((insn & 0x3e000000) == 0x28000000) return 13;
        return 0;
    }

    // ---------------------------------------------------------------- registers in locals

    private static int slot(int r) {
        return REGS + 2 * r;
    }

    /** Loads register r into its local here, unless it is there already (call before any branch splits the code). */
    private void ensure(int r) {
        if (r < 32) touched[r] = true;
        if (r < 32 && !loaded[r]) {
            cb.aload(X).loadConstant(r).laload().lstore(slot(r));
            loaded[r] = true;
        }
    }

    /** Pushes register r (ZR: 0). */
    private void use(int r) {
        if (r == Regs.ZR) {
            cb.lconst_0();
        } else {
            ensure(r);
            cb.lload(slot(r));
        }
    }

    /** Pops the value on the stack into register r (SINK: dropped). */
    private void def(int r) {
        if (r >= 32) {
            cb.pop2();
        } else {
            cb.lstore(slot(r));
            loaded[r] = dirty[r] = touched[r] = true;
        }
    }

    private void writeback() {
        for (int r = 0; r < 32; r++) {
            if (dirty[r]) {
                cb.aload(X).loadConstant(r).lload(slot(r)).lastore();
            }
        }
        if (flagsDirty) {
            for (int f = 0; f < 4; f++) cb.aload(C).iload(NF + f).putfield(CD_CPU, FLAG_FIELDS[f], CD_int);
        }
    }

    /** Loads NZCV into the flag locals unless they are there. */
    private void loadFlags() {
        if (!flagsLoaded) {
            for (int f = 0; f < 4; f++) cb.aload(C).getfield(CD_CPU, FLAG_FIELDS[f], CD_int).istore(NF + f);
            flagsLoaded = true;
        }
    }

    /** The flag locals were just all written. */
    private void flagsSet() {
        flagsLoaded = flagsDirty = touched[FLAGS] = true;
    }

    /** Leaves the block after {@code retired} instructions, continuing at pc + {@code off}. */
    private void exit(int retired, long off) {
        writeback();
        cb.aload(C).lload(PC);
        if (off != 0) cb.loadConstant(off).ladd();
        cb.putfield(CD_CPU, "npc", CD_long);
        retire(retired);
    }

    /** Returns {@code k} instructions of this pass retired (plus the passes before it in a looping block). */
    private void retire(int k) {
        if (loops) {
            cb.iload(DONE).loadConstant(k).iadd().ireturn();
        } else {
            cb.loadConstant(k).ireturn();
        }
    }

    /**
     * The branch of instruction i back to the block's start in a looping block: the registers it holds (all
     * reloaded if a call dropped them) carry over in the locals, and the loop goes on while the run's budget
     * has room for another whole pass; else the block exits to its start.
     */
    private void backEdge(int i) {
        boolean[] loaded0 = loaded.clone(), dirty0 = dirty.clone();
        boolean flagsLoaded0 = flagsLoaded, flagsDirty0 = flagsDirty;
        for (int r = 0; r < 32; r++) {
            if (preload[r]) ensure(r);
        }
        if (preload[FLAGS]) {
            loadFlags(); // (as at the loop's head)
            flagsDirty = true;
        }
        cb.iload(DONE).loadConstant(i + 1).iadd().istore(DONE);
        cb.aload(C).iload(DONE).putfield(CD_CPU, "jitDone", CD_int);
        cb.iload(DONE).iload(LIMIT).if_icmple(head);
        writeback();
        cb.aload(C).lload(PC).putfield(CD_CPU, "npc", CD_long);
        cb.iload(DONE).ireturn();
        loaded = loaded0;
        dirty = dirty0;
        flagsLoaded = flagsLoaded0;
        flagsDirty = flagsDirty0;
    }

    private void setPc(int i) {
        cb.aload(C).lload(PC);
        if (i != 0) cb.loadConstant(4L * i).ladd();
        cb.putfield(CD_CPU, "pc", CD_long);
    }

    /** Instruction i as a call of its op: registers written back before, reloaded on use after. */
    private boolean fallback(int i) {
        calls[i] = true;
        writeback();
        loaded = new boolean[32];
        dirty = new boolean[32];
        flagsLoaded = flagsDirty = false; // (the op may read or set them in c)
        setPc(i);
        cb.aload(C).lload(PC).loadConstant(4L * i + 4).ladd().putfield(CD_CPU, "npc", CD_long);
        cb.getstatic(self, field(i), CD_OP).aload(C).invokeinterface(CD_OP, "exec", MTD_EXEC);
        if (memReady) {
            reloadMemBase();
        }
        if (i == n - 1) {
            retire(n); // the op set c.npc
            return true;
        }
        Label next = cb.newLabel(), out = cb.newLabel();
        if (ArmJit.conditionalBranch(insns[i])) {
            cb.aload(C).getfield(CD_CPU, "npc", CD_long).lload(PC).loadConstant(4L * i + 4).ladd().lcmp().ifne(out);
        }
        cb.aload(C).getfield(CD_CPU, "leave", CD_boolean).ifeq(next);
        cb.labelBinding(out);
        retire(i + 1);
        cb.labelBinding(next);
        return false;
    }

    // ---------------------------------------------------------------- conditions (flags in ArmCpu's fields)

    /** Jumps to {@code to} when condition {@code cond} holds ({@code negate}: when it does not). */
    private void jumpIf(int cond, boolean negate, Label to) {
        boolean inv = ((cond & 1) != 0 && cond != 15) ^ negate;
        boolean zeroHolds; // the condition holds when the pushed int is 0 (else when it is not 0)
        switch (cond >>> 1) {
            case 0 -> { flag("zf"); zeroHolds = false; }
            case 1 -> { flag("cf"); zeroHolds = false; }
            case 2 -> { flag("nf"); zeroHolds = false; }
            case 3 -> { flag("vf"); zeroHolds = false; }
            case 4 -> { flag("cf"); flag("zf"); cb.iconst_1().ixor().iand(); zeroHolds = false; } // C && !Z
            case 5 -> { flag("nf"); flag("vf"); cb.ixor(); zeroHolds = true; } // N == V
            case 6 -> { flag("nf"); flag("vf"); cb.ixor(); flag("zf"); cb.ior(); zeroHolds = true; } // N == V && !Z
            default -> {
                if (!negate) cb.goto_(to); // AL, NV: always
                return;
            }
        }
        if (zeroHolds ^ inv) {
            cb.ifeq(to);
        } else {
            cb.ifne(to);
        }
    }

    private void flag(String name) {
        if (flagsLoaded) {
            cb.iload(NF + java.util.Arrays.asList(FLAG_FIELDS).indexOf(name));
        } else {
            cb.aload(C).getfield(CD_CPU, name, CD_int);
        }
    }

    // ---------------------------------------------------------------- data processing

    /** a + b + cin (the three longs on the stack) with NZCV into the flag locals, as Alu.adds64 / adds32. */
    private void adds(boolean sf) {
        if (sf) {
            cb.lstore(FR).lstore(FB).lstore(FA);
            cb.lload(FA).lload(FB).ladd().lload(FR).ladd().lstore(FR);
            cb.lload(FR).loadConstant(63).lushr().l2i().istore(NF);
            cb.lload(FR).lload(FR).lneg().lor().loadConstant(63).lushr().l2i().iconst_1().ixor().istore(NF + 1);
            cb.lload(FA).lload(FB).land().lload(FA).lload(FB).lor().lload(FR).loadConstant(-1L).lxor().land().lor()
                    .loadConstant(63).lushr().l2i().istore(NF + 2);
            cb.lload(FA).lload(FR).lxor().lload(FB).lload(FR).lxor().land().loadConstant(63).lushr().l2i().istore(NF + 3);
            cb.lload(FR);
        } else {
            cb.l2i().istore(FR).l2i().istore(FB).l2i().istore(FA);
            cb.iload(FA).iload(FB).iadd().iload(FR).iadd().istore(FR);
            cb.iload(FR).loadConstant(31).iushr().istore(NF);
            cb.iload(FR).iload(FR).ineg().ior().loadConstant(31).iushr().iconst_1().ixor().istore(NF + 1);
            cb.iload(FA).iload(FB).iand().iload(FA).iload(FB).ior().iload(FR).iconst_m1().ixor().iand().ior()
                    .loadConstant(31).iushr().istore(NF + 2);
            cb.iload(FA).iload(FR).ixor().iload(FB).iload(FR).ixor().iand().loadConstant(31).iushr().istore(NF + 3);
            cb.iload(FR).i2l().loadConstant(W).land();
        }
        flagsSet();
    }

    /** The flags of ANDS/BICS for the result on the stack (left there, zero-extended when 32-bit), as Alu.logic64 / logic32. */
    private void logicFlags(boolean sf) {
        if (!sf) cb.loadConstant(W).land();
        cb.lstore(FR);
        int top = sf ? 63 : 31;
        cb.lload(FR).loadConstant(top).lushr().l2i().iconst_1().iand().istore(NF);
        if (sf) {
            cb.lload(FR).lload(FR).lneg().lor().loadConstant(63).lushr().l2i().iconst_1().ixor().istore(NF + 1);
        } else {
            cb.lload(FR).l2i().dup().ineg().ior().loadConstant(31).iushr().iconst_1().ixor().istore(NF + 1);
        }
        cb.iconst_0().istore(NF + 2);
        cb.iconst_0().istore(NF + 3);
        cb.lload(FR);
        flagsSet();
    }

    private void zext(boolean sf) {
        if (!sf) cb.loadConstant(W).land();
    }

    private boolean addSubImm(int insn) {
        boolean sf = insn < 0, sub = (insn & (1 << 30)) != 0, flags = (insn & (1 << 29)) != 0;
        long imm = (long) ((insn >>> 10) & 0xfff) << ((insn & (1 << 22)) != 0 ? 12 : 0);
        int rn = (insn >>> 5) & 31, rd = flags ? Regs.wz(insn & 31) : insn & 31;
        if (flags) {
            use(rn);
            cb.loadConstant(sub ? ~imm : imm).loadConstant(sub ? 1L : 0L);
            adds(sf);
        } else {
            use(rn);
            if (imm != 0) cb.loadConstant(sub ? -imm : imm).ladd();
            zext(sf);
        }
        def(rd);
        return true;
    }

    private boolean logicalImm(int insn) {
        boolean sf = insn < 0;
        long mask = Alu.bitMask((insn >>> 22) & 1, (insn >>> 16) & 63, (insn >>> 10) & 63, sf);
        if (mask == 0) {
            return false;
        }
        int opc = (insn >>> 29) & 3;
        int rn = Regs.rz((insn >>> 5) & 31), rd = opc == 3 ? Regs.wz(insn & 31) : insn & 31;
        use(rn);
        cb.loadConstant(mask);
        logicalOp(opc, sf);
        def(rd);
        return true;
    }

    /** AND, ORR, EOR or ANDS (opc) of the two operands on the stack (ANDS: c pushed under them). */
    private void logicalOp(int opc, boolean sf) {
        switch (opc) {
            case 0 -> { cb.land(); zext(sf); }
            case 1 -> { cb.lor(); zext(sf); }
            case 2 -> { cb.lxor(); zext(sf); }
            default -> { cb.land(); logicFlags(sf); }
        }
    }

    private boolean moveWide(int insn) {
        boolean sf = insn < 0;
        int opc = (insn >>> 29) & 3, hw = (insn >>> 21) & 3;
        if (opc == 1 || (!sf && hw >= 2)) {
            return false;
        }
        int rd = Regs.wz(insn & 31);
        int shift = hw * 16;
        long imm = (long) ((insn >>> 5) & 0xffff) << shift;
        if (rd == Regs.SINK) {
            return true;
        }
        switch (opc) {
            case 0 -> cb.loadConstant(sf ? ~imm : ~imm & W);
            case 2 -> cb.loadConstant(imm);
            default -> {
                use(rd);
                cb.loadConstant(~(0xffffL << shift) & (sf ? -1L : W)).land().loadConstant(imm).lor();
            }
        }
        def(rd);
        return true;
    }

    /** SBFM, BFM, UBFM with the interpreter's shifts and masks (see DataProcImm.bitfield). */
    private boolean bitfield(int insn) {
        boolean sf = insn < 0;
        int opc = (insn >>> 29) & 3, nBit = (insn >>> 22) & 1;
        int immr = (insn >>> 16) & 63, imms = (insn >>> 10) & 63;
        if (opc == 3 || nBit != (sf ? 1 : 0) || (!sf && (immr >= 32 || imms >= 32))) {
            return false;
        }
        int size = sf ? 64 : 32;
        int rn = Regs.rz((insn >>> 5) & 31), rd = Regs.wz(insn & 31);
        if (rd == Regs.SINK) {
            return true;
        }
        boolean extract = imms >= immr;
        int width = extract ? imms - immr + 1 : imms + 1;
        int lsb = extract ? 0 : size - immr;
        long fieldMask = width == 64 ? -1L : (1L << width) - 1;
        long outMask = sf ? -1L : W;
        switch (opc) {
            case 0 -> {
                int up = 64 - (extract ? imms + 1 : width), down = 64 - width;
                use(rn);
                if (extract) {
                    cb.loadConstant(up).lshl().loadConstant(up + immr).lshr();
                    zext(sf);
                } else {
                    cb.loadConstant(down).lshl().loadConstant(down).lshr().loadConstant(lsb).lshl();
                    zext(sf);
                }
            }
            case 2 -> {
                use(rn);
                if (extract) {
                    cb.loadConstant(immr).lushr().loadConstant(fieldMask).land();
                } else {
                    cb.loadConstant(fieldMask).land().loadConstant(lsb).lshl().loadConstant(outMask).land();
                }
            }
            default -> {
                long place = (fieldMask << lsb) & outMask;
                use(rd);
                cb.loadConstant(~place & outMask).land();
                use(rn);
                if (extract) {
                    cb.loadConstant(immr).lushr().loadConstant(fieldMask).land();
                } else {
                    cb.loadConstant(lsb).lshl().loadConstant(place).land();
                }
                cb.lor();
            }
        }
        def(rd);
        return true;
    }

    private boolean pcRel(int i, int insn) {
        int rd = Regs.wz(insn & 31);
        long imm = ((long) (insn << 8 >> 13) << 2) | ((insn >>> 29) & 3);
        cb.lload(PC);
        if (insn < 0) {
            if (i != 0) cb.loadConstant(4L * i).ladd();
            cb.loadConstant(~0xfffL).land().loadConstant(imm << 12).ladd();
        } else {
            cb.loadConstant(4L * i + imm).ladd();
        }
        def(rd);
        return true;
    }

    /** Pushes register m shifted by {@code type} (LSL, LSR, ASR, ROR) {@code a}, as a 32- or 64-bit operand. */
    private void shifted(int m, int type, int a, boolean sf) {
        use(m);
        if (a == 0) {
            return;
        }
        switch (type) {
            case 0 -> cb.loadConstant(a).lshl();
            case 1 -> {
                if (!sf) cb.loadConstant(W).land();
                cb.loadConstant(a).lushr();
            }
            case 2 -> {
                if (!sf) cb.l2i().i2l();
                cb.loadConstant(a).lshr();
            }
            default -> {
                if (sf) {
                    cb.loadConstant(a).invokestatic(CD_Long, "rotateRight", MethodTypeDesc.of(CD_long, CD_long, CD_int));
                } else {
                    cb.l2i().loadConstant(a).invokestatic(CD_Integer, "rotateRight", MethodTypeDesc.of(CD_int, CD_int, CD_int)).i2l();
                }
            }
        }
    }

    private boolean logicalReg(int insn) {
        boolean sf = insn < 0;
        int a = (insn >>> 10) & 63;
        if (!sf && a >= 32) {
            return false;
        }
        int opc = (insn >>> 29) & 3, type = (insn >>> 22) & 3;
        boolean inv = (insn & (1 << 21)) != 0;
        int rd = Regs.wz(insn & 31), rn = Regs.rz((insn >>> 5) & 31), rm = Regs.rz((insn >>> 16) & 31);
        use(rn);
        shifted(rm, type, a, sf);
        if (inv) cb.loadConstant(-1L).lxor();
        logicalOp(opc, sf);
        def(rd);
        return true;
    }

    private boolean addSubShifted(int insn) {
        boolean sf = insn < 0, sub = (insn & (1 << 30)) != 0, flags = (insn & (1 << 29)) != 0;
        int type = (insn >>> 22) & 3, a = (insn >>> 10) & 63;
        if (type == 3 || (!sf && a >= 32)) {
            return false;
        }
        int rd = Regs.wz(insn & 31), rn = Regs.rz((insn >>> 5) & 31), rm = Regs.rz((insn >>> 16) & 31);
        addSub(sf, sub, flags, rd, rn, () -> shifted(rm, type, a, sf));
        return true;
    }

    private boolean addSubExtended(int insn) {
        boolean sf = insn < 0, sub = (insn & (1 << 30)) != 0, flags = (insn & (1 << 29)) != 0;
        int a = (insn >>> 10) & 7, option = (insn >>> 13) & 7;
        if (((insn >>> 22) & 3) != 0 || a > 4) {
            return false;
        }
        int rd = flags ? Regs.wz(insn & 31) : insn & 31, rn = (insn >>> 5) & 31, rm = Regs.rz((insn >>> 16) & 31);
        addSub(sf, sub, flags, rd, rn, () -> {
            use(rm);
            switch (option) {
                case 0 -> cb.loadConstant(0xffL).land();
                case 1 -> cb.loadConstant(0xffffL).land();
                case 2 -> cb.loadConstant(W).land();
                case 4 -> cb.l2i().i2b().i2l();
                case 5 -> cb.l2i().i2s().i2l();
                case 6 -> cb.l2i().i2l();
                default -> { }
            }
            if (a != 0) cb.loadConstant(a).lshl();
        });
        return true;
    }

    private void addSub(boolean sf, boolean sub, boolean flags, int rd, int rn, Runnable operand) {
        if (flags) {
            use(rn);
            operand.run();
            if (sub) cb.loadConstant(-1L).lxor();
            cb.loadConstant(sub ? 1L : 0L);
            adds(sf);
        } else {
            use(rn);
            operand.run();
            if (sub) cb.lsub(); else cb.ladd();
            zext(sf);
        }
        def(rd);
    }

    private boolean condSelect(int insn) {
        int op2 = (insn >>> 10) & 3;
        if ((insn & (1 << 29)) != 0 || op2 > 1 || ((insn >>> 12) & 15) >= 14) {
            return false; // (AL/NV: the interpreter's op)
        }
        boolean sf = insn < 0, op = (insn & (1 << 30)) != 0;
        int cond = (insn >>> 12) & 15;
        int rd = Regs.wz(insn & 31), rn = Regs.rz((insn >>> 5) & 31), rm = Regs.rz((insn >>> 16) & 31);
        ensure(rn);
        ensure(rm);
        Label holds = cb.newLabel(), done = cb.newLabel();
        jumpIf(cond, false, holds);
        use(rm);
        if (op) {
            if (op2 == 0) cb.loadConstant(-1L).lxor(); else cb.lneg();
        } else if (op2 == 1) {
            cb.lconst_1().ladd();
        }
        cb.goto_(done);
        cb.labelBinding(holds);
        use(rn);
        cb.labelBinding(done);
        zext(sf);
        def(rd);
        return true;
    }

    private boolean condCompare(int insn) {
        if ((insn & (1 << 29)) == 0 || (insn & (1 << 10)) != 0 || (insn & (1 << 4)) != 0 || ((insn >>> 12) & 15) >= 14) {
            return false;
        }
        boolean sf = insn < 0, sub = (insn & (1 << 30)) != 0, imm = (insn & (1 << 11)) != 0;
        int cond = (insn >>> 12) & 15, nzcv = insn & 15, field = (insn >>> 16) & 31;
        int rn = Regs.rz((insn >>> 5) & 31), rm = Regs.rz(field);
        ensure(rn);
        if (!imm) ensure(rm);
        Label holds = cb.newLabel(), done = cb.newLabel();
        jumpIf(cond, false, holds);
        for (int f = 0; f < 4; f++) cb.loadConstant(nzcv >>> (3 - f) & 1).istore(NF + f);
        cb.goto_(done);
        cb.labelBinding(holds);
        use(rn);
        if (imm) {
            cb.loadConstant(sub ? ~(long) field : field);
        } else {
            use(rm);
            if (sub) cb.loadConstant(-1L).lxor();
        }
        cb.loadConstant(sub ? 1L : 0L);
        adds(sf);
        cb.pop2();
        cb.labelBinding(done);
        return true;
    }

    private boolean threeSource(int insn) {
        if (((insn >>> 29) & 3) != 0) {
            return false;
        }
        boolean sf = insn < 0;
        int op = ((insn >>> 20) & 14) | ((insn >>> 15) & 1);
        int rd = Regs.wz(insn & 31), rn = Regs.rz((insn >>> 5) & 31), rm = Regs.rz((insn >>> 16) & 31);
        int ra = Regs.rz((insn >>> 10) & 31);
        if (!sf && op > 1) {
            return false;
        }
        switch (op) {
            case 0, 1 -> { // MADD, MSUB (the low 32 bits are the same computed on 64)
                use(ra);
                use(rn);
                use(rm);
                cb.lmul();
                if (op == 0) cb.ladd(); else cb.lsub();
                zext(sf);
            }
            case 2, 3 -> { // SMADDL, SMSUBL
                use(ra);
                use(rn);
                cb.l2i().i2l();
                use(rm);
                cb.l2i().i2l().lmul();
                if (op == 2) cb.ladd(); else cb.lsub();
            }
            case 10, 11 -> { // UMADDL, UMSUBL
                use(ra);
                use(rn);
                cb.loadConstant(W).land();
                use(rm);
                cb.loadConstant(W).land().lmul();
                if (op == 10) cb.ladd(); else cb.lsub();
            }
            case 4, 12 -> {
                use(rn);
                use(rm);
                cb.invokestatic(ClassDesc.of("java.lang.Math"), op == 4 ? "multiplyHigh" : "unsignedMultiplyHigh",
                        MethodTypeDesc.of(CD_long, CD_long, CD_long));
            }
            default -> {
                return false;
            }
        }
        def(rd);
        return true;
    }

    // ---------------------------------------------------------------- branches

    /** -1: not a branch emitted here; 0: emitted, the block goes on; 1: emitted, the block's code ends. */
    private int branch(int i, int insn) {
        long here = 4L * i, off = branchOffset(insn);
        boolean last = i == n - 1;
        if ((insn & 0xff000010) == 0x54000000) { // B.cond
            int cond = insn & 15;
            if (cond >= 14) {
                taken(i, here + off);
                return 1;
            }
            Label notTaken = cb.newLabel();
            jumpIf(cond, true, notTaken);
            taken(i, here + off);
            cb.labelBinding(notTaken);
            return goOn(i, last);
        }
        if ((insn & 0x7e000000) == 0x34000000) { // CBZ, CBNZ
            boolean nz = (insn & (1 << 24)) != 0;
            use(Regs.rz(insn & 31));
            if (insn < 0) {
                cb.lconst_0().lcmp();
            } else {
                cb.l2i();
            }
            Label notTaken = cb.newLabel();
            if (nz) cb.ifeq(notTaken); else cb.ifne(notTaken);
            taken(i, here + off);
            cb.labelBinding(notTaken);
            return goOn(i, last);
        }
        if ((insn & 0x7e000000) == 0x36000000) { // TBZ, TBNZ
            long bit = 1L << (((insn >>> 26) & 32) | ((insn >>> 19) & 31));
            use(Regs.rz(insn & 31));
            cb.loadConstant(bit).land().lconst_0().lcmp();
            Label notTaken = cb.newLabel();
            if ((insn & (1 << 24)) != 0) cb.ifeq(notTaken); else cb.ifne(notTaken);
            taken(i, here + off);
            cb.labelBinding(notTaken);
            return goOn(i, last);
        }
        if ((insn & 0x7c000000) == 0x14000000) { // B, BL
            if (insn < 0) {
                cb.lload(PC).loadConstant(here + 4).ladd();
                def(30);
                exit(i + 1, here + off);
            } else {
                taken(i, here + off);
            }
            return 1;
        }
        if ((insn & 0xfe000000) == 0xd6000000 && (insn & 0x001ffc1f) == 0x001f0000) { // BR, BLR, RET
            int opc = (insn >>> 21) & 15;
            if (opc > 2) {
                return -1;
            }
            use(Regs.rz((insn >>> 5) & 31));
            cb.lstore(TMP);
            if (opc == 1) {
                cb.lload(PC).loadConstant(here + 4).ladd();
                def(30);
            }
            writeback();
            cb.aload(C).lload(TMP).putfield(CD_CPU, "npc", CD_long);
            retire(i + 1);
            return 1;
        }
        return -1;
    }

    /** A taken branch of instruction i to pc + off: back to the start of a looping block, or an exit. */
    private void taken(int i, long off) {
        if (loops && off == 0) {
            backEdge(i);
        } else {
            exit(i + 1, off);
        }
    }

    /** The offset from the block's start a direct branch (B.cond, CBZ/CBNZ, TBZ/TBNZ, B; not BL) goes to, or 1. */
    static long branchTarget(int i, int insn) {
        long off = branchOffset(insn);
        return off == 1 || (insn & 0xfc000000) == 0x94000000 ? 1 : 4L * i + off;
    }

    /** A direct branch's (B.cond, CBZ/CBNZ, TBZ/TBNZ, B, BL) byte offset from itself; 1 for any other instruction. */
    private static long branchOffset(int insn) {
        if ((insn & 0xff000010) == 0x54000000 || (insn & 0x7e000000) == 0x34000000) {
            return (long) (insn << 8 >> 13) << 2; // imm19
        }
        if ((insn & 0x7e000000) == 0x36000000) {
            return (long) (insn << 13 >> 18) << 2; // imm14
        }
        if ((insn & 0x7c000000) == 0x14000000) {
            return (long) (insn << 6 >> 6) << 2; // imm26
        }
        return 1;
    }

    /** After a not-taken conditional branch: on, or out to the next instruction when it was the last. */
    private int goOn(int i, boolean last) {
        if (last) {
            exit(i + 1, 4L * i + 4);
            return 1;
        }
        return 0;
    }

    // ---------------------------------------------------------------- loads and stores

    private static final int STRB = 0, LDRB = 4, LDRX = 7, LDRSBX = 8, LDRSHX = 9, LDRSW = 10, LDRSBW = 11, LDRSHW = 12;
    private static final int OFFSET = 0, PRE = 1, POST = 2;

    /** The access kind as LoadStore numbers it (STRB + size, LDRB + size, signed loads), or -1 when not emitted. */
    private static int accessKind(int size, int opc) {
        return switch (opc) {
            case 0 -> STRB + size;
            case 1 -> LDRB + size;
            case 2 -> size == 3 ? -1 : LDRSBX + size;
            default -> size >= 2 ? -1 : LDRSBW + size;
        };
    }

    private void prepareMemory() {
        if (memReady || !RawMemory.ENABLED) {
            return;
        }
        memReady = true;
        cb.aload(C).getfield(CD_CPU, "mmu", CD_MMU).astore(RTAG); // (the Mmu, briefly)
        cb.aload(RTAG).getfield(CD_MMU, "key", CD_long).lstore(KEY);
        cb.aload(RTAG).getfield(CD_MMU, "salt", CD_long).lstore(SALT);
        cb.aload(RTAG).getfield(CD_MMU, "memBase", CD_long).lstore(MEMBASE);
        cb.aload(RTAG).getfield(CD_MMU, "roff", CD_LONGS).astore(ROFF);
        cb.aload(RTAG).getfield(CD_MMU, "wtag", CD_LONGS).astore(WTAG);
        cb.aload(RTAG).getfield(CD_MMU, "woff", CD_LONGS).astore(WOFF);
        cb.aload(RTAG).getfield(CD_MMU, "rtag", CD_LONGS).astore(RTAG);
    }

    /** memBase is set when the Mmu first finds RAM (in a slow path). */
    private void reloadMemBase() {
        cb.aload(C).getfield(CD_CPU, "mmu", CD_MMU).getfield(CD_MMU, "memBase", CD_long).lstore(MEMBASE);
    }

    /** T = the TLB index of ADDR (Mmu.index, inline); jumps to slow unless the read or write TLB maps the {@code span} bytes at ADDR. */
    private void tlbCheck(boolean write, int span, Label slow) {
        cb.lload(ADDR).loadConstant(12).lushr().lload(SALT).lxor().l2i().loadConstant(Mmu.TLB_MASK).iand().istore(T);
        cb.aload(write ? WTAG : RTAG).iload(T).laload();
        cb.lload(ADDR).loadConstant(Mmu.PAGE_MASK).land().lload(KEY).lor().lcmp().ifne(slow);
        if (span > 1) {
            cb.lload(ADDR).loadConstant(0xfffL).land().loadConstant((long) (4096 - span)).lcmp().ifgt(slow);
        }
    }

    /** Pushes Unsafe and the host address of ADDR + extra (after a TLB hit). */
    private void hostAddress(boolean write, long extra) {
        cb.getstatic(CD_RAW, "U", CD_UNSAFE);
        cb.lload(MEMBASE).lload(ADDR).ladd().aload(write ? WOFF : ROFF).iload(T).laload().ladd();
        if (extra != 0) cb.loadConstant(extra).ladd();
    }

    private static String sized(String prefix, int bytes) {
        return prefix + (bytes == 1 ? "Byte" : bytes == 2 ? "Short" : bytes == 4 ? "Int" : "Long");
    }

    private static ClassDesc valueType(int bytes) {
        return bytes == 1 ? CD_byte : bytes == 2 ? CD_short : bytes == 4 ? CD_int : CD_long;
    }

    private void rawLoad(int bytes) {
        cb.invokevirtual(CD_UNSAFE, sized("get", bytes), MethodTypeDesc.of(valueType(bytes), CD_long));
        if (bytes < 8) cb.i2l();
    }

    private void rawStore(int bytes) {
        switch (bytes) {
            case 1 -> cb.l2i().i2b();
            case 2 -> cb.l2i().i2s();
            case 4 -> cb.l2i();
            default -> { }
        }
        cb.invokevirtual(CD_UNSAFE, sized("put", bytes), MethodTypeDesc.of(CD_void, CD_long, valueType(bytes)));
    }

    /** c.readN(ADDR + extra), zero-extended. */
    private void slowLoad(int bytes, long extra) {
        cb.aload(C).lload(ADDR);
        if (extra != 0) cb.loadConstant(extra).ladd();
        cb.invokevirtual(CD_CPU, "read" + 8 * bytes, MethodTypeDesc.of(CD_long, CD_long));
    }

    /** c.writeN(ADDR + extra, register r). */
    private void slowStore(int bytes, long extra, int r) {
        cb.aload(C).lload(ADDR);
        if (extra != 0) cb.loadConstant(extra).ladd();
        use(r);
        cb.invokevirtual(CD_CPU, "write" + 8 * bytes, MethodTypeDesc.of(CD_void, CD_long, CD_long));
    }

    /** Turns a loaded value into the register value of access {@code kind}; {@code raw}: sign-extended by the host load. */
    private void extend(int kind, boolean raw) {
        switch (kind) {
            case LDRB -> { if (raw) cb.loadConstant(0xffL).land(); }
            case LDRB + 1 -> { if (raw) cb.loadConstant(0xffffL).land(); }
            case LDRB + 2 -> { if (raw) cb.loadConstant(W).land(); }
            case LDRSBX -> { if (!raw) cb.l2i().i2b().i2l(); }
            case LDRSHX -> { if (!raw) cb.l2i().i2s().i2l(); }
            case LDRSW -> { if (!raw) cb.l2i().i2l(); }
            case LDRSBW -> {
                if (!raw) cb.l2i().i2b().i2l();
                cb.loadConstant(W).land();
            }
            case LDRSHW -> {
                if (!raw) cb.l2i().i2s().i2l();
                cb.loadConstant(W).land();
            }
            default -> { }
        }
    }

    /** LDR/STR (all sizes and sign extensions): unsigned offset, unscaled, pre/post-index, register offset. */
    private boolean single(int i, int insn) {
        int size = insn >>> 30, opc = (insn >>> 22) & 3;
        int kind = accessKind(size, opc);
        if (kind < 0) {
            return false; // PRFM, unallocated
        }
        boolean load = kind >= LDRB;
        int t = load ? Regs.wz(insn & 31) : Regs.rz(insn & 31), rn = (insn >>> 5) & 31;
        int mode;
        long imm = 0;
        int rm = -1, option = 0, s = 0;
        if ((insn & (1 << 24)) != 0) {
            mode = OFFSET;
            imm = (long) ((insn >>> 10) & 0xfff) << size;
        } else if ((insn & (1 << 21)) != 0) {
            option = (insn >>> 13) & 7;
            if ((insn & 0xc00) != 0x800 || (option & 2) == 0) {
                return false;
            }
            mode = OFFSET;
            rm = Regs.rz((insn >>> 16) & 31);
            s = (insn & (1 << 12)) != 0 ? size : 0;
        } else {
            imm = insn << 11 >> 23;
            int op4 = (insn >>> 10) & 3;
            if (op4 == 2) {
                return false; // unprivileged
            }
            mode = op4 == 0 ? OFFSET : op4 == 1 ? POST : PRE;
        }
        int bytes = 1 << size;
        prepareMemory();
        use(rn);
        if (rm >= 0) {
            use(rm);
            if ((option & 1) == 0) {
                if (option == 2) cb.loadConstant(W).land(); else cb.l2i().i2l();
            }
            if (s != 0) cb.loadConstant(s).lshl();
            cb.ladd();
        } else if (mode != POST && imm != 0) {
            cb.loadConstant(imm).ladd();
        }
        cb.lstore(ADDR);
        if (!load) ensure(t);
        access(i, mode, rn, imm, () -> {
            // fast path
            if (load) {
                hostAddress(false, 0);
                rawLoad(bytes);
                extend(kind, true);
                def(t);
            } else {
                hostAddress(true, 0);
                use(t);
                rawStore(bytes);
            }
        }, () -> {
            if (load) {
                slowLoad(bytes, 0);
                extend(kind, false);
                def(t);
            } else {
                slowStore(bytes, 0, t);
            }
        }, load, bytes);
        return true;
    }

    /** LDP, STP, LDPSW (offset, pre/post-index; LDNP/STNP as offset). */
    private boolean pair(int i, int insn) {
        int opc = insn >>> 30, mode2 = (insn >>> 23) & 3;
        boolean load = (insn & (1 << 22)) != 0;
        if (opc == 3 || (opc == 1 && (!load || mode2 == 0))) {
            return false;
        }
        boolean signed = opc == 1;
        int bytes = opc == 2 ? 8 : 4;
        long imm = (long) (insn << 10 >> 25) * bytes;
        int rt = insn & 31, rt2 = (insn >>> 10) & 31;
        int t = load ? Regs.wz(rt) : Regs.rz(rt), t2 = load ? Regs.wz(rt2) : Regs.rz(rt2);
        int rn = (insn >>> 5) & 31;
        int mode = mode2 == 1 ? POST : mode2 == 3 ? PRE : OFFSET;
        int kind = signed ? LDRSW : bytes == 8 ? LDRX : LDRB + 2;
        prepareMemory();
        use(rn);
        if (mode != POST && imm != 0) cb.loadConstant(imm).ladd();
        cb.lstore(ADDR);
        if (!load) {
            ensure(t);
            ensure(t2);
        }
        access(i, mode, rn, imm, () -> {
            if (load) {
                loadPair(t, t2, bytes, off -> {
                    hostAddress(false, off);
                    rawLoad(bytes);
                    extend(kind, true);
                });
            } else {
                hostAddress(true, 0);
                use(t);
                rawStore(bytes);
                hostAddress(true, bytes);
                use(t2);
                rawStore(bytes);
            }
        }, () -> {
            if (load) {
                loadPair(t, t2, bytes, off -> {
                    slowLoad(bytes, off);
                    extend(kind, false);
                });
            } else {
                slowStore(bytes, 0, t);
                slowStore(bytes, bytes, t2);
            }
        }, load, 2 * bytes);
        return true;
    }

    /**
     * LDP's two loads ({@code half} pushes the extended value at ADDR + its offset), both done before either
     * register is written.
     */
    private void loadPair(int t, int t2, int bytes, IntConsumer half) {
        half.accept(0);
        cb.lstore(TMP);
        half.accept(bytes);
        cb.lstore(TMP2);
        cb.lload(TMP2);
        def(t2);
        cb.lload(TMP);
        def(t);
    }

    /**
     * One memory instruction at ADDR: the TLB-hit path and the slow path (registers written back and c.pc set
     * first, so an abort is precise; c.leave checked after), then the base register's writeback.
     */
    private void access(int i, int mode, int rn, long imm, Runnable fast, Runnable slow, boolean load, int span) {
        if (!RawMemory.ENABLED) {
            writeback();
            setPc(i);
            slow.run();
            baseWriteback(mode, rn, imm);
            leaveCheck(i);
            return;
        }
        boolean[] loaded0 = loaded.clone(), dirty0 = dirty.clone();
        Label slowPath = cb.newLabel(), done = cb.newLabel();
        tlbCheck(!load, span, slowPath);
        fast.run();
        baseWriteback(mode, rn, imm);
        cb.goto_(done);
        boolean[] loaded1 = loaded, dirty1 = dirty;
        loaded = loaded0;
        dirty = dirty0;
        cb.labelBinding(slowPath);
        writeback();
        setPc(i);
        slow.run();
        reloadMemBase();
        baseWriteback(mode, rn, imm);
        leaveCheck(i);
        cb.goto_(done);
        loaded = loaded1;
        dirty = dirty1;
        cb.labelBinding(done);
    }

    private void baseWriteback(int mode, int rn, long imm) {
        if (mode == PRE) {
            cb.lload(ADDR);
            def(rn);
        } else if (mode == POST) {
            cb.lload(ADDR);
            if (imm != 0) cb.loadConstant(imm).ladd();
            def(rn);
        }
    }

    /** After a slow path: a store to code or a device access set c.leave, so the block ends after instruction i. */
    private void leaveCheck(int i) {
        Label on = cb.newLabel();
        cb.aload(C).getfield(CD_CPU, "leave", CD_boolean).ifeq(on);
        exit(i + 1, 4L * i + 4);
        cb.labelBinding(on);
    }
}
