package dev.jemu.cli.chardev;

import dev.jemu.core.machine.ConfigException;
import java.io.IOException;
import java.io.PrintStream;

/**
 * {@code -serial pty}, {@code -chardev pty,id=ID}: a new pseudo-terminal whose slave a user opens with
 * screen, minicom or picocom. Its name is printed as QEMU prints it,
 * {@code char device redirected to /dev/pts/N (label ID)}; the slave is in raw mode, clients may come and go.
 */
public final class PtyBackend extends FdBackend {
    private final String path;

    private PtyBackend(HostFd master, String path, String label) {
        super(master, label, false);
        this.path = path;
    }

    public static PtyBackend open(String label, PrintStream out) throws ConfigException {
        HostFd master = null;
        try {
            master = HostFd.openPtyMaster();
            String path = master.ptsName();
            try (HostFd slave = HostFd.open(path)) {
                slave.makeRaw(); // termios belong to the tty: every later opener finds it raw
            }
            out.println("char device redirected to " + path + " (label " + label + ")");
            out.flush();
            return new PtyBackend(master, path, label);
        } catch (IOException e) {
            if (master != null) {
                master.close();
            }
            throw new ConfigException(e.getMessage());
        }
    }

    /** The slave's path, /dev/pts/N. */
    public String path() {
        return path;
    }

    @Override
    boolean hangupIsTemporary() {
        return true;
    }
}
