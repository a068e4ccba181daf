package dev.jemu.arm.cpu;

/** Branches: B, BL, B.cond, CBZ/CBNZ, TBZ/TBNZ, BR, BLR, RET. Integer work. */
final class Branches {
    private Branches() {
    }

    /** The op for {@code insn}, or null when the encoding is unallocated (UNDEFINED). */
    static ArmOp decode(int insn) {
        return null;
    }
}
