package dev.jemu.arm.cpu;

/**
 * Register numbering inside {@link ArmCpu#x}: the decoder resolves what register field 31 means (SP or the
 * zero register) once, so an op never tests for it. Index 0..30 are X0..X30, {@link #SP} the stack pointer of
 * the current EL (the banked SP_ELx live in {@link ArmCpu}), {@link #ZR} always reads 0 and {@link #SINK}
 * absorbs writes to XZR/WZR.
 */
public final class Regs {
    public static final int SP = 31, ZR = 32, SINK = 33, COUNT = 34;

    private Regs() {
    }

    /** Source register field where 31 is XZR. */
    public static int rz(int field) {
        return field == 31 ? ZR : field;
    }

    /** Destination register field where 31 is XZR (the write is dropped). */
    public static int wz(int field) {
        return field == 31 ? SINK : field;
    }

    /** Register field where 31 is SP (source or destination). */
    public static int rsp(int field) {
        return field;
    }
}
