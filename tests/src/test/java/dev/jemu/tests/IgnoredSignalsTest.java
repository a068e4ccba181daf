package dev.jemu.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A shell starts background jobs with SIGINT ignored (and nohup ignores SIGHUP); QEMU catches them regardless, and
 * so must jemu: started with SIGINT ignored, a SIGINT still ends it with its one line. (The launcher resets an
 * ignored signal only when /proc says it is ignored, so that the common case needs no FFM call at start.)
 */
class IgnoredSignalsTest {
    @TempDir
    Path tmp;

    @Test
    void sigintEndsJemuEvenWhenItWasStartedIgnored() throws Exception {
        Path loop = tmp.resolve("loop.bin");
        Files.write(loop, new byte[] {0x6f, 0, 0, 0}); // j . (never runs: -S)
        Path pidFile = tmp.resolve("jemu.pid");
        List<String> cmd = new ArrayList<>(List.of("sh", "-c", "trap '' INT; exec \"$@\"", "sh"));
        cmd.addAll(JemuProcess.command("-M", "virt", "-bios", "none", "-kernel", loop.toString(), "-m", "64M", "-S",
                "-display", "none", "-serial", "null", "-monitor", "none", "-pidfile", pidFile.toString()));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        p.getOutputStream().close();
        JemuProcess.Collector out = new JemuProcess.Collector(p.getInputStream());
        try {
            long end = System.nanoTime() + JemuProcess.timeout().toNanos();
            String pid = "";
            while (!pid.endsWith("\n")) { // written (truncated, then the pid and a newline) after the signal set-up
                assertTrue(p.isAlive(), () -> "jemu ended: " + out.snapshot());
                assertTrue(System.nanoTime() < end, "no pid file");
                Thread.sleep(20);
                pid = Files.exists(pidFile) ? Files.readString(pidFile) : "";
            }
            Process kill = new ProcessBuilder("kill", "-INT", pid.strip()).start();
            assertEquals(0, kill.waitFor());
            assertTrue(p.waitFor(JemuProcess.timeout().toSeconds(), TimeUnit.SECONDS),
                    "SIGINT, ignored at start, did not end jemu");
            Thread.sleep(200); // the drain catches the last line
            assertEquals(0, p.exitValue(), out.snapshot());
            assertEquals("jemu: terminating on signal 2\n", out.snapshot());
        } finally {
            p.destroyForcibly();
        }
    }
}
