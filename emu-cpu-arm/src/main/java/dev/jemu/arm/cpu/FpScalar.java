package dev.jemu.arm.cpu;

/** Scalar FP: data processing 1/2/3 source, compare, conditional compare and select, FMOV, conversions. */
final class FpScalar {
    private FpScalar() {
    }

    static ArmOp decode(int insn) {
        return null;
    }
}
