package dev.jemu.arm.cpu;

/**
 * The ops of the plain loads and stores, one lambda per access kind and addressing mode so that running one is
 * the address arithmetic and the access, nothing else. Loads read memory before writing any register, and
 * writeback comes after the load (with Rn == Rt the written-back address wins, as in QEMU).
 */
final class LoadStoreOps {
    private LoadStoreOps() {
    }

    static final int STRB = 0, STRH = 1, STRW = 2, STRX = 3, LDRB = 4, LDRH = 5, LDRW = 6, LDRX = 7, LDRSBX = 8, LDRSHX = 9, LDRSW = 10, LDRSBW = 11, LDRSHW = 12;
    static final int OFFSET = 0, PRE = 1, POST = 2, REG_LSL = 3, REG_UXTW = 4, REG_SXTW = 5;

    /** The op of one access {@code kind} in addressing {@code mode}: t the data register, n the base, imm the offset, m/s the index register and its shift. */
    static ArmOp single(int mode, int kind, int t, int n, long imm, int m, int s) {
        return switch (mode * 16 + kind) {
            case 0 -> c -> { long a = c.x[n] + imm; c.write8(a, c.x[t]); };
            case 1 -> c -> { long a = c.x[n] + imm; c.write16(a, c.x[t]); };
            case 2 -> c -> { long a = c.x[n] + imm; c.write32(a, c.x[t]); };
            case 3 -> c -> { long a = c.x[n] + imm; c.write64(a, c.x[t]); };
            case 4 -> c -> { long a = c.x[n] + imm; c.x[t] = c.read8(a); };
            case 5 -> c -> { long a = c.x[n] + imm; c.x[t] = c.read16(a); };
            case 6 -> c -> { long a = c.x[n] + imm; c.x[t] = c.read32(a); };
            case 7 -> c -> { long a = c.x[n] + imm; c.x[t] = c.read64(a); };
            case 8 -> c -> { long a = c.x[n] + imm; c.x[t] = (long) (byte) c.read8(a); };
            case 9 -> c -> { long a = c.x[n] + imm; c.x[t] = (long) (short) c.read16(a); };
            case 10 -> c -> { long a = c.x[n] + imm; c.x[t] = (long) (int) c.read32(a); };
            case 11 -> c -> { long a = c.x[n] + imm; c.x[t] = (byte) c.read8(a) & Alu.W; };
            case 12 -> c -> { long a = c.x[n] + imm; c.x[t] = (short) c.read16(a) & Alu.W; };
            case 16 -> c -> { long a = c.x[n] + imm; c.write8(a, c.x[t]); c.x[n] = a; };
            case 17 -> c -> { long a = c.x[n] + imm; c.write16(a, c.x[t]); c.x[n] = a; };
            case 18 -> c -> { long a = c.x[n] + imm; c.write32(a, c.x[t]); c.x[n] = a; };
            case 19 -> c -> { long a = c.x[n] + imm; c.write64(a, c.x[t]); c.x[n] = a; };
            case 20 -> c -> { long a = c.x[n] + imm; long v = c.read8(a); c.x[t] = v; c.x[n] = a; };
            case 21 -> c -> { long a = c.x[n] + imm; long v = c.read16(a); c.x[t] = v; c.x[n] = a; };
            case 22 -> c -> { long a = c.x[n] + imm; long v = c.read32(a); c.x[t] = v; c.x[n] = a; };
            case 23 -> c -> { long a = c.x[n] + imm; long v = c.read64(a); c.x[t] = v; c.x[n] = a; };
            case 24 -> c -> { long a = c.x[n] + imm; long v = (long) (byte) c.read8(a); c.x[t] = v; c.x[n] = a; };
            case 25 -> c -> { long a = c.x[n] + imm; long v = (long) (short) c.read16(a); c.x[t] = v; c.x[n] = a; };
            case 26 -> c -> { long a = c.x[n] + imm; long v = (long) (int) c.read32(a); c.x[t] = v; c.x[n] = a; };
            case 27 -> c -> { long a = c.x[n] + imm; long v = (byte) c.read8(a) & Alu.W; c.x[t] = v; c.x[n] = a; };
            case 28 -> c -> { long a = c.x[n] + imm; long v = (short) c.read16(a) & Alu.W; c.x[t] = v; c.x[n] = a; };
            case 32 -> c -> { long a = c.x[n]; c.write8(a, c.x[t]); c.x[n] = a + imm; };
            case 33 -> c -> { long a = c.x[n]; c.write16(a, c.x[t]); c.x[n] = a + imm; };
            case 34 -> c -> { long a = c.x[n]; c.write32(a, c.x[t]); c.x[n] = a + imm; };
            case 35 -> c -> { long a = c.x[n]; c.write64(a, c.x[t]); c.x[n] = a + imm; };
            case 36 -> c -> { long a = c.x[n]; long v = c.read8(a); c.x[t] = v; c.x[n] = a + imm; };
            case 37 -> c -> { long a = c.x[n]; long v = c.read16(a); c.x[t] = v; c.x[n] = a + imm; };
            case 38 -> c -> { long a = c.x[n]; long v = c.read32(a); c.x[t] = v; c.x[n] = a + imm; };
            case 39 -> c -> { long a = c.x[n]; long v = c.read64(a); c.x[t] = v; c.x[n] = a + imm; };
            case 40 -> c -> { long a = c.x[n]; long v = (long) (byte) c.read8(a); c.x[t] = v; c.x[n] = a + imm; };
            case 41 -> c -> { long a = c.x[n]; long v = (long) (short) c.read16(a); c.x[t] = v; c.x[n] = a + imm; };
            case 42 -> c -> { long a = c.x[n]; long v = (long) (int) c.read32(a); c.x[t] = v; c.x[n] = a + imm; };
            case 43 -> c -> { long a = c.x[n]; long v = (byte) c.read8(a) & Alu.W; c.x[t] = v; c.x[n] = a + imm; };
            case 44 -> c -> { long a = c.x[n]; long v = (short) c.read16(a) & Alu.W; c.x[t] = v; c.x[n] = a + imm; };
            case 48 -> c -> { long a = c.x[n] + (c.x[m] << s); c.write8(a, c.x[t]); };
            case 49 -> c -> { long a = c.x[n] + (c.x[m] << s); c.write16(a, c.x[t]); };
            case 50 -> c -> { long a = c.x[n] + (c.x[m] << s); c.write32(a, c.x[t]); };
            case 51 -> c -> { long a = c.x[n] + (c.x[m] << s); c.write64(a, c.x[t]); };
            case 52 -> c -> { long a = c.x[n] + (c.x[m] << s); c.x[t] = c.read8(a); };
            case 53 -> c -> { long a = c.x[n] + (c.x[m] << s); c.x[t] = c.read16(a); };
            case 54 -> c -> { long a = c.x[n] + (c.x[m] << s); c.x[t] = c.read32(a); };
            case 55 -> c -> { long a = c.x[n] + (c.x[m] << s); c.x[t] = c.read64(a); };
            case 56 -> c -> { long a = c.x[n] + (c.x[m] << s); c.x[t] = (long) (byte) c.read8(a); };
            case 57 -> c -> { long a = c.x[n] + (c.x[m] << s); c.x[t] = (long) (short) c.read16(a); };
            case 58 -> c -> { long a = c.x[n] + (c.x[m] << s); c.x[t] = (long) (int) c.read32(a); };
            case 59 -> c -> { long a = c.x[n] + (c.x[m] << s); c.x[t] = (byte) c.read8(a) & Alu.W; };
            case 60 -> c -> { long a = c.x[n] + (c.x[m] << s); c.x[t] = (short) c.read16(a) & Alu.W; };
            case 64 -> c -> { long a = c.x[n] + ((c.x[m] & Alu.W) << s); c.write8(a, c.x[t]); };
            case 65 -> c -> { long a = c.x[n] + ((c.x[m] & Alu.W) << s); c.write16(a, c.x[t]); };
            case 66 -> c -> { long a = c.x[n] + ((c.x[m] & Alu.W) << s); c.write32(a, c.x[t]); };
            case 67 -> c -> { long a = c.x[n] + ((c.x[m] & Alu.W) << s); c.write64(a, c.x[t]); };
            case 68 -> c -> { long a = c.x[n] + ((c.x[m] & Alu.W) << s); c.x[t] = c.read8(a); };
            case 69 -> c -> { long a = c.x[n] + ((c.x[m] & Alu.W) << s); c.x[t] = c.read16(a); };
            case 70 -> c -> { long a = c.x[n] + ((c.x[m] & Alu.W) << s); c.x[t] = c.read32(a); };
            case 71 -> c -> { long a = c.x[n] + ((c.x[m] & Alu.W) << s); c.x[t] = c.read64(a); };
            case 72 -> c -> { long a = c.x[n] + ((c.x[m] & Alu.W) << s); c.x[t] = (long) (byte) c.read8(a); };
            case 73 -> c -> { long a = c.x[n] + ((c.x[m] & Alu.W) << s); c.x[t] = (long) (short) c.read16(a); };
            case 74 -> c -> { long a = c.x[n] + ((c.x[m] & Alu.W) << s); c.x[t] = (long) (int) c.read32(a); };
            case 75 -> c -> { long a = c.x[n] + ((c.x[m] & Alu.W) << s); c.x[t] = (byte) c.read8(a) & Alu.W; };
            case 76 -> c -> { long a = c.x[n] + ((c.x[m] & Alu.W) << s); c.x[t] = (short) c.read16(a) & Alu.W; };
            case 80 -> c -> { long a = c.x[n] + ((long) (int) c.x[m] << s); c.write8(a, c.x[t]); };
            case 81 -> c -> { long a = c.x[n] + ((long) (int) c.x[m] << s); c.write16(a, c.x[t]); };
            case 82 -> c -> { long a = c.x[n] + ((long) (int) c.x[m] << s); c.write32(a, c.x[t]); };
            case 83 -> c -> { long a = c.x[n] + ((long) (int) c.x[m] << s); c.write64(a, c.x[t]); };
            case 84 -> c -> { long a = c.x[n] + ((long) (int) c.x[m] << s); c.x[t] = c.read8(a); };
            case 85 -> c -> { long a = c.x[n] + ((long) (int) c.x[m] << s); c.x[t] = c.read16(a); };
            case 86 -> c -> { long a = c.x[n] + ((long) (int) c.x[m] << s); c.x[t] = c.read32(a); };
            case 87 -> c -> { long a = c.x[n] + ((long) (int) c.x[m] << s); c.x[t] = c.read64(a); };
            case 88 -> c -> { long a = c.x[n] + ((long) (int) c.x[m] << s); c.x[t] = (long) (byte) c.read8(a); };
            case 89 -> c -> { long a = c.x[n] + ((long) (int) c.x[m] << s); c.x[t] = (long) (short) c.read16(a); };
            case 90 -> c -> { long a = c.x[n] + ((long) (int) c.x[m] << s); c.x[t] = (long) (int) c.read32(a); };
            case 91 -> c -> { long a = c.x[n] + ((long) (int) c.x[m] << s); c.x[t] = (byte) c.read8(a) & Alu.W; };
            case 92 -> c -> { long a = c.x[n] + ((long) (int) c.x[m] << s); c.x[t] = (short) c.read16(a) & Alu.W; };
            default -> throw new AssertionError(mode + "/" + kind);
        };
    }

    static final int STPW = 0, STPX = 1, LDPW = 2, LDPX = 3, LDPSW = 4;

    /**
     * The op of one pair access {@code kind} in addressing {@code mode} (LoadStoreOps.OFFSET, PRE or POST).
     * Both loads complete before any register is written; with Rt == Rt2 Rt wins and writeback comes last (QEMU's
     * choices for the CONSTRAINED UNPREDICTABLE cases).
     */
    static ArmOp pair(int mode, int kind, int t, int t2, int n, long imm) {
        return switch (mode * 8 + kind) {
            case 0 -> c -> { long a = c.x[n] + imm; c.write32(a, c.x[t]); c.write32(a + 4, c.x[t2]); };
            case 1 -> c -> { long a = c.x[n] + imm; c.write64(a, c.x[t]); c.write64(a + 8, c.x[t2]); };
            case 2 -> c -> { long a = c.x[n] + imm; long v = c.read32(a), v2 = c.read32(a + 4); c.x[t2] = v2; c.x[t] = v; };
            case 3 -> c -> { long a = c.x[n] + imm; long v = c.read64(a), v2 = c.read64(a + 8); c.x[t2] = v2; c.x[t] = v; };
            case 4 -> c -> { long a = c.x[n] + imm; long v = (int) c.read32(a), v2 = (int) c.read32(a + 4); c.x[t2] = v2; c.x[t] = v; };
            case 8 -> c -> { long a = c.x[n] + imm; c.write32(a, c.x[t]); c.write32(a + 4, c.x[t2]); c.x[n] = a; };
            case 9 -> c -> { long a = c.x[n] + imm; c.write64(a, c.x[t]); c.write64(a + 8, c.x[t2]); c.x[n] = a; };
            case 10 -> c -> { long a = c.x[n] + imm; long v = c.read32(a), v2 = c.read32(a + 4); c.x[t2] = v2; c.x[t] = v; c.x[n] = a; };
            case 11 -> c -> { long a = c.x[n] + imm; long v = c.read64(a), v2 = c.read64(a + 8); c.x[t2] = v2; c.x[t] = v; c.x[n] = a; };
            case 12 -> c -> { long a = c.x[n] + imm; long v = (int) c.read32(a), v2 = (int) c.read32(a + 4); c.x[t2] = v2; c.x[t] = v; c.x[n] = a; };
            case 16 -> c -> { long a = c.x[n]; c.write32(a, c.x[t]); c.write32(a + 4, c.x[t2]); c.x[n] = a + imm; };
            case 17 -> c -> { long a = c.x[n]; c.write64(a, c.x[t]); c.write64(a + 8, c.x[t2]); c.x[n] = a + imm; };
            case 18 -> c -> { long a = c.x[n]; long v = c.read32(a), v2 = c.read32(a + 4); c.x[t2] = v2; c.x[t] = v; c.x[n] = a + imm; };
            case 19 -> c -> { long a = c.x[n]; long v = c.read64(a), v2 = c.read64(a + 8); c.x[t2] = v2; c.x[t] = v; c.x[n] = a + imm; };
            case 20 -> c -> { long a = c.x[n]; long v = (int) c.read32(a), v2 = (int) c.read32(a + 4); c.x[t2] = v2; c.x[t] = v; c.x[n] = a + imm; };
            default -> throw new AssertionError(mode + "/" + kind);
        };
    }
}
