package dev.jemu.x86.cpu;

import java.lang.classfile.CodeBuilder;
import java.lang.constant.ClassDesc;
import java.util.HashMap;
import java.util.Map;

/**
 * With {@code -Djemu.stats=true}: how often compiled blocks call each kind of closure op (an instruction X86Forms
 * did not recognise), by its encoding (map, opcode, ModRM /digit, register or memory operand, operand size, LOCK
 * and REP), so the next forms worth emitting can be read off a boot. Each closure call site in a block counts into
 * {@link #counts} at the index of its kind; {@link X86Stats} prints the most run kinds. Nothing is emitted when off.
 */
final class X86Census {
    private static final ClassDesc CD_SELF = ClassDesc.of("dev.jemu.x86.cpu.X86Census");
    private static final int TOP = 24;
    /** Calls per kind; grown (copied) as kinds appear, read through the field by the blocks. */
    static volatile long[] counts = new long[64];
    private static final Map<String, Integer> IDS = new HashMap<>();
    private static String[] keys = new String[64];

    private X86Census() {
    }

    /** The census index of the instruction the decoder decoded last; -1 when the census is off. */
    static int site(Insn d) {
        if (!X86Stats.ON) {
            return -1;
        }
        return id(key(d));
    }

    /** The kind's name: "0f b1 /r m64 lock", "ff /0 m32", "a5 64 rep". */
    static String key(Insn d) {
        StringBuilder s = new StringBuilder();
        s.append(switch (d.map) {
            case OpcodeTable.TWO -> "0f ";
            case OpcodeTable.T38 -> "0f38 ";
            case OpcodeTable.T3A -> "0f3a ";
            default -> "";
        });
        s.append(String.format("%02x", d.opcode));
        if (d.hasModrm()) {
            s.append(" /").append(d.modrmReg()).append(d.isMem() ? " m" : " r");
        } else {
            s.append(' ');
        }
        s.append(d.opsize);
        if (d.mode == 16) {
            s.append(" mode16");
        }
        if (d.mandatory != 0 && d.map != OpcodeTable.ONE) {
            s.append(String.format(" p%02x", d.mandatory));
        }
        if (d.lock) {
            s.append(" lock");
        }
        if (d.rep != 0) {
            s.append(d.rep == 0xf3 ? " rep" : " repne");
        }
        return s.toString();
    }

    private static synchronized int id(String key) {
        Integer have = IDS.get(key);
        if (have != null) {
            return have;
        }
        int n = IDS.size();
        if (n == keys.length) {
            keys = java.util.Arrays.copyOf(keys, n * 2);
            counts = java.util.Arrays.copyOf(counts, n * 2); // a count racing the copy is lost: statistics only
        }
        keys[n] = key;
        IDS.put(key, n);
        return n;
    }

    /** Emits counts[id]++ (the census is on and {@code id} a site's index). */
    static void count(CodeBuilder cb, int id) {
        cb.getstatic(CD_SELF, "counts", ClassDesc.ofDescriptor("[J")).ldc(id).dup2().laload().lconst_1().ladd().lastore();
    }

    /** The most called kinds so far, with their share of {@code jitInsns} (the instructions blocks retired). */
    static synchronized void print(long jitInsns) {
        long[] c = counts;
        int n = IDS.size();
        Integer[] order = new Integer[n];
        long total = 0;
        for (int i = 0; i < n; i++) {
            order[i] = i;
            total += c[i];
        }
        java.util.Arrays.sort(order, (x, y) -> Long.compare(c[y], c[x]));
        StringBuilder s = new StringBuilder(String.format("closures in blocks: %dM calls, %.1f%% of block insns%n",
                total >> 20, 100.0 * total / Math.max(1, jitInsns)));
        for (int i = 0; i < Math.min(TOP, n); i++) {
            s.append(String.format("  %-24s %9.2fM  %5.2f%%%n", keys[order[i]], c[order[i]] / 1e6,
                    100.0 * c[order[i]] / Math.max(1, jitInsns)));
        }
        System.err.print(s);
    }
}
