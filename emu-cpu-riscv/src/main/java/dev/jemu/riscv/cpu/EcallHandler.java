package dev.jemu.riscv.cpu;

/**
 * Firmware implemented in Java (the built-in SBI). When a hart has a handler, an ECALL from S-mode goes
 * here instead of trapping to M-mode; the hart then resumes at the instruction after the ECALL.
 */
@FunctionalInterface
public interface EcallHandler {
    /** Returns true if the call was served; false makes the hart take the ordinary trap. */
    boolean ecall(Hart hart);
}
