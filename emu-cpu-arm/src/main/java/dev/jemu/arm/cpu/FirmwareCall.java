package dev.jemu.arm.cpu;

/**
 * An HVC or SMC answered outside the guest, as QEMU's {@code virt} answers PSCI when it runs no EL2/EL3
 * firmware: the handler reads the function ID and arguments from x0.., writes results to x0.. and returns true;
 * false leaves the instruction to the architecture (UNDEFINED when the EL it targets is not implemented).
 */
@FunctionalInterface
public interface FirmwareCall {
    boolean call(ArmCpu cpu, boolean smc, int imm16);
}
