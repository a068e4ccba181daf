package dev.jemu.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The control API on a booted Debian kernel (the kit, a shell on the console): {@code system_powerdown} does
 * on jemu what it does on QEMU 7.2's riscv64 virt (POWERDOWN, and the guest runs on: the board wires no power
 * button), {@code system_reset} reboots the kernel to a working shell with a RESET event, {@code quit} ends
 * the run with SHUTDOWN.
 */
@Tag("boot")
class MonitorBootTest {
    private static final String ARCH = "riscv64";

    @BeforeEach
    void needBoard() {
        Kit.requireBoard(ARCH, "virt");
    }

    @Test
    void powerdownResetAndQuitOnABootedKernel() throws Exception {
        MonitorVm.need(MonitorVm.QEMU);
        boolean qemuRunsOn = powerdown(false, false);
        boolean jemuRunsOn = powerdown(true, true);
        assertEquals(qemuRunsOn, jemuRunsOn, "after system_powerdown the guest on jemu and on QEMU differ");
    }

    /**
     * HMP's savevm / loadvm / delvm / info snapshots (also QMP's human-monitor-command, which these go through) on
     * a booted kernel with a qcow2 disk: a shell variable set before savevm is back after loadvm, the snapshot
     * is listed by the monitor and by qemu-img, delvm removes it, and a missing name is one error line.
     */
    @Test
    void savevmAndLoadvmThroughTheMonitor() throws Exception {
        Path dir = MonitorVm.tempDir("msnap");
        Path sock = dir.resolve("qmp.sock");
        Path disk = dir.resolve("disk.qcow2");
        Process mk = new ProcessBuilder("qemu-img", "create", "-q", "-f", "qcow2", disk.toString(), "64M")
                .inheritIO().start();
        assertEquals(0, mk.waitFor());
        List<String> args = new ArrayList<>(List.of("-M", "virt", "-m", "256M", "-display", "none", "-serial", "stdio",
                "-kernel", Kit.file(ARCH, "Image").toString(), "-initrd", Kit.file(ARCH, "initrd.cpio.gz").toString(),
                "-append", "console=ttyS0 jemu.shell", "-drive", "file=" + disk + ",if=virtio,format=qcow2",
                "-qmp", "unix:" + sock + ",server=on,wait=off"));
        try (MonitorVm vm = MonitorVm.jemu(args)) {
            vm.awaitOutput(" # ", JemuProcess.timeout());
            QmpLines qmp = new QmpLines(sock);
            vm.type("X=41; echo SET-$X\n");
            vm.awaitOutput("SET-41", MonitorVm.seconds(30));
            assertEquals("{\"return\": \"\"}", qmp.hmp("savevm s1"), vm::describe);
            Process list = new ProcessBuilder("qemu-img", "snapshot", "-l", "-U", disk.toString())
                    .redirectErrorStream(true).start();
            String listed = new String(list.getInputStream().readAllBytes());
            assertEquals(0, list.waitFor(), listed);
            assertTrue(listed.contains(" s1 "), listed);
            assertTrue(qmp.hmp("info snapshots").contains("List of snapshots present on all disks:"));
            vm.type("X=99; echo SET-$X\n");
            vm.awaitOutput("SET-99", MonitorVm.seconds(30));
            assertEquals("{\"return\": \"\"}", qmp.hmp("loadvm s1"), vm::describe);
            assertEquals("{\"return\": {\"status\": \"running\", \"singlestep\": false, \"running\": true}}",
                    qmp.execute("query-status"));
            vm.type("echo GOT-$X\n");
            vm.awaitOutput("GOT-41", MonitorVm.seconds(30));
            assertTrue(!vm.out().contains("GOT-99"), vm::describe);
            assertTrue(qmp.hmp("loadvm nope").contains("Error: Snapshot 'nope' does not exist in one or more devices"));
            assertEquals("{\"return\": \"\"}", qmp.hmp("delvm s1"));
            assertEquals("{\"return\": \"There is no snapshot available.\\r\\n\"}", qmp.hmp("info snapshots"));
            assertEquals("{\"return\": {}}", qmp.execute("quit"));
            assertEquals(0, vm.awaitExit(MonitorVm.seconds(30)), vm::describe);
            qmp.close();
        }
        Process check = new ProcessBuilder("qemu-img", "check", disk.toString()).redirectErrorStream(true).start();
        String report = new String(check.getInputStream().readAllBytes());
        assertEquals(0, check.waitFor(), report);
    }

    /** Boots to the shell, presses the power button; returns whether the shell still answers. */
    private static boolean powerdown(boolean jemu, boolean thenReset) throws Exception {
        Path dir = MonitorVm.tempDir("mboot");
        Path sock = dir.resolve("qmp.sock");
        List<String> args = new ArrayList<>(List.of("-M", "virt", "-m", "512M", "-display", "none", "-serial", "stdio",
                "-kernel", Kit.file(ARCH, "Image").toString(), "-initrd", Kit.file(ARCH, "initrd.cpio.gz").toString(),
                "-append", "console=ttyS0 jemu.shell", "-qmp", "unix:" + sock + ",server=on,wait=off"));
        try (MonitorVm vm = jemu ? MonitorVm.jemu(args) : MonitorVm.qemu(args)) {
            vm.awaitOutput(" # ", JemuProcess.timeout());
            try (QmpLines qmp = new QmpLines(sock)) {
                assertEquals("{\"return\": {}}", qmp.execute("system_powerdown"));
                assertTrue(qmp.awaitEvent("POWERDOWN").contains("\"timestamp\": {\"seconds\": "));
                Thread.sleep(3000);
                boolean runsOn = vm.process().isAlive() && answers(vm, "JEMU-AFTER-POWERDOWN");
                if (!thenReset || !runsOn) {
                    return runsOn;
                }
                // x reads through the hart's current translation: the kernel's virtual base is its load address
                assertEquals("{\"return\": {}}", qmp.execute("stop"));
                String virt = qmp.hmp("x /4xg 0xffffffff80000000");
                String phys = qmp.hmp("xp /4xg 0x80200000");
                assertTrue(virt.startsWith("{\"return\": \"ffffffff80000000: 0x") && !virt.contains("Cannot"), virt);
                assertEquals(phys.replaceAll("[0-9a-f]{16}: ", ""), virt.replaceAll("[0-9a-f]{16}: ", ""));
                assertEquals("{\"return\": {}}", qmp.execute("cont"));
                int bootsBefore = count(vm.out(), "JEMU-BOOT-OK");
                assertEquals("{\"return\": {}}", qmp.execute("system_reset"));
                assertEquals("{\"guest\": false, \"reason\": \"host-qmp-system-reset\"}",
                        data(qmp.awaitEvent("RESET")));
                long end = System.nanoTime() + JemuProcess.timeout().toNanos();
                while (count(vm.out(), "JEMU-BOOT-OK") == bootsBefore && System.nanoTime() < end) {
                    Thread.sleep(100); // the kernel boots again, to the kit's /init
                }
                assertEquals(bootsBefore + 1, count(vm.out(), "JEMU-BOOT-OK"), vm::describe);
                vm.awaitOutput(" # ", MonitorVm.seconds(60));
                assertTrue(answers(vm, "JEMU-AFTER-RESET"), vm::describe);
                assertEquals("{\"return\": {}}", qmp.execute("quit"));
                assertEquals("{\"guest\": false, \"reason\": \"host-qmp-quit\"}", data(qmp.awaitEvent("SHUTDOWN")));
                assertEquals(0, vm.awaitExit(MonitorVm.seconds(30)), vm::describe);
                return true;
            }
        }
    }

    /** Types an echo into the guest shell; true if the shell computed the answer. */
    private static boolean answers(MonitorVm vm, String tag) throws Exception {
        vm.type("echo " + tag + "-$((6*7))\n");
        long end = System.nanoTime() + 30_000_000_000L;
        while (System.nanoTime() < end) {
            if (vm.out().contains(tag + "-42")) {
                return true;
            }
            Thread.sleep(50);
        }
        return false;
    }

    private static int count(String text, String what) {
        int n = 0;
        for (int i = text.indexOf(what); i >= 0; i = text.indexOf(what, i + 1)) {
            n++;
        }
        return n;
    }

    private static String data(String event) {
        int i = event.indexOf("\"data\": ");
        return i < 0 ? "" : event.substring(i + 8, event.lastIndexOf('}'));
    }
}
