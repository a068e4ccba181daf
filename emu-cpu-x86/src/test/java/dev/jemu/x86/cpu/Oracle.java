package dev.jemu.x86.cpu;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;

/**
 * Differential checking against the host CPU: each case sets RAX, RCX, RDX and the arithmetic flags, runs one or a
 * few instructions, and records RAX, RCX, RDX and RFLAGS (masked by what the SDM defines for the case) in buf. A
 * batch of cases runs natively and on jemu (TestRig.runNative / runSame) and every record must agree.
 */
final class Oracle {
    /** One case: start values, the instruction(s), and the flags it defines. */
    record Case(long rax, long rcx, long rdx, long flags, String insn, long flagMask) {
        @Override
        public String toString() {
            return String.format("%s with rax=%x rcx=%x rdx=%x flags=%x", insn.replace('\n', ';'), rax, rcx, rdx,
                    flags);
        }
    }

    static final long ALL = TestRig.FLAG_MASK;
    static final int RECORD = 32;
    static final int PER_BATCH = TestRig.BUF_SIZE / RECORD;

    private final List<Case> cases = new ArrayList<>();
    private final int perBatch;

    Oracle() {
        this(PER_BATCH);
    }

    /** For long cases: fewer per batch so that a batch's code fits below buf. */
    Oracle(int perBatch) {
        this.perBatch = perBatch;
    }

    Oracle add(long rax, long rcx, long rdx, long flags, String insn, long flagMask) {
        cases.add(new Case(rax, rcx, rdx, flags, insn, flagMask));
        return this;
    }

    int size() {
        return cases.size();
    }

    /** Runs every case natively and on jemu; fails listing the first mismatches. Returns the cases checked. */
    int check() {
        List<String> bad = new ArrayList<>();
        for (int from = 0; from < cases.size(); from += perBatch) {
            List<Case> batch = cases.subList(from, Math.min(cases.size(), from + perBatch));
            StringBuilder src = new StringBuilder();
            for (int i = 0; i < batch.size(); i++) {
                Case k = batch.get(i);
                int off = i * RECORD;
                src.append("movabs $").append(k.rax).append(", %rax\n")
                        .append("movabs $").append(k.rcx).append(", %rcx\n")
                        .append("movabs $").append(k.rdx).append(", %rdx\n")
                        .append("push $").append(k.flags).append("\npopfq\n")
                        .append(k.insn).append('\n')
                        .append("mov %rax, buf+").append(off).append("(%rip)\n")
                        .append("mov %rcx, buf+").append(off + 8).append("(%rip)\n")
                        .append("mov %rdx, buf+").append(off + 16).append("(%rip)\n")
                        .append("pushfq\npop %rax\nand $").append(k.flagMask).append(", %rax\n")
                        .append("mov %rax, buf+").append(off + 24).append("(%rip)\n")
                        .append("cld\n");
            }
            TestRig.Result n = TestRig.runNative(src.toString());
            TestRig.Result j = new TestRig().runSame(src.toString());
            assertTrue(j.fault() < 0, "jemu faulted with vector " + j.fault() + " at " + Long.toHexString(j.rip()));
            for (int i = 0; i < batch.size(); i++) {
                int off = i * RECORD;
                for (int w = 0; w < 4; w++) {
                    long nv = n.bufLong(off + 8 * w), jv = j.bufLong(off + 8 * w);
                    if (nv != jv && bad.size() < 20) {
                        bad.add(String.format("%s: %s native %x jemu %x", batch.get(i),
                                new String[] {"rax", "rcx", "rdx", "flags"}[w], nv, jv));
                    }
                }
            }
        }
        assertTrue(bad.isEmpty(), bad.size() + " mismatches:\n" + String.join("\n", bad));
        return cases.size();
    }

    /** Edge values for an operand size: 0, 1, the sign boundary, all ones and a few in between. */
    static long[] edges(int size) {
        long m = Alu.trunc(-1, size);
        long sign = 1L << (size - 1);
        return new long[] {0, 1, 2, 0xf, 0x10, sign - 1, sign, sign + 1, m - 1, m, 0x5a5a5a5a5a5a5a5aL & m,
                0x0123456789abcdefL & m};
    }

    static String reg(String base, int size) {
        return switch (size) {
            case 8 -> switch (base) {
                case "a" -> "%al";
                case "c" -> "%cl";
                default -> "%dl";
            };
            case 16 -> "%" + base + "x";
            case 32 -> "%e" + base + "x";
            default -> "%r" + base + "x";
        };
    }

    static String suffix(int size) {
        return switch (size) {
            case 8 -> "b";
            case 16 -> "w";
            case 32 -> "l";
            default -> "q";
        };
    }
}
