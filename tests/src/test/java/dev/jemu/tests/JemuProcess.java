package dev.jemu.tests;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Runs {@code jemu} as the launcher does: a new JVM with this test's class path and {@code dev.jemu.cli.Main},
 * stdin a pipe (not a terminal: bytes pass, no raw mode) that the test may type into, stdout and stderr
 * collected. A run that does
 * not end within the timeout is killed.
 */
public final class JemuProcess {
    record Result(int status, String out, String err, boolean timedOut, Duration elapsed) {
        String describe() {
            String tail = out.lines().skip(Math.max(0, out.lines().count() - 40)).reduce("", (a, b) -> a + "\n  | " + b);
            return (timedOut ? "timed out" : "exit status " + status) + " after " + elapsed.toMillis() + " ms; stderr: "
                    + err.strip() + "\n  last serial lines:" + tail;
        }
    }

    private JemuProcess() {
    }

    static Duration timeout() {
        return Duration.ofSeconds(Long.getLong("jemu.boot.timeout", 600));
    }

    /** Typing into the guest: once the output contains {@code waitFor}, {@code send} is written to stdin. */
    record Step(String waitFor, String send) {
    }

    static Result run(Duration timeout, String... args) throws IOException, InterruptedException {
        return run(timeout, List.of(), args);
    }

    static Result run(Duration timeout, List<Step> steps, String... args) throws IOException, InterruptedException {
        return run(timeout, List.of(), steps, args);
    }

    /** {@link #run(Duration, List, String...)} with extra JVM options (test-only {@code -Djemu.test.*} hooks). */
    static Result run(Duration timeout, List<String> jvmOptions, List<Step> steps, String... args)
            throws IOException, InterruptedException {
        return runCommand(command(jvmOptions, args), timeout, steps);
    }

    /** Runs any command (e.g. QEMU, to compare) the same way: stdin typed by {@code steps}, output collected. */
    static Result runCommand(List<String> cmd, Duration timeout, List<Step> steps) throws IOException,
            InterruptedException {
        long start = System.nanoTime();
        Process p = new ProcessBuilder(cmd).start();
        Collector out = new Collector(p.getInputStream());
        Collector err = new Collector(p.getErrorStream());
        Thread typist = Thread.ofPlatform().daemon().start(() -> {
            try (OutputStream in = p.getOutputStream()) {
                for (Step step : steps) {
                    while (!out.snapshot().contains(step.waitFor())) {
                        if (!p.isAlive()) {
                            return;
                        }
                        Thread.sleep(50);
                    }
                    in.write(step.send().getBytes(StandardCharsets.UTF_8));
                    in.flush();
                }
            } catch (IOException | InterruptedException e) {
                // the process ended or the test is over
            }
        });
        boolean done = p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
        if (!done) {
            p.destroyForcibly();
            p.waitFor(10, TimeUnit.SECONDS);
        }
        typist.interrupt();
        Duration elapsed = Duration.ofNanos(System.nanoTime() - start);
        return new Result(done ? p.exitValue() : -1, out.text(), err.text(), !done, elapsed);
    }

    /** The command line that starts jemu with {@code args}, for tests that drive the process themselves. */
    public static List<String> command(String... args) {
        return command(List.of(), args);
    }

    /** {@link #command(String...)} with extra JVM options before the main class. */
    public static List<String> command(List<String> jvmOptions, String... args) {
        return java("dev.jemu.cli.Main", jvmOptions, args);
    }

    /** A main class of jemu's ({@code dev.jemu.cli.img.JemuImg} too) run as the launchers run it (jvm.options). */
    static List<String> java(String mainClass, List<String> jvmOptions, String... args) {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.addAll(JvmOptions.read(args));
        cmd.addAll(jvmOptions);
        cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), mainClass));
        cmd.addAll(List.of(args));
        return cmd;
    }

    /** Drains a stream on its own thread so the child never blocks on a full pipe. */
    static final class Collector {
        private final java.io.ByteArrayOutputStream buf = new java.io.ByteArrayOutputStream();
        private final Thread thread;

        Collector(InputStream in) {
            thread = Thread.ofPlatform().daemon().start(() -> {
                byte[] b = new byte[8192];
                try (in) {
                    int n;
                    while ((n = in.read(b)) > 0) {
                        synchronized (buf) {
                            buf.write(b, 0, n);
                        }
                    }
                } catch (IOException e) {
                    // the process was killed: keep what arrived
                }
            });
        }

        String snapshot() {
            synchronized (buf) {
                return buf.toString(StandardCharsets.UTF_8);
            }
        }

        String text() throws InterruptedException {
            thread.join(5000);
            synchronized (buf) {
                return buf.toString(StandardCharsets.UTF_8);
            }
        }
    }
}
