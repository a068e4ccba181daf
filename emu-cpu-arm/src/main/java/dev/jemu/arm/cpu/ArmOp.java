package dev.jemu.arm.cpu;

/**
 * One decoded A64 instruction, ready to run: the decoder pulls every field out of the 32-bit word once and
 * captures it, so executing is only the operation. {@link ArmCpu#pc} holds the instruction's own address
 * while it runs and {@link ArmCpu#npc} the next one (pc + 4); a branch sets {@code npc}. Ops never capture
 * a virtual address (a decoded physical page may run at several), so pc-relative ops compute from
 * {@code c.pc}. A synchronous exception is thrown as the {@link ArmException} an {@link ArmCpu} method
 * returns; an op that changes what fetch or interrupt delivery depends on (EL, DAIF, SCTLR, TTBRs, ...)
 * calls {@link ArmCpu#endBlock()}.
 */
@FunctionalInterface
public interface ArmOp {
    void exec(ArmCpu c);
}
