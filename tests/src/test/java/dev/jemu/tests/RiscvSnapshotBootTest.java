package dev.jemu.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
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
 * savevm and -loadvm of a booted Debian guest: the kit's kernel and initramfs with a shell on the console, its
 * root disk (qcow2) mounted read-write. A counter loop (a shell loop with {@code sleep 0.1}, so it only runs on
 * when timer interrupts come) writes to a tmpfs and to the disk; once it has counted to 5 it is held (it
 * acknowledges the hold, so the count stands still), the guest prints the count and a marker, and the test-only
 * trigger {@code -Djemu.test.savevm=NAME@MARKER} saves and quits. A new jemu started with {@code -loadvm} must
 * find exactly that count, continue the counter by itself once released and answer a typed command. qemu-img
 * checks the image, lists the snapshot as jemu-img does, and deletes it.
 *
 * <p>No step depends on how fast the guest runs (a loaded host): the guest waits for the events it needs (the
 * counter's values, the hold's acknowledgement), and only the process timeout ({@code jemu.boot.timeout}) bounds
 * them; a snapshot that lost the timers hangs the counter and so times out.
 */
@Tag("boot")
class RiscvSnapshotBootTest {
    private static final String ARCH = "riscv64";

    @TempDir
    Path tmp;

    @BeforeEach
    void needBoard() {
        Kit.requireBoard(ARCH, "virt");
    }

    static List<String> args(Path disk, String... more) {
        List<String> a = new ArrayList<>(List.of("-M", "virt", "-m", "512M", "-nographic",
                "-kernel", Kit.file(ARCH, "Image").toString(), "-initrd", Kit.file(ARCH, "initrd.cpio.gz").toString(),
                "-append", "console=ttyS0 jemu.shell", "-drive", "file=" + disk + ",if=virtio"));
        a.addAll(List.of(more));
        return a;
    }

    @Test
    void savevmThenLoadvmContinuesTheGuest() throws Exception {
        assumeTrue(KitGuest.hasTool("qemu-img"), "qemu-img not installed");
        Path disk = tmp.resolve("root.qcow2");
        Files.copy(Kit.file(ARCH, "root.qcow2"), disk, StandardCopyOption.REPLACE_EXISTING);

        // 1. boot, start the counter, let it count to 5, hold it (/t/hold; it answers with /t/held once it stands
        // still), save when the guest says so (the typed "SAVE""-NOW" echo does not match); each value is written
        // beside the counter file and renamed over it, so a reader never sees it truncated
        JemuProcess.Result saved = JemuProcess.run(JemuProcess.timeout(), List.of("-Djemu.test.savevm=s1@SAVE-NOW"),
                List.of(new JemuProcess.Step(" # ", "mkdir -p /t; mount -t tmpfs tmpfs /t; mount -t ext4 /dev/vda /mnt; "
                                + "(i=0; while true; do if [ -e /t/hold ]; then touch /t/held; else i=$((i+1)); "
                                + "echo $i > /t/n; mv /t/n /t/c; echo $i > /mnt/n; mv /mnt/n /mnt/c; fi; sleep 0.1; done) &\n"),
                        new JemuProcess.Step(" # ", "until [ -e /t/c ] && [ $(cat /t/c) -ge 5 ]; do sleep 0.1; done; "
                                + "touch /t/hold; until [ -e /t/held ]; do sleep 0.1; done; "
                                + "echo C=$(cat /t/c); echo SAVE\"\"-NOW\n")),
                args(disk).toArray(String[]::new));
        assertFalse(saved.timedOut(), saved::describe);
        assertEquals(0, saved.status(), saved::describe);
        assertTrue(saved.err().contains("jemu: savevm s1: "), saved::describe);
        long before = KitGuest.number(saved.out(), "C=(\\d+)");
        assertTrue(before >= 5, "the counter ran before the save: " + before);
        System.out.println(saved.err().strip());
        KitGuest.assertQemuImgCheckClean(disk);

        // 2. qemu-img and jemu-img list the same snapshot (name, VM SIZE, date, VM CLOCK)
        String qemuList = exec("qemu-img", "snapshot", "-l", disk.toString());
        String jemuList = jemuImg("snapshot", "-l", disk.toString());
        assertEquals(qemuList, jemuList);
        assertTrue(Pattern.compile("(?m)^1\\s+s1\\s+\\d+(\\.\\d+)? MiB ").matcher(qemuList).find(), qemuList);

        // 3. start from the snapshot: the held count is the saved one; released, the counter goes on by itself
        // (its sleeps need the timers) and the shell answers
        JemuProcess.Result loaded = JemuProcess.run(JemuProcess.timeout(), List.of("-Djemu.stats=true"),
                List.of(new JemuProcess.Step("", "a=$(cat /t/c); echo AFTER=$a; rm /t/hold; "
                                + "until [ $(cat /t/c) -ge $((a+3)) ]; do sleep 0.1; done; "
                                + "echo AFTER2=$(cat /t/c) DISK=$(cat /mnt/c); echo TYPED-$((6*7))\n"),
                        new JemuProcess.Step("TYPED-42", "poweroff -f\n")),
                args(disk, "-loadvm", "s1").toArray(String[]::new));
        assertFalse(loaded.timedOut(), loaded::describe);
        assertEquals(0, loaded.status(), loaded::describe);
        assertFalse(loaded.out().contains("JEMU-BOOT-OK"), "no boot: the guest went on from the snapshot");
        long after = KitGuest.number(loaded.out(), "AFTER=(\\d+)");
        long after2 = KitGuest.number(loaded.out(), "AFTER2=(\\d+)");
        long onDisk = KitGuest.number(loaded.out(), "DISK=(\\d+)");
        assertEquals(before, after, "the held counter stands where it was saved");
        assertTrue(after2 >= after + 3, "the counter runs on by itself (timers re-armed): " + after + " -> " + after2);
        assertTrue(onDisk >= after2 - 1, "the disk follows: " + onDisk);
        Matcher ms = Pattern.compile("jemu: loadvm s1: \\d+ bytes of VM state in ([0-9.]+) ms").matcher(loaded.err());
        assertTrue(ms.find(), loaded::describe);
        System.out.printf("loadvm: %s ms; -loadvm start to poweroff: %d ms%n", ms.group(1), loaded.elapsed().toMillis());
        KitGuest.assertQemuImgCheckClean(disk);

        // 3b. -loadvm with -daemonize and a socket console; while it runs (holding the image's locks) qemu-img
        // lists the snapshot with -U (force share) and is refused without it
        loadDaemonized(disk);

        // 4. -loadvm of a missing snapshot is one line
        JemuProcess.Result missing = JemuProcess.run(JemuProcess.timeout(), args(disk, "-loadvm", "nope").toArray(String[]::new));
        assertEquals(1, missing.status(), missing::describe);
        assertEquals("jemu: Snapshot 'nope' does not exist in one or more devices", missing.err().strip());

        JemuProcess.Result otherRam = JemuProcess.run(JemuProcess.timeout(),
                args(disk, "-loadvm", "s1").stream().map(a -> a.equals("512M") ? "256M" : a).toArray(String[]::new));
        assertEquals(1, otherRam.status(), otherRam::describe);
        assertEquals("jemu: Snapshot 's1': machine state has 512 MiB of RAM, this machine 256 MiB (-m must match)",
                otherRam.err().strip());

        // 5. qemu-img deletes jemu's snapshot and finds the image clean
        exec("qemu-img", "snapshot", "-d", "s1", disk.toString());
        assertFalse(jemuImg("snapshot", "-l", disk.toString()).contains("s1"));
        KitGuest.assertQemuImgCheckClean(disk);
    }

    private void loadDaemonized(Path disk) throws Exception {
        Path pidFile = tmp.resolve("jemu.pid");
        int port;
        try (ServerSocket free = new ServerSocket(0)) {
            port = free.getLocalPort();
        }
        List<String> a = new ArrayList<>(args(disk, "-loadvm", "s1", "-daemonize", "-pidfile", pidFile.toString(),
                "-serial", "tcp:127.0.0.1:" + port + ",server=on,wait=off"));
        a.set(a.indexOf("-nographic"), "-display");
        a.add(a.indexOf("-display") + 1, "none");
        Process parent = new ProcessBuilder(JemuProcess.command(a.toArray(String[]::new))).redirectErrorStream(true)
                .start();
        parent.getOutputStream().close();
        String parentOut = new String(parent.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(parent.waitFor(JemuProcess.timeout().toSeconds(), TimeUnit.SECONDS), "the launcher did not return");
        assertEquals(0, parent.exitValue(), parentOut);
        long pid = Long.parseLong(Files.readString(pidFile).strip());
        ProcessHandle jemu = ProcessHandle.of(pid).orElseThrow(() -> new AssertionError("no process " + pid));
        try {
            String shared = exec("qemu-img", "snapshot", "-l", "-U", disk.toString());
            assertTrue(Pattern.compile("(?m)^1\\s+s1\\s+").matcher(shared).find(), shared);
            Process locked = new ProcessBuilder("qemu-img", "snapshot", "-l", disk.toString()).redirectErrorStream(true)
                    .start();
            String lockedOut = new String(locked.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertTrue(locked.waitFor(60, TimeUnit.SECONDS));
            assertEquals(1, locked.exitValue(), lockedOut);
            assertTrue(lockedOut.contains("Failed to get shared \"write\" lock"), lockedOut);
            // the daemon's guest went on from the snapshot: its shell answers on the socket
            try (Socket c = new Socket("127.0.0.1", port)) {
                c.setSoTimeout((int) JemuProcess.timeout().toMillis()); // a cold JIT on a loaded host is slow
                c.getOutputStream().write("echo D-$((6*7)) C=$(cat /t/c)\n".getBytes(StandardCharsets.UTF_8));
                c.getOutputStream().flush();
                StringBuilder seen = new StringBuilder();
                byte[] buf = new byte[4096];
                while (!Pattern.compile("D-42 C=\\d+").matcher(seen).find()) {
                    int n = c.getInputStream().read(buf);
                    assertTrue(n > 0, "console closed: " + seen);
                    seen.append(new String(buf, 0, n, StandardCharsets.UTF_8));
                }
            }
            assertTrue(jemu.destroy(), "SIGTERM sent");
            jemu.onExit().get(60, TimeUnit.SECONDS);
            assertFalse(Files.exists(pidFile), "the pid file is removed at exit");
        } finally {
            if (jemu.isAlive()) {
                jemu.destroyForcibly();
            }
        }
    }

    /** A snapshot whose VM state QEMU wrote (savevm of a paused QEMU) is refused with one line. */
    @Test
    void qemusVmStateIsRefusedWithOneLine() throws Exception {
        assumeTrue(KitGuest.hasTool("qemu-img") && KitGuest.hasTool("qemu-system-riscv64"), "QEMU not installed");
        Path disk = tmp.resolve("q.qcow2");
        exec("qemu-img", "create", "-f", "qcow2", disk.toString(), "64M");
        Process q = new ProcessBuilder("qemu-system-riscv64", "-M", "virt", "-m", "512M", "-display", "none",
                "-serial", "null", "-S", "-monitor", "stdio", "-drive", "file=" + disk + ",if=virtio")
                .redirectErrorStream(true).start();
        q.getOutputStream().write("savevm q\nquit\n".getBytes());
        q.getOutputStream().flush();
        String qout = new String(q.getInputStream().readAllBytes());
        assertTrue(q.waitFor(60, TimeUnit.SECONDS), qout);
        assertTrue(exec("qemu-img", "snapshot", "-l", disk.toString()).contains(" q "), qout);
        JemuProcess.Result r = JemuProcess.run(JemuProcess.timeout(), args(disk, "-loadvm", "q").toArray(String[]::new));
        assertEquals(1, r.status(), r::describe);
        assertEquals("jemu: Snapshot 'q': not a jemu machine state (bad magic)", r.err().strip());
        KitGuest.assertQemuImgCheckClean(disk);
    }

    /** Runs a command that must succeed; returns its output. */
    private static String exec(String... cmd) throws Exception {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        assertEquals(0, p.exitValue(), String.join(" ", cmd) + ": " + out);
        return out;
    }

    private static String jemuImg(String... args) throws Exception {
        return exec(JemuProcess.java("dev.jemu.cli.img.JemuImg", List.of(), args).toArray(String[]::new));
    }
}
