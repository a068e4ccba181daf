package dev.jemu.arm.cpu;

/** Data processing (immediate): PC-relative addressing, add/subtract (immediate), logical (immediate), move wide, bitfield, extract. Integer work. */
final class DataProcImm {
    private DataProcImm() {
    }

    /** The op for {@code insn}, or null when the encoding is unallocated (UNDEFINED). */
    static ArmOp decode(int insn) {
        return null;
    }
}
