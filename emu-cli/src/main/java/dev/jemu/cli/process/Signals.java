package dev.jemu.cli.process;

import dev.jemu.core.host.Libc;
import dev.jemu.core.machine.Machine;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.io.PrintStream;
import java.util.List;

/**
 * SIGTERM, SIGINT and SIGHUP end jemu as they end QEMU: a line naming the signal, the machine stopped and
 * closed (disks flushed), exit status 0. (QEMU also names the sender's pid; Java's signal API does not
 * give it.) Installed only by the real launcher, never by in-process test runs.
 */
public final class Signals {
    private static volatile Machine running;
    private static volatile boolean terminating;
    private static PrintStream err = System.err;

    private Signals() {
    }

    public static void install(PrintStream errStream) {
        err = errStream;
        // A shell starts background jobs with SIGINT ignored, nohup ignores SIGHUP, and the JVM leaves an ignored
        // signal alone; QEMU catches all three regardless (a sigaction each at start), so they go back to the
        // default first (only when one is ignored: linking libc's signal() is the first FFM use, which costs start-up
        // time that StartupWarmup otherwise spends beside this thread)
        MethodHandle signal = anyIgnored(1, 2, 15) ? Libc.function("signal", FunctionDescriptor.of(ValueLayout.ADDRESS,
                ValueLayout.JAVA_INT, ValueLayout.ADDRESS)) : null;
        if (signal != null) {
            for (int sig : new int[] {1, 2, 15}) {
                try {
                    MemorySegment ignored = (MemorySegment) signal.invokeExact(sig, MemorySegment.NULL);
                } catch (Throwable t) {
                    // keeps the disposition it had
                }
            }
        }
        for (String name : List.of("TERM", "INT", "HUP")) {
            try {
                sun.misc.Signal.handle(new sun.misc.Signal(name), s -> terminate(s.getNumber()));
            } catch (IllegalArgumentException e) {
                // the JVM keeps this one (-Xrs) or the OS has no such signal
            }
        }
    }

    /** Whether the process ignores any of {@code signals} (Linux's SigIgn mask; true when it cannot be read). */
    static boolean anyIgnored(int... signals) {
        long mask;
        try {
            String status = java.nio.file.Files.readString(java.nio.file.Path.of("/proc/self/status"));
            int at = status.indexOf("\nSigIgn:");
            if (at < 0) {
                return true;
            }
            int end = status.indexOf('\n', at + 1);
            mask = Long.parseUnsignedLong(status.substring(at + 8, end < 0 ? status.length() : end).strip(), 16);
        } catch (java.io.IOException | RuntimeException e) { // no /proc (not Linux): reset them all, as before
            return true;
        }
        for (int sig : signals) {
            if ((mask >>> (sig - 1) & 1) != 0) {
                return true;
            }
        }
        return false;
    }

    /** The machine a signal should stop (null: none is running yet or any more). */
    public static void running(Machine m) {
        running = m;
        if (m != null && terminating) {
            m.quit(0);   // a signal arrived while it was being built
        }
    }

    static synchronized void terminate(int signal) {
        if (terminating) {
            return; // one line, as QEMU (timeout(1), for one, signals both jemu and its process group)
        }
        err.println("jemu: terminating on signal " + signal);
        err.flush();
        terminating = true;
        Machine m = running;
        if (m != null) {
            m.quit(0);
        } else {
            // still setting up (e.g. waiting for a socket client): nothing to stop but the process; the
            // shutdown hooks restore the terminal, flush open drives and remove the pid file
            System.exit(0);
        }
    }
}
