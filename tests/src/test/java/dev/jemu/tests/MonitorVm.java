package dev.jemu.tests;

import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A VM (jemu, or qemu-system-riscv64 for comparison) running in the background for the monitor tests, with its
 * output collected; and the heartbeat guest they run: a bare-metal program (test resource
 * monitor/heartbeat.S, built with binutils) that prints "beat N" every 50 ms of guest time, so a test sees at
 * once whether the guest runs or stands still.
 */
final class MonitorVm implements AutoCloseable {
    static final String QEMU = "qemu-system-riscv64";
    /** Where the heartbeat guest keeps {@code magic} (four known quads) and its beat counter. */
    static final long MAGIC = 0x80002000L, BEATS = 0x80002020L;

    private final Process process;
    private final JemuProcess.Collector out;
    private final JemuProcess.Collector err;

    private MonitorVm(List<String> cmd) throws IOException {
        process = new ProcessBuilder(cmd).start();
        out = new JemuProcess.Collector(process.getInputStream());
        err = new JemuProcess.Collector(process.getErrorStream());
    }

    static MonitorVm jemu(List<String> args) throws IOException {
        return new MonitorVm(JemuProcess.command(args.toArray(String[]::new)));
    }

    static MonitorVm qemu(List<String> args) throws IOException {
        return qemu(QEMU, args);
    }

    /** {@code binary} (qemu-system-ARCH) with {@code args}. */
    static MonitorVm qemu(String binary, List<String> args) throws IOException {
        List<String> cmd = new ArrayList<>(List.of(binary));
        cmd.addAll(args);
        return new MonitorVm(cmd);
    }

    /**
     * Starts the heartbeat guest on jemu or QEMU with its serial port on stdout and a monitor ({@code -qmp} or
     * {@code -monitor}) listening on the unix socket {@code sock}; returns once the guest beats twice and the
     * socket is there.
     */
    static MonitorVm heartbeatWithMonitor(boolean jemu, String monitorFlag, Path sock) throws IOException, InterruptedException {
        List<String> args = heartbeatArgs();
        args.addAll(List.of("-serial", "stdio", monitorFlag, "unix:" + sock + ",server=on,wait=off"));
        MonitorVm vm = jemu ? jemu(args) : qemu(args);
        try {
            vm.awaitOutput("beat 0000000000000002", seconds(60));
            vm.awaitFile(sock, seconds(10));
        } catch (AssertionError | InterruptedException e) {
            vm.close();
            throw e;
        }
        return vm;
    }

    /** The heartbeat guest's arguments: -M virt -bios none -kernel heartbeat.elf, no display. */
    static List<String> heartbeatArgs() {
        return new ArrayList<>(List.of("-M", "virt", "-m", "128M", "-bios", "none", "-display", "none",
                "-kernel", heartbeat().toString()));
    }

    Process process() {
        return process;
    }

    String out() {
        return out.snapshot();
    }

    String err() {
        return err.snapshot();
    }

    /** Types {@code text} on the VM's stdin (its serial port with -serial stdio). */
    void type(String text) throws IOException {
        process.getOutputStream().write(text.getBytes(StandardCharsets.UTF_8));
        process.getOutputStream().flush();
    }

    /** How many heartbeat lines the guest printed so far. */
    int beats() {
        return (int) out().lines().filter(l -> l.startsWith("beat ")).count();
    }

    /** Waits until the output contains {@code text}; fails with the output so far otherwise. */
    void awaitOutput(String text, Duration timeout) throws InterruptedException {
        long end = System.nanoTime() + timeout.toNanos();
        while (!out().contains(text)) {
            if (System.nanoTime() > end || !process.isAlive()) {
                fail("no '" + text + "' in the output (" + (process.isAlive() ? "timed out" : "exited") + "): "
                        + describe());
            }
            Thread.sleep(20);
        }
    }

    /** Waits until {@code path} exists (the monitor socket is listening). */
    void awaitFile(Path path, Duration timeout) throws InterruptedException {
        long end = System.nanoTime() + timeout.toNanos();
        while (!Files.exists(path)) {
            if (System.nanoTime() > end || !process.isAlive()) {
                fail(path + " did not appear: " + describe());
            }
            Thread.sleep(20);
        }
    }

    /** Waits for the process to end; returns its status, or fails. */
    int awaitExit(Duration timeout) throws InterruptedException {
        if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            fail("the VM did not exit: " + describe());
        }
        return process.exitValue();
    }

    String describe() {
        String o = out();
        return "stderr: " + err().strip() + "; stdout tail: " + o.substring(Math.max(0, o.length() - 1500));
    }

    @Override
    public void close() throws InterruptedException {
        if (process.isAlive()) {
            process.destroy();
            if (!process.waitFor(5, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                process.waitFor(5, TimeUnit.SECONDS);
            }
        }
    }

    // --- the heartbeat guest ---

    private static Path heartbeat;

    /** Builds monitor/heartbeat.S once (target/monitor/heartbeat.elf); skips without binutils (fails under CI). */
    static synchronized Path heartbeat() {
        if (heartbeat == null) {
            heartbeat = RiscvAssembler.assemble("monitor/heartbeat.S");
        }
        return heartbeat;
    }

    /** Skips (fails under CI) when a host tool is missing. */
    static void need(String tool) {
        boolean found = false;
        for (String dir : System.getenv().getOrDefault("PATH", "").split(":")) {
            found |= !dir.isEmpty() && Files.isExecutable(Path.of(dir, tool));
        }
        if (!found) {
            String msg = tool + " is not installed";
            if (System.getenv("CI") != null) {
                fail(msg);
            }
            assumeTrue(false, msg);
        }
    }

    /** The scratch directory of one test (short: unix socket paths are limited to 108 bytes). */
    static Path tempDir(String name) throws IOException {
        return Files.createTempDirectory("jemu-" + name);
    }

    /** A TCP port nothing listens on now (the kernel's pick), for a VM to listen on next. */
    static int freePort() throws IOException {
        try (java.net.ServerSocket s = new java.net.ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    static Duration seconds(long s) {
        return Duration.ofSeconds(s);
    }
}
