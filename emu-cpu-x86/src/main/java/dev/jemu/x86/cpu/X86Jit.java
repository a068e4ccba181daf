package dev.jemu.x86.cpu;

import static java.lang.constant.ConstantDescs.*;

import dev.jemu.core.jit.HiddenClasses;
import dev.jemu.core.jit.JitPolicy;
import java.lang.classfile.ClassFile;
import java.lang.classfile.CodeBuilder;
import java.lang.classfile.Label;
import java.lang.constant.ClassDesc;
import java.lang.constant.MethodTypeDesc;
import java.lang.invoke.MethodHandles;

/**
 * Compiles hot x86 code into one JVM hidden class per block ({@link X86Block}). The block calls each instruction's
 * decoded op through a static final field, so HotSpot sees a constant receiver and inlines the op (whose captured
 * operands are trusted constants too: lambdas are hidden classes): the interpreter's per-instruction dispatch, page
 * lookup and loop checks are gone, and C2 specializes each op to its operands. Between instructions the block
 * keeps {@code c.rip}/{@code c.nrip} exact (ops and faults read them) and leaves when an op ends the block
 * ({@code c.leave}) or branches away ({@code c.nrip} not the fall-through); a branch back to the block's start
 * loops in place while a whole pass fits the budget and the machine loop wants no attention.
 *
 * <p>A block is decoded afresh from the page's bytes (its snapshot, as the page's ops are): straight-line code from the entry, along the fall-through
 * of conditional branches and through direct JMPs whose target is in the page and not yet in the block, up to an
 * instruction that always transfers control (CALL, RET, other JMPs, INT, IRET, SYSCALL, HLT, ...), one that would
 * cross the page end, an undefined opcode, or {@link #MAX_LENGTH} instructions.
 */
final class X86Jit {
    static final boolean ENABLED = JitPolicy.ENABLED;
    /** Entries of a block start within a heat period ({@link #DECAY}) before it is compiled (-Djemu.jit.threshold). */
    static final int THRESHOLD = JitPolicy.threshold(4000, 60000);
    /** Block entries into a page before its entries are counted one by one (most pages never get hot). */
    static final int PAGE_THRESHOLD = 64;
    static final int MAX_LENGTH = 64;
    /**
     * Whether long straight-line code compiles sooner ({@link #ranLong}, the continuation of a block cut at
     * MAX_LENGTH); -Djemu.jit.warm=false: each block start counts its own entries only.
     */
    static final boolean WARM_UP = !"false".equals(System.getProperty("jemu.jit.warm"));
    /** The heat of a block start to compile at its next entry, whatever the threshold (see {@link #find}). */
    static final char WARM = Character.MAX_VALUE;
    /**
     * Block lookups ({@link #find}) per heat period, as a power of two (-Djemu.jit.decay; 0: heat never decays). Each
     * period halves the heat of every block start not compiled yet, so a start compiles when it is hot within a
     * stretch of the run, not when its entries add up over a whole boot: a compile costs about a millisecond of CPU
     * and a few hundred entries in HotSpot's bytecode interpreter before C1, which a start entered a few thousand
     * times in all never earns back. The amd64 boot to 4096M instructions: with a flat threshold of 2000, 3430
     * compiles and 95M instructions interpreted below the threshold; 6000: 2280 and 185M; 4000 with a period of 2^20
     * lookups: 1870-1910 and 169-178M, fewer of both.
     */
    static final int DECAY = Integer.getInteger("jemu.jit.decay", 20);
    /** Block lookups so far: the heat clock, which ticks where heat is counted (a start not compiled yet, a hot page). */
    private static long lookups;
    /** Whether common instruction forms are written as bytecode (X86Emit); -Djemu.jit.emit=false calls every closure. */
    static final boolean EMIT = !"false".equals(System.getProperty("jemu.jit.emit"));

    private static final ClassDesc CD_CPU = ClassDesc.of("dev.jemu.x86.cpu.X86Cpu");
    private static final ClassDesc CD_OP = ClassDesc.of("dev.jemu.x86.cpu.X86Op");
    private static final ClassDesc CD_BLOCK = ClassDesc.of("dev.jemu.x86.cpu.X86Block");
    private static final ClassDesc CD_SELF = ClassDesc.of("dev.jemu.x86.cpu.X86CompiledBlock");
    private static final MethodTypeDesc MTD_RUN = MethodTypeDesc.of(CD_int, CD_CPU, CD_long, CD_int);
    private static final MethodTypeDesc MTD_EXEC = MethodTypeDesc.of(CD_void, CD_CPU);
    private static final MethodTypeDesc MTD_INIT = MethodTypeDesc.of(CD_void, CD_int, CD_short.arrayType(), CD_long);
    private static final MethodHandles.Lookup LOOKUP = MethodHandles.lookup();

    // run(c, rip0, max) locals: 0 this, 1 c, 2 rip0, 4 max, 5 done (instructions of completed passes), 6 next
    private static final int C = 1, RIP0 = 2, MAX = 4, DONE = 5, NEXT = 6;

    private X86Jit() {
    }

    /**
     * The compiled block at {@code off} of {@code page}, counting the entry; null while it is not hot yet (after
     * {@code threshold} entries: {@link #THRESHOLD} unless a test set the CPU's; with {@code decay} non-zero the heat
     * halves every 2^decay lookups, see {@link #DECAY}). With {@code background} a block
     * that gets hot is compiled by {@link X86BackgroundCompiler} while the interpreter goes on running it
     * ({@link X86Block#QUEUED} until then). Null too where no block can be compiled.
     */
    static X86Block find(CodeCache.Page page, int off, int threshold, int decay, boolean background) {
        X86Block[] blocks = page.blocks;
        if (blocks != null) {
            X86Block b = blocks[off];
            if (b != null) {
                return b == X86Block.NONE || b == X86Block.QUEUED ? null : b;
            }
        } else {
            if (++page.entries < Math.min(PAGE_THRESHOLD, threshold)) {
                return null;
            }
            page.blocks = blocks = new X86Block[4096];
            page.heat = new char[4096];
        }
        if (decay != 0) {
            int period = (int) (++lookups >>> decay);
            if (page.heatPeriod != period) {
                decay(page, period);
            }
        }
        char heat = page.heat[off];
        if (heat < threshold - 1) {
            page.heat[off] = (char) (heat + 1);
            return null;
        }
        if (background) {
            blocks[off] = X86Block.QUEUED; // interpreted (never entered) until the compiler thread installs the block
            if (!X86BackgroundCompiler.submit(page, off, blocks)) {
                blocks[off] = null; // the queue is full: hot again after another threshold of entries
                page.heat[off] = 0;
            }
            return null;
        }
        X86Block b = compile(page, off);
        blocks[off] = b;
        if (b == X86Block.NONE) {
            return null;
        }
        page.covered(off + b.firstDelta(), off + b.lastDelta() + 15);
        return b;
    }

    /** Halves the page's heat once per heat period gone since it was last decayed (but a WARM start's). */
    private static void decay(CodeCache.Page page, int period) {
        int gone = period - page.heatPeriod;
        page.heatPeriod = period;
        if (gone <= 0) {
            return; // the clock went back (a test changed the CPU's period): a new start
        }
        int shift = Math.min(16, gone);
        char[] heat = page.heat;
        for (int i = 0; i < heat.length; i++) {
            if (heat[i] != 0 && heat[i] != WARM) {
                heat[i] = (char) (heat[i] >>> shift);
            }
        }
    }

    /**
     * The interpreter ran {@code insns} instructions straight from the block start at {@code off} (more than a
     * block holds): each further MAX_LENGTH of them counts as another entry. Long straight-line code (unrolled
     * rounds of blake2s_compress_generic: a thousand instructions a run) compiles into several blocks whose
     * compiling costs less per instruction, and each entry interpreted costs as much as many short ones.
     */
    static void ranLong(CodeCache.Page page, int off, long insns, int threshold) {
        char[] heat = page.heat;
        if (WARM_UP && heat != null && page.blocks[off] == null) {
            heat[off] = (char) Math.min(Math.max(threshold - 1, 0), heat[off] + (insns - 1) / MAX_LENGTH);
        }
    }

    /** Decodes and compiles the block at {@code off}; {@link X86Block#NONE} when its first instruction cannot be. */
    static X86Block compile(CodeCache.Page page, int off) {
        long t0 = X86Stats.ON ? X86Stats.cpuNanos() : 0;
        Decoder decoder = new Decoder();
        Insn.Fetcher bytes = page::byteAt; // X86Exception: the instruction would cross the page end
        X86Op[] ops = new X86Op[MAX_LENGTH];
        short[] starts = new short[MAX_LENGTH];
        short[] falls = new short[MAX_LENGTH];
        short[] nexts = new short[MAX_LENGTH];
        X86Forms[] forms = new X86Forms[MAX_LENGTH];
        int[] census = new int[MAX_LENGTH];
        boolean[] seen = new boolean[4096];
        int n = 0;
        int at = off;
        boolean transfers = false; // the last instruction always transfers control
        while (n < MAX_LENGTH && at < 4096 && !seen[at]) {
            X86Op op;
            try {
                op = decoder.decode(bytes, at, page.mode);
            } catch (X86Exception e) {
                break;
            }
            if (op == Decoder.UNDEFINED || op == Decoder.TOO_LONG) {
                break;
            }
            seen[at] = true;
            ops[n] = op;
            forms[n] = !EMIT ? null : op == MoveOps.NOP ? X86Forms.NOTHING
                    : X86Forms.of(decoder.insn(), bytes, at, decoder.length());
            census[n] = forms[n] == null ? X86Census.site(decoder.insn()) : -1;
            starts[n] = (short) (at - off);
            int next = at + decoder.length();
            falls[n] = (short) (next - off);
            boolean ends = decoder.endsBlock();
            Long disp = ends ? decoder.jumpDisplacement(bytes, at) : null;
            if (disp != null && next + disp >= 0 && next + disp < 4096 && !seen[(int) (next + disp)]) {
                next += disp.intValue(); // a direct JMP inside the page: the block goes on at its target
                ends = false;
            }
            nexts[n] = (short) (next - off);
            n++;
            if (ends) {
                transfers = true;
                break;
            }
            at = next;
        }
        if (n == 0) {
            return X86Block.NONE;
        }
        if (WARM_UP && n == MAX_LENGTH && !transfers && at < 4096) {
            // cut at MAX_LENGTH: straight-line code goes on there, entered only from this block; it is as hot as
            // this block once this block runs, so its next entry compiles it (long unrolled code, such as
            // blake2s_compress_generic, would else take THRESHOLD entries per 64 instructions to compile)
            page.heat[at] = WARM;
        }
        long mask = X86Cpu.mask(page.mode);
        Object[] data = new Object[n];
        System.arraycopy(ops, 0, data, 0, n);
        long t1 = X86Stats.ON ? X86Stats.cpuNanos() : 0;
        byte[] classFile = generate(n, off, java.util.Arrays.copyOf(starts, n), java.util.Arrays.copyOf(falls, n),
                java.util.Arrays.copyOf(nexts, n), mask, java.util.Arrays.copyOf(forms, n), census);
        long t2 = X86Stats.ON ? X86Stats.cpuNanos() : 0;
        X86Block b = HiddenClasses.instantiate(LOOKUP, classFile, data, X86Block.class);
        if (X86Stats.ON) {
            long t3 = X86Stats.cpuNanos();
            X86Stats.decodeNanos += t1 - t0;
            X86Stats.generateNanos += t2 - t1;
            X86Stats.defineNanos += t3 - t2;
            X86Stats.compiles++;
            X86Stats.compiled(page.pa, off);
            X86Stats.compiledInsns += n;
            X86Stats.bytecode(classFile);
            for (int i = 0; i < n; i++) {
                X86Stats.emittedInsns += forms[i] != null ? 1 : 0;
            }
            X86Stats.compileNanos += t3 - t0;
        }
        return b;
    }

    private static String field(int i) {
        return "o" + i;
    }

    /**
     * The class of a block of {@code n} instructions at offset {@code off} of its page: each at {@code starts[i]} from the entry, its fall-through at
     * {@code falls[i]} (what c.nrip holds while it runs) and the block going on at {@code nexts[i]} (the fall-through,
     * or a followed JMP's target); {@code forms[i]} non-null when it is written as bytecode (X86Emit).
     */
    static byte[] generate(int n, int off, short[] starts, short[] falls, short[] nexts, long mask, X86Forms[] forms,
            int[] census) {
        return ClassFile.of().build(CD_SELF, clb -> {
            clb.withFlags(ClassFile.ACC_FINAL | ClassFile.ACC_SYNTHETIC);
            clb.withSuperclass(CD_BLOCK);
            HiddenClasses.constantsFromClassData(clb, CD_SELF, CD_OP, n, X86Jit::field);
            clb.withMethodBody(INIT_NAME, MTD_void, ClassFile.ACC_PUBLIC, cb -> {
                cb.aload(0).ldc(n);
                cb.ldc(n).newarray(java.lang.classfile.TypeKind.SHORT);
                for (int i = 0; i < n; i++) {
                    cb.dup().ldc(i).ldc((int) starts[i]).sastore();
                }
                cb.ldc(mask).invokespecial(CD_BLOCK, INIT_NAME, MTD_INIT).return_();
            });
            clb.withMethodBody("run", MTD_RUN, ClassFile.ACC_FINAL, cb -> emitRun(cb, n, off, starts, falls, nexts, mask, forms, census));
        });
    }

    private static void address(CodeBuilder cb, int delta, long mask) {
        cb.lload(RIP0);
        if (delta != 0) {
            cb.ldc((long) delta).ladd();
        }
        if (mask != -1L) {
            cb.ldc(mask).land();
        }
    }

    /**
     * Where instruction {@code i} of a block is, for the emitted forms (X86Emit): its start or its fall-through;
     * {@code off} is the block's offset in its page (the same at every virtual address the page runs at).
     */
    record Addresses(short[] starts, short[] falls, long mask, int off) {
        /** Whether fall-through + {@code rel} of instruction {@code i} is in the block's page. */
        boolean inPage(int i, long rel) {
            long to = off + falls[i] + rel;
            return to >= 0 && to < 4096;
        }

        void push(CodeBuilder cb, int i, boolean fall) {
            address(cb, fall ? falls[i] : starts[i], mask);
        }

        /** c.{@code field} = the address. */
        void store(CodeBuilder cb, int i, String field, boolean fall) {
            cb.aload(C);
            push(cb, i, fall);
            cb.putfield(CD_CPU, field, CD_long);
        }
    }

    private static void emitRun(CodeBuilder cb, int n, int off, short[] starts, short[] falls, short[] nexts, long mask,
            X86Forms[] forms, int[] census) {
        Label top = cb.newLabel();
        Label exit = cb.newLabel();
        Label ret = cb.newLabel();
        X86Emit emit = new X86Emit(cb, new Addresses(starts, falls, mask, off));
        emit.prologue();
        cb.iconst_0().istore(DONE);
        cb.labelBinding(top);
        emit.forget();
        Label[] left = new Label[n];
        for (int i = 0; i < n; i++) {
            left[i] = cb.newLabel();
        }
        for (int i = 0; i < n; i++) {
            if (forms[i] != null) {
                emit.emit(forms[i], i, left[i], i == n - 1);
                continue;
            }
            emit.forget();
            if (census[i] >= 0) {
                X86Census.count(cb, census[i]);
            }
            cb.aload(C);
            address(cb, starts[i], mask);
            cb.putfield(CD_CPU, "rip", CD_long);
            cb.aload(C);
            address(cb, falls[i], mask);
            cb.putfield(CD_CPU, "nrip", CD_long);
            address(cb, nexts[i], mask);
            cb.lstore(NEXT);
            cb.getstatic(CD_SELF, field(i), CD_OP).aload(C).invokeinterface(CD_OP, "exec", MTD_EXEC);
            if (i < n - 1) {
                cb.aload(C).getfield(CD_CPU, "leave", CD_boolean).ifne(left[i]);
                cb.aload(C).getfield(CD_CPU, "nrip", CD_long).lload(NEXT).lcmp().ifne(left[i]);
            }
        }
        // the last instruction, then each early exit: count what ran, then loop if the branch went to the start
        for (int i = n - 1; i >= 0; i--) {
            cb.labelBinding(left[i]);
            cb.iinc(DONE, i + 1);
            cb.goto_(exit);
        }
        cb.labelBinding(exit);
        cb.aload(C).getfield(CD_CPU, "leave", CD_boolean).ifne(ret);
        cb.aload(C).getfield(CD_CPU, "nrip", CD_long).lload(RIP0).lcmp().ifne(ret);
        cb.iload(DONE).ldc(n).iadd().iload(MAX).if_icmpgt(ret);
        cb.aload(C).invokevirtual(CD_CPU, "wantsAttention", MethodTypeDesc.of(CD_boolean)).ifne(ret);
        cb.aload(C).iload(DONE).putfield(CD_CPU, "jitLooped", CD_int);
        cb.goto_(top);
        cb.labelBinding(ret);
        cb.iload(DONE).ireturn();
        emit.handlers();
    }
}
