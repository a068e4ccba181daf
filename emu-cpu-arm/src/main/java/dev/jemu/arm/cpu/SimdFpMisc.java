package dev.jemu.arm.cpu;

/** AdvSIMD FP two-register misc, FP across lanes, scalar pairwise and fixed-point shifts by immediate. */
final class SimdFpMisc {
    private SimdFpMisc() {
    }

    static ArmOp decode(int insn, boolean scalar) {
        return null;
    }

    static ArmOp across(int insn) {
        return null;
    }

    static ArmOp scalarPairwise(int insn) {
        return null;
    }

    static ArmOp fixedPoint(int insn, boolean scalar) {
        return null;
    }
}
