package dev.jemu.x86.cpu;

/**
 * Thrown by an op (or the MMU) to raise a fault. It carries nothing: the vector and error code are recorded in
 * {@link X86Cpu} ({@code excVector}, {@code excError}, {@code excHasError}) before it is thrown, so one
 * preallocated instance without a stack trace serves every fault.
 */
public final class X86Exception extends RuntimeException {
    static final X86Exception INSTANCE = new X86Exception();

    private X86Exception() {
        super(null, null, false, false);
    }
}
