package dev.jemu.cli;

import dev.jemu.cli.chardev.Terminal;
import java.io.FileDescriptor;
import java.io.FileInputStream;
import java.io.FileOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;

/**
 * The process's standard streams as the emulator sees them. {@code terminal} says stdin is a terminal: then
 * the stdio backend switches it to raw mode and handles the Ctrl-A escape keys. Tests pass their own streams.
 */
public record HostIo(InputStream in, OutputStream out, PrintStream err, Boolean terminalOrAsk) {
    public HostIo(InputStream in, OutputStream out, PrintStream err, boolean terminal) {
        this(in, out, err, Boolean.valueOf(terminal));
    }

    /** The real stdin/stdout (unbuffered file streams: the backends do their own buffering) and stderr. */
    public static HostIo system() {
        return new HostIo(new FileInputStream(FileDescriptor.in), new FileOutputStream(FileDescriptor.out), System.err,
                (Boolean) null);
    }

    /** Whether stdin is a terminal; for the real stdin this is looked up only when a stdio backend needs it. */
    public boolean terminal() {
        return terminalOrAsk != null ? terminalOrAsk : Terminal.isTerminal(0);
    }
}
