package dev.jemu.devices.virtio.rng;

import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;

/** {@code -object rng-builtin,id=ID}: the host's own generator (QEMU uses getrandom(2); this is the JDK's over it). */
public final class RngBuiltin implements RngBackend {
    private final String id;
    private final SecureRandom random;

    public RngBuiltin(String id) {
        this.id = id;
        SecureRandom r;
        try {
            r = SecureRandom.getInstance("NativePRNGNonBlocking");
        } catch (NoSuchAlgorithmException e) {
            r = new SecureRandom(); // a host without /dev/urandom
        }
        this.random = r;
    }

    @Override
    public String id() {
        return id;
    }

    @Override
    public int read(byte[] dst, int off, int n) {
        byte[] b = off == 0 && n == dst.length ? dst : new byte[n];
        random.nextBytes(b);
        if (b != dst) {
            System.arraycopy(b, 0, dst, off, n);
        }
        return n;
    }

    @Override
    public void close() {
    }
}
