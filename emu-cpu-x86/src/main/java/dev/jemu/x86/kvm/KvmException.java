package dev.jemu.x86.kvm;

/** A failed KVM system call: errno and a one-line message (the C library's text, with what was being done). */
public final class KvmException extends Exception {
    private final int errno;

    public KvmException(int errno, String message) {
        super(message, null, false, false);
        this.errno = errno;
    }

    public int errno() {
        return errno;
    }
}
