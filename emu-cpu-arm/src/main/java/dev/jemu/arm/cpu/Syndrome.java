package dev.jemu.arm.cpu;

/** ESR_ELx exception classes (EC, bits 31:26) that A64 at EL0/EL1 raises (Arm ARM D17.2.37). */
public final class Syndrome {
    public static final int EC_UNKNOWN = 0x00, EC_WFX = 0x01, EC_FP_ACCESS = 0x07, EC_ILLEGAL_STATE = 0x0e,
            EC_SVC64 = 0x15, EC_HVC64 = 0x16, EC_SMC64 = 0x17, EC_SYSREG = 0x18, EC_IABT_LOWER = 0x20,
            EC_IABT_SAME = 0x21, EC_PC_ALIGN = 0x22, EC_DABT_LOWER = 0x24, EC_DABT_SAME = 0x25,
            EC_SP_ALIGN = 0x26, EC_FP_EXC64 = 0x2c, EC_SERROR = 0x2f, EC_BREAKPOINT_LOWER = 0x30,
            EC_BREAKPOINT_SAME = 0x31, EC_SOFTSTEP_LOWER = 0x32, EC_SOFTSTEP_SAME = 0x33,
            EC_WATCHPOINT_LOWER = 0x34, EC_WATCHPOINT_SAME = 0x35, EC_BRK64 = 0x3c;

    private Syndrome() {
    }
}
