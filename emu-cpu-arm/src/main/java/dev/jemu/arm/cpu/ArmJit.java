package dev.jemu.arm.cpu;

import static java.lang.constant.ConstantDescs.*;

import dev.jemu.core.jit.HiddenClasses;
import dev.jemu.core.jit.JitPolicy;
import dev.jemu.core.log.DebugLog;
import java.lang.classfile.ClassFile;
import java.lang.constant.ClassDesc;
import java.lang.constant.MethodTypeDesc;
import java.lang.invoke.MethodHandles;

/**
 * The aarch64 block compiler: a hot block start's straight-line ops (up to and including the first branch,
 * exception or system instruction, the page end or {@link #MAX_LENGTH} ops, fewer when its code would be too large
 * for HotSpot to compile: {@link #generateFitting}) become one hidden class whose
 * {@code run} calls each op's {@link ArmOp#exec} in turn. Every op is a constant of its class (a static final
 * field), so each call site sees one receiver class: HotSpot binds it directly and inlines small ops, where
 * the interpreter's one call site sees every op class there is (a megamorphic interface call per
 * instruction, the largest single cost of an interpreted boot). The semantics are the ops' own, so every op
 * is covered and exceptions are precise (c.pc is the op's address while it runs).
 */
final class ArmJit {
    static final boolean ENABLED = JitPolicy.ENABLED;
    /**
     * Entries of a block start (a jump target) before its block is compiled. A new block runs in the JVM's
     * bytecode interpreter until C1 compiles it, so a block must be entered a few thousand times to pay.
     */
    static final int THRESHOLD = JitPolicy.threshold(2000, 65535);
    static final int MAX_LENGTH = 64;

    private static final ClassDesc CD_CPU = BlockEmitter.CD_CPU;
    private static final ClassDesc CD_OP = BlockEmitter.CD_OP;
    private static final ClassDesc CD_BLOCK = ClassDesc.of("dev.jemu.arm.cpu.ArmBlock");
    private static final ClassDesc CD_SELF = ClassDesc.of("dev.jemu.arm.cpu.ArmBlockImpl");
    private static final MethodTypeDesc MTD_RUN = MethodTypeDesc.of(CD_int, CD_CPU, CD_long);
    private static final MethodHandles.Lookup LOOKUP = MethodHandles.lookup();
    private static boolean reported;

    private ArmJit() {
    }

    /**
     * Whether the instruction ends a block: branches, exception generation and system instructions, except
     * conditional branches (B.cond, CBZ/CBNZ, TBZ/TBNZ), past which a block goes on along the fall-through path
     * (a taken one leaves it), so a block is a superblock of the code's most common straight-line runs.
     */
    static boolean endsBlock(int insn) {
        return (insn >>> 26 & 7) == 0b101 && !conditionalBranch(insn);
    }

    static boolean conditionalBranch(int insn) {
        return (insn & 0xff000010) == 0x54000000 || (insn & 0x7c000000) == 0x34000000;
    }

    /** Compiles the block at slot {@code start} of {@code page}; null when it cannot (logged once). */
    static ArmBlock compile(CodeCache.Page page, int start) {
        int n = 0;
        ArmOp[] ops = new ArmOp[MAX_LENGTH];
        int[] insns = new int[MAX_LENGTH];
        try {
            for (int idx = start; idx < CodeCache.SLOTS && n < MAX_LENGTH; idx++) {
                ArmOp op = page.ops[idx];
                if (op == null) {
                    op = page.decode(idx);
                }
                int insn = page.word(idx);
                insns[n] = insn;
                ops[n++] = op;
                if (endsBlock(insn)) {
                    break;
                }
            }
            Generated g = generateFitting(insns, n);
            byte[] bytes = g.bytes();
            n = g.n();
            if (ArmStats.ON) ArmStats.compiledInsns += n;
            Object[] data = java.util.Arrays.copyOf(ops, n, Object[].class);
            return HiddenClasses.instantiate(LOOKUP, bytes, data, ArmBlock.class);
        } catch (RuntimeException | LinkageError e) {
            if (!reported) {
                reported = true;
                DebugLog.log(DebugLog.Category.UNIMP, "jit: aarch64 block at pa 0x%x not compiled: %s",
                        page.pa + 4L * start, e);
            }
            return null;
        }
    }

    /**
     * The largest {@code run} HotSpot compiles: a method over 8000 bytes of bytecode (-XX:HugeMethodLimit) is never
     * compiled and would run in the JVM's bytecode interpreter for good. Blocks of 64 loads and stores pass it (each
     * has its slow path with the registers written back); such a block is cut short until it fits. (Before: five
     * such blocks, the kernel's hottest, ran interpreted all boot long, a quarter of the boot's CPU time.)
     */
    static final int MAX_BYTECODE = 7900;

    /** A block's class and how many of the instructions it was given it runs. */
    record Generated(byte[] bytes, int n) {
    }

    /** The class of the first {@code n} of {@code insns}, cut shorter while its run is over {@link #MAX_BYTECODE}. */
    static Generated generateFitting(int[] insns, int n) {
        byte[] bytes = generate(insns, n);
        for (int size = runSize(bytes); size > MAX_BYTECODE && n > 1; size = runSize(bytes)) {
            n = Math.max(1, Math.min(n - 1, (int) ((long) n * MAX_BYTECODE / size)));
            bytes = generate(insns, n);
        }
        return new Generated(bytes, n);
    }

    /** Bytes of bytecode in the generated class's run method. */
    static int runSize(byte[] classBytes) {
        for (var m : ClassFile.of().parse(classBytes).methods()) {
            if (m.methodName().equalsString("run")) {
                return m.findAttribute(java.lang.classfile.Attributes.code()).orElseThrow().codeLength();
            }
        }
        throw new IllegalStateException("no run method");
    }

    /** With -Djemu.jit.calls=true every instruction calls its op (the call-threaded blocks, for comparison). */
    private static final boolean CALLS_ONLY = Boolean.getBoolean("jemu.jit.calls");

    /** -Djemu.jit.loops=false: a branch back to a block's start leaves the block (to compare). */
    private static final boolean LOOPS = !"false".equals(System.getProperty("jemu.jit.loops"));

    private static byte[] generate(int[] insns, int n) {
        boolean loops = false;
        for (int i = 0; i < n && !CALLS_ONLY && LOOPS; i++) {
            loops |= BlockEmitter.branchTarget(i, insns[i]) == 0;
        }
        if (!loops) {
            return generate(insns, n, null);
        }
        // a first emission finds the registers the loop touches, which the real one keeps in locals throughout
        boolean[][] touched = new boolean[1][];
        ClassFile.of().build(CD_SELF, clb -> clb.withMethodBody("run", MTD_RUN, ClassFile.ACC_FINAL, cb -> {
            BlockEmitter e = new BlockEmitter(cb, CD_SELF, insns, n, false, null);
            e.emit();
            touched[0] = e.touched;
        }));
        return generate(insns, n, touched[0]);
    }

    private static byte[] generate(int[] insns, int n, boolean[] preload) {
        return ClassFile.of().build(CD_SELF, clb -> {
            clb.withFlags(ClassFile.ACC_FINAL | ClassFile.ACC_SYNTHETIC);
            clb.withSuperclass(CD_BLOCK);
            boolean[][] calls = new boolean[1][];
            clb.withMethodBody("run", MTD_RUN, ClassFile.ACC_FINAL, cb -> {
                BlockEmitter e = new BlockEmitter(cb, CD_SELF, insns, n, CALLS_ONLY, preload);
                e.emit();
                calls[0] = e.calls;
            });
            dev.jemu.core.jit.HiddenClasses.constantsFromClassData(clb, CD_SELF, CD_OP, n,
                    i -> calls[0][i] ? BlockEmitter.field(i) : null);
            clb.withMethodBody(INIT_NAME, MTD_void, ClassFile.ACC_PUBLIC,
                    cb -> cb.aload(0).ldc(n).invokespecial(CD_BLOCK, INIT_NAME, MethodTypeDesc.of(CD_void, CD_int))
                            .return_());
        });
    }
}
