package dev.jemu.arm.cpu;

/** AdvSIMD (scalar and vector) x indexed element: MUL, MLA, MLS, SMULL/UMULL, FMUL, FMLA, FMLS, ... */
final class SimdByElement {
    private SimdByElement() {
    }

    static ArmOp decode(int insn, boolean scalar) {
        return null;
    }
}
