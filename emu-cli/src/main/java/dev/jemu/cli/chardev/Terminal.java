package dev.jemu.cli.chardev;

import dev.jemu.core.host.Libc;
import java.io.IOException;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The terminal on stdin: whether there is one (from /proc, else {@code isatty} through the FFM API: no process
 * to spawn when stdin is a pipe), and raw mode through {@code stty} on the inherited stdin, restored on close
 * and at JVM exit.
 */
public final class Terminal implements AutoCloseable {
    private final String saved;
    private final Thread hook;
    private boolean restored;

    private Terminal(String saved) {
        this.saved = saved;
        this.hook = new Thread(this::restore, "jemu-tty-restore");
        Runtime.getRuntime().addShutdownHook(hook);
    }

    /** Whether file descriptor {@code fd} is a terminal; false if that cannot be found out. */
    public static boolean isTerminal(int fd) {
        // Linux: where the descriptor points tells at no cost (linking isatty through FFM takes ~0.1 s of start-up)
        try {
            String target = java.nio.file.Files.readSymbolicLink(java.nio.file.Path.of("/proc/self/fd/" + fd)).toString();
            return target.startsWith("/dev/pts/") || target.startsWith("/dev/tty") || target.equals("/dev/console");
        } catch (IOException | UnsupportedOperationException | SecurityException e) {
            // no /proc: ask libc
        }
        try {
            MethodHandle isatty = Libc.function("isatty", FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT));
            return isatty != null && (int) isatty.invokeExact(fd) == 1;
        } catch (Throwable t) {
            return false;
        }
    }

    /**
     * Puts stdin's terminal in QEMU's stdio mode: no echo, no line editing, no CR/LF translation on input,
     * output processing kept; with {@code signals} false Ctrl-C and Ctrl-Z go to the guest too.
     * Returns null when stty fails (the emulator then runs with the terminal as it was).
     */
    public static Terminal raw(boolean signals) {
        String saved = stty("-g");
        if (saved == null) {
            return null;
        }
        List<String> mode = new ArrayList<>(List.of("-icanon", "-echo", "-echonl", "-iexten", "-ignbrk", "-brkint",
                "-parmrk", "-istrip", "-inlcr", "-igncr", "-icrnl", "-ixon", "opost", "min", "1", "time", "0"));
        mode.add(signals ? "isig" : "-isig");
        if (stty(mode.toArray(String[]::new)) == null) {
            return null;
        }
        return new Terminal(saved.trim());
    }

    private static String stty(String... args) {
        List<String> cmd = new ArrayList<>();
        cmd.add("stty");
        cmd.addAll(List.of(args));
        try {
            Process p = new ProcessBuilder(cmd).redirectInput(ProcessBuilder.Redirect.INHERIT)
                    .redirectError(ProcessBuilder.Redirect.DISCARD).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.US_ASCII);
            if (!p.waitFor(5, TimeUnit.SECONDS) || p.exitValue() != 0) {
                return null;
            }
            return out;
        } catch (IOException e) {
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
    }

    private synchronized void restore() {
        if (!restored) {
            restored = true;
            stty(saved);
        }
    }

    @Override
    public void close() {
        restore();
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException e) {
            // already shutting down: the hook runs restore(), which is now a no-op
        }
    }
}
