package dev.jemu.cli.process;

import dev.jemu.core.host.Libc;
import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.PrintStream;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * {@code -daemonize} without fork (the JVM cannot fork itself): the launcher starts the same command again
 * as a background child in a new session, relays the child's start-up output (errors, the pty names) and
 * waits, as QEMU's parent waits on its pipe, until the child reports the machine set up: then it exits 0;
 * if the child ends first, it exits 1 (the child's error line has been relayed). The child, once ready,
 * points its standard streams at /dev/null, as QEMU does.
 */
public final class Daemon {
    /** Marks the background child; its value is irrelevant. */
    static final String CHILD_ENV = "JEMU_DAEMONIZED_CHILD";
    /** The line the child prints on stdout once set up: NUL-prefixed, so no guest or pty line looks like it. */
    static final String READY = "\u0000jemu-daemon-ready";

    private Daemon() {
    }

    /** Whether this process is the background child of a {@code -daemonize} launcher. */
    public static boolean isChild() {
        return System.getenv(CHILD_ENV) != null;
    }

    /** The foreground half: starts the child with {@code args} and waits for its report. Returns the status. */
    public static int runParent(String[] args, PrintStream out, PrintStream err) {
        List<String> cmd;
        try {
            cmd = commandLine(args);
        } catch (IOException e) {
            err.println("jemu: -daemonize: cannot find this process's command line: " + e.getMessage());
            return 1;
        }
        Process child;
        try {
            ProcessBuilder pb = new ProcessBuilder(cmd).redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
            pb.environment().put(CHILD_ENV, "1");
            child = pb.start();
        } catch (IOException e) {
            err.println("jemu: -daemonize: cannot start the background process: " + e.getMessage());
            return 1;
        }
        Thread errRelay = relay(child.getErrorStream(), err);
        boolean ready = false;
        try (BufferedReader r = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = r.readLine()) != null) {
                if (line.equals(READY)) {
                    ready = true;
                    break;
                }
                out.println(line);
            }
        } catch (IOException e) {
            // the child closed its end: judged below
        }
        try {
            errRelay.join(ready ? 2000 : 10000);
            if (ready) {
                return 0;
            }
            if (!child.waitFor(30, TimeUnit.SECONDS)) {
                return 1;
            }
            return child.exitValue() == 0 ? 0 : 1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return 1;
        }
    }

    /** The JVM and its options as this process was started, then {@code args}: /proc/self/cmdline. */
    static List<String> commandLine(String[] args) throws IOException {
        byte[] raw = Files.readAllBytes(Path.of("/proc/self/cmdline"));
        List<String> all = new ArrayList<>(Arrays.asList(new String(raw, StandardCharsets.UTF_8).split("\0", -1)));
        if (!all.isEmpty() && all.get(all.size() - 1).isEmpty()) {
            all.remove(all.size() - 1);
        }
        int start = all.size() - args.length;
        if (start < 1 || !all.subList(start, all.size()).equals(Arrays.asList(args))) {
            throw new IOException("/proc/self/cmdline does not end with jemu's arguments");
        }
        return all;
    }

    private static Thread relay(InputStream in, PrintStream err) {
        return Thread.ofPlatform().daemon().start(() -> {
            byte[] b = new byte[4096];
            try (in) {
                int n;
                while ((n = in.read(b)) > 0) {
                    err.write(b, 0, n);
                    err.flush();
                }
            } catch (IOException e) {
                // the child closed it
            }
        });
    }

    /** In the child, first thing: a session of its own, so the terminal's hangup and Ctrl-C do not reach it. */
    public static void childStarted() {
        call("setsid", FunctionDescriptor.of(ValueLayout.JAVA_INT));
    }

    /**
     * In the child once the machine is set up: tells the parent, then detaches stdin, stdout and stderr
     * (to /dev/null), as QEMU does.
     */
    public static void childReady(OutputStream stdout) {
        try {
            stdout.write((READY + "\n").getBytes(StandardCharsets.UTF_8));
            stdout.flush();
        } catch (IOException e) {
            // the parent is gone: nobody to tell
        }
        System.out.flush();
        System.err.flush();
        MethodHandle open = Libc.function("open", FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.ADDRESS,
                ValueLayout.JAVA_INT), Linker.Option.firstVariadicArg(2));
        MethodHandle dup2 = Libc.function("dup2", FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT,
                ValueLayout.JAVA_INT));
        if (open == null || dup2 == null) {
            return;
        }
        try (Arena a = Arena.ofConfined()) {
            int fd = (int) open.invokeExact(a.allocateFrom("/dev/null"), 2 /* O_RDWR */);
            if (fd >= 0) {
                for (int target = 0; target <= 2; target++) {
                    int ignored = (int) dup2.invokeExact(fd, target);
                }
            }
        } catch (Throwable t) {
            // stays attached to the pipes; the parent has gone, so writes to them fail quietly
        }
    }

    private static void call(String name, FunctionDescriptor fd) {
        MethodHandle h = Libc.function(name, fd);
        if (h != null) {
            try {
                int ignored = (int) h.invokeExact();
            } catch (Throwable t) {
                // stays in the launcher's session
            }
        }
    }
}
