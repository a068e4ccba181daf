package dev.jemu.x86.cpu;

/** Registers the integer core: ALU, shifts, MUL/DIV, MOV family, stack, near branches, string ops, flags. */
final class IntegerOps {
    private IntegerOps() {
    }

    static void register(OpcodeTable t) {
        AluOps.register(t);
        ShiftOps.register(t);
        MoveOps.register(t);
        BitOps.register(t);
        StackOps.register(t);
        BranchOps.register(t);
        StringOps.register(t);
        MiscOps.register(t);
    }
}
