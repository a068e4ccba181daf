package dev.jemu.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

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
 * Snapshots and migration of a booted amd64 guest on {@code -M microvm} (jemu's interpreter), with 4 GiB of RAM, so
 * a quarter of it lies above 4 GiB (QEMU's ram-above-4g). The kit boots once (minutes on the interpreter), with its
 * shell on the 16550A and its root disk (qcow2) on a virtio-mmio slot; a counter loop (a shell loop with
 * {@code sleep 0.1}, so it only runs on while the local APIC's timer interrupts come) prints each step and writes it
 * to a tmpfs and to the disk. Then, without another boot:
 * <ol>
 * <li>the guest sees the RAM above 4 GiB: QEMU's e820 line for it, MemTotal near 4 GiB, a Normal zone;</li>
 * <li>HMP savevm, a shell variable changed, HMP loadvm: the variable is back and the counter runs on;</li>
 * <li>migrate to a file ({@code exec:cat > FILE}) and a new process with {@code -incoming "exec:cat FILE"}: the
 * console counts on without a step lost or repeated, tmpfs and disk hold the last step, and {@code poweroff -f}
 * powers it off through the ACPI GED (status 0);</li>
 * <li>a third process started with {@code -loadvm} goes on from the snapshot by itself (the disk reverted with it),
 * and its shell answers; qemu-img lists the snapshot as jemu-img does and finds the image clean.</li>
 * </ol>
 * Every device of the board is in the state that crosses each step: CPU, local APIC and its timer, IOAPICs, PICs,
 * PIT, RTC, 16550A, GED, virtio-mmio with virtio-blk.
 */
@Tag("boot")
class Amd64SnapshotBootTest {
    private static final KitGuest G = KitGuest.AMD64;

    @BeforeEach
    void needBoard() {
        G.requireBoard("microvm");
    }

    private static List<String> args(Path disk, String... more) {
        List<String> a = new ArrayList<>(List.of("-M", "microvm", "-cpu", G.cpu(), "-m", "4G", "-display", "none",
                "-serial", "stdio", "-kernel", G.file("bzImage").toString(), "-initrd", G.file("initrd.cpio.gz").toString(),
                "-append", "console=ttyS0 jemu.shell"));
        a.addAll(Amd64BootTest.disk(disk, false));
        a.addAll(List.of(more));
        return a;
    }

    @Test
    void aFourGibGuestSavesLoadsAndMigratesThroughAFile() throws Exception {
        MonitorVm.need("qemu-img");
        Path dir = MonitorVm.tempDir("amd64-snap"); // short: unix socket paths; holds a disk and a stream of ~150 MiB
        try {
            savesLoadsAndMigrates(dir);
        } finally {
            try (java.util.stream.Stream<Path> all = Files.walk(dir)) {
                for (Path p : all.sorted(java.util.Comparator.reverseOrder()).toList()) {
                    Files.deleteIfExists(p);
                }
            }
        }
    }

    private void savesLoadsAndMigrates(Path dir) throws Exception {
        Path disk = dir.resolve("root.qcow2");
        Files.copy(G.file("root.qcow2"), disk);
        Path sa = dir.resolve("a.qmp"), sb = dir.resolve("b.qmp"), mig = dir.resolve("state.mig");
        long atSave;
        String aTail; // the source's console since the loadvm
        try (MonitorVm a = MonitorVm.jemu(args(disk, "-qmp", "unix:" + sa + ",server=on,wait=off"))) {
            a.awaitOutput(" # ", Amd64BootTest.TIMEOUT);
            System.out.printf("amd64 -m 4G: booted to the shell%n");
            String boot = a.out();
            assertTrue(boot.contains("BIOS-e820: [mem 0x0000000100000000-0x000000013fffffff] usable"), a::describe);
            a.type("grep MemTotal /proc/meminfo; echo ZONES=$(grep -c 'zone *Normal' /proc/zoneinfo); mkdir -p /t; "
                    + "mount -t tmpfs tmpfs /t; mount -t ext4 /dev/vda /mnt; (i=0; while [ ! -e /t/stop ]; do "
                    + "i=$((i+1)); echo $i > /t/n; mv /t/n /t/c; echo $i > /mnt/n; mv /mnt/n /mnt/c; echo \"C=$i;\"; "
                    + "sleep 0.1; done) &\n");
            a.awaitOutput("C=5;", MonitorVm.seconds(300));
            long memKb = KitGuest.number(a.out(), "MemTotal: +(\\d+) kB");
            assertTrue(memKb > 3_900_000 && memKb < 4_194_304, "MemTotal of a 4 GiB guest: " + memKb + " kB");
            assertEquals(1, KitGuest.number(a.out(), "ZONES=(\\d+)"), "a Normal zone (RAM above 4 GiB)");

            // savevm, change a shell variable, loadvm: the variable is back and the timer runs (sleep 1)
            QmpLines qa = new QmpLines(sa);
            a.type("X=41; echo SET-$X\n");
            a.awaitOutput("SET-41", MonitorVm.seconds(120));
            assertEquals("{\"return\": \"\"}", qa.hmp("savevm s1"), a::describe);
            atSave = MigrationBootTest.last(a.out());
            a.type("X=99; sleep 1; echo SET-$X\n");
            a.awaitOutput("SET-99", MonitorVm.seconds(120));
            int beforeLoad = MigrationBootTest.last(a.out());
            assertEquals("{\"return\": \"\"}", qa.hmp("loadvm s1"), a::describe);
            a.type("sleep 1; echo GOT-$X\n");
            a.awaitOutput("GOT-41", MonitorVm.seconds(120));
            assertFalse(a.out().contains("GOT-99"), a::describe);
            // the one step back (or repeated) on the console is the loadvm: to the step saved, then on by itself
            List<Integer> s = MigrationBootTest.steps(a.out());
            int back = backwards(s);
            assertTrue(back > 0 && s.get(back) <= atSave + 2 && s.get(back - 1) >= beforeLoad,
                    "after loadvm the counter goes on from the save (" + atSave + "), not from " + beforeLoad + ": " + s);
            awaitSteps(a, back + 3); // two more steps after it: the loop's sleeps end, so the timers were re-armed
            s = MigrationBootTest.steps(a.out());
            assertEquals(back, backwards(s), "the counter counts on after the loadvm: " + s);

            // migration to a file (HMP's quoted string argument): the source ends in postmigrate
            assertEquals("{\"return\": \"\"}", qa.hmp("migrate \\\"exec:cat > " + mig + "\\\""), a::describe);
            awaitCompleted(qa);
            assertEquals("{\"return\": {\"status\": \"postmigrate\", \"singlestep\": false, \"running\": false}}",
                    qa.execute("query-status"));
            assertEquals("{\"return\": {}}", qa.execute("quit"));
            assertEquals(0, a.awaitExit(MonitorVm.seconds(60)), a::describe);
            String out = a.out();
            aTail = out.substring(out.lastIndexOf("GOT-41"));
            System.out.printf("amd64 savevm/loadvm/migrate: %d MiB migration stream%n", Files.size(mig) >> 20);
        }

        try (MonitorVm b = MonitorVm.jemu(args(disk, "-qmp", "unix:" + sb + ",server=on,wait=off",
                "-incoming", "exec:cat " + mig))) {
            b.awaitOutput("C=" + (MigrationBootTest.last(aTail) + 3) + ";", MonitorVm.seconds(300)); // runs on by itself (timers)
            assertFalse(b.out().contains("Linux version"), "no boot: the guest came from the stream");
            b.type("touch /t/stop; wait; sync; echo \"T=$(cat /t/c) M=$(cat /mnt/c) E\"\"ND\"\n");
            b.awaitOutput(" END", MonitorVm.seconds(120));
            // one console across both processes (a line the source began, the destination ends)
            List<Integer> s = MigrationBootTest.steps(aTail + b.out());
            assertTrue(MigrationBootTest.steps(b.out()).size() >= 3, b::describe);
            for (int i = 1; i < s.size(); i++) {
                assertEquals(s.get(i - 1) + 1, s.get(i), "counter steps around index " + i + ": " + s);
            }
            Matcher m = Pattern.compile("T=(\\d+) M=(\\d+) END").matcher(b.out());
            assertTrue(m.find(), b::describe);
            assertEquals(s.getLast(), Integer.parseInt(m.group(1)), b::describe);
            assertEquals(s.getLast(), Integer.parseInt(m.group(2)), b::describe);
            b.type("umount /mnt; poweroff -f\n"); // through the ACPI GED's sleep register
            assertEquals(0, b.awaitExit(MonitorVm.seconds(120)), b::describe);
        }
        KitGuest.assertQemuImgCheckClean(disk);

        // a new process from the snapshot: the counter and the shell go on from s1, the disk reverted with it
        try (MonitorVm c = MonitorVm.jemu(args(disk, "-loadvm", "s1"))) {
            // (the interpreter runs the loop's few processes per step slowly: the shell waits for three more steps)
            c.type("A=$(cat /t/c); echo AFTER=$A X=$X; while [ $(cat /t/c) -lt $((A+3)) ]; do sleep 1; done; "
                    + "echo AFTER2=$(cat /t/c); echo TYPED-$((6*7))\n");
            c.awaitOutput("TYPED-42", MonitorVm.seconds(600));
            assertFalse(c.out().contains("Linux version"), "no boot: the guest went on from the snapshot");
            long after = KitGuest.number(c.out(), "AFTER=(\\d+) X=41");
            long after2 = KitGuest.number(c.out(), "AFTER2=(\\d+)");
            assertTrue(after >= atSave && after <= atSave + 20, "continues from " + atSave + ": " + after);
            assertTrue(after2 >= after + 3, "the counter runs on by itself (timers re-armed): " + after + " -> " + after2);
            c.type("touch /t/stop; wait; umount /mnt; poweroff -f\n");
            assertEquals(0, c.awaitExit(MonitorVm.seconds(120)), c::describe);
        }
        KitGuest.assertQemuImgCheckClean(disk);
        String qemuList = exec("qemu-img", "snapshot", "-l", disk.toString());
        assertTrue(Pattern.compile("(?m)^1\\s+s1\\s+\\d+(\\.\\d+)? MiB ").matcher(qemuList).find(), qemuList);
        assertEquals(qemuList, exec(JemuProcess.java("dev.jemu.cli.img.JemuImg", List.of(), "snapshot", "-l",
                disk.toString()).toArray(String[]::new)));
    }

    /** Waits until the console has shown {@code n} counter steps. */
    private static void awaitSteps(MonitorVm vm, int n) throws InterruptedException {
        long end = System.nanoTime() + MonitorVm.seconds(300).toNanos();
        while (MigrationBootTest.steps(vm.out()).size() < n) {
            assertTrue(System.nanoTime() < end && vm.process().isAlive(), () -> "fewer than " + n + " steps: "
                    + vm.describe());
            Thread.sleep(100);
        }
    }

    /** The index of the only step not above the one before it (0 if none; fails if more than one). */
    private static int backwards(List<Integer> s) {
        int at = 0;
        for (int i = 1; i < s.size(); i++) {
            if (s.get(i) <= s.get(i - 1)) {
                assertEquals(0, at, "the counter went back twice: " + s);
                at = i;
            }
        }
        return at;
    }

    private static void awaitCompleted(QmpLines q) throws Exception {
        long end = System.nanoTime() + MonitorVm.seconds(300).toNanos();
        String r = "";
        while (System.nanoTime() < end) {
            r = q.execute("query-migrate");
            if (r.contains("\"status\": \"completed\"")) {
                return;
            }
            assertFalse(r.contains("\"status\": \"failed\""), r);
            Thread.sleep(100);
        }
        throw new AssertionError("the migration did not complete: " + r);
    }

    private static String exec(String... cmd) throws Exception {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        assertTrue(p.waitFor(60, java.util.concurrent.TimeUnit.SECONDS));
        assertEquals(0, p.exitValue(), String.join(" ", cmd) + ": " + out);
        return out;
    }
}
