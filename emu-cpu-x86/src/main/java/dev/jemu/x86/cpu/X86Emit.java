package dev.jemu.x86.cpu;

import static java.lang.constant.ConstantDescs.*;

import java.lang.classfile.CodeBuilder;
import java.lang.classfile.Label;
import java.lang.constant.ClassDesc;
import java.lang.constant.MethodTypeDesc;

/**
 * Writes the bytecode of one {@link X86Forms} instruction into a compiled block's {@code run} (see {@link X86Jit}),
 * doing what its decoded op does, in the same order, on the same state: registers in {@code c.r}, flags in the CPU's
 * lazy representation (lazyOp/lazyA/lazyB/lazyCin/lazyRes/lazySize, as {@link Alu} leaves them), memory through the
 * same {@link Mmu} calls. So a closure op after an emitted one sees exactly what it would after the closure.
 *
 * <p>What the closure path pays per instruction is gone where it cannot matter: an instruction that touches no
 * memory can neither fault nor end the block, so it stores no {@code c.rip}/{@code c.nrip} and is followed by no
 * exit test. An emitted ALU op also keeps its operands and result in locals, and a Jcc right after it tests them
 * directly (CMP + JB is one unsigned compare) instead of computing a flag from the lazy fields.
 *
 * <p>ADC/SBB, MUL/IMUL, DIV/IDIV, the shifts/rotates, SHLD/SHRD, BSF/BSR, BSWAP and the string ops call the
 * interpreter's static helpers (Alu.add/sub, MulDiv, Shifts, BitOps, MoveOps.bswap, StringOps.exec) instead of
 * duplicating their flag rules: C2 inlines them with the size constant, and what goes is the closure's call and
 * (but for the string ops) the per-instruction rip/nrip stores and exit test.
 */
final class X86Emit {
    static final ClassDesc CD_CPU = ClassDesc.of("dev.jemu.x86.cpu.X86Cpu");
    private static final ClassDesc CD_MMU = ClassDesc.of("dev.jemu.x86.cpu.Mmu");
    private static final ClassDesc CD_SEG = ClassDesc.of("dev.jemu.x86.cpu.Segment");
    private static final ClassDesc CD_BRANCH = ClassDesc.of("dev.jemu.x86.cpu.BranchOps");
    private static final ClassDesc CD_ALU = ClassDesc.of("dev.jemu.x86.cpu.Alu");
    private static final ClassDesc CD_MULDIV = ClassDesc.of("dev.jemu.x86.cpu.MulDiv");
    private static final ClassDesc CD_SHIFTS = ClassDesc.of("dev.jemu.x86.cpu.Shifts");
    private static final ClassDesc CD_MOVES = ClassDesc.of("dev.jemu.x86.cpu.MoveOps");
    private static final ClassDesc CD_BITS = ClassDesc.of("dev.jemu.x86.cpu.BitOps");
    private static final ClassDesc CD_STRINGS = ClassDesc.of("dev.jemu.x86.cpu.StringOps");
    private static final ClassDesc CD_LONGS = CD_long.arrayType();
    private static final ClassDesc CD_EXC = ClassDesc.of("dev.jemu.x86.cpu.X86Exception");
    private static final long M32 = 0xffffffffL;

    /** Locals of run() the emitted code uses (X86Jit owns 0-7): c.r, ALU operands and result, a linear address, CF in. */
    static final int R = 8, A = 9, B = 11, RES = 13, LA = 15, CIN = 17;
    private static final int C = 1;

    private final CodeBuilder cb;
    private final X86Jit.Addresses at;
    /** The lazy kind (Alu.LAZY_*) whose operands and result are in A, B and RES; LAZY_NONE when none are. */
    private int kept = Alu.LAZY_NONE;
    private int keptSize;

    X86Emit(CodeBuilder cb, X86Jit.Addresses at) {
        this.cb = cb;
        this.at = at;
    }

    /** Loads c.r into its local once per entry (the array is final). */
    void prologue() {
        cb.aload(C).getfield(CD_CPU, "r", CD_LONGS).astore(R);
    }

    /** A closure op ran (or a loop started): the flags in the locals are no longer the current ones. */
    void forget() {
        kept = Alu.LAZY_NONE;
    }

    /**
     * Instruction {@code i} of the block. {@code exit} is where a taken Jcc goes after setting c.nrip, and a memory
     * access that set c.leave (the exit counting i + 1 instructions); {@code last} says the block ends after it (so
     * c.nrip must name the next instruction).
     */
    void emit(X86Forms f, int i, Label exit, boolean last) {
        boolean mem = f.touchesMemory();
        Label begin = cb.newLabel();
        cb.labelBinding(begin);
        int keep = Alu.LAZY_NONE;
        switch (f.kind()) {
            case X86Forms.MOV -> {
                cb.aload(R).ldc(f.dst());
                value(f.b(), f.size(), i);
                cb.lastore();
            }
            case X86Forms.STORE -> {
                linear(f.a().ea(), i);
                cb.lstore(LA);
                cb.aload(C).getfield(CD_CPU, "mmu", CD_MMU).lload(LA);
                value(f.b(), f.size(), i);
                cb.invokevirtual(CD_MMU, "write" + f.size(), MethodTypeDesc.of(CD_void, CD_long, CD_long));
            }
            case X86Forms.MOVX -> {
                int from = (int) f.imm();
                cb.aload(R).ldc(f.dst());
                value(f.b(), from, i);
                if (f.cc() != 0) {
                    cb.l2i();
                    if (from == 8) {
                        cb.i2b();
                    } else if (from == 16) {
                        cb.i2s();
                    }
                    cb.i2l();
                    if (f.size() == 32) {
                        cb.ldc(M32).land();
                    }
                }
                cb.lastore();
            }
            case X86Forms.LEA -> {
                cb.aload(R).ldc(f.dst());
                offset(f.a().ea(), i);
                if (f.size() == 32) {
                    cb.ldc(M32).land();
                }
                cb.lastore();
            }
            case X86Forms.NOP -> {
            }
            case X86Forms.ALU -> keep = alu(f, i);
            case X86Forms.NOT -> {
                cb.aload(R).ldc(f.dst()).aload(R).ldc(f.dst()).laload().ldc(-1L).lxor();
                if (f.size() == 32) {
                    cb.ldc(M32).land(); // a 32-bit result zero-extends
                }
                cb.lastore();
            }
            case X86Forms.INCDEC -> keep = incDec(f, i);
            case X86Forms.SETCC -> { // a byte register, in X86Cpu.setReg8's coding
                conditionToCin(f.cc());
                cb.aload(C).ldc(f.dst()).iload(CIN).i2l();
                cb.invokevirtual(CD_CPU, "setReg8", MethodTypeDesc.of(CD_void, CD_int, CD_long));
            }
            case X86Forms.CMOV -> { // the source is read and the destination written (zero-extended) either way
                conditionToCin(f.cc());
                value(f.b(), f.size(), i);
                cb.lstore(B);
                Label old = cb.newLabel(), join = cb.newLabel();
                cb.aload(R).ldc(f.dst()).iload(CIN).ifeq(old).lload(B).goto_(join);
                cb.labelBinding(old);
                value(X86Forms.Operand.reg(f.dst()), f.size(), i);
                cb.labelBinding(join);
                cb.lastore();
            }
            case X86Forms.MUL -> { // rDX:rAX and every flag, as the closure (a static call C2 inlines)
                cb.aload(C);
                value(f.b(), f.size(), i);
                cb.ldc(f.size());
                cb.invokestatic(CD_MULDIV, f.alu() == 4 ? "mul" : "imul1",
                        MethodTypeDesc.of(CD_void, CD_CPU, CD_long, CD_int));
            }
            case X86Forms.IMUL -> {
                value(f.a(), f.size(), i);
                cb.lstore(A);
                value(f.b(), f.size(), i);
                cb.lstore(B);
                cb.aload(R).ldc(f.dst()).aload(C).lload(A).lload(B).ldc(f.size());
                cb.invokestatic(CD_MULDIV, "imul2", MethodTypeDesc.of(CD_long, CD_CPU, CD_long, CD_long, CD_int));
                cb.lastore(); // already truncated to the size, as Alu.set stores it
            }
            case X86Forms.SHIFT -> shift(f, i);
            case X86Forms.DSHIFT -> { // the raw count: Shifts.shld/shrd mask it, and a count of 0 changes no flag
                cb.aload(R).ldc(f.dst()).aload(C);
                value(X86Forms.Operand.reg(f.dst()), f.size(), i);
                value(f.b(), f.size(), i);
                value(f.a(), 64, i);
                cb.ldc(f.size());
                cb.invokestatic(CD_SHIFTS, f.alu() == 0 ? "shld" : "shrd",
                        MethodTypeDesc.of(CD_long, CD_CPU, CD_long, CD_long, CD_long, CD_int));
                cb.lastore(); // truncated to the size (a 32-bit result zero-extends, as Alu.set)
            }
            case X86Forms.BSWAP -> {
                cb.aload(R).ldc(f.dst()).aload(R).ldc(f.dst()).laload().ldc(f.size());
                cb.invokestatic(CD_MOVES, "bswap", MethodTypeDesc.of(CD_long, CD_long, CD_int));
                cb.lastore();
            }
            case X86Forms.SCAN -> {
                cb.aload(C).ldc(f.dst());
                value(f.b(), f.size(), i);
                cb.ldc(f.size());
                cb.invokestatic(CD_BITS, f.alu() == 0 ? "bsf" : "bsr",
                        MethodTypeDesc.of(CD_void, CD_CPU, CD_int, CD_long, CD_int));
            }
            case X86Forms.DIV -> { // #DE leaves through the fault handler, as a memory fault
                cb.aload(C);
                value(f.b(), f.size(), i);
                cb.ldc(f.size());
                cb.invokestatic(CD_MULDIV, f.alu() == 6 ? "div" : "idiv", MethodTypeDesc.of(CD_void, CD_CPU, CD_long, CD_int));
            }
            case X86Forms.STRING -> { // as the closure path: rip and nrip first (a REP chunk restarts at c.rip)
                at.store(cb, i, "rip", false);
                at.store(cb, i, "nrip", true);
                cb.aload(C).ldc(f.alu()).ldc(f.size()).ldc(f.cc()).ldc(f.dst()).ldc((int) f.imm());
                cb.invokestatic(CD_STRINGS, "exec", MethodTypeDesc.of(CD_void, CD_CPU, CD_int, CD_int, CD_int, CD_int, CD_int));
                if (!last) { // a REP op with more to do left c.nrip at itself: the block ends
                    cb.aload(C).getfield(CD_CPU, "nrip", CD_long);
                    at.push(cb, i, true);
                    cb.lcmp().ifne(exit);
                }
            }
            case X86Forms.JCC -> jcc(f, i, exit);
            case X86Forms.JMP -> {
                if (f.b() != null) { // through r/m (the block's last): a fault (#GP: non-canonical) at this instruction
                    cb.aload(C);
                    value(f.b(), f.size(), i);
                    cb.ldc(f.ipMask()).land();
                    cb.invokestatic(CD_BRANCH, "jumpTo", MethodTypeDesc.of(CD_void, CD_CPU, CD_long));
                } else if (last) { // else the block goes on at the target: nothing to do
                    setTarget(f, i);
                }
            }
            case X86Forms.CALL -> { // the return address is c.nrip, as for the closure
                at.store(cb, i, "nrip", true);
                cb.aload(C);
                if (f.b() == null) {
                    cb.ldc(f.imm()).ldc(f.ipMask()).ldc(f.size());
                    cb.invokestatic(CD_BRANCH, "call", MethodTypeDesc.of(CD_void, CD_CPU, CD_long, CD_long, CD_int));
                } else {
                    value(f.b(), f.size(), i);
                    cb.ldc(f.ipMask()).land().ldc(f.size());
                    cb.invokestatic(CD_BRANCH, "callTo", MethodTypeDesc.of(CD_void, CD_CPU, CD_long, CD_int));
                }
            }
            case X86Forms.RET -> {
                cb.aload(C).ldc(f.size()).ldc(f.ipMask());
                cb.invokestatic(CD_BRANCH, "ret", MethodTypeDesc.of(CD_void, CD_CPU, CD_int, CD_long));
            }
            case X86Forms.PUSH -> {
                cb.aload(C).aload(R).ldc(f.dst()).laload().ldc(64);
                cb.invokevirtual(CD_CPU, "push", MethodTypeDesc.of(CD_void, CD_long, CD_int));
            }
            case X86Forms.POP -> {
                cb.aload(R).ldc(f.dst()).aload(C).ldc(64);
                cb.invokevirtual(CD_CPU, "pop", MethodTypeDesc.of(CD_long, CD_int));
                cb.lastore();
            }
            default -> throw new IllegalStateException("form " + f.kind());
        }
        if (keep != Alu.LAZY_NONE) {
            kept = keep;
            keptSize = f.size();
        } else if (f.kind() != X86Forms.JCC && f.kind() != X86Forms.JMP && f.kind() != X86Forms.MOV && f.kind() != X86Forms.MOVX
                && f.kind() != X86Forms.LEA && f.kind() != X86Forms.NOT && f.kind() != X86Forms.NOP) {
            kept = Alu.LAZY_NONE; // a call (memory, the stack) may have changed nothing, but be plain about it
        }
        boolean transfer = f.kind() == X86Forms.CALL || f.kind() == X86Forms.RET || f.kind() == X86Forms.JMP && last;
        if (mem) {
            // a fault leaves through a handler that sets c.rip/c.nrip to this instruction (see handlers())
            Label to = cb.newLabel();
            cb.labelBinding(to);
            faults.add(new Fault(begin, to, i));
            if (!last && !transfer) {
                Label on = cb.newLabel();
                cb.aload(C).getfield(CD_CPU, "leave", CD_boolean).ifeq(on); // a store hit code, or a device asked
                at.store(cb, i, "nrip", true);
                cb.goto_(exit);
                cb.labelBinding(on);
            }
        }
        if (transfer) { // c.nrip is the target: the block ends (CALL and RET always end it)
            if (!last) {
                cb.goto_(exit);
            }
        } else if (last && f.kind() != X86Forms.STRING) { // STRING: exec set c.nrip (itself while a REP goes on)
            at.store(cb, i, "nrip", true);
        }
    }

    private record Fault(Label from, Label to, int insn) {
    }

    /** The emitted memory accesses, each with the instruction whose c.rip/c.nrip its fault must show. */
    private final java.util.List<Fault> faults = new java.util.ArrayList<>();

    /**
     * The fault handlers, after the method's code: an X86Exception from an emitted access sets c.rip and c.nrip
     * as the closure path does before every op, and propagates (X86Block.retiredBefore finds the count from rip).
     * Nothing the Mmu or a device does while the access runs reads them.
     */
    void handlers() {
        for (Fault f : faults) {
            Label h = cb.newLabel();
            cb.labelBinding(h);
            at.store(cb, f.insn(), "rip", false);
            at.store(cb, f.insn(), "nrip", true);
            cb.athrow();
            cb.exceptionCatch(f.from(), f.to(), h, CD_EXC);
        }
    }

    // ---------------------------------------------------------------- operands

    /** Pushes operand {@code o} at {@code size} bits, zero-extended (a byte register in X86Cpu.reg8's coding). */
    private void value(X86Forms.Operand o, int size, int i) {
        if (o.isImm()) {
            cb.ldc(o.imm());
        } else if (o.isMem()) {
            cb.aload(C).getfield(CD_CPU, "mmu", CD_MMU);
            linear(o.ea(), i);
            cb.invokevirtual(CD_MMU, "read" + size, MethodTypeDesc.of(CD_long, CD_long));
        } else if (size == 8 && o.reg() >= 16) {
            cb.aload(R).ldc(o.reg() - 16).laload().ldc(8).lushr().ldc(0xffL).land();
        } else {
            cb.aload(R).ldc(o.reg()).laload();
            if (size != 64) {
                cb.ldc(Alu.trunc(-1L, size)).land();
            }
        }
    }

    /** Pushes the effective address of {@code ea}, wrapped to its address size (32 or 64), as Ea.offset. */
    private void offset(Ea ea, int i) {
        if (ea.base == Ea.RIP) {
            at.push(cb, i, true);
        } else if (ea.base >= 0) {
            cb.aload(R).ldc(ea.base).laload();
        } else {
            cb.lconst_0();
        }
        if (ea.index >= 0) {
            cb.aload(R).ldc(ea.index).laload();
            if (ea.scale != 0) {
                cb.ldc(ea.scale).lshl();
            }
            cb.ladd();
        }
        if (ea.disp != 0) {
            cb.ldc(ea.disp).ladd();
        }
        if (ea.addrsize == 32) {
            cb.ldc(M32).land();
        }
    }

    /** Pushes the linear address of {@code ea}, as Ea.linear. */
    /**
     * The read half of a read-modify-write, in the interpreter's order (AluOps.memReg/memImm, Rm.unary): the one
     * linear address into LA, then the {@code s}-bit read at it on the stack.
     */
    private void readForUpdate(Ea ea, int s, int i) {
        linear(ea, i);
        cb.lstore(LA);
        cb.aload(C).getfield(CD_CPU, "mmu", CD_MMU).lload(LA);
        cb.invokevirtual(CD_MMU, "read" + s, MethodTypeDesc.of(CD_long, CD_long));
    }

    /** The write half: RES to LA. */
    private void writeBack(int s) {
        cb.aload(C).getfield(CD_CPU, "mmu", CD_MMU).lload(LA).lload(RES);
        cb.invokevirtual(CD_MMU, "write" + s, MethodTypeDesc.of(CD_void, CD_long, CD_long));
    }

    private void linear(Ea ea, int i) {
        if (ea.addrsize == 64) {
            offset(ea, i);
            if (ea.seg >= X86Cpu.FS) {
                cb.aload(C).getfield(CD_CPU, "seg", CD_SEG.arrayType()).ldc(ea.seg).aaload();
                cb.getfield(CD_SEG, "base", CD_long).ladd();
            }
            return;
        }
        cb.aload(C).ldc(ea.seg);
        offset(ea, i);
        cb.invokevirtual(CD_CPU, "linear", MethodTypeDesc.of(CD_long, CD_int, CD_long));
    }

    // ---------------------------------------------------------------- ALU and flags

    private int alu(X86Forms f, int i) {
        int s = f.size();
        int kind = f.alu();
        if (kind == Alu.ADC || kind == Alu.SBB) {
            carryIn(); // from the kept operands, before A and B take the new ones (reading memory changes no flag)
            cb.istore(CIN);
        }
        boolean rmw = f.dst() == X86Forms.TO_MEMORY; // as AluOps.memReg/memImm: one linear address, read, flags, write
        if (rmw) {
            readForUpdate(f.a().ea(), s, i);
        } else {
            value(f.a(), s, i);
        }
        cb.lstore(A);
        value(f.b(), s, i);
        cb.lstore(B);
        if (kind == Alu.ADC || kind == Alu.SBB) { // the carry in is c.cf(), read after the operands as Alu.alu
            cb.aload(C).lload(A).lload(B).iload(CIN).ldc(s);
            cb.invokestatic(CD_ALU, kind == Alu.ADC ? "add" : "sub",
                    MethodTypeDesc.of(CD_long, CD_CPU, CD_long, CD_long, CD_int, CD_int));
            cb.lstore(RES);
            cb.aload(R).ldc(f.dst()).lload(RES).lastore();
            return Alu.LAZY_NONE; // the carry in makes the fused compares wrong: Jcc reads the lazy fields
        }
        cb.lload(A).lload(B);
        int lazy;
        switch (kind) {
            case Alu.ADD -> {
                cb.ladd();
                lazy = Alu.LAZY_ADD;
            }
            case Alu.SUB, Alu.CMP -> {
                cb.lsub();
                lazy = Alu.LAZY_SUB;
            }
            case Alu.OR -> {
                cb.lor();
                lazy = Alu.LAZY_LOGIC;
            }
            case Alu.XOR -> {
                cb.lxor();
                lazy = Alu.LAZY_LOGIC;
            }
            default -> { // AND, TEST
                cb.land();
                lazy = Alu.LAZY_LOGIC;
            }
        }
        if (s != 64) {
            cb.ldc(Alu.trunc(-1L, s)).land();
        }
        cb.lstore(RES);
        boolean logic = lazy == Alu.LAZY_LOGIC;
        lazyState(lazy, logic ? -1 : A, logic ? -1 : B, false, s);
        if (f.dst() >= 0 && s == 8) { // a byte register, in X86Cpu.setReg8's coding
            cb.aload(C).ldc(f.dst()).lload(RES);
            cb.invokevirtual(CD_CPU, "setReg8", MethodTypeDesc.of(CD_void, CD_int, CD_long));
        } else if (f.dst() >= 0) {
            cb.aload(R).ldc(f.dst()).lload(RES).lastore();
        } else if (rmw) {
            writeBack(s);
        }
        return lazy;
    }

    private static final String[] SHIFT_NAMES = {"rol", "ror", "rcl", "rcr", "shl", "shr", "shl", "sar"};

    /**
     * A shift or rotate of register dst, as Shifts.shift: a masked count of 0 changes no flag (a 32-bit register is
     * still written back, zero-extended). An immediate SHL/SHR/SAR is computed here with its count folded in and
     * sets the flags through Alu.shiftFlags; the others call the kind's own helper (Shifts.shl, ...), small enough
     * for C2 to inline, instead of the dispatching Shifts.shift.
     */
    private void shift(X86Forms f, int i) {
        int s = f.size(), kind = f.alu();
        X86Forms.Operand dst = X86Forms.Operand.reg(f.dst());
        if (f.b().isImm()) {
            int n = Shifts.maskCount(f.b().imm(), s);
            if (n == 0) {
                if (s == 32) {
                    cb.aload(R).ldc(f.dst());
                    value(dst, s, i);
                    cb.lastore();
                }
                return;
            }
            if (kind >= 4) {
                shiftByConstant(f, n, i);
                return;
            }
            cb.aload(R).ldc(f.dst()).aload(C);
            value(dst, s, i);
            cb.ldc(n).ldc(s);
            cb.invokestatic(CD_SHIFTS, SHIFT_NAMES[kind], MethodTypeDesc.of(CD_long, CD_CPU, CD_long, CD_int, CD_int));
            cb.lastore();
            return;
        }
        value(f.b(), 64, i); // the count register
        cb.l2i().ldc(s == 64 ? 0x3f : 0x1f).iand().istore(CIN);
        Label zero = cb.newLabel(), join = cb.newLabel();
        cb.aload(R).ldc(f.dst());
        cb.iload(CIN).ifeq(zero);
        cb.aload(C);
        value(dst, s, i);
        cb.iload(CIN).ldc(s);
        cb.invokestatic(CD_SHIFTS, SHIFT_NAMES[kind], MethodTypeDesc.of(CD_long, CD_CPU, CD_long, CD_int, CD_int));
        cb.goto_(join);
        cb.labelBinding(zero);
        value(dst, s, i);
        cb.labelBinding(join);
        cb.lastore();
    }

    private void shiftOp(int kind) {
        switch (kind) {
            case 5 -> cb.lushr();
            case 7 -> cb.lshr();
            default -> cb.lshl();
        }
    }

    /** SHL/SAL, SHR or SAR of register dst by a constant 1..size-1, as Shifts.shl/shr/sar. */
    private void shiftByConstant(X86Forms f, int n, int i) {
        int s = f.size(), kind = f.alu();
        value(X86Forms.Operand.reg(f.dst()), s, i);
        if (kind == 7) { // SAR works on the sign-extended value
            if (s == 32) {
                cb.l2i().i2l();
            }
        }
        cb.lstore(A);
        // B = the value one step before the last (its edge bit is CF), RES = the result
        cb.lload(A).ldc(n - 1);
        shiftOp(kind);
        cb.lstore(B);
        cb.lload(B).iconst_1();
        shiftOp(kind);
        if (s != 64 && kind != 5) {
            cb.ldc(Alu.trunc(-1L, s)).land();
        }
        cb.lstore(RES);
        cb.aload(C);
        if (kind == 5 || kind == 7) { // CF: the last bit shifted out at the bottom
            cb.lload(B).l2i().iconst_1().iand();
        } else { // CF: the last bit shifted out at the top
            cb.lload(B).ldc(s - 1).lushr().l2i().iconst_1().iand();
        }
        cb.dup().istore(CIN);
        switch (kind) {
            case 5 -> cb.lload(B).lload(RES).lxor().ldc(s - 1).lushr().l2i().iconst_1().iand(); // msb(before ^ r)
            case 7 -> cb.iconst_0();
            default -> cb.lload(RES).ldc(s - 1).lushr().l2i().iconst_1().iand().iload(CIN).ixor(); // msb(r) ^ cf
        }
        cb.lload(RES).ldc(s);
        cb.invokestatic(CD_ALU, "shiftFlags", MethodTypeDesc.of(CD_void, CD_CPU, CD_int, CD_int, CD_long, CD_int));
        cb.aload(R).ldc(f.dst()).lload(RES).lastore();
    }

    /**
     * Pushes CF as an int: from the kept locals when an emitted ADD/SUB/CMP/logic op set the flags (its carry in
     * was 0, so CF is the plain carry or borrow, as Alu.lazyCf computes it), else c.cf().
     */
    private void carryIn() {
        int k = kept;
        if (k == Alu.LAZY_LOGIC) {
            cb.iconst_0();
        } else if (k == Alu.LAZY_ADD && keptSize == 64) {
            cb.lload(RES).lload(A).invokestatic(CD_Long, "compareUnsigned", MethodTypeDesc.of(CD_int, CD_long, CD_long));
            cb.ldc(31).iushr(); // 1 when res < a
        } else if (k == Alu.LAZY_SUB && keptSize == 64) {
            cb.lload(A).lload(B).invokestatic(CD_Long, "compareUnsigned", MethodTypeDesc.of(CD_int, CD_long, CD_long));
            cb.ldc(31).iushr(); // 1 when a < b
        } else if (k == Alu.LAZY_ADD) {
            cb.lload(A).lload(B).ladd().ldc(keptSize).lushr().l2i().iconst_1().iand();
        } else if (k == Alu.LAZY_SUB) {
            cb.lload(A).lload(B).lsub().ldc(63).lushr().l2i();
        } else {
            cb.aload(C).invokevirtual(CD_CPU, "cf", MethodTypeDesc.of(CD_int));
        }
    }

    private int incDec(X86Forms f, int i) {
        int s = f.size();
        boolean rmw = f.dst() == X86Forms.TO_MEMORY; // as Rm.unary: one linear address, read, flags, write
        carryIn(); // CF before, kept by INC/DEC: from the locals of an emitted ALU op right before, else c.cf()
        cb.istore(CIN);
        if (rmw) {
            readForUpdate(f.a().ea(), s, i);
        } else {
            cb.aload(R).ldc(f.dst()).laload();
            if (s == 32) {
                cb.ldc(M32).land();
            }
        }
        cb.lstore(A);
        cb.ldc(1L).lstore(B);
        cb.lload(A).ldc(1L);
        if (f.imm() > 0) {
            cb.ladd();
        } else {
            cb.lsub();
        }
        if (s == 32) {
            cb.ldc(M32).land();
        }
        cb.lstore(RES);
        int lazy = f.imm() > 0 ? Alu.LAZY_INC : Alu.LAZY_DEC;
        lazyState(lazy, A, B, true, s); // the carry in is the CF before (CIN), as Alu.inc/dec take it
        if (rmw) {
            writeBack(s);
        } else {
            cb.aload(R).ldc(f.dst()).lload(RES).lastore();
        }
        return lazy;
    }

    /** The lazy-flag fields as Alu.lazy sets them; -1 for an operand stored as 0; cin from the local CIN or 0. */
    private void lazyState(int lazy, int a, int b, boolean cfIn, int size) {
        if (cfIn) {
            cb.aload(C).iload(CIN).putfield(CD_CPU, "lazyCin", CD_int);
        } else {
            cb.aload(C).iconst_0().putfield(CD_CPU, "lazyCin", CD_int);
        }
        cb.aload(C).ldc(lazy).putfield(CD_CPU, "lazyOp", CD_int);
        cb.aload(C);
        if (a < 0) {
            cb.lconst_0();
        } else {
            cb.lload(a);
        }
        cb.putfield(CD_CPU, "lazyA", CD_long);
        cb.aload(C);
        if (b < 0) {
            cb.lconst_0();
        } else {
            cb.lload(b);
        }
        cb.putfield(CD_CPU, "lazyB", CD_long);
        cb.aload(C).lload(RES).putfield(CD_CPU, "lazyRes", CD_long);
        cb.aload(C).ldc(size).putfield(CD_CPU, "lazySize", CD_int);
    }

    /**
     * Jcc: to {@code exit} with c.nrip at the target when the condition holds. Tested on the locals when the
     * instruction before was an emitted ALU op whose flags give the condition simply, else by c.cond(cc).
     */
    private void jcc(X86Forms f, int i, Label exit) {
        Label taken = cb.newLabel();
        Label on = cb.newLabel();
        branch(f.cc(), taken, on);
        cb.labelBinding(taken);
        setTarget(f, i);
        cb.goto_(exit);
        cb.labelBinding(on);
    }

    /**
     * c.nrip = the fall-through + imm, masked to the code size; a non-canonical target is #GP at the branch. A target
     * in the branch's own page needs no check: that page is canonical, as the branch runs from it.
     */
    private void setTarget(X86Forms f, int i) {
        if (f.ipMask() == -1L && !at.inPage(i, f.imm())) {
            at.store(cb, i, "rip", false); // a non-canonical target faults at this instruction, as BranchOps.target
            cb.aload(C).aload(C);
            at.push(cb, i, true);
            cb.ldc(f.imm()).ladd().ldc(-1L);
            cb.invokestatic(CD_BRANCH, "target", MethodTypeDesc.of(CD_long, CD_CPU, CD_long, CD_long));
        } else {
            cb.aload(C);
            at.push(cb, i, true);
            cb.ldc(f.imm()).ladd();
            if (f.ipMask() != -1L) {
                cb.ldc(f.ipMask()).land();
            }
        }
        cb.putfield(CD_CPU, "nrip", CD_long);
    }

    /** Branches to {@code taken} when condition {@code cc} holds, else to {@code on}. */
    private void branch(int cc, Label taken, Label on) {
        boolean negate = (cc & 1) != 0;
        Label yes = negate ? on : taken, no = negate ? taken : on;
        if (!fusedCondition(cc >>> 1, yes, no)) {
            cb.aload(C).ldc(cc & ~1).invokevirtual(CD_CPU, "cond", MethodTypeDesc.of(CD_boolean, CD_int));
            cb.ifne(yes).goto_(no);
        }
    }

    /** Condition {@code cc} as 0 or 1 into the int local CIN. */
    private void conditionToCin(int cc) {
        Label t = cb.newLabel(), f = cb.newLabel(), join = cb.newLabel();
        branch(cc, t, f);
        cb.labelBinding(t);
        cb.iconst_1().istore(CIN).goto_(join);
        cb.labelBinding(f);
        cb.iconst_0().istore(CIN);
        cb.labelBinding(join);
    }

    /**
     * Branches to {@code yes} or {@code no} on condition pair {@code pair} (cc >>> 1: O B E BE S P L LE) of the
     * kept ALU result; false (emitting nothing) when no result is kept or this pair needs the general path.
     */
    private boolean fusedCondition(int pair, Label yes, Label no) {
        int k = kept;
        if (k == Alu.LAZY_NONE) {
            return false;
        }
        if (keptSize < 32 && pair != 2) {
            return false; // a byte or word result: only ZF is as simple as for 32/64 bits
        }
        boolean sub = k == Alu.LAZY_SUB, logic = k == Alu.LAZY_LOGIC;
        switch (pair) {
            case 2 -> zero(yes);
            case 4 -> negative(yes);
            case 0, 1 -> {
                if (logic) {
                    break; // OF and CF are 0: never
                }
                if (pair == 1 && sub) {
                    unsignedCompare(yes, false);
                    break;
                }
                return false;
            }
            case 3 -> {
                if (logic) {
                    zero(yes);
                } else if (sub) {
                    unsignedCompare(yes, true);
                } else {
                    return false;
                }
            }
            case 6 -> {
                if (logic) {
                    negative(yes);
                } else if (sub) {
                    signedCompare(yes, false);
                } else {
                    return false;
                }
            }
            case 7 -> {
                if (logic) {
                    zero(yes);
                    negative(yes);
                } else if (sub) {
                    signedCompare(yes, true);
                } else {
                    return false;
                }
            }
            default -> {
                return false;
            }
        }
        cb.goto_(no);
        return true;
    }

    private void zero(Label yes) {
        cb.lload(RES).lconst_0().lcmp().ifeq(yes);
    }

    private void negative(Label yes) {
        if (keptSize == 64) {
            cb.lload(RES).lconst_0().lcmp().iflt(yes);
        } else {
            cb.lload(RES).l2i().iflt(yes);
        }
    }

    /** a < b (or <=) unsigned: CF (or CF|ZF) of a - b. */
    private void unsignedCompare(Label yes, boolean orEqual) {
        if (keptSize == 64) {
            cb.lload(A).lload(B).invokestatic(CD_Long, "compareUnsigned", MethodTypeDesc.of(CD_int, CD_long, CD_long));
        } else {
            cb.lload(A).lload(B).lcmp(); // zero-extended 32-bit values compare unsigned as longs
        }
        if (orEqual) {
            cb.ifle(yes);
        } else {
            cb.iflt(yes);
        }
    }

    /** a < b (or <=) signed at the kept size: SF != OF (or ZF | SF != OF) of a - b. */
    private void signedCompare(Label yes, boolean orEqual) {
        if (keptSize == 64) {
            cb.lload(A).lload(B).lcmp();
            if (orEqual) {
                cb.ifle(yes);
            } else {
                cb.iflt(yes);
            }
            return;
        }
        cb.lload(A).l2i().lload(B).l2i();
        if (orEqual) {
            cb.if_icmple(yes);
        } else {
            cb.if_icmplt(yes);
        }
    }
}
