package dev.jemu.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Character devices and process flags side by side with qemu-system-riscv64 7.2: the same bad options give
 * the same error line, and -pidfile locks exclude each other both ways (no guest needed: QEMU and jemu
 * stop at the option, or run a machine that only waits).
 */
class ChardevQemuTest {
    private static final String QEMU = "qemu-system-riscv64";

    private static boolean hasQemu() {
        for (String d : System.getenv().getOrDefault("PATH", "/usr/bin").split(":")) {
            if (Files.isExecutable(Path.of(d, QEMU))) {
                return true;
            }
        }
        if (System.getenv("CI") != null) {
            throw new AssertionError(QEMU + " not installed (.ci/run installs it)");
        }
        return false;
    }

    private static String firstLine(String s) {
        int nl = s.indexOf('\n');
        return nl < 0 ? s : s.substring(0, nl);
    }

    private record Run(int status, String err) {
    }

    private static Run qemu(List<String> args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(QEMU, "-M", "virt", "-bios", "none", "-display", "none"));
        cmd.addAll(args);
        Process p = new ProcessBuilder(cmd).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        p.getOutputStream().close();
        String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(30, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("qemu " + args + " did not stop");
        }
        return new Run(p.exitValue(), err);
    }

    private static Run jemu(List<String> args) throws Exception {
        List<String> all = new ArrayList<>(List.of("-M", "virt", "-bios", "none", "-display", "none"));
        all.addAll(args);
        JemuProcess.Result r = JemuProcess.run(Duration.ofSeconds(60), all.toArray(String[]::new));
        return new Run(r.timedOut() ? -1 : r.status(), r.err());
    }

    @Test
    void badCharacterDeviceOptionsGetQemusLine(@TempDir Path dir) throws Exception {
        assumeTrue(hasQemu(), QEMU + " not installed");
        String missing = dir.resolve("no/such").toString();
        List<List<String>> cases = List.of(
                List.of("-chardev", "bogus,id=a"),
                List.of("-chardev", "socket,id=a,host=localhost"),
                List.of("-chardev", "file,id=a"),
                List.of("-chardev", "stdio"),
                List.of("-chardev", "null,id=a,foo=bar"),
                List.of("-chardev", "pty,id=a,mux=maybe"),
                List.of("-chardev", "null,id=a", "-chardev", "null,id=a"),
                List.of("-chardev", "file,id=a,path=" + missing),
                List.of("-chardev", "socket,id=a,path=" + missing + ",server=on,wait=off"),
                List.of("-serial", "bogus"),
                List.of("-serial", "file:" + missing),
                List.of("-serial", "/dev/no-such-tty"),
                List.of("-serial", "unix:" + missing + ",server=on,wait=off"),
                List.of("-serial", "tcp:localhost:1"),
                List.of("-serial", "stdio", "-daemonize"),
                List.of("-nographic", "-daemonize"),
                List.of("-pidfile", missing));
        for (List<String> c : cases) {
            Run q = qemu(c);
            Run j = jemu(c);
            assertEquals(1, q.status(), () -> "qemu " + c + ": " + q.err());
            assertEquals(1, j.status(), () -> "jemu " + c + ": " + j.err());
            assertEquals(firstLine(q.err()).replaceFirst("^" + QEMU + ": ", ""), firstLine(j.err()).replaceFirst("^jemu: ", ""),
                    () -> "for " + c);
            assertEquals(1, j.err().lines().count(), () -> "one line for " + c + ": " + j.err());
        }
    }

    @Test
    void pidFileLocksExcludeQemuAndJemuBothWays(@TempDir Path dir) throws Exception {
        assumeTrue(hasQemu(), QEMU + " not installed");
        Path pid = dir.resolve("vm.pid");
        String refused = "cannot create PID file: Cannot lock pid file: Resource temporarily unavailable";
        // QEMU holds it: jemu is refused with QEMU's own words
        Process q = new ProcessBuilder(QEMU, "-M", "virt", "-bios", "none", "-display", "none", "-serial", "null",
                "-pidfile", pid.toString()).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .start();
        try {
            awaitPid(pid, q.pid());
            Run j = jemu(List.of("-kernel", Kit.file("riscv64", "Image").toString(), "-serial", "null", "-pidfile",
                    pid.toString()));
            assertEquals(1, j.status(), j.err());
            assertEquals("jemu: " + refused + "\n", j.err());
        } finally {
            q.destroy();
            assertTrue(q.waitFor(30, TimeUnit.SECONDS));
        }
        assertTrue(Files.notExists(pid), "QEMU removed its pid file");
        // jemu holds it: QEMU is refused
        Kit.requireBoard("riscv64", "virt");
        Process j = new ProcessBuilder(JemuProcess.command("-M", "virt", "-display", "none", "-serial", "null",
                "-kernel", Kit.file("riscv64", "Image").toString(), "-pidfile", pid.toString()))
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        try {
            awaitPid(pid, j.pid());
            Run r = qemu(List.of("-serial", "null", "-pidfile", pid.toString()));
            assertEquals(1, r.status(), r.err());
            assertEquals(QEMU + ": " + refused + "\n", r.err());
        } finally {
            j.destroy();
            assertTrue(j.waitFor(30, TimeUnit.SECONDS));
        }
        assertEquals(0, j.exitValue(), "SIGTERM ends jemu with status 0");
        assertTrue(Files.notExists(pid), "jemu removed its pid file");
    }

    private static void awaitPid(Path file, long pid) throws InterruptedException, IOException {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (System.nanoTime() < end) {
            if (Files.exists(file) && Files.readString(file).equals(pid + "\n")) {
                return;
            }
            Thread.sleep(50);
        }
        throw new AssertionError("no pid file " + file + " naming " + pid);
    }
}
