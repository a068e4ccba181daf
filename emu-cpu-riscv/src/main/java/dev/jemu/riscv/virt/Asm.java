package dev.jemu.riscv.virt;

/** The few RV64 instruction encodings the board's ROM code needs (base ISA formats). */
final class Asm {
    static final int ZERO = 0, T0 = 5, T1 = 6, A0 = 10, A1 = 11, A2 = 12, A6 = 16, A7 = 17;

    private Asm() {
    }

    static int lui(int rd, int imm20) {
        return imm20 << 12 | rd << 7 | 0x37;
    }

    static int auipc(int rd, int imm20) {
        return imm20 << 12 | rd << 7 | 0x17;
    }

    static int addi(int rd, int rs1, int imm) {
        return (imm & 0xfff) << 20 | rs1 << 15 | rd << 7 | 0x13;
    }

    static int ld(int rd, int rs1, int imm) {
        return (imm & 0xfff) << 20 | rs1 << 15 | 3 << 12 | rd << 7 | 0x03;
    }

    static int sw(int rs2, int rs1, int imm) {
        return ((imm >> 5) & 0x7f) << 25 | rs2 << 20 | rs1 << 15 | 2 << 12 | (imm & 0x1f) << 7 | 0x23;
    }

    static int sb(int rs2, int rs1, int imm) {
        return ((imm >> 5) & 0x7f) << 25 | rs2 << 20 | rs1 << 15 | (imm & 0x1f) << 7 | 0x23;
    }

    static int ecall() {
        return 0x73;
    }

    /** csrrs rd, csr, x0. */
    static int csrr(int rd, int csr) {
        return csr << 20 | 2 << 12 | rd << 7 | 0x73;
    }

    static int jalr(int rd, int rs1, int imm) {
        return (imm & 0xfff) << 20 | rs1 << 15 | rd << 7 | 0x67;
    }

    /** jal x0, 0: a self-loop. */
    static int jSelf() {
        return 0x6f;
    }
}
