package dev.jemu.x86.cpu;

/** Registers SSE/SSE2/SSE3/SSSE3/SSE4 and FXSAVE/FXRSTOR, LDMXCSR/STMXCSR. */
final class SseOps {
    private SseOps() {
    }

    static void register(OpcodeTable t) {
    }
}
