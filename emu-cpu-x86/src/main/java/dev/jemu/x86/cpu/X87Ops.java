package dev.jemu.x86.cpu;

/** Registers the x87 FPU (D8-DF escapes). */
final class X87Ops {
    private X87Ops() {
    }

    static void register(OpcodeTable t) {
    }
}
