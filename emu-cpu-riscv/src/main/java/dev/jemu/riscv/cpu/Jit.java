package dev.jemu.riscv.cpu;

import static dev.jemu.riscv.cpu.Op.*;
import static java.lang.constant.ConstantDescs.*;

import dev.jemu.core.log.DebugLog;
import dev.jemu.core.memory.RawMemory;
import java.lang.classfile.ClassFile;
import java.lang.classfile.CodeBuilder;
import java.lang.classfile.Label;
import java.lang.constant.ClassDesc;
import java.lang.constant.MethodTypeDesc;
import java.lang.invoke.MethodHandles;

/**
 * Compiles hot guest code to JVM bytecode (one hidden class per block) so that HotSpot compiles guest code. A
 * block is a run of integer instructions inside one page (RV64IM, Zba/Zbb/Zbs, loads, stores) along the
 * fall-through path: a conditional branch leaves the block when taken, a direct jump inside the page is
 * followed, and the block ends at an indirect jump, a jump out of the page, an instruction the JIT leaves to
 * the interpreter (CSR, AMO, F/D, system) or {@link #MAX_LENGTH} instructions. Guest registers live in JVM
 * locals and are written back at the block's one exit; a slow path that traps has them written back by an
 * exception handler (so the slow paths carry no spill code). A block that branches back to its own start
 * becomes a JVM loop bounded by the budget. Loads and stores use the hart's TLBs inline (plain host accesses
 * through {@link RawMemory} when available) and fall back to its slow paths, which may trap.
 */
final class Jit {
    static final boolean ENABLED = dev.jemu.core.jit.JitPolicy.ENABLED;
    /**
     * Entries of a block start before it is compiled: only really hot loops. A new block runs in the JVM's
     * bytecode interpreter until HotSpot compiles it, and every block costs a class definition and HotSpot
     * compilations; measured on a loaded 2-core host, a Linux boot got less far in 75 s with thresholds of
     * 40..5000 than with 30000 or no JIT (which were equal), while hot loops still reach the JIT quickly. With
     * {@link JitCompiler} compiling in the background, 10000 and 3000 left the hart's thread no faster (new blocks
     * run in the JVM's bytecode interpreter until C1 gets to them) and cost more CPU time in all.
     */
    static final int THRESHOLD = dev.jemu.core.jit.JitPolicy.threshold(30000, 30000);
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
    private static final ClassDesc CD_TRAP = ClassDesc.of("dev.jemu.riscv.cpu.Trap");
    private static final ClassDesc CD_RAW = ClassDesc.of("dev.jemu.core.memory.RawMemory");
    private static final ClassDesc CD_UNSAFE = ClassDesc.of("sun.misc.Unsafe");
    private static final MethodTypeDesc MTD_RUN = MethodTypeDesc.of(CD_long, CD_HART, CD_LONG_ARRAY, CD_SEG,
            CD_LONG_ARRAY, CD_LONG_ARRAY, CD_LONG_ARRAY, CD_LONG_ARRAY, CD_long, CD_long, CD_long);

    // local variable slots of run(): 0 this, 1 h, 2 x, 3 mem, 4 ltag, 5 loff, 6 stag, 7 soff, 8 dkey, 10 limit,
    // 12 pc0 (the guest pc the block was entered at: the code is position-independent, since one physical
    // page of code may run at several virtual addresses)
    private static final int H = 1, X = 2, MEM = 3, LTAG = 4, LOFF = 5, STAG = 6, SOFF = 7, DKEY = 8, LIMIT = 10;
    private static final int PC0 = 12;
    private static final int REGS = 14; // x1..x31 at 14, 16, ...
    private static final int DONE = REGS + 62, ADDR = DONE + 2, TLB = ADDR + 2, EXIT_N = TLB + 1, EXIT_PC = EXIT_N + 2,
            MEMBASE = EXIT_PC + 2;

    private static final MethodHandles.Lookup LOOKUP = MethodHandles.lookup();
    private static boolean reported;

    private Jit() {
    }

    private static boolean supported(int op) {
        return op >= LUI && op <= SLLI_UW || op >= ANDN && op <= BSETI;
    }

    private static boolean isBranch(int op) {
        return op >= BEQ && op <= BGEU;
    }

    private static boolean writesRd(int op) {
        return !(op >= BEQ && op <= BGEU || op >= SB && op <= SD || op == FENCE);
    }

    /**
     * Compiles the block starting at slot {@code start} of {@code pg} (at guest {@code pc}), or returns NONE.
     * The block follows the fall-through path of conditional branches (taken ones leave it) and direct jumps
     * that stay in the page, and ends at an indirect jump, a jump out of the page or back into the block, an
     * instruction the JIT leaves to the interpreter, the page end or {@link #MAX_LENGTH} instructions.
     */
    static JitBlock compile(DecodedPage pg, int start, long pc) {
        int[] ops = new int[MAX_LENGTH];
        long[] imms = new long[MAX_LENGTH];
        long[] pcs = new long[MAX_LENGTH + 1];
        boolean[] seen = new boolean[DecodedPage.SLOTS];
        int n = 0;
        int idx = start;
        long at = pc;
        while (n < MAX_LENGTH && idx < DecodedPage.SLOTS && !seen[idx]) {
            long d = pg.decodeFromSnapshot(idx); // not the slots: this may run on the compiler thread
            int p = (int) d;
            int op = p & Decoder.OP_MASK;
            if (!supported(op)) {
                break;
            }
            seen[idx] = true;
            ops[n] = p;
            imms[n] = (int) (d >> 32);
            pcs[n] = at;
            n++;
            int len = Decoder.length(p);
            if (op == JALR) {
                break;
            }
            if (op == JAL) {
                long target = at + imms[n - 1];
                long delta = target - (at & Hart.PAGE_MASK);
                if (delta < 0 || delta >= 4096 || target == pc) {
                    break; // leaves the page (whose virtual neighbours may map anywhere), or loops to the start
                }
                idx = (int) delta >>> 1;
                at = target;
                continue;
            }
            at += len;
            idx += len >> 1;
        }
        pcs[n] = at;
        if (n == 0) {
            return JitBlock.NONE;
        }
        long t0 = Hart.STATS ? System.nanoTime() : 0;
        try {
            byte[] bytes = generate(ops, imms, pcs, n);
            JitBlock b = dev.jemu.core.jit.HiddenClasses.instantiate(LOOKUP, bytes, null, JitBlock.class);
            if (Hart.STATS) {
                ExecStats.compiles++;
                ExecStats.compileNanos += System.nanoTime() - t0;
                ExecStats.compiledInsns += n;
                ExecStats.compiledBytes += bytes.length;
            }
            return b;
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
        /** The one exit: writes back the registers, stores EXIT_N as jitRetired and returns EXIT_PC. */
        Label exitLabel;

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

        /** Leaves the block with {@code retired} instructions of this pass retired, continuing at {@code pc}. */
        void exit(int retired, long pc) {
            pushRetired(retired);
            cb.lstore(EXIT_N);
            pushPc(pc);
            cb.lstore(EXIT_PC);
            cb.goto_(exitLabel);
        }

        void pushRetired(int k) {
            if (loops) {
                cb.lload(DONE).loadConstant((long) k).ladd();
            } else {
                cb.loadConstant((long) k);
            }
        }

        void emit() {
            if (RawMemory.ENABLED) {
                cb.aload(H).getfield(CD_HART, "memBase", CD_long).lstore(MEMBASE);
            }
            for (int r = 1; r < 32; r++) {
                if (used[r] || written[r]) {
                    cb.aload(X).loadConstant(r).laload().lstore(slot(r));
                }
            }
            exitLabel = cb.newLabel();
            if (loops) {
                cb.lconst_0().lstore(DONE);
            }
            Label tryStart = cb.newBoundLabel(), tryEnd = cb.newLabel(), onTrap = cb.newLabel();
            if (loops) {
                loopStart = cb.newBoundLabel();
            }
            for (int k = 0; k < n; k++) {
                instruction(k);
            }
            int last = ops[n - 1] & Decoder.OP_MASK;
            if (!(last == JAL || last == JALR)) {
                exit(n, pcs[n]); // ran off the end: a not-taken branch, the length limit or an unsupported op
            }
            cb.labelBinding(tryEnd);
            cb.labelBinding(exitLabel);
            writeback();
            cb.aload(H).lload(EXIT_N).putfield(CD_HART, "jitRetired", CD_long);
            cb.lload(EXIT_PC).lreturn();
            // a slow path trapped (jitRetired and the hart's pc are set): the registers, some changed only in
            // locals, go back to the hart before the trap is taken (the others hold the values loaded on entry)
            cb.labelBinding(onTrap);
            writeback();
            cb.athrow();
            cb.exceptionCatch(tryStart, tryEnd, onTrap, CD_TRAP);
        }

        /** Control transfer to {@code target} after instruction k: the loop back to the start, or an exit. */
        void jumpTo(int k, long target) {
            if (loops && target == pcs[0]) {
                cb.lload(DONE).loadConstant((long) (k + 1)).ladd().lstore(DONE);
                cb.lload(DONE).lload(LIMIT).lcmp().iflt(loopStart);
                cb.lload(DONE).lstore(EXIT_N);
                pushPc(target);
                cb.lstore(EXIT_PC);
                cb.goto_(exitLabel);
            } else {
                exit(k + 1, target);
            }
        }

        void instruction(int k) {
            int p = ops[k];
            int op = p & Decoder.OP_MASK;
            int rd = Decoder.rd(p), rs1 = Decoder.rs1(p), rs2 = Decoder.rs2(p);
            long imm = imms[k];
            long pc = pcs[k], next = pc + Decoder.length(p); // pcs[k + 1] differs after a followed jump
            boolean lastInsn = k == n - 1;
            switch (op) {
                case LUI -> { cb.loadConstant(imm); popReg(rd); }
                case AUIPC -> { pushPc(pc + imm); popReg(rd); }
                case JAL -> {
                    pushPc(next);
                    popReg(rd);
                    if (lastInsn) {
                        jumpTo(k, pc + imm);
                    } // else the block follows the jump: the next instruction is its target
                }
                case JALR -> {
                    pushReg(rs1);
                    cb.loadConstant(imm).ladd().loadConstant(~1L).land().lstore(ADDR);
                    pushPc(next);
                    popReg(rd);
                    pushRetired(k + 1);
                    cb.lstore(EXIT_N);
                    cb.lload(ADDR).lstore(EXIT_PC);
                    cb.goto_(exitLabel);
                }
                case BEQ, BNE, BLT, BGE, BLTU, BGEU -> {
                    pushReg(rs1);
                    pushReg(rs2);
                    if (op == BLTU || op == BGEU) {
                        cb.invokestatic(CD_Long, "compareUnsigned", MethodTypeDesc.of(CD_int, CD_long, CD_long));
                    } else {
                        cb.lcmp();
                    }
                    // not taken: the block goes on (or, at its end, exits to the next instruction)
                    Label notTaken = cb.newLabel();
                    switch (op) {
                        case BEQ -> cb.ifne(notTaken);
                        case BNE -> cb.ifeq(notTaken);
                        case BLT, BLTU -> cb.ifge(notTaken);
                        default -> cb.iflt(notTaken);
                    }
                    jumpTo(k, pc + imm);
                    cb.labelBinding(notTaken);
                    if (lastInsn) {
                        exit(k + 1, next);
                    }
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
                case FENCE -> {
                    if (imm != 0) { // a store before a load: the host's full fence (see Decoder.fenceNeedsHostFence)
                        cb.aload(H).invokevirtual(CD_HART, "fenceStoresBeforeLoads", MethodTypeDesc.of(CD_void));
                    }
                }
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
            pushRamAccess(LOFF, size);
            if (RawMemory.ENABLED) {
                cb.invokevirtual(CD_UNSAFE, rawName("get", size), MethodTypeDesc.of(valueType(size), CD_long));
            } else {
                cb.invokeinterface(CD_SEG, "get", MethodTypeDesc.of(valueType(size), layout(size), CD_long));
            }
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
            setRetired(k); // the slow path may trap: see the handler in emit()
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
            pushRamAccess(SOFF, size);
            pushReg(rs2);
            switch (size) {
                case 1 -> cb.l2i().i2b();
                case 2 -> cb.l2i().i2s();
                case 4 -> cb.l2i();
                default -> { }
            }
            if (RawMemory.ENABLED) {
                cb.invokevirtual(CD_UNSAFE, rawName("put", size), MethodTypeDesc.of(CD_void, CD_long, valueType(size)));
            } else {
                cb.invokeinterface(CD_SEG, "set", MethodTypeDesc.of(CD_void, layout(size), CD_long, valueType(size)));
            }
            cb.goto_(done);
            cb.labelBinding(slow);
            setRetired(k); // the slow path may trap: see the handler in emit()
            cb.aload(H).lload(ADDR).loadConstant(size);
            pushReg(rs2);
            pushPc(pc);
            cb.invokevirtual(CD_HART, "storeSlow", MethodTypeDesc.of(CD_boolean, CD_long, CD_int, CD_long, CD_long));
            cb.ifeq(done);
            exit(k + 1, next); // the store hit code or a device: leave the block right after it
            cb.labelBinding(done);
        }

        /**
         * Pushes what a TLB-hit access of {@code size} bytes at ADDR needs before its value: Unsafe and the host
         * address, or the segment, its layout and the segment offset ({@code offArray}: LOFF or SOFF at TLB).
         */
        void pushRamAccess(int offArray, int size) {
            if (RawMemory.ENABLED) {
                cb.getstatic(CD_RAW, "U", CD_UNSAFE);
                cb.lload(MEMBASE).lload(ADDR).ladd().aload(offArray).iload(TLB).laload().ladd();
            } else {
                cb.aload(MEM);
                cb.getstatic(CD_RAM, size == 1 ? "BYTE" : size == 2 ? "SHORT" : size == 4 ? "INT" : "LONG",
                        layout(size));
                cb.lload(ADDR).aload(offArray).iload(TLB).laload().ladd();
            }
        }

        static String rawName(String prefix, int size) {
            return prefix + (size == 1 ? "Byte" : size == 2 ? "Short" : size == 4 ? "Int" : "Long");
        }

        static ClassDesc layout(int size) {
            return size == 1 ? CD_OF_BYTE : size == 2 ? CD_OF_SHORT : size == 4 ? CD_OF_INT : CD_OF_LONG;
        }

        static ClassDesc valueType(int size) {
            return size == 1 ? CD_byte : size == 2 ? CD_short : size == 4 ? CD_int : CD_long;
        }
    }
}
