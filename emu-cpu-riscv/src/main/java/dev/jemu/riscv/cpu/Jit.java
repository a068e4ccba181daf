package dev.jemu.riscv.cpu;

import static dev.jemu.riscv.cpu.Op.*;
import static java.lang.constant.ConstantDescs.*;

import dev.jemu.core.log.DebugLog;
import java.lang.classfile.ClassFile;
import java.lang.classfile.CodeBuilder;
import java.lang.classfile.Label;
import java.lang.constant.ClassDesc;
import java.lang.constant.MethodTypeDesc;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;

/**
 * Compiles hot guest basic blocks to JVM bytecode (one hidden class per block) so that HotSpot compiles guest
 * code. A block is a straight run of integer instructions inside one page (RV64IM, Zba/Zbb/Zbs, loads, stores),
 * ending with a branch or jump, or just before an instruction the JIT leaves to the interpreter (CSR, AMO, F/D,
 * system). Guest registers live in JVM locals inside the block and are written back at every exit and before
 * every out-of-line call; a block that branches back to its own start becomes a JVM loop bounded by the budget.
 * Loads and stores use the hart's TLBs inline and fall back to its slow paths, which may trap.
 */
final class Jit {
    static final boolean ENABLED = !"false".equals(System.getProperty("jemu.jit"));
    /**
     * Entries of a block start before it is compiled: only really hot loops. A new block runs in the JVM's
     * bytecode interpreter until HotSpot compiles it, and every block costs a class definition and HotSpot
     * compilations; measured on a loaded 2-core host, a Linux boot got less far in 75 s with thresholds of
     * 40..5000 than with 30000 or no JIT (which were equal), while hot loops still reach the JIT quickly.
     */
    static final int THRESHOLD = Math.max(1, Math.min(30000, Integer.getInteger("jemu.jit.threshold", 30000)));
    static final int MAX_LENGTH = 128;

    private static final ClassDesc CD_HART = ClassDesc.of("dev.jemu.riscv.cpu.Hart");
    private static final ClassDesc CD_ALU = ClassDesc.of("dev.jemu.riscv.cpu.Alu");
    private static final ClassDesc CD_BLOCK = ClassDesc.of("dev.jemu.riscv.cpu.JitBlock");
    private static final ClassDesc CD_RAM = ClassDesc.of("dev.jemu.core.memory.GuestRam");
    private static final ClassDesc CD_SEG = ClassDesc.of("java.lang.foreign.MemorySegment");
    private static final ClassDesc CD_OF_BYTE = ClassDesc.of("java.lang.foreign.ValueLayout$OfByte");
    private static final ClassDesc CD_OF_SHORT = ClassDesc.of("java.lang.foreign.ValueLayout$OfShort");
    private static final ClassDesc CD_OF_INT = ClassDesc.of("java.lang.foreign.ValueLayout$OfInt");
    private static final ClassDesc CD_OF_LONG = ClassDesc.of("java.lang.foreign.ValueLayout$OfLong");
    private static final ClassDesc CD_LONG_ARRAY = CD_long.arrayType();
    private static final MethodTypeDesc MTD_RUN = MethodTypeDesc.of(CD_long, CD_HART, CD_LONG_ARRAY, CD_SEG,
            CD_LONG_ARRAY, CD_LONG_ARRAY, CD_LONG_ARRAY, CD_LONG_ARRAY, CD_long, CD_long, CD_long);

    // local variable slots of run(): 0 this, 1 h, 2 x, 3 mem, 4 ltag, 5 loff, 6 stag, 7 soff, 8 dkey, 10 limit,
    // 12 pc0 (the guest pc the block was entered at: the code is position-independent, since one physical
    // page of code may run at several virtual addresses)
    private static final int H = 1, X = 2, MEM = 3, LTAG = 4, LOFF = 5, STAG = 6, SOFF = 7, DKEY = 8, LIMIT = 10;
    private static final int PC0 = 12;
    private static final int REGS = 14; // x1..x31 at 14, 16, ...
    private static final int DONE = REGS + 62, ADDR = DONE + 2, TLB = ADDR + 2;

    private static final MethodHandles.Lookup LOOKUP = MethodHandles.lookup();
    private static boolean reported;

    private Jit() {
    }

    private static boolean supported(int op) {
        return op >= LUI && op <= SLLI_UW || op >= ANDN && op <= BSETI;
    }

    private static boolean endsBlock(int op) {
        return op >= JAL && op <= BGEU;
    }

    private static boolean writesRd(int op) {
        return !(op >= BEQ && op <= BGEU || op >= SB && op <= SD || op == FENCE);
    }

    /** Compiles the block starting at slot {@code start} of {@code pg} (at guest {@code pc}), or returns NONE. */
    static JitBlock compile(DecodedPage pg, int start, long pc) {
        int[] ops = new int[MAX_LENGTH];
        long[] imms = new long[MAX_LENGTH];
        long[] pcs = new long[MAX_LENGTH + 1];
        int n = 0;
        int idx = start;
        long at = pc;
        while (n < MAX_LENGTH && idx < DecodedPage.SLOTS) {
            int p = pg.ops[idx];
            if (p == Op.UNDECODED) {
                p = pg.decode(idx);
            }
            int op = p & Decoder.OP_MASK;
            if (!supported(op)) {
                break;
            }
            ops[n] = p;
            imms[n] = pg.imms[idx];
            pcs[n] = at;
            n++;
            int len = Decoder.length(p);
            at += len;
            idx += len >> 1;
            if (endsBlock(op)) {
                break;
            }
        }
        pcs[n] = at;
        if (n == 0) {
            return JitBlock.NONE;
        }
        try {
            byte[] bytes = generate(ops, imms, pcs, n);
            MethodHandles.Lookup l = LOOKUP.defineHiddenClass(bytes, true);
            return (JitBlock) l.findConstructor(l.lookupClass(), MethodType.methodType(void.class)).invoke();
        } catch (Throwable t) {
            if (!reported) {
                reported = true;
                DebugLog.log(DebugLog.Category.UNIMP, "jit: block at 0x%x not compiled: %s", pc, t);
            }
            return JitBlock.NONE;
        }
    }

    private static byte[] generate(int[] ops, long[] imms, long[] pcs, int n) {
        return ClassFile.of().build(ClassDesc.of("dev.jemu.riscv.cpu.JitBlockImpl"), clb -> {
            clb.withFlags(ClassFile.ACC_FINAL | ClassFile.ACC_SYNTHETIC);
            clb.withInterfaceSymbols(CD_BLOCK);
            clb.withMethodBody(INIT_NAME, MTD_void, ClassFile.ACC_PUBLIC,
                    cb -> cb.aload(0).invokespecial(CD_Object, INIT_NAME, MTD_void).return_());
            clb.withMethodBody("run", MTD_RUN, ClassFile.ACC_PUBLIC | ClassFile.ACC_FINAL,
                    cb -> new Gen(cb, ops, imms, pcs, n).emit());
        });
    }

    /** Bytecode for one block. */
    private static final class Gen {
        final CodeBuilder cb;
        final int[] ops;
        final long[] imms;
        final long[] pcs;
        final int n;
        final boolean[] used = new boolean[33];
        final boolean[] written = new boolean[33];
        final boolean loops;
        Label loopStart;

        Gen(CodeBuilder cb, int[] ops, long[] imms, long[] pcs, int n) {
            this.cb = cb;
            this.ops = ops;
            this.imms = imms;
            this.pcs = pcs;
            this.n = n;
            boolean selfLoop = false;
            for (int k = 0; k < n; k++) {
                int p = ops[k];
                int op = p & Decoder.OP_MASK;
                used[Decoder.rs1(p)] = true;
                used[Decoder.rs2(p)] = true;
                if (writesRd(op)) {
                    written[Decoder.rd(p)] = true;
                }
                if (op >= JAL && op <= BGEU && op != JALR && pcs[k] + imms[k] == pcs[0]) {
                    selfLoop = true;
                }
            }
            loops = selfLoop;
        }

        static int slot(int r) {
            return REGS + 2 * (r - 1);
        }

        void pushReg(int r) {
            if (r == 0) {
                cb.lconst_0();
            } else {
                cb.lload(slot(r));
            }
        }

        void popReg(int rd) {
            if (rd == 0 || rd == Decoder.X0_SINK) {
                cb.pop2();
            } else {
                cb.lstore(slot(rd));
            }
        }

        void writeback() {
            for (int r = 1; r < 32; r++) {
                if (written[r]) {
                    cb.aload(X).loadConstant(r).lload(slot(r)).lastore();
                }
            }
        }

        /** Stores the count of instructions retired (this pass: {@code k}) into Hart.jitRetired. */
        void setRetired(int k) {
            cb.aload(H);
            if (loops) {
                cb.lload(DONE).loadConstant((long) k).ladd();
            } else {
                cb.loadConstant((long) k);
            }
            cb.putfield(CD_HART, "jitRetired", CD_long);
        }

        /** Pushes the guest address of the instruction that was at {@code pc} when the block was compiled. */
        void pushPc(long pc) {
            cb.lload(PC0);
            if (pc != pcs[0]) {
                cb.loadConstant(pc - pcs[0]).ladd();
            }
        }

        void exit(int retired, long pc) {
            writeback();
            setRetired(retired);
            pushPc(pc);
            cb.lreturn();
        }

        void emit() {
            for (int r = 1; r < 32; r++) {
                if (used[r] || written[r]) {
                    cb.aload(X).loadConstant(r).laload().lstore(slot(r));
                }
            }
            if (loops) {
                cb.lconst_0().lstore(DONE);
                loopStart = cb.newLabel();
                cb.labelBinding(loopStart);
            }
            for (int k = 0; k < n; k++) {
                instruction(k);
            }
            int last = ops[n - 1] & Decoder.OP_MASK;
            if (!endsBlock(last)) {
                exit(n, pcs[n]);
            }
        }

        /** Control transfer to {@code target} after instruction k (the block's last). */
        void jumpTo(int k, long target) {
            if (loops && target == pcs[0]) {
                cb.lload(DONE).loadConstant((long) (k + 1)).ladd().lstore(DONE);
                cb.lload(DONE).lload(LIMIT).lcmp().iflt(loopStart);
                writeback();
                cb.aload(H).lload(DONE).putfield(CD_HART, "jitRetired", CD_long);
                pushPc(target);
                cb.lreturn();
            } else {
                exit(k + 1, target);
            }
        }

        void instruction(int k) {
            int p = ops[k];
            int op = p & Decoder.OP_MASK;
            int rd = Decoder.rd(p), rs1 = Decoder.rs1(p), rs2 = Decoder.rs2(p);
            long imm = imms[k];
            long pc = pcs[k], next = pcs[k + 1];
            switch (op) {
                case LUI -> { cb.loadConstant(imm); popReg(rd); }
                case AUIPC -> { pushPc(pc + imm); popReg(rd); }
                case JAL -> {
                    pushPc(next);
                    popReg(rd);
                    jumpTo(k, pc + imm);
                }
                case JALR -> {
                    pushReg(rs1);
                    cb.loadConstant(imm).ladd().loadConstant(~1L).land().lstore(ADDR);
                    pushPc(next);
                    popReg(rd);
                    writeback();
                    setRetired(k + 1);
                    cb.lload(ADDR).lreturn();
                }
                case BEQ, BNE, BLT, BGE, BLTU, BGEU -> {
                    pushReg(rs1);
                    pushReg(rs2);
                    if (op == BLTU || op == BGEU) {
                        cb.invokestatic(CD_Long, "compareUnsigned", MethodTypeDesc.of(CD_int, CD_long, CD_long));
                    } else {
                        cb.lcmp();
                    }
                    Label taken = cb.newLabel();
                    switch (op) {
                        case BEQ -> cb.ifeq(taken);
                        case BNE -> cb.ifne(taken);
                        case BLT, BLTU -> cb.iflt(taken);
                        default -> cb.ifge(taken);
                    }
                    exit(k + 1, next);
                    cb.labelBinding(taken);
                    jumpTo(k, pc + imm);
                }
                case LB, LH, LW, LD, LBU, LHU, LWU -> load(k, op, rd, rs1, imm, pc);
                case SB, SH, SW, SD -> store(k, op, rs1, rs2, imm, pc, next);
                case ADDI -> { pushReg(rs1); cb.loadConstant(imm).ladd(); popReg(rd); }
                case SLTI -> { pushReg(rs1); cb.loadConstant(imm).lcmp(); lessThan(); popReg(rd); }
                case SLTIU -> { pushReg(rs1); cb.loadConstant(imm); compareUnsigned(); lessThan(); popReg(rd); }
                case XORI -> { pushReg(rs1); cb.loadConstant(imm).lxor(); popReg(rd); }
                case ORI -> { pushReg(rs1); cb.loadConstant(imm).lor(); popReg(rd); }
                case ANDI -> { pushReg(rs1); cb.loadConstant(imm).land(); popReg(rd); }
                case SLLI -> { pushReg(rs1); cb.loadConstant((int) imm).lshl(); popReg(rd); }
                case SRLI -> { pushReg(rs1); cb.loadConstant((int) imm).lushr(); popReg(rd); }
                case SRAI -> { pushReg(rs1); cb.loadConstant((int) imm).lshr(); popReg(rd); }
                case ADD -> { pushReg(rs1); pushReg(rs2); cb.ladd(); popReg(rd); }
                case SUB -> { pushReg(rs1); pushReg(rs2); cb.lsub(); popReg(rd); }
                case SLL -> { pushReg(rs1); pushReg(rs2); cb.l2i().lshl(); popReg(rd); }
                case SLT -> { pushReg(rs1); pushReg(rs2); cb.lcmp(); lessThan(); popReg(rd); }
                case SLTU -> { pushReg(rs1); pushReg(rs2); compareUnsigned(); lessThan(); popReg(rd); }
                case XOR -> { pushReg(rs1); pushReg(rs2); cb.lxor(); popReg(rd); }
                case SRL -> { pushReg(rs1); pushReg(rs2); cb.l2i().lushr(); popReg(rd); }
                case SRA -> { pushReg(rs1); pushReg(rs2); cb.l2i().lshr(); popReg(rd); }
                case OR -> { pushReg(rs1); pushReg(rs2); cb.lor(); popReg(rd); }
                case AND -> { pushReg(rs1); pushReg(rs2); cb.land(); popReg(rd); }
                case ADDIW -> { pushReg(rs1); cb.loadConstant(imm).ladd().l2i().i2l(); popReg(rd); }
                case SLLIW -> { pushReg(rs1); cb.l2i().loadConstant((int) imm).ishl().i2l(); popReg(rd); }
                case SRLIW -> { pushReg(rs1); cb.l2i().loadConstant((int) imm).iushr().i2l(); popReg(rd); }
                case SRAIW -> { pushReg(rs1); cb.l2i().loadConstant((int) imm).ishr().i2l(); popReg(rd); }
                case ADDW -> { pushReg(rs1); pushReg(rs2); cb.ladd().l2i().i2l(); popReg(rd); }
                case SUBW -> { pushReg(rs1); pushReg(rs2); cb.lsub().l2i().i2l(); popReg(rd); }
                case SLLW -> { pushReg(rs1); cb.l2i(); pushReg(rs2); cb.l2i().ishl().i2l(); popReg(rd); }
                case SRLW -> { pushReg(rs1); cb.l2i(); pushReg(rs2); cb.l2i().iushr().i2l(); popReg(rd); }
                case SRAW -> { pushReg(rs1); cb.l2i(); pushReg(rs2); cb.l2i().ishr().i2l(); popReg(rd); }
                case FENCE -> { }
                case MUL -> { pushReg(rs1); pushReg(rs2); cb.lmul(); popReg(rd); }
                case MULH -> {
                    pushReg(rs1);
                    pushReg(rs2);
                    cb.invokestatic(ClassDesc.of("java.lang.Math"), "multiplyHigh",
                            MethodTypeDesc.of(CD_long, CD_long, CD_long));
                    popReg(rd);
                }
                case MULHU -> {
                    pushReg(rs1);
                    pushReg(rs2);
                    cb.invokestatic(ClassDesc.of("java.lang.Math"), "unsignedMultiplyHigh",
                            MethodTypeDesc.of(CD_long, CD_long, CD_long));
                    popReg(rd);
                }
                case MULHSU -> {
                    pushReg(rs1);
                    pushReg(rs2);
                    cb.invokestatic(CD_HART, "mulhsu", MethodTypeDesc.of(CD_long, CD_long, CD_long));
                    popReg(rd);
                }
                case MULW -> { pushReg(rs1); cb.l2i(); pushReg(rs2); cb.l2i().imul().i2l(); popReg(rd); }
                case DIV, DIVU, REM, REMU, DIVW, DIVUW, REMW, REMUW -> {
                    cb.loadConstant(op);
                    pushReg(rs1);
                    pushReg(rs2);
                    cb.invokestatic(CD_ALU, "divide", MethodTypeDesc.of(CD_long, CD_int, CD_long, CD_long));
                    popReg(rd);
                }
                default -> { // Zba, Zbb, Zbs
                    cb.loadConstant(op);
                    pushReg(rs1);
                    pushReg(rs2);
                    cb.loadConstant(imm);
                    cb.invokestatic(CD_ALU, "bitmanip",
                            MethodTypeDesc.of(CD_long, CD_int, CD_long, CD_long, CD_long));
                    popReg(rd);
                }
            }
        }

        /** int comparison result on the stack -> 1L if negative else 0L. */
        void lessThan() {
            cb.loadConstant(31).iushr().i2l();
        }

        void compareUnsigned() {
            cb.invokestatic(CD_Long, "compareUnsigned", MethodTypeDesc.of(CD_int, CD_long, CD_long));
        }

        /** ADDR = rs1 + imm, TLB = index; jumps to {@code slow} unless the TLB has the page. */
        void translate(int rs1, long imm, int size, int tagArray, Label slow) {
            pushReg(rs1);
            cb.loadConstant(imm).ladd().lstore(ADDR);
            cb.lload(ADDR).loadConstant(12).lushr().l2i().loadConstant(Hart.TLB_MASK).iand().istore(TLB);
            cb.aload(tagArray).iload(TLB).laload();
            cb.lload(ADDR).loadConstant(Hart.PAGE_MASK).land().lload(DKEY).lor().lcmp().ifne(slow);
            if (size > 1) {
                cb.lload(ADDR).loadConstant(0xfffL).land().loadConstant((long) (4096 - size)).lcmp().ifgt(slow);
            }
        }

        void load(int k, int op, int rd, int rs1, long imm, long pc) {
            int size = switch (op) {
                case LB, LBU -> 1;
                case LH, LHU -> 2;
                case LW, LWU -> 4;
                default -> 8;
            };
            Label slow = cb.newLabel(), done = cb.newLabel();
            translate(rs1, imm, size, LTAG, slow);
            cb.aload(MEM);
            cb.getstatic(CD_RAM, size == 1 ? "BYTE" : size == 2 ? "SHORT" : size == 4 ? "INT" : "LONG", layout(size));
            cb.lload(ADDR).aload(LOFF).iload(TLB).laload().ladd();
            cb.invokeinterface(CD_SEG, "get", MethodTypeDesc.of(valueType(size), layout(size), CD_long));
            if (size < 8) {
                cb.i2l();
            }
            switch (op) {
                case LBU -> cb.loadConstant(0xffL).land();
                case LHU -> cb.loadConstant(0xffffL).land();
                case LWU -> cb.loadConstant(0xffff_ffffL).land();
                default -> { }
            }
            cb.goto_(done);
            cb.labelBinding(slow);
            writeback();
            setRetired(k);
            cb.aload(H).lload(ADDR).loadConstant(size);
            pushPc(pc);
            cb.invokevirtual(CD_HART, "loadSlow", MethodTypeDesc.of(CD_long, CD_long, CD_int, CD_long));
            switch (op) { // the slow path zero-extends
                case LB -> cb.l2i().i2b().i2l();
                case LH -> cb.l2i().i2s().i2l();
                case LW -> cb.l2i().i2l();
                default -> { }
            }
            cb.labelBinding(done);
            popReg(rd);
        }

        void store(int k, int op, int rs1, int rs2, long imm, long pc, long next) {
            int size = op == SB ? 1 : op == SH ? 2 : op == SW ? 4 : 8;
            Label slow = cb.newLabel(), done = cb.newLabel();
            translate(rs1, imm, size, STAG, slow);
            cb.aload(MEM);
            cb.getstatic(CD_RAM, size == 1 ? "BYTE" : size == 2 ? "SHORT" : size == 4 ? "INT" : "LONG", layout(size));
            cb.lload(ADDR).aload(SOFF).iload(TLB).laload().ladd();
            pushReg(rs2);
            switch (size) {
                case 1 -> cb.l2i().i2b();
                case 2 -> cb.l2i().i2s();
                case 4 -> cb.l2i();
                default -> { }
            }
            cb.invokeinterface(CD_SEG, "set", MethodTypeDesc.of(CD_void, layout(size), CD_long, valueType(size)));
            cb.goto_(done);
            cb.labelBinding(slow);
            writeback();
            setRetired(k);
            cb.aload(H).lload(ADDR).loadConstant(size);
            pushReg(rs2);
            pushPc(pc);
            cb.invokevirtual(CD_HART, "storeSlow", MethodTypeDesc.of(CD_boolean, CD_long, CD_int, CD_long, CD_long));
            cb.ifeq(done);
            // the store hit code or a device: leave the block right after it
            setRetired(k + 1);
            pushPc(next);
            cb.lreturn();
            cb.labelBinding(done);
        }

        static ClassDesc layout(int size) {
            return size == 1 ? CD_OF_BYTE : size == 2 ? CD_OF_SHORT : size == 4 ? CD_OF_INT : CD_OF_LONG;
        }

        static ClassDesc valueType(int size) {
            return size == 1 ? CD_byte : size == 2 ? CD_short : size == 4 ? CD_int : CD_long;
        }
    }
}
