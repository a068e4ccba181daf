package dev.jemu.arm.cpu;

/** AdvSIMD three same, FP half (opcode 11xxx): FADD, FSUB, FMUL, FDIV, FMAX/FMIN(NM), FMLA/FMLS, FCMxx, pairwise, ... */
final class SimdFpThreeSame {
    private SimdFpThreeSame() {
    }

    static ArmOp decode(int insn, boolean scalar) {
        return null;
    }
}
