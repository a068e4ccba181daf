package dev.jemu.x86.cpu;

/** Registers the integer core: ALU, shifts, MUL/DIV, MOV family, stack, near branches, string ops, flags. */
final class IntegerOps {
    private IntegerOps() {
    }

    static void register(OpcodeTable t) {
    }
}
