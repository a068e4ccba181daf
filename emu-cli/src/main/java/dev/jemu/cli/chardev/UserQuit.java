package dev.jemu.cli.chardev;

/**
 * The user asked to quit (Ctrl-A x). Thrown on the machine-loop thread from posted work, so the loop unwinds
 * and the launcher closes the machine (flushing its disks) and exits with status 0, as QEMU does.
 */
public final class UserQuit extends RuntimeException {
    public UserQuit() {
        super("terminated", null, false, false);
    }
}
