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
 * The gdb stub with two harts: gdb's {@code info threads} lists one thread per hart as on QEMU 7.2,
 * {@code thread 2} reads hart 1's registers, and {@code stepi} on thread 2 (gdb's software step with
 * {@code scheduler-locking step}: a breakpoint and {@code vCont;c} for that thread only) moves hart 1 alone. The
 * transcripts of jemu and QEMU must be the same. A raw {@code vCont;s} on thread 2 steps hart 1 one instruction
 * and stops with hart 0 unmoved, on both.
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
            set scheduler-locking step
            stepi
            stepi
            p/x $pc
            thread 1
            p/x $pc
            info threads
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
        assertTrue(qemu.contains("$3 = 0x1008"), qemu); // thread 2 stepped twice
        assertTrue(qemu.contains("$4 = 0x1000"), qemu); // thread 1 did not move
        assertEquals(qemu, jemu);
    }

    /** {@code vCont;s:2} steps hart 1 exactly one instruction; hart 0 stays where it was (QEMU's all-stop). */
    @Test
    void vContStepsOnlyTheNamedThread() throws Exception {
        MonitorVm.need(MonitorVm.QEMU);
        Path elf = RiscvAssembler.assemble("gdb/debuggee.S");
        String qemu = rawStep(false, elf), jemu = rawStep(true, elf);
        assertEquals("T05thread:p01.02;|1004|1000|T05thread:p01.01;|1004|1004", qemu);
        assertEquals(qemu, jemu.replace("swbreak:;", ""));
    }

    /** The stop replies and pcs (hart 1's, then hart 0's) after stepping thread 2, then thread 1. */
    private static String rawStep(boolean jemu, Path elf) throws Exception {
        int port = MonitorVm.freePort();
        List<String> args = new ArrayList<>(List.of("-M", "virt", "-smp", "2", "-m", "128M", "-bios", "none",
                "-display", "none", "-kernel", elf.toString(), "-gdb", "tcp::" + port, "-S"));
        try (MonitorVm vm = jemu ? MonitorVm.jemu(args) : MonitorVm.qemu(args)) {
            GdbStubTest.awaitListening(port, vm);
            try (GdbProtocolTest.Raw c = GdbProtocolTest.Raw.tcp(port)) {
                c.command("qSupported:multiprocess+");
                List<String> seen = new ArrayList<>();
                for (String step : List.of("vCont;s:p1.2", "vCont;s:p1.1")) {
                    c.sendPacket(step);
                    c.readAck();
                    seen.add(c.readPacket());
                    seen.add(pc(c, "p1.2"));
                    seen.add(pc(c, "p1.1"));
                }
                c.sendPacket("k");
                return String.join("|", seen);
            }
        }
    }

    private static String pc(GdbProtocolTest.Raw c, String thread) throws Exception {
        assertEquals("OK", c.command("Hg" + thread));
        String g = c.command("g"); // x0..x31, then pc: 8 bytes each, little-endian
        return Long.toHexString(Long.reverseBytes(Long.parseUnsignedLong(g.substring(32 * 16, 33 * 16), 16)));
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
