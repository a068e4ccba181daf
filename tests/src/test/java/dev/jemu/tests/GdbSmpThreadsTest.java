package dev.jemu.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The gdb stub with two harts: gdb's {@code info threads} lists one thread per hart as on QEMU 7.2, and
 * {@code thread 2} reads hart 1's registers. The transcripts of jemu and QEMU must be the same.
 */
class GdbSmpThreadsTest {
    static final String SCRIPT = """
            set pagination off
            set confirm off
            set remotetimeout 30
            target remote :${PORT}
            info threads
            thread 2
            p/x $pc
            p/x $a0
            thread 1
            p/x $pc
            kill
            """;

    @Test
    void infoThreadsListsEveryHartAsQemu() throws Exception {
        MonitorVm.need(GdbStubTest.GDB);
        MonitorVm.need(MonitorVm.QEMU);
        Path elf = RiscvAssembler.assemble("gdb/debuggee.S");
        String qemu = session(false, elf), jemu = session(true, elf);
        assertTrue(qemu.contains("2    Thread 1.2 (CPU#1 [running]) 0x0000000000001000 in ?? ()"), qemu);
        assertTrue(jemu.contains("[Switching to thread 2 (Thread 1.2)]"), jemu);
        assertEquals(qemu, jemu);
    }

    private static String session(boolean jemu, Path elf) throws Exception {
        int port = MonitorVm.freePort();
        Path script = MonitorVm.tempDir("gdb-smp").resolve("smp.gdb");
        Files.writeString(script, SCRIPT.replace("${PORT}", String.valueOf(port)));
        List<String> args = new ArrayList<>(List.of("-M", "virt", "-smp", "2", "-m", "128M", "-bios", "none",
                "-display", "none", "-kernel", elf.toString(), "-gdb", "tcp::" + port, "-S"));
        try (MonitorVm vm = jemu ? MonitorVm.jemu(args) : MonitorVm.qemu(args)) {
            GdbStubTest.awaitListening(port, vm);
            Process gdb = new ProcessBuilder(GdbStubTest.GDB, "-nx", "-batch", "-x", script.toString(), elf.toString())
                    .redirectErrorStream(true).start();
            JemuProcess.Collector out = new JemuProcess.Collector(gdb.getInputStream());
            if (!gdb.waitFor(120, TimeUnit.SECONDS)) {
                gdb.destroyForcibly();
            }
            vm.awaitExit(MonitorVm.seconds(30));
            return out.text();
        }
    }
}
