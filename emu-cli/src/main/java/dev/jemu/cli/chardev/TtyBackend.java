package dev.jemu.cli.chardev;

import dev.jemu.core.machine.ConfigException;
import java.io.IOException;

/**
 * A host character device as a chardev: {@code -serial /dev/ttyS0}, {@code -chardev serial,path=...} (alias
 * {@code tty}). Opened read-write without becoming the controlling terminal and without waiting for carrier;
 * a terminal is put in raw mode (8 bits, receiver on, modem lines ignored) at its current speed. The guest's
 * UART line settings (baud rate, parity) are not passed on to the host port.
 */
public final class TtyBackend extends FdBackend {
    private TtyBackend(HostFd fd, String label) {
        super(fd, label, true);
    }

    public static TtyBackend open(String path, String label) throws ConfigException {
        HostFd fd;
        try {
            fd = HostFd.open(path);
        } catch (IOException e) {
            throw new ConfigException("Could not open '" + path + "': " + e.getMessage());
        }
        if (fd.isTerminal()) {
            try {
                fd.makeRaw();
            } catch (IOException e) {
                fd.close();
                throw new ConfigException("'" + path + "': cannot set raw mode: " + e.getMessage());
            }
        }
        return new TtyBackend(fd, label);
    }

    @Override
    boolean hangupIsTemporary() {
        return false;
    }
}
