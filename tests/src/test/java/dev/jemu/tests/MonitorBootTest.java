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
