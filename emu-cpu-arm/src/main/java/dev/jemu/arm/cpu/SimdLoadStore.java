package dev.jemu.arm.cpu;

/** Loads and stores of FP/SIMD registers (bit 26 set in the load/store group): LDR/STR B/H/S/D/Q in every addressing mode, pairs, LD1-4/ST1-4 (multiple and single structures), LD1R-4R. FP/SIMD work. */
final class SimdLoadStore {
    private SimdLoadStore() {
    }

    /** The op for {@code insn}, or null when the encoding is unallocated (UNDEFINED). */
    static ArmOp decode(int insn) {
        return null;
    }
}
