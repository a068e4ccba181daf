package dev.jemu.arm.cpu;

/**
 * Thrown by an op to raise a synchronous exception. It carries nothing: the syndrome is recorded in the
 * {@link ArmCpu} fields ({@code excClass}, {@code excIss}, {@code excFar}, ...) before it is thrown, so one
 * preallocated instance without a stack trace serves every exception.
 */
public final class ArmException extends RuntimeException {
    static final ArmException INSTANCE = new ArmException();

    private ArmException() {
        super(null, null, false, false);
    }
}
