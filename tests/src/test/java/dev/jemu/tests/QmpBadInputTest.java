package dev.jemu.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Every class of malformed QMP input (not JSON, not an object, no or bad {@code execute}, bad {@code arguments},
 * unknown member, unknown command, wrong argument type, missing and extra arguments, HMP typos through
 * human-monitor-command), clients that disconnect in the middle of commands: the transcript of
 * resources monitor/qmp_bad_input.py must be QEMU 7.2's, line for line. jemu alone also gets a stray '}', a
 * message over 64 MiB and two clients at once. Throughout, the heartbeat guest keeps running.
 */
class QmpBadInputTest {
    @Test
    void malformedInputGetsQemusRepliesAndTheGuestKeepsRunning() throws Exception {
        MonitorVm.need("python3");
        MonitorVm.need(MonitorVm.QEMU);
        List<String> qemu = transcript(false);
        List<String> jemu = transcript(true);
        assertTrue(qemu.size() > 30, () -> "QEMU's transcript is too short: " + qemu);
        assertEquals(String.join("\n", qemu), String.join("\n", jemu.subList(0, Math.min(qemu.size(), jemu.size()))),
                "jemu's replies differ from QEMU's");
        String extras = String.join("\n", jemu.subList(qemu.size(), jemu.size()));
        for (String expect : List.of(
                "{\"error\": {\"class\": \"GenericError\", \"desc\": \"JSON parse error, expecting value\"}}",
                "\"id\": \"after-stray-brace\"",
                "{\"error\": {\"class\": \"GenericError\", \"desc\": \"JSON token size limit exceeded\"}}",
                "{\"return\": {\"status\": \"running\", \"singlestep\": false, \"running\": true}, \"id\": \"after-huge\"}",
                "{\"return\": {}, \"id\": \"by-second\"}",
                "\"event\": \"STOP\"",
                "{\"return\": {}, \"id\": \"by-first\"}",
                "\"event\": \"RESUME\"")) {
            assertTrue(extras.contains(expect), () -> "missing " + expect + " in\n" + extras);
        }
        // the STOP by the second client reached the first one too, and the RESUME by the first the second
        assertEquals(2, extras.lines().filter(l -> l.contains("\"event\": \"STOP\"")).count(), extras);
        assertEquals(2, extras.lines().filter(l -> l.contains("\"event\": \"RESUME\"")).count(), extras);
    }

    private static List<String> transcript(boolean jemu) throws Exception {
        Path dir = MonitorVm.tempDir("qmpbad");
        Path sock = dir.resolve("qmp.sock");
        try (MonitorVm vm = MonitorVm.heartbeatWithMonitor(jemu, "-qmp", sock)) {
            ProcessBuilder pb = new ProcessBuilder("python3", QmpClientTest.script("qmp_bad_input.py").toString(),
                    sock.toString());
            if (jemu) {
                pb.command().add("--jemu");
            }
            Process p = pb.redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(120, TimeUnit.SECONDS) || p.exitValue() != 0) {
                fail("qmp_bad_input.py against " + (jemu ? "jemu" : "QEMU") + " failed:\n" + out + "\n" + vm.describe());
            }
            int before = vm.beats();
            Thread.sleep(500);
            assertTrue(vm.process().isAlive(), vm::describe);
            assertTrue(vm.beats() > before, () -> "the guest stopped beating: " + vm.describe());
            return out.lines().toList();
        }
    }
}
