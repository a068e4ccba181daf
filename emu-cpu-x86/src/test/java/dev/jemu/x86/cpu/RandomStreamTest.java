package dev.jemu.x86.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Seeded random streams of integer instructions whose results and flags the SDM defines (ALU in every size and
 * form, INC/DEC/NEG/NOT, shifts and rotates by 1, CMOVcc, SETcc, XCHG, XADD, CMPXCHG, BSWAP, MOVZX/MOVSX, LEA,
 * POPCNT; from seed 7 on, half of them with a memory operand in buf), run natively on the host and on jemu; every register but RSP, the flags (AF aside: logic ops and
 * shifts leave it undefined) and buf must agree at the end.
 */
class RandomStreamTest {
    private static final String[] R64 = {"rax", "rcx", "rdx", "rbx", "rbp", "rsi", "rdi", "r8", "r9", "r10", "r11",
            "r12", "r13", "r14", "r15"};
    private static final String[] R8 = {"al", "cl", "dl", "bl", "ah", "ch", "dh", "bh"};
    private static final String[] CC = {"o", "no", "b", "ae", "e", "ne", "be", "a", "s", "ns", "p", "np", "l", "ge",
            "le", "g"};

    private static String reg(Random r, int size) {
        if (size == 8) {
            return "%" + R8[r.nextInt(R8.length)];
        }
        String n = R64[r.nextInt(R64.length)];
        boolean numbered = n.startsWith("r") && Character.isDigit(n.charAt(1));
        return switch (size) {
            case 16 -> "%" + (numbered ? n + "w" : n.substring(1));
            case 32 -> "%" + (numbered ? n + "d" : "e" + n.substring(1));
            default -> "%" + n;
        };
    }

    /** A byte register that may be used with REX (no AH..BH). */
    private static String low8(Random r) {
        return "%" + R8[r.nextInt(4)];
    }

    /** An instruction with a memory operand in buf's first 256 bytes (RIP-relative). */
    private static String memInsn(Random r) {
        int size = new int[] {8, 16, 32, 64}[r.nextInt(4)];
        String sfx = Oracle.suffix(size);
        String m = "buf+" + r.nextInt(256) + "(%rip)";
        String a = reg(r, size);
        switch (r.nextInt(9)) {
            case 0, 1: {
                String op = new String[] {"add", "or", "adc", "sbb", "and", "sub", "xor", "cmp", "test"}[r.nextInt(9)];
                return r.nextBoolean() || op.equals("test") ? op + sfx + " " + a + ", " + m : op + sfx + " " + m + ", " + a;
            }
            case 2:
                return new String[] {"add", "or", "adc", "sbb", "and", "sub", "xor", "cmp"}[r.nextInt(8)] + sfx + " $"
                        + (byte) r.nextInt() + ", " + m;
            case 3:
                return new String[] {"inc", "dec", "neg", "not"}[r.nextInt(4)] + sfx + " " + m;
            case 4:
                return new String[] {"shl", "shr", "sar", "rol", "ror", "rcl", "rcr"}[r.nextInt(7)] + sfx + " " + m;
            case 5:
                return "mov" + sfx + " " + (r.nextBoolean() ? a + ", " + m : m + ", " + a);
            case 6:
                return (r.nextBoolean() ? "xchg" : "xadd") + sfx + " " + a + ", " + m;
            case 7:
                return size == 8 ? "movzbl " + m + ", " + reg(r, 32) : "cmpxchg" + sfx + " " + a + ", " + m;
            default:
                return size == 8 ? "set" + CC[r.nextInt(16)] + " " + m : size == 16 ? "movswq " + m + ", " + reg(r, 64)
                        : "imul" + sfx + " " + m + ", " + a;
        }
    }

    private static String insn(Random r) {
        int size = new int[] {8, 16, 32, 64}[r.nextInt(4)];
        String sfx = Oracle.suffix(size);
        String a = reg(r, size), b = reg(r, size);
        long imm = switch (r.nextInt(4)) {
            case 0 -> r.nextInt(3) - 1;
            case 1 -> (byte) r.nextInt();
            case 2 -> size == 8 ? (byte) r.nextInt() : size == 16 ? (short) r.nextInt() : r.nextInt();
            default -> size == 8 ? 0x7f : size == 16 ? 0x7fff : 0x7fffffff;
        };
        switch (r.nextInt(14)) {
            case 0, 1, 2: {
                String op = new String[] {"add", "or", "adc", "sbb", "and", "sub", "xor", "cmp", "test"}[r.nextInt(9)];
                return op + sfx + " " + a + ", " + b;
            }
            case 3, 4: {
                String op = new String[] {"add", "or", "adc", "sbb", "and", "sub", "xor", "cmp"}[r.nextInt(8)];
                return op + sfx + " $" + imm + ", " + a;
            }
            case 5:
                return new String[] {"inc", "dec", "neg", "not"}[r.nextInt(4)] + sfx + " " + a;
            case 6:
                return new String[] {"shl", "shr", "sar", "rol", "ror", "rcl", "rcr"}[r.nextInt(7)] + sfx + " " + a;
            case 7:
                if (size == 8) {
                    return "set" + CC[r.nextInt(16)] + " " + a;
                }
                return "cmov" + CC[r.nextInt(16)] + sfx + " " + b + ", " + a;
            case 8:
                return (r.nextBoolean() ? "xchg" : "xadd") + sfx + " " + a + ", " + b;
            case 9:
                return "cmpxchg" + sfx + " " + a + ", " + b;
            case 10:
                return size >= 32 ? "bswap " + a : "movzbl " + low8(r) + ", " + reg(r, 32);
            case 11:
                return r.nextBoolean() ? "movsbq " + low8(r) + ", " + reg(r, 64) : "movswl " + reg(r, 16) + ", " + reg(r, 32);
            case 12:
                return "lea " + (r.nextInt(200) - 100) + "(" + reg(r, 64) + "," + reg(r, 64).replace("%rsp", "%rax") + ","
                        + (1 << r.nextInt(4)) + "), " + reg(r, size == 8 ? 32 : size);
            default:
                return size == 8 ? "popcnt " + reg(r, 32) + ", " + reg(r, 32) : "popcnt " + b + ", " + a;
        }
    }

    @Test
    void randomStreamsAgreeWithTheHost() {
        check(false);
    }

    /** The same streams compiled by the JIT at their first entry (blocks of up to 64 instructions). */
    @Test
    void compiledRandomStreamsAgreeWithTheHost() {
        check(true);
    }

    private static void check(boolean compiled) {
        int checked = 0;
        for (int seed = 1; seed <= 16; seed++) {
            Random r = new Random(seed);
            StringBuilder src = new StringBuilder();
            for (String n : R64) {
                src.append("movabs $").append(r.nextLong() >> r.nextInt(64)).append(", %").append(n).append('\n');
            }
            for (int i = 0; i < 300; i++) {
                String insn = seed > 6 && r.nextBoolean() ? memInsn(r) : insn(r);
                src.append(insn).append('\n');
                if (insn.startsWith("imul")) {
                    src.append("add $0, %rax\n"); // IMUL leaves SF/ZF/PF undefined: redefine the flags at once
                }
            }
            TestRig.Result n = TestRig.runNative(src.toString());
            TestRig rig = new TestRig();
            if (compiled) {
                rig.cpu.jitThreshold = 1;
            }
            TestRig.Result j = rig.runSame(src.toString());
            assertEquals(-1, j.fault(), "seed " + seed);
            if (compiled) { // the stream itself (the rig's prologue and epilogue aside) ran as compiled blocks
                org.junit.jupiter.api.Assertions.assertTrue(rig.cpu.jitRetired() >= 300, "seed " + seed
                        + ": compiled instructions " + rig.cpu.jitRetired());
            }
            for (int i = 0; i < 16; i++) {
                if (i != X86Cpu.RSP) {
                    assertEquals(Long.toHexString(n.reg(i)), Long.toHexString(j.reg(i)), "seed " + seed + " register " + i);
                }
            }
            assertEquals(Long.toHexString(n.flags() & ~X86Cpu.AF), Long.toHexString(j.flags() & ~X86Cpu.AF), "seed " + seed + " flags");
            org.junit.jupiter.api.Assertions.assertArrayEquals(n.buf(), j.buf(), "seed " + seed + " memory");
            checked += 300;
        }
        System.out.println("RandomStreamTest instructions checked: " + checked);
    }
}
