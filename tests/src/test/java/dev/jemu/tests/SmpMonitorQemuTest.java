package dev.jemu.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The monitors with several harts, against QEMU 7.2 given the same QMP lines on {@code -qmp stdio}: query-cpus-fast
 * lists every hart (QOM paths /machine/soc0/harts[i], cpu-index, core-id), human-monitor-command's cpu-index
 * picks the CPU {@code info cpus} marks, and an index no CPU has is refused with QEMU's error. Thread ids and
 * timestamps are the only differences allowed.
 */
class SmpMonitorQemuTest {
    static final String SCRIPT = """
            {"execute": "qmp_capabilities"}
            {"execute": "query-cpus-fast"}
            {"execute": "human-monitor-command", "arguments": {"command-line": "info cpus", "cpu-index": 2}}
            {"execute": "human-monitor-command", "arguments": {"command-line": "info cpus", "cpu-index": 4}}
            {"execute": "human-monitor-command", "arguments": {"command-line": "info registers 9"}}
            {"execute": "quit"}
            """;

    static List<String> run(List<String> cmd) throws Exception {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        try (OutputStream in = p.getOutputStream()) {
            in.write(SCRIPT.getBytes(StandardCharsets.UTF_8));
        }
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), out);
        List<String> lines = new ArrayList<>();
        for (String l : out.split("\n")) {
            if (l.startsWith("{\"QMP\"") || l.contains("\"timestamp\"")) {
                continue; // the greeting names the version; events carry the time
            }
            lines.add(l.replaceAll("thread[-_]id(\"?[:=] ?)\\d+", "thread-id$1N"));
        }
        return lines;
    }

    @Test
    void cpusListedAndChosenAsQemu() throws Exception {
        assumeTrue(KitGuest.hasTool("qemu-system-riscv64"), "qemu-system-riscv64 is not installed");
        List<String> flags = List.of("-M", "virt", "-smp", "sockets=2,cores=2", "-m", "128M", "-S", "-display", "none",
                "-qmp", "stdio", "-bios", "none");
        List<String> qemu = new ArrayList<>(List.of("qemu-system-riscv64"));
        qemu.addAll(flags);
        List<String> jemuArgs = new ArrayList<>(flags);
        jemuArgs.addAll(List.of("-kernel", MonitorVm.heartbeat().toString()));
        List<String> expected = run(qemu);
        List<String> got = run(JemuProcess.command(jemuArgs.toArray(String[]::new)));
        assertEquals(expected, got);
        assertTrue(got.get(1).contains("\"qom-path\": \"/machine/soc0/harts[3]\""), got.get(1));
        assertTrue(got.get(2).contains("* CPU #2"), got.get(2));
    }
}
