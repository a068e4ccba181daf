package dev.jemu.arm.cpu;

/** Data processing (register): logical and add/subtract (shifted, extended), with carry, conditional compare/select, 1- and 2-source (REV, CLZ, UDIV, shifts, CRC32), 3-source (MADD, UMULH...). Integer work. */
final class DataProcReg {
    private DataProcReg() {
    }

    /** The op for {@code insn}, or null when the encoding is unallocated (UNDEFINED). */
    static ArmOp decode(int insn) {
        return null;
    }
}
