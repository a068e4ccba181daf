package dev.jemu.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The gdb stub with Debian's gdb-multiarch: one gdb script (test resource gdb/session.gdb: break on a symbol,
 * continue, registers, memory read and write, stepi, write/read/access watchpoints, hbreak, detach) against
 * {@code jemu -gdb tcp::PORT -S} and against qemu-system-riscv64 on the same bare-metal program (gdb/debuggee.S,
 * with symbols); the two transcripts must be the same but for the lines that differ for a reason, and the
 * program runs to its end after the detach on both.
 */
class GdbStubTest {
    static final String GDB = "gdb-multiarch";

    @Test
    void sameGdbSessionOnJemuAndQemu() throws Exception {
        MonitorVm.need(GDB);
        MonitorVm.need(MonitorVm.QEMU);
        Path elf = RiscvAssembler.assemble("gdb/debuggee.S");
        Session qemu = session(false, elf);
        Session jemu = session(true, elf);
        for (Session s : List.of(qemu, jemu)) {
            assertEquals(0, s.gdbStatus, s.transcript);
            assertTrue(s.serial.contains("DONE Z"), "the program did not run to its end after the detach: " + s);
            assertEquals(0, s.vmStatus, s.toString());
            assertTrue(s.transcript.contains("Breakpoint 1, 0x000000008000004c in work ()"), s.transcript);
            assertTrue(s.transcript.contains("Old value = 3\nNew value = 7"), s.transcript);
            assertTrue(s.transcript.contains("Hardware read watchpoint 3: *(long *)&total\n\nValue = 10"), s.transcript);
            assertTrue(s.transcript.contains("Hardware access (read/write) watchpoint 4"), s.transcript);
            assertTrue(s.transcript.contains("Breakpoint 5, 0x0000000080000070 in finish ()"), s.transcript);
            assertTrue(s.transcript.contains("0x80002000:\t0x00000000\t0x12345678"), s.transcript);
            assertTrue(s.transcript.contains("[Inferior 1 (process 1) detached]"), s.transcript);
        }
        // misa: QEMU 7.2's riscv64 CPU has the H extension (bit 7), jemu's has not
        assertTrue(qemu.transcript.contains("misa=80000000001411ad"), qemu.transcript);
        assertTrue(jemu.transcript.contains("misa=800000000014112d"), jemu.transcript);
        assertEquals(comparable(qemu.transcript), comparable(jemu.transcript));
    }

    /** The transcript without the lines that differ for a reason: misa (above). */
    private static String comparable(String transcript) {
        return transcript.lines().filter(l -> !l.startsWith("misa=")).collect(Collectors.joining("\n"));
    }

    record Session(String transcript, int gdbStatus, String serial, int vmStatus, String vmErr) {
        @Override
        public String toString() {
            return "gdb: " + transcript + "\nserial: " + serial + "\nstderr: " + vmErr;
        }
    }

    /** Runs session.gdb against the program on jemu or QEMU started with -S and the stub on a free port. */
    private static Session session(boolean jemu, Path elf) throws Exception {
        int port = MonitorVm.freePort();
        Path dir = MonitorVm.tempDir("gdb");
        Path serial = dir.resolve("serial.txt");
        Path script = dir.resolve("session.gdb");
        String text = new String(GdbStubTest.class.getClassLoader().getResourceAsStream("gdb/session.gdb").readAllBytes(),
                StandardCharsets.UTF_8);
        Files.writeString(script, text.replace("${PORT}", String.valueOf(port)));
        List<String> args = new ArrayList<>(List.of("-M", "virt", "-m", "128M", "-bios", "none", "-display", "none",
                "-serial", "file:" + serial, "-kernel", elf.toString(), "-gdb", "tcp::" + port, "-S"));
        try (MonitorVm vm = jemu ? MonitorVm.jemu(args) : MonitorVm.qemu(args)) {
            awaitListening(port, vm);
            Process gdb = new ProcessBuilder(GDB, "-nx", "-batch", "-x", script.toString(), elf.toString())
                    .redirectErrorStream(true).start();
            JemuProcess.Collector out = new JemuProcess.Collector(gdb.getInputStream());
            if (!gdb.waitFor(120, TimeUnit.SECONDS)) {
                gdb.destroyForcibly();
            }
            String transcript = out.text();
            int vmStatus = vm.awaitExit(MonitorVm.seconds(60));
            return new Session(transcript, gdb.exitValue(), Files.readString(serial), vmStatus, vm.err());
        }
    }


    /** Waits until the stub accepts connections (a connection that only opens and closes changes nothing). */
    static void awaitListening(int port, MonitorVm vm) throws InterruptedException {
        long end = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (System.nanoTime() < end && vm.process().isAlive()) {
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress("127.0.0.1", port), 1000);
                return;
            } catch (IOException e) {
                Thread.sleep(100);
            }
        }
        throw new AssertionError("the gdb stub on port " + port + " did not listen: " + vm.describe());
    }
}
