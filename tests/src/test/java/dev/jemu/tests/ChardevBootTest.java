package dev.jemu.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.FileInputStream;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every character-device backend carries the console of the kit's guest (Debian's kernel, busybox shell):
 * JEMU-BOOT-OK is read through the backend and a typed command's output comes back. Each boot also checks
 * the process control that fits it: -daemonize with -pidfile and SIGTERM (tcp), the Ctrl-A keys on a mux and
 * SIGINT (unix socket), SIGTERM in the foreground (pty), -no-shutdown and SIGHUP (file).
 */
@Tag("boot")
class ChardevBootTest {
    private static final String ARCH = "riscv64";
    private static final Duration BOOT = JemuProcess.timeout();

    @BeforeEach
    void needBoard() {
        Kit.requireBoard(ARCH, "virt");
    }

    private static List<String> base(String append) {
        return new ArrayList<>(List.of("-M", "virt", "-cpu", "riscv64", "-m", "512M", "-display", "none",
                "-kernel", Kit.file(ARCH, "Image").toString(), "-initrd", Kit.file(ARCH, "initrd.cpio.gz").toString(),
                "-append", append));
    }

    /** A guest console on some stream: everything read so far, waits for text, types. */
    private static final class Console implements AutoCloseable {
        private final JemuProcess.Collector seen;
        private final OutputStream out;
        private final AutoCloseable resource;

        Console(InputStream in, OutputStream out, AutoCloseable resource) {
            this.seen = new JemuProcess.Collector(in);
            this.out = out;
            this.resource = resource;
        }

        String text() {
            return seen.snapshot();
        }

        boolean await(String what, Duration timeout) throws InterruptedException {
            long end = System.nanoTime() + timeout.toNanos();
            while (!text().contains(what)) {
                if (System.nanoTime() > end) {
                    return false;
                }
                Thread.sleep(50);
            }
            return true;
        }

        void type(String s) throws IOException {
            out.write(s.getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
        }

        /** Waits for the shell prompt after JEMU-BOOT-OK, then runs {@code echo MARK-$((6*7))} through it. */
        void bootAndType(String mark) throws Exception {
            assertTrue(await(" # ", BOOT), () -> "no shell prompt; console:\n" + text());
            assertTrue(text().contains("JEMU-BOOT-OK riscv64 "), () -> "no JEMU-BOOT-OK; console:\n" + text());
            type("echo " + mark + "-$((6*7))\n");
            assertTrue(await(mark + "-42\r\n", Duration.ofSeconds(30)), () -> "command output missing:\n" + text());
        }

        @Override
        public void close() throws Exception {
            resource.close();
        }
    }


    private static Console connectTcp(int port, Duration timeout) throws Exception {
        long end = System.nanoTime() + timeout.toNanos();
        while (true) {
            try {
                Socket s = new Socket("127.0.0.1", port);
                return new Console(s.getInputStream(), s.getOutputStream(), s);
            } catch (IOException e) {
                if (System.nanoTime() > end) {
                    throw e;
                }
                Thread.sleep(200);
            }
        }
    }

    private static Console connectUnix(Path path, Duration timeout) throws Exception {
        long end = System.nanoTime() + timeout.toNanos();
        while (true) {
            try {
                SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX);
                try {
                    ch.connect(UnixDomainSocketAddress.of(path));
                } catch (IOException e) {
                    ch.close();
                    throw e;
                }
                return new Console(Channels.newInputStream(ch), Channels.newOutputStream(ch), ch);
            } catch (IOException e) {
                if (System.nanoTime() > end) {
                    throw e;
                }
                Thread.sleep(200);
            }
        }
    }

    /** A started jemu whose stdout and stderr are collected. */
    private record Jemu(Process process, JemuProcess.Collector out, JemuProcess.Collector err) {
        static Jemu start(List<String> args) throws IOException {
            Process p = new ProcessBuilder(JemuProcess.command(args.toArray(String[]::new))).start();
            p.getOutputStream().close();
            return new Jemu(p, new JemuProcess.Collector(p.getInputStream()), new JemuProcess.Collector(p.getErrorStream()));
        }

        /** Sends a signal the way a user does ({@code kill -NAME pid}) and returns the exit status. */
        int signal(String name) throws Exception {
            Process kill = new ProcessBuilder("kill", "-" + name, Long.toString(process.pid())).start();
            assertEquals(0, kill.waitFor());
            if (!process.waitFor(60, TimeUnit.SECONDS)) {
                // what it was doing: its threads, and what it said
                Process dump = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "jcmd").toString(),
                        Long.toString(process.pid()), "Thread.print")
                        .redirectErrorStream(true).start();
                String threads = new String(dump.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
                throw new AssertionError("jemu did not end on SIG" + name + "; stderr: " + err.snapshot()
                        + "\nthreads:\n" + threads);
            }
            Thread.sleep(200); // the drains catch the last line
            return process.exitValue();
        }

        void kill() {
            process.destroyForcibly();
        }
    }

    private static boolean hasQemuImg() {
        for (String d : System.getenv().getOrDefault("PATH", "/usr/bin").split(":")) {
            if (Files.isExecutable(Path.of(d, "qemu-img"))) {
                return true;
            }
        }
        return false;
    }

    private static String qemuImg(String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("qemu-img"));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        assertEquals(0, p.exitValue(), () -> "qemu-img " + String.join(" ", args) + ":\n" + out);
        return out;
    }

    /** A fresh 64 MiB qcow2 for the guest to write (with dd, O_DIRECT: no flush from the guest). */
    private static Path scratchDisk(Path dir) throws Exception {
        if (!hasQemuImg()) {
            if (System.getenv("CI") != null) {
                throw new AssertionError("qemu-img not installed (.ci/run installs it)");
            }
            assumeTrue(false, "qemu-img not installed");
        }
        Path disk = dir.resolve("scratch.qcow2");
        qemuImg("create", "-q", "-f", "qcow2", disk.toString(), "64M");
        return disk;
    }

    private static final String DD = "dd if=/dev/urandom of=/dev/vda bs=64k count=16 oflag=direct && echo DD-$((40+2))\n";

    private static boolean firstMiBMapped(Path disk) throws Exception {
        String map = qemuImg("map", "-U", "--output=json", disk.toString());
        return map.contains("\"start\": 0, \"length\": 1048576, \"depth\": 0, \"present\": true, \"zero\": false, "
                + "\"data\": true");
    }

    @Test
    void tcpConsoleOfADaemonizedJemuWithAPidFileAndSigtermLeavesNothingBehind(@TempDir Path dir) throws Exception {
        Path disk = scratchDisk(dir);
        Path pidFile = dir.resolve("jemu.pid");
        int port = MonitorVm.freePort();
        List<String> args = base("console=ttyS0 jemu.shell");
        args.addAll(List.of("-daemonize", "-pidfile", pidFile.toString(),
                "-serial", "tcp:127.0.0.1:" + port + ",server=on,wait=off",
                "-drive", "file=" + disk + ",if=none,id=d0,format=qcow2", "-device", "virtio-blk-device,drive=d0"));
        long start = System.nanoTime();
        Process parent = new ProcessBuilder(JemuProcess.command(args.toArray(String[]::new))).redirectErrorStream(true)
                .start();
        parent.getOutputStream().close();
        String parentOut = new String(parent.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(parent.waitFor(60, TimeUnit.SECONDS), "the launcher did not return");
        long parentMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
        assertEquals(0, parent.exitValue(), parentOut);
        assertEquals("", parentOut);
        long pid = Long.parseLong(Files.readString(pidFile).strip());
        ProcessHandle jemu = ProcessHandle.of(pid).orElseThrow(() -> new AssertionError("no process " + pid));
        try {
            assertTrue(jemu.info().commandLine().orElse("").contains("dev.jemu.cli.Main"), jemu.info()::toString);
            assertTrue(jemu.parent().map(p -> p.pid() != ProcessHandle.current().pid()).orElse(true),
                    "the daemon outlives its launcher");
            System.out.printf("daemonize: launcher returned in %d ms%n", parentMs);
            try (Console c = connectTcp(port, Duration.ofSeconds(30))) {
                c.bootAndType("TCP");
                c.type(DD);
                assertTrue(c.await("DD-42\r\n", Duration.ofSeconds(60)), c::text);
            }
            assertTrue(jemu.destroy(), "SIGTERM sent");
            jemu.onExit().get(60, TimeUnit.SECONDS);
            assertFalse(jemu.isAlive());
            assertFalse(Files.exists(pidFile), "the pid file is removed at exit");
            qemuImg("check", disk.toString());
            assertTrue(firstMiBMapped(disk), "the guest's writes were flushed when SIGTERM ended jemu");
        } finally {
            if (jemu.isAlive()) {
                jemu.destroyForcibly();
            }
        }
    }

    @Test
    void unixSocketConsoleWithMuxEscapeKeysAndSigint(@TempDir Path dir) throws Exception {
        Path disk = scratchDisk(dir);
        Path sock = dir.resolve("console.sock");
        List<String> args = base("console=ttyS0 jemu.shell");
        args.addAll(List.of("-chardev", "socket,id=con,path=" + sock + ",server=on,wait=off,mux=on",
                "-serial", "chardev:con",
                "-drive", "file=" + disk + ",if=none,id=d0,format=qcow2", "-device", "virtio-blk-device,drive=d0"));
        Jemu j = Jemu.start(args);
        try (Console c = connectUnix(sock, Duration.ofSeconds(30))) {
            c.bootAndType("UNIX");
            // Ctrl-A s: with cache=writeback the qcow2 metadata of O_DIRECT writes waits for a flush
            c.type(DD);
            assertTrue(c.await("DD-42\r\n", Duration.ofSeconds(60)), c::text);
            boolean before = firstMiBMapped(disk);
            c.type("\u0001s");
            long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (!firstMiBMapped(disk) && System.nanoTime() < end) {
                Thread.sleep(100);
            }
            assertFalse(before, "written before the flush already: the test would prove nothing");
            assertTrue(firstMiBMapped(disk), "Ctrl-A s wrote the disk's data and metadata");
            // Ctrl-A t: QEMU's [hh:mm:ss.mmm] stamps from the next line on
            c.type("\u0001t");
            c.type("echo STAMP-$((1+1))\n");
            assertTrue(c.await("STAMP-2\r\n", Duration.ofSeconds(30)), c::text);
            assertTrue(Pattern.compile("\r\n\\[00:00:0\\d\\.\\d{3}] STAMP-2\r\n").matcher(c.text()).find(), c::text);
            c.type("\u0001t");
            // Ctrl-A b then h: the UART's break is Linux's serial SysRq, whose 'h' prints the SysRq help
            c.type("\u0001b");
            Thread.sleep(300);
            c.type("h");
            assertTrue(c.await("sysrq: HELP", Duration.ofSeconds(30)), c::text);
            // Ctrl-A h lists the keys as QEMU does
            c.type("\u0001h");
            assertTrue(c.await("C-a b    send break (magic sysrq)\n\r", Duration.ofSeconds(10)), c::text);
        } finally {
            int status;
            try {
                status = j.signal("INT");
            } finally {
                j.kill();
            }
            assertEquals(0, status, j.err().snapshot());
            assertEquals("jemu: terminating on signal 2\n", j.err().snapshot());
        }
        assertFalse(Files.exists(sock), "the server's socket file is removed at exit");
        qemuImg("check", disk.toString());
    }

    @Test
    void ptyConsoleAndSigtermInTheForeground() throws Exception {
        List<String> args = base("console=ttyS0 jemu.shell");
        args.addAll(List.of("-serial", "pty"));
        Jemu j = Jemu.start(args);
        try {
            Pattern line = Pattern.compile("char device redirected to (/dev/pts/\\d+) \\(label serial0\\)\n");
            long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            Matcher m = line.matcher("");
            while (!(m = line.matcher(j.out().snapshot())).find() && System.nanoTime() < end && j.process().isAlive()) {
                Thread.sleep(50);
            }
            assertTrue(m.find(0), () -> "no pty line; stdout: " + j.out().snapshot() + " stderr: " + j.err().snapshot());
            String pts = m.group(1);
            FileInputStream in = new FileInputStream(pts);
            FileOutputStream out = new FileOutputStream(pts);
            try (Console c = new Console(in, out, () -> {
                in.close();
                out.close();
            })) {
                c.bootAndType("PTY");
            }
            assertEquals(0, j.signal("TERM"), j.err().snapshot());
            assertEquals("jemu: terminating on signal 15\n", j.err().snapshot());
        } finally {
            j.kill();
        }
    }

    @Test
    void fileConsoleAndNoShutdownKeepsJemuUntilSighup(@TempDir Path dir) throws Exception {
        Path log = dir.resolve("console.log");
        List<String> args = base("console=ttyS0");   // the kit's init powers off after JEMU-BOOT-OK
        args.addAll(List.of("-chardev", "file,id=f0,path=" + log, "-serial", "chardev:f0", "-no-shutdown"));
        Jemu j = Jemu.start(args);
        try {
            long end = System.nanoTime() + BOOT.toNanos();
            while (System.nanoTime() < end && j.process().isAlive()
                    && !(Files.exists(log) && Files.readString(log, StandardCharsets.ISO_8859_1).contains("Power down"))) {
                Thread.sleep(100);
            }
            String text = Files.readString(log, StandardCharsets.ISO_8859_1);
            assertTrue(text.contains("JEMU-BOOT-OK riscv64 "), text);
            assertTrue(text.contains("Power down"), text);
            Thread.sleep(2000);
            assertTrue(j.process().isAlive(), "-no-shutdown: the guest powered off, jemu stays");
            assertEquals(0, j.signal("HUP"), j.err().snapshot());
            assertEquals("jemu: terminating on signal 1\n", j.err().snapshot());
        } finally {
            j.kill();
        }
    }
}
