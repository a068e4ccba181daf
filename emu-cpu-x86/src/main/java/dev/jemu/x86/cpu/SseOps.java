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
        Ssse3.register(t);
        Sse41.register(t);
        Sse42.register(t);
    }

    /** 0F AE /0 (REX.W: FXSAVE64), memory only; null (#UD) for a register operand. */
    static X86Op fxsave(Insn d) {
        return SseState.fxsave(d);
    }

    /** 0F AE /1 (REX.W: FXRSTOR64). */
    static X86Op fxrstor(Insn d) {
        return SseState.fxrstor(d);
    }

    /** 0F AE /2. */
    static X86Op ldmxcsr(Insn d) {
        return SseState.ldmxcsr(d);
    }

    /** 0F AE /3. */
    static X86Op stmxcsr(Insn d) {
        return SseState.stmxcsr(d);
    }
}
