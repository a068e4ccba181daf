package dev.jemu.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The console mux's monitor (Ctrl-A c on a terminal) and {@code -S} with QMP over tcp, as a user meets them. */
class MonitorProcessTest {
    /**
     * {@code -nographic} on a pseudo-terminal: Ctrl-A c shows the monitor (banner, prompt), {@code stop} stops the
     * guest's output, Ctrl-A c twice comes back to the monitor, {@code cont} resumes, Ctrl-A x quits.
     */
    @Test
    void ctrlACSwitchesTheConsoleToTheMonitorAndBack() throws Exception {
        MonitorVm.need("python3");
        List<String> jemu = JemuProcess.command("-M", "virt", "-bios", "none", "-nographic", "-kernel",
                MonitorVm.heartbeat().toString());
        String steps = "[[\"beat 0000000000000002\", \"\\u0001c\", 0], [\"(qemu) \", \"info status\\r\", 0],"
                + " [\"VM status: running\", \"stop\\r\", 0], [\"(qemu) \", \"\", 0.6], [\"\", \"\\u0001c\", 0],"
                + " [\"\", \"\\u0001c\", 0.3], [\"(qemu) \", \"cont\\r\", 0], [\"(qemu) \", \"info status\\r\", 0],"
                + " [\"(qemu) \", \"\\u0001c\", 0], [\"beat\", \"\\u0001x\", 0.2]]";
        List<String> cmd = new ArrayList<>(List.of("python3", QmpClientTest.script("pty_session.py").toString(), steps));
        cmd.addAll(jemu);
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        // the terminal's ONLCR may turn the monitor's CR LF into CR CR LF: compare without CRs
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).replace("\r", "");
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), out);
        assertEquals(0, p.exitValue(), out);
        assertTrue(out.contains("monitor - type 'help' for more information\n(qemu) "), out);
        int stop = out.indexOf("stop\n");
        int cont = out.indexOf("cont\n");
        assertTrue(stop > 0 && cont > stop, out);
        assertTrue(out.substring(out.indexOf("(qemu) ", stop), cont).lines().noneMatch(l -> l.contains("beat")),
                () -> "the guest printed while stopped:\n" + out);
        assertTrue(out.substring(cont).contains("VM status: running"), out);
        assertTrue(out.contains("jemu: terminated"), out);
    }

    /** {@code -S}: the guest does not run until QMP's {@code cont}; QEMU's older {@code server,nowait} spelling. */
    @Test
    void startPausedUntilContOverQmpTcp() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        List<String> args = MonitorVm.heartbeatArgs();
        args.addAll(List.of("-S", "-serial", "stdio", "-qmp", "tcp:127.0.0.1:" + port + ",server,nowait"));
        try (MonitorVm vm = MonitorVm.jemu(args)) {
            Socket s = connect(vm, port);
            BufferedReader in = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.UTF_8));
            OutputStream out = s.getOutputStream();
            assertTrue(in.readLine().startsWith("{\"QMP\": {\"version\": {\"qemu\": {\"micro\": 0, \"minor\": 2, \"major\": 7}"));
            out.write("{\"execute\": \"qmp_capabilities\"}\n".getBytes(StandardCharsets.UTF_8));
            assertEquals("{\"return\": {}}", in.readLine());
            Thread.sleep(1000);
            assertEquals(0, vm.beats(), vm::describe);
            out.write("{\"execute\": \"query-status\"}\n".getBytes(StandardCharsets.UTF_8));
            assertEquals("{\"return\": {\"status\": \"prelaunch\", \"singlestep\": false, \"running\": false}}", in.readLine());
            out.write("{\"execute\": \"cont\"}\n".getBytes(StandardCharsets.UTF_8));
            assertTrue(in.readLine().contains("\"event\": \"RESUME\""));
            assertEquals("{\"return\": {}}", in.readLine());
            vm.awaitOutput("beat 0000000000000003", MonitorVm.seconds(20));
            out.write("{\"execute\": \"quit\"}\n".getBytes(StandardCharsets.UTF_8));
            assertTrue(in.readLine().contains("\"event\": \"SHUTDOWN\""));
            assertEquals("{\"return\": {}}", in.readLine());
            assertEquals(0, vm.awaitExit(MonitorVm.seconds(20)), vm::describe);
        }
    }

    /**
     * {@code -chardev socket,...} + {@code -mon chardev=ID,mode=control}; a guest that powers itself off (the
     * benchmark loop image, through the SiFive test device) is reported with SHUTDOWN, guest-shutdown, as QEMU 8.1
     * and later report it (QEMU 7.2's sifive_test calls exit() and sends no event: a deliberate difference).
     */
    @Test
    void qmpOnAChardevSeesTheGuestPowerItselfOff() throws Exception {
        MonitorVm.need("python3");
        java.nio.file.Path dir = MonitorVm.tempDir("mon");
        java.nio.file.Path image = loopImage(dir);
        java.nio.file.Path sock = dir.resolve("qmp.sock");
        List<String> args = List.of("-M", "virt", "-bios", "none", "-display", "none", "-serial", "stdio", "-S",
                "-kernel", image.toString(), "-chardev", "socket,id=mon0,path=" + sock + ",server=on,wait=off",
                "-mon", "chardev=mon0,mode=control");
        try (MonitorVm vm = MonitorVm.jemu(args)) {
            vm.awaitFile(sock, MonitorVm.seconds(60));
            try (QmpLines qmp = new QmpLines(sock)) {
                assertEquals("{\"return\": {\"status\": \"prelaunch\", \"singlestep\": false, \"running\": false}}",
                        qmp.execute("query-status"));
                assertEquals("{\"return\": {}}", qmp.execute("cont"));
                assertTrue(qmp.awaitEvent("SHUTDOWN").endsWith("\"data\": {\"guest\": true, \"reason\": \"guest-shutdown\"}}"));
                assertEquals(0, vm.awaitExit(MonitorVm.seconds(30)), vm::describe);
            }
        }
    }

    /**
     * {@code -no-shutdown} with QMP, as QEMU (8.1+ for this board's SiFive test device) does it: the guest's
     * poweroff stops the VM in state {@code shutdown} (SHUTDOWN, then STOP) and jemu stays; {@code cont} is
     * refused until {@code system_reset}, which leaves it in {@code prelaunch}; {@code cont} runs the guest again
     * (it powers off once more), and {@code quit} ends jemu.
     */
    @Test
    void noShutdownStopsInStateShutdownUntilResetAndCont() throws Exception {
        MonitorVm.need("python3");
        java.nio.file.Path dir = MonitorVm.tempDir("noshut");
        java.nio.file.Path image = loopImage(dir);
        java.nio.file.Path sock = dir.resolve("qmp.sock");
        List<String> args = List.of("-M", "virt", "-bios", "none", "-display", "none", "-serial", "stdio", "-S",
                "-no-shutdown", "-kernel", image.toString(), "-qmp", "unix:" + sock + ",server=on,wait=off");
        try (MonitorVm vm = MonitorVm.jemu(args)) {
            vm.awaitFile(sock, MonitorVm.seconds(60));
            try (QmpLines qmp = new QmpLines(sock)) {
                assertEquals("{\"return\": {}}", qmp.execute("cont"));
                assertTrue(qmp.awaitEvent("SHUTDOWN").endsWith("\"data\": {\"guest\": true, \"reason\": \"guest-shutdown\"}}"));
                qmp.awaitEvent("STOP");
                assertTrue(vm.process().isAlive(), vm::describe);
                assertEquals("{\"return\": {\"status\": \"shutdown\", \"singlestep\": false, \"running\": false}}",
                        qmp.execute("query-status"));
                assertEquals("{\"error\": {\"class\": \"GenericError\", \"desc\": \"Resetting the Virtual Machine is "
                        + "required\"}}", qmp.execute("cont"));
                assertEquals("{\"return\": {}}", qmp.execute("system_reset"));
                qmp.awaitEvent("RESET");
                assertEquals("{\"return\": {\"status\": \"prelaunch\", \"singlestep\": false, \"running\": false}}",
                        qmp.execute("query-status"));
                assertEquals("{\"return\": {}}", qmp.execute("cont"));
                qmp.awaitEvent("RESUME");
                qmp.awaitEvent("SHUTDOWN"); // the reloaded image ran to its poweroff again
                qmp.awaitEvent("STOP");
                assertEquals("{\"return\": {}}", qmp.execute("quit"));
                assertEquals(0, vm.awaitExit(MonitorVm.seconds(30)), vm::describe);
            }
        }
    }

    /** The benchmark loop image: runs briefly, then powers off through the SiFive test device. */
    private static java.nio.file.Path loopImage(java.nio.file.Path dir) throws Exception {
        java.nio.file.Path image = dir.resolve("loop.bin");
        java.nio.file.Path loopgen = QmpClientTest.repoRoot().resolve("benchmarks/scripts/loopgen.py");
        Process gen = new ProcessBuilder("python3", loopgen.toString(), "alu", "16", "100000", image.toString()).start();
        assertEquals(0, gen.waitFor());
        return image;
    }

    private static Socket connect(MonitorVm vm, int port) throws Exception {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (true) {
            try {
                Socket s = new Socket();
                s.connect(new InetSocketAddress("127.0.0.1", port), 1000);
                s.setSoTimeout(20_000);
                return s;
            } catch (java.io.IOException e) {
                if (System.nanoTime() > end || !vm.process().isAlive()) {
                    throw new AssertionError("cannot connect to QMP on port " + port + ": " + vm.describe(), e);
                }
                Thread.sleep(100);
            }
        }
    }
}
