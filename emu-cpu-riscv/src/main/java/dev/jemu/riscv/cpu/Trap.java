package dev.jemu.riscv.cpu;

/**
 * Thrown inside the hart when an instruction raises a synchronous exception; the cause and value for
 * {@code xtval} are in the hart's pending-trap fields. One shared instance without a stack trace: traps are
 * part of normal guest execution (page faults), not errors of the emulator.
 */
final class Trap extends RuntimeException {
    static final Trap INSTANCE = new Trap();

    // exception codes (mcause with the interrupt bit clear)
    static final int INSN_MISALIGNED = 0, INSN_ACCESS = 1, ILLEGAL_INSN = 2, BREAKPOINT = 3;
    static final int LOAD_MISALIGNED = 4, LOAD_ACCESS = 5, STORE_MISALIGNED = 6, STORE_ACCESS = 7;
    static final int ECALL_U = 8, ECALL_S = 9, ECALL_M = 11;
    static final int INSN_PAGE_FAULT = 12, LOAD_PAGE_FAULT = 13, STORE_PAGE_FAULT = 15;
    static final long INTERRUPT = 1L << 63;
    /** Not a RISC-V exception: the hart stops or undoes an instruction for the external debugger (see Triggers). */
    static final int DEBUGGER = 1 << 16;

    private Trap() {
        super("trap", null, false, false);
    }
}
