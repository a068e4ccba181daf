package dev.jemu.bench;

/** The few RV64 encodings the benchmarks' guest loops need. */
final class Rv {
    private Rv() {}

    static int r(int f7, int rs2, int rs1, int f3, int rd, int op) {
        return f7 << 25 | rs2 << 20 | rs1 << 15 | f3 << 12 | rd << 7 | op;
    }

    static int i(int imm, int rs1, int f3, int rd, int op) {
        return (imm & 0xfff) << 20 | rs1 << 15 | f3 << 12 | rd << 7 | op;
    }

    static int s(int imm, int rs2, int rs1, int f3) {
        imm &= 0xfff;
        return (imm >> 5) << 25 | rs2 << 20 | rs1 << 15 | f3 << 12 | (imm & 31) << 7 | 0x23;
    }

    static int b(int off, int rs2, int rs1, int f3) {
        int o = off & 0x1fff;
        return ((o >> 12) & 1) << 31 | ((o >> 5) & 0x3f) << 25 | rs2 << 20 | rs1 << 15 | f3 << 12
                | ((o >> 1) & 0xf) << 8 | ((o >> 11) & 1) << 7 | 0x63;
    }

    static int addi(int rd, int rs1, int imm) { return i(imm, rs1, 0, rd, 0x13); }
    static int slli(int rd, int rs1, int sh) { return i(sh, rs1, 1, rd, 0x13); }
    static int srli(int rd, int rs1, int sh) { return i(sh, rs1, 5, rd, 0x13); }
    static int add(int rd, int rs1, int rs2) { return r(0, rs2, rs1, 0, rd, 0x33); }
    static int sub(int rd, int rs1, int rs2) { return r(0x20, rs2, rs1, 0, rd, 0x33); }
    static int xor(int rd, int rs1, int rs2) { return r(0, rs2, rs1, 4, rd, 0x33); }
    static int or(int rd, int rs1, int rs2) { return r(0, rs2, rs1, 6, rd, 0x33); }
    static int and(int rd, int rs1, int rs2) { return r(0, rs2, rs1, 7, rd, 0x33); }
    static int mul(int rd, int rs1, int rs2) { return r(1, rs2, rs1, 0, rd, 0x33); }
    static int ld(int rd, int rs1, int imm) { return i(imm, rs1, 3, rd, 0x03); }
    static int lw(int rd, int rs1, int imm) { return i(imm, rs1, 2, rd, 0x03); }
    static int sd(int rs2, int rs1, int imm) { return s(imm, rs2, rs1, 3); }
    static int beq(int rs1, int rs2, int off) { return b(off, rs2, rs1, 0); }
    static int bne(int rs1, int rs2, int off) { return b(off, rs2, rs1, 1); }
    static int jal(int rd, int off) {
        int o = off & 0x1fffff;
        return ((o >> 20) & 1) << 31 | ((o >> 1) & 0x3ff) << 21 | ((o >> 11) & 1) << 20 | ((o >> 12) & 0xff) << 12
                | rd << 7 | 0x6f;
    }
}
