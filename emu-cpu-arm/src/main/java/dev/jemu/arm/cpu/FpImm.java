package dev.jemu.arm.cpu;

/** VFPExpandImm: the 8-bit FP immediate of FMOV (scalar and vector) as half, single or double bits. */
final class FpImm {
    private FpImm() {
    }

    static int expand16(int imm8) {
        int sign = imm8 >>> 7, b6 = (imm8 >>> 6) & 1;
        int exp = (b6 ^ 1) << 4 | (b6 != 0 ? 0b1100 : 0) | (imm8 >>> 4) & 3;
        return sign << 15 | exp << 10 | (imm8 & 15) << 6;
    }

    static int expand32(int imm8) {
        int sign = imm8 >>> 7, b6 = (imm8 >>> 6) & 1;
        int exp = (b6 ^ 1) << 7 | (b6 != 0 ? 0b1111100 : 0) | (imm8 >>> 4) & 3;
        return sign << 31 | exp << 23 | (imm8 & 15) << 19;
    }

    static long expand64(int imm8) {
        long sign = imm8 >>> 7, b6 = (imm8 >>> 6) & 1;
        long exp = (b6 ^ 1) << 10 | (b6 != 0 ? 0b1111111100L : 0) | (imm8 >>> 4) & 3;
        return sign << 63 | exp << 52 | (long) (imm8 & 15) << 48;
    }
}
