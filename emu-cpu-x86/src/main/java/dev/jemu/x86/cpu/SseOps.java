package dev.jemu.x86.cpu;

/** Registers SSE/SSE2/SSE3/SSSE3/SSE4 and FXSAVE/FXRSTOR, LDMXCSR/STMXCSR. */
final class SseOps {
    private SseOps() {
    }

    static void register(OpcodeTable t) {
    }

    // ---- entry points the system group's 0F AE decoder calls (ModRM.reg /0../3 with a memory operand).
    // Stubs from the x86sys branch: null (#UD) until the FP work implements them.

    /** FXSAVE m512 (0F AE /0). */
    static X86Op fxsave(Insn d) {
        return null;
    }

    /** FXRSTOR m512 (0F AE /1). */
    static X86Op fxrstor(Insn d) {
        return null;
    }

    /** LDMXCSR m32 (0F AE /2). */
    static X86Op ldmxcsr(Insn d) {
        return null;
    }

    /** STMXCSR m32 (0F AE /3). */
    static X86Op stmxcsr(Insn d) {
        return null;
    }
}
