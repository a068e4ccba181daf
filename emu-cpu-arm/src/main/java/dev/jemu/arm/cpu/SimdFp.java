package dev.jemu.arm.cpu;

/** Data processing - scalar FP and Advanced SIMD: FP arithmetic, compare, conversions, FMOV, every AdvSIMD group. FP/SIMD work. */
final class SimdFp {
    private SimdFp() {
    }

    /** The op for {@code insn}, or null when the encoding is unallocated (UNDEFINED). */
    static ArmOp decode(int insn) {
        return null;
    }
}
