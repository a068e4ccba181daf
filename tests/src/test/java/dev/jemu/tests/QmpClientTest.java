package dev.jemu.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * jemu's QMP monitor driven by a client jemu did not write: QEMU's own {@code qemu.qmp} library (from Debian's
 * qemu source package, fetched by scripts/qemu-qmp), through resources monitor/qmp_session.py. The same script
 * runs against qemu-system-riscv64 7.2 on the same guest, and every reply and event must have the same shape
 * (member names and JSON types).
 */
class QmpClientTest {
    @Test
    void qemuQmpLibraryDrivesJemuAndRepliesHaveQemusShape() throws Exception {
        Path lib = qemuQmpLibrary();
        MonitorVm.need(MonitorVm.QEMU);
        String jemu = session(lib, true);
        String qemu = session(lib, false);
        String[] j = jemu.split("\n", 2);
        String[] q = qemu.split("\n", 2);
        assertEquals(q[0], j[0], "reply/event shapes differ from QEMU's\n jemu: " + j[1] + "\n qemu: " + q[1]);
        String full = j[1];
        for (String expect : List.of(
                "\"status-start\": {\"running\": true, \"singlestep\": false, \"status\": \"running\"}",
                "\"status-paused\": {\"running\": false, \"singlestep\": false, \"status\": \"paused\"}",
                "\"status-running\": {\"running\": true, \"singlestep\": false, \"status\": \"running\"}",
                "\"hmp-status\": \"VM status: running\\r\\n\"",
                "\"RESET\": {\"data\": {\"guest\": false, \"reason\": \"host-qmp-system-reset\"}",
                "\"SHUTDOWN\": {\"data\": {\"guest\": false, \"reason\": \"host-qmp-quit\"}",
                "\"unknown\": {\"class\": \"CommandNotFound\", \"desc\": \"The command no-such-command has not been found\"}",
                "\"wrong-type\": {\"class\": \"GenericError\", \"desc\": \"Invalid parameter type for 'command-line', expected: string\"}",
                "\"extra-arg\": {\"class\": \"GenericError\", \"desc\": \"Parameter 'now' is unexpected\"}",
                "\"missing-arg\": {\"class\": \"GenericError\", \"desc\": \"Parameter 'command-line' is missing\"}",
                "\"package\": \"jemu ")) {
            assertTrue(full.contains(expect), () -> "missing " + expect + " in " + full);
        }
        // the error replies are the same as QEMU's, word for word
        String qErrors = q[1].substring(q[1].indexOf("\"errors\""), q[1].indexOf("\"events\""));
        assertTrue(full.contains(qErrors), () -> "errors differ from QEMU's: " + qErrors + "\n jemu: " + full);
    }

    /** Runs qmp_session.py against jemu or QEMU with the heartbeat guest; returns its two output lines. */
    private static String session(Path lib, boolean jemu) throws Exception {
        Path dir = MonitorVm.tempDir("qmp");
        Path sock = dir.resolve("qmp.sock");
        try (MonitorVm vm = MonitorVm.heartbeatWithMonitor(jemu, "-qmp", sock)) {
            String out = python(lib, script("qmp_session.py"), sock.toString());
            assertEquals(0, vm.awaitExit(MonitorVm.seconds(20)), vm::describe);
            assertTrue(!Files.exists(sock) || !jemu, "jemu left its socket behind");
            return out;
        }
    }

    /** Runs a python3 script with qemu.qmp importable; returns "SHAPES\nFULL" from its JSON output. */
    static String python(Path lib, Path script, String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of("python3", script.toString()));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd);
        pb.environment().put("PYTHONPATH", lib.toString());
        Process p = pb.start();
        byte[] err = new byte[0];
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        err = p.getErrorStream().readAllBytes();
        if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
            fail(script.getFileName() + " failed: " + new String(err, StandardCharsets.UTF_8) + out);
        }
        String json = out.strip();
        int shapes = json.indexOf("\"shapes\": ");
        return shapesOf(json) + "\n" + json.substring(0, shapes < 0 ? json.length() : shapes);
    }

    /** The "shapes" member of the script's sorted-keys JSON (it is the last member). */
    private static String shapesOf(String json) {
        int i = json.indexOf("\"shapes\": ");
        return i < 0 ? "" : json.substring(i);
    }

    static Path script(String name) throws URISyntaxException {
        return Path.of(QmpClientTest.class.getClassLoader().getResource("monitor/" + name).toURI());
    }

    /** The checkout's root (the directory holding scripts/qemu-qmp), found from the working directory up. */
    static Path repoRoot() {
        Path dir = Path.of("").toAbsolutePath();
        while (dir != null && !Files.isRegularFile(dir.resolve("scripts/qemu-qmp"))) {
            dir = dir.getParent();
        }
        assertTrue(dir != null, "scripts/qemu-qmp not found above " + Path.of("").toAbsolutePath());
        return dir;
    }

    /** scripts/qemu-qmp's directory of the qemu.qmp library (it fetches it the first time). */
    static Path qemuQmpLibrary() throws IOException, InterruptedException {
        MonitorVm.need("python3");
        Path dir = repoRoot();
        Process p = new ProcessBuilder(dir.resolve("scripts/qemu-qmp").toString()).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        if (p.waitFor() != 0 || out.isEmpty()) {
            String msg = "scripts/qemu-qmp could not provide qemu.qmp: " + err;
            if (System.getenv("CI") != null) {
                fail(msg);
            }
            assumeTrue(false, msg);
        }
        return Path.of(out.lines().reduce((a, b) -> b).orElseThrow());
    }
}
