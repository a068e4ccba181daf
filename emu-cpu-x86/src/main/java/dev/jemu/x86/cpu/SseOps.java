package dev.jemu.x86.cpu;

/**
 * Registers SSE/SSE2/SSE3 (data movement {@link SseMove}, packed integer {@link SseInt}, floating point
 * {@link SseFloat}, conversions {@link SseConvert}) and provides FXSAVE/FXRSTOR and LDMXCSR/STMXCSR for the
 * 0F AE group, which SystemOps owns and dispatches here.
 */
final class SseOps {
    private SseOps() {
    }

    static void register(OpcodeTable t) {
        SseMove.register(t);
        SseInt.register(t);
        SseFloat.register(t);
        SseConvert.register(t);
    }
}
