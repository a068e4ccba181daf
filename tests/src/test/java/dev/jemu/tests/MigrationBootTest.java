package dev.jemu.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Live migration of a booted Debian kernel (the kit, a shell on the console) between jemu processes, while a
 * counter loop prints each step and writes it to a tmpfs and to an ext4 disk (a qcow2 all processes share): one
 * source boots once and goes through what must leave it running (a closed port, a destination with another
 * {@code -m}, a cancel halfway, a destination killed halfway), then migrates over a unix socket, and the
 * destination on over tcp. The console, read across the three processes, counts on without a step lost or
 * repeated; the last shell answers; tmpfs and disk hold the last step; qemu-img check is clean; and a VM started
 * on its own on the image meanwhile is refused by the image lock.
 */
@Tag("boot")
class MigrationBootTest {
    private static final String ARCH = "riscv64";
    private static final Pattern STEP = Pattern.compile("C=(\\d+);");

    @BeforeEach
    void needBoard() {
        Kit.requireBoard(ARCH, "virt");
    }

    @Test
    void liveMigrationOfABootedGuestKeepsItsCounterAndDisk() throws Exception {
        Path dir = MonitorVm.tempDir("migrate");
        Path disk = dir.resolve("root.qcow2");
        Files.copy(Kit.file(ARCH, "root.qcow2"), disk);
        Path sa = dir.resolve("a.sock"), sb = dir.resolve("b.sock"), sc = dir.resolve("c.sock");
        try (MonitorVm a = MonitorVm.jemu(args(disk, "256M", "-qmp", "unix:" + sa + ",server=on,wait=off"))) {
            a.awaitOutput(" # ", JemuProcess.timeout());
            a.type("mkdir -p /t; mount -t tmpfs tmpfs /t; mount -t ext4 /dev/vda /mnt; "
                    + "(i=0; while [ ! -e /t/stop ]; do i=$((i+1)); echo $i > /t/c; echo $i > /mnt/c; echo \"C=$i;\"; sleep 0.1; done) &\n");
            a.awaitOutput("C=5;", MonitorVm.seconds(60));
            QmpLines qa = new QmpLines(sa);

            // a closed port: the migration fails, the guest runs on
            int closed;
            try (ServerSocket s = new ServerSocket(0)) {
                closed = s.getLocalPort();
            }
            String reply = qa.hmp("migrate tcp:127.0.0.1:" + closed);
            assertTrue(reply.contains("Failed to connect to '127.0.0.1:" + closed + "'"), reply);
            assertRunning(qa, a, "after a closed port");

            // a destination with another -m refuses the header in one line and exits 1; the source runs on
            Path bad = dir.resolve("bad.mig");
            try (MonitorVm d = MonitorVm.jemu(args(disk, "128M", "-incoming", "unix:" + bad))) {
                d.awaitFile(bad, MonitorVm.seconds(60));
                reply = qa.hmp("migrate unix:" + bad);
                assertTrue(reply.contains("the destination refused the migration: machine state has 256 MiB of RAM, "
                        + "this machine 128 MiB (-m must match)"), reply);
                assertEquals(1, d.awaitExit(MonitorVm.seconds(30)), d::describe);
                assertEquals(List.of("jemu: load of migration failed: machine state has 256 MiB of RAM, this machine "
                        + "128 MiB (-m must match)"), d.err().lines().toList());
            }
            assertRunning(qa, a, "after a refused stream");

            // cancelled halfway (a slow link: 2 MiB/s), then a destination killed halfway
            assertEquals("{\"return\": \"\"}", qa.hmp("migrate_set_parameter max-bandwidth 2"));
            for (String how : List.of("cancel", "kill")) {
                Path p = dir.resolve(how + ".mig");
                try (MonitorVm d = MonitorVm.jemu(args(disk, "256M", "-incoming", "unix:" + p))) {
                    d.awaitFile(p, MonitorVm.seconds(60));
                    assertEquals("{\"return\": \"\"}", qa.hmp("migrate -d unix:" + p));
                    awaitStatus(qa, "active");
                    Thread.sleep(500);
                    if (how.equals("cancel")) {
                        assertEquals("{\"return\": \"\"}", qa.hmp("migrate_cancel"));
                        awaitStatus(qa, "cancelled");
                        assertEquals(1, d.awaitExit(MonitorVm.seconds(30)), d::describe); // a truncated stream
                        assertEquals(1, d.err().lines().count(), d::describe);
                        assertTrue(d.err().startsWith("jemu: load of migration failed: "), d::describe);
                    } else {
                        d.process().destroyForcibly();
                        awaitStatus(qa, "failed");
                    }
                }
                assertRunning(qa, a, "after a migration " + (how.equals("cancel") ? "cancelled" : "to a killed destination"));
            }
            assertEquals("{\"return\": \"\"}", qa.hmp("migrate_set_parameter max-bandwidth 1G"));

            // A -> B over a unix socket, B -> C over tcp
            Path mig = dir.resolve("b.mig");
            int port;
            try (ServerSocket s = new ServerSocket(0)) {
                port = s.getLocalPort();
            }
            try (MonitorVm b = MonitorVm.jemu(args(disk, "256M", "-qmp", "unix:" + sb + ",server=on,wait=off",
                    "-incoming", "unix:" + mig));
                 MonitorVm c = MonitorVm.jemu(args(disk, "256M", "-qmp", "unix:" + sc + ",server=on,wait=off",
                         "-incoming", "tcp:127.0.0.1:" + port))) {
                b.awaitFile(mig, MonitorVm.seconds(60));
                awaitListening(b, sb); // the QMP socket may come after the migration socket
                QmpLines qb = new QmpLines(sb);
                assertEquals("{\"return\": {\"status\": \"inmigrate\", \"singlestep\": false, \"running\": false}}",
                        qb.execute("query-status"));
                assertEquals("{\"return\": \"\"}", qa.hmp("migrate unix:" + mig), a::describe);
                assertTrue(qa.execute("query-migrate").startsWith("{\"return\": {\"status\": \"completed\", \"setup-time\": "));
                assertEquals("{\"return\": {\"status\": \"postmigrate\", \"singlestep\": false, \"running\": false}}",
                        qa.execute("query-status"));
                int before = last(a.out());
                b.awaitOutput("C=" + (before + 10) + ";", MonitorVm.seconds(60)); // runs on by itself (timers)
                awaitListening(c, sc);
                QmpLines qc = new QmpLines(sc);
                assertEquals("{\"return\": \"\"}", qb.hmp("migrate tcp:127.0.0.1:" + port), b::describe);
                int mid = last(b.out());
                c.awaitOutput("C=" + (mid + 10) + ";", MonitorVm.seconds(60));

                // two VMs on one image are still refused (the image is C's now)
                JemuProcess.Result other = JemuProcess.run(MonitorVm.seconds(60),
                        args(disk, "256M").toArray(String[]::new));
                assertEquals(1, other.status(), other.toString());
                assertTrue(other.err().contains("Failed to get \"write\" lock"), other.err());

                // the loop ends after a whole step (a kill could land between truncating /mnt/c and writing it)
                c.type("touch /t/stop; wait; sync; echo \"T=$(cat /t/c) M=$(cat /mnt/c) E\"\"ND\"\n");
                c.awaitOutput(" END", MonitorVm.seconds(30));
                List<Integer> steps = steps(a.out() + b.out() + c.out());
                for (int i = 1; i < steps.size(); i++) {
                    assertEquals(steps.get(i - 1) + 1, steps.get(i), "counter steps around index " + i + ": "
                            + steps.subList(Math.max(0, i - 3), Math.min(steps.size(), i + 3)));
                }
                int lastStep = steps.get(steps.size() - 1);
                Matcher m = Pattern.compile("T=(\\d+) M=(\\d+) END").matcher(c.out());
                assertTrue(m.find(), c::describe);
                assertEquals(lastStep, Integer.parseInt(m.group(1)), c::describe);
                assertEquals(lastStep, Integer.parseInt(m.group(2)), c::describe);
                assertTrue(lastStep > 30, "too few steps: " + lastStep);
                assertEquals("{\"return\": {}}", qc.execute("quit"));
                assertEquals(0, c.awaitExit(MonitorVm.seconds(30)), c::describe);
                qb.execute("quit");
                qa.execute("quit");
                b.awaitExit(MonitorVm.seconds(30));
                a.awaitExit(MonitorVm.seconds(30));
            }
        }
        Process check = new ProcessBuilder("qemu-img", "check", disk.toString()).redirectErrorStream(true).start();
        String report = new String(check.getInputStream().readAllBytes());
        assertEquals(0, check.waitFor(), report);
        assertTrue(report.contains("No errors were found on the image."), report);
    }

    private static List<String> args(Path disk, String mem, String... more) {
        List<String> a = new ArrayList<>(List.of("-M", "virt", "-m", mem, "-display", "none", "-serial", "stdio",
                "-kernel", Kit.file(ARCH, "Image").toString(), "-initrd", Kit.file(ARCH, "initrd.cpio.gz").toString(),
                "-append", "console=ttyS0 jemu.shell", "-drive", "file=" + disk + ",if=virtio,format=qcow2"));
        a.addAll(List.of(more));
        return a;
    }

    /** The source still runs its guest: run state running, and the shell answers. */
    private static void assertRunning(QmpLines q, MonitorVm vm, String when) throws Exception {
        assertEquals("{\"return\": {\"status\": \"running\", \"singlestep\": false, \"running\": true}}",
                q.execute("query-status"), when);
        String tag = "ALIVE-" + Math.abs(when.hashCode());
        vm.type("echo " + tag.substring(0, 6) + "\"\"" + tag.substring(6) + "\n");
        vm.awaitOutput(tag, MonitorVm.seconds(30));
    }

    private static void awaitStatus(QmpLines q, String status) throws Exception {
        long end = System.nanoTime() + MonitorVm.seconds(60).toNanos();
        String r = "";
        while (System.nanoTime() < end) {
            r = q.execute("query-migrate");
            if (r.contains("\"status\": \"" + status + "\"")) {
                return;
            }
            Thread.sleep(50);
        }
        throw new AssertionError("migration status never became " + status + ": " + r);
    }

    private static void awaitListening(MonitorVm vm, Path qmp) throws InterruptedException {
        vm.awaitFile(qmp, MonitorVm.seconds(60));
    }

    /** The counter's steps ({@code C=N;}) on a console, in order (Amd64SnapshotBootTest counts the same way). */
    static List<Integer> steps(String console) {
        List<Integer> out = new ArrayList<>();
        Matcher m = STEP.matcher(console);
        while (m.find()) {
            out.add(Integer.parseInt(m.group(1)));
        }
        return out;
    }

    static int last(String console) {
        List<Integer> s = steps(console);
        return s.isEmpty() ? 0 : s.get(s.size() - 1);
    }
}
