package dev.jemu.arm.cpu;

/** System and exception generation: SVC/HVC/SMC/BRK/HLT, hints (NOP, YIELD, WFE, WFI, SEV), barriers (DSB, DMB, ISB, CLREX), MSR (immediate: DAIFSet/Clr, SPSel...), MRS/MSR (register), SYS (DC, IC, AT, TLBI), ERET. System work. */
final class SystemInsns {
    private SystemInsns() {
    }

    /** The op for {@code insn}, or null when the encoding is unallocated (UNDEFINED). */
    static ArmOp decode(int insn) {
        return null;
    }
}
