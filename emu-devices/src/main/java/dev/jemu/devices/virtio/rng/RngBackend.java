package dev.jemu.devices.virtio.rng;

import java.io.IOException;

/**
 * An entropy source, QEMU's {@code -object rng-*}: {@link RngRandom} reads a host file (a device such as
 * /dev/urandom), {@link RngBuiltin} uses the host's random generator. {@link #read} may block (a blocking
 * /dev/random), so devices call it off the machine thread.
 */
public interface RngBackend extends AutoCloseable {
    /** The object's {@code id=}. */
    String id();

    /** Fills up to {@code n} bytes of {@code dst} from {@code off}; the number filled (at least 1), or -1 at the end. */
    int read(byte[] dst, int off, int n) throws IOException;

    @Override
    void close();
}
