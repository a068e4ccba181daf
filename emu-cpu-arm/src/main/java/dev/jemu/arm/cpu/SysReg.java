package dev.jemu.arm.cpu;

/**
 * System register keys: op0:op1:CRn:CRm:op2 packed as bits 20:5 of an MRS/MSR word are, so
 * {@code (insn >>> 5) & 0xffff} is the key. Shared by the CPU, the sysreg table and devices with system
 * register interfaces (GICv3's ICC_*).
 */
public final class SysReg {
    private SysReg() {
    }

    public static int key(int op0, int op1, int crn, int crm, int op2) {
        return op0 << 14 | op1 << 11 | crn << 7 | crm << 3 | op2;
    }

    /** The key of an MRS/MSR (register) instruction word. */
    public static int keyOf(int insn) {
        return (insn >>> 5) & 0xffff;
    }

    /** "S3_0_C1_C0_0" style name, for messages. */
    public static String name(int key) {
        return "S" + (key >>> 14 & 3) + "_" + (key >>> 11 & 7) + "_C" + (key >>> 7 & 15) + "_C" + (key >>> 3 & 15)
                + "_" + (key & 7);
    }
}
