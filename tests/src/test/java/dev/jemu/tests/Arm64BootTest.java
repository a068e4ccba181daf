package dev.jemu.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jemu.tests.diff.ProcessRun;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Predicate;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Boots Debian's arm64 kernel from the kit on jemu's aarch64 {@code virt} board the way a user would (QEMU's
 * flags, -nographic serial on stdio): the same drivers bind as under QEMU 7.2 (GICv2), the GICv3 board boots
 * too, the kit's shell answers what is typed, and QMP's {@code system_powerdown} powers the guest off
 * through the PL061 power key (gpio-keys), which the kit's /init watches as Debian's systemd-logind would.
 */
@Tag("boot")
class Arm64BootTest {
    private static final KitGuest G = KitGuest.ARM64;

    @BeforeEach
    void needBoard() {
        G.requireBoard("virt");
    }

    /** The root disk on a virtio-mmio slot, so a virtio transport and its driver bind too; no NIC. */
    private static List<String> infoArgs() {
        List<String> args = G.kernelArgs("virt", "jemu.info");
        args.addAll(List.of("-nic", "none", "-drive", "file=" + G.file("root.qcow2")
                + ",if=none,id=d0,format=qcow2,snapshot=on", "-device", "virtio-blk-device,drive=d0"));
        return args;
    }

    /**
     * One boot with jemu.info and the root disk on jemu, the same command line on QEMU: the bound drivers, the
     * interrupt lines and the claimed MMIO regions are the same sets, except what QEMU's board has and jemu's
     * has not yet: the PCIe host (pci-host-generic, GICv2m MSIs, PCI ECAM and windows) and the PMU (armv8-pmu,
     * arm-pmu). Counts, Linux IRQ numbers and the reserved RAM ranges (the DTB's and initrd's places) differ
     * legitimately and are not compared.
     */
    @Test
    void bindsTheSameDriversAsQemuAndMountsTheRootDisk() throws Exception {
        MonitorVm.need(G.qemu());
        List<String> qemuCmd = new ArrayList<>(List.of(G.qemu()));
        qemuCmd.addAll(infoArgs());
        ProcessRun q = ProcessRun.run(qemuCmd, Duration.ofSeconds(240));
        String qemu = q.stdoutText().replace("\r", "");
        assertTrue(!q.timedOut() && q.status() == 0 && qemu.contains("JEMU-DISK-OK"),
                () -> "the kit under QEMU: status " + q.status() + "\n" + qemu + q.stderr());

        JemuProcess.Result r = G.boot(infoArgs());
        String jemu = r.out().replace("\r", "");
        assertTrue(jemu.contains("JEMU-DISK-OK"), r::describe);
        assertTrue(jemu.contains("JEMU-HELLO jemu kit arm64"), r::describe);

        Predicate<String> qemuOnly = Pattern.compile("pci|PCI|pcie|0000:|pmu|GICv2m").asPredicate();
        Set<String> drivers = section(qemu, "bound drivers", qemuOnly);
        for (String must : List.of("amba/devices/9000000.pl011 -> uart-pl011", "amba/devices/9010000.pl031 -> rtc-pl031",
                "amba/devices/9030000.pl061 -> pl061_gpio", "platform/devices/gpio-keys -> gpio-keys",
                "virtio/devices/virtio0 -> virtio_blk")) {
            assertTrue(drivers.contains(must), () -> "QEMU's run lacks " + must + ": " + drivers);
        }
        assertTrue(drivers.stream().anyMatch(d -> d.endsWith(".virtio_mmio -> virtio-mmio")), drivers::toString);
        assertEquals(drivers, section(jemu, "bound drivers", qemuOnly), "bound drivers (QEMU, jemu)");

        Set<String> irqs = interrupts(qemu, qemuOnly);
        for (String must : List.of("GIC-0 27 Level arch_timer", "GIC-0 33 Level uart-pl011", "GIC-0 34 Level rtc-pl031")) {
            assertTrue(irqs.contains(must), () -> "QEMU's run lacks " + must + ": " + irqs);
        }
        assertEquals(irqs, interrupts(jemu, qemuOnly), "/proc/interrupts (QEMU, jemu)");

        Predicate<String> notCompared = qemuOnly.or(Pattern.compile("reserved|Kernel ").asPredicate());
        assertEquals(section(qemu, "/proc/iomem", notCompared), section(jemu, "/proc/iomem", notCompared),
                "/proc/iomem (QEMU, jemu)");
        System.out.printf("compared with QEMU: %d bound drivers, %d interrupt lines, %d iomem lines%n", drivers.size(),
                irqs.size(), section(qemu, "/proc/iomem", notCompared).size());
        for (String file : List.of("current_clocksource", "current_device")) {
            Predicate<String> none = s -> false;
            assertEquals(section(qemu, file, none), section(jemu, file, none), file);
        }
    }

    /**
     * GICv3: the kernel's GICv3 driver binds and the kit's shell computes what is typed on the console; then QMP's
     * system_powerdown presses the power key and the guest powers off (status 0), as it does on QEMU.
     */
    @Test
    void gicV3BootsTheShellAnswersAndThePowerKeyPowersOff() throws Exception {
        Path sock = MonitorVm.tempDir("arm-pk").resolve("qmp.sock");
        List<String> args = G.kernelArgs("virt,gic-version=3", "jemu.shell");
        args.addAll(List.of("-qmp", "unix:" + sock + ",server=on,wait=off"));
        try (MonitorVm vm = MonitorVm.jemu(args)) {
            vm.awaitOutput(" # ", JemuProcess.timeout());
            assertTrue(vm.out().contains("GICv3: CPU0: found redistributor 0"), vm::describe);
            assertTrue(vm.out().contains("JEMU-BOOT-OK aarch64 "), vm::describe);
            vm.type("echo JEMU-TYPED-$((6*7))\n");
            vm.awaitOutput("JEMU-TYPED-42", MonitorVm.seconds(60));
            vm.awaitFile(sock, MonitorVm.seconds(10));
            try (QmpLines qmp = new QmpLines(sock)) {
                assertEquals("{\"return\": {}}", qmp.execute("system_powerdown"));
                assertTrue(qmp.awaitEvent("POWERDOWN").contains("\"timestamp\""));
                vm.awaitOutput("JEMU-POWER-KEY", MonitorVm.seconds(120));
                assertEquals(0, vm.awaitExit(MonitorVm.seconds(120)), vm::describe);
            }
            assertTrue(vm.out().contains("reboot: Power down"), vm::describe);
        }
    }

    /** The lines of the jemu.info section whose header ends with {@code name}, trimmed, without the excluded. */
    private static Set<String> section(String out, String name, Predicate<String> excluded) {
        int i = out.indexOf("\n== ");
        while (i >= 0 && !out.substring(i, out.indexOf('\n', i + 1)).endsWith(name)) {
            i = out.indexOf("\n== ", i + 1);
        }
        assertTrue(i >= 0, "no '== ..." + name + "' section in:\n" + out);
        Set<String> lines = new TreeSet<>();
        for (String l : out.substring(out.indexOf('\n', i + 1) + 1).split("\n")) {
            if (l.startsWith("== ") || l.startsWith("JEMU-")) {
                break;
            }
            if (!l.isBlank() && !l.startsWith("[ ") && !excluded.test(l)) { // "[ " starts a kernel message
                lines.add(l.strip().replaceAll("\\s+", " "));
            }
        }
        return lines;
    }

    /** /proc/interrupts as "chip hwirq trigger name": without the Linux IRQ number and the counts. */
    private static Set<String> interrupts(String out, Predicate<String> excluded) {
        Set<String> lines = new TreeSet<>();
        for (String l : section(out, "/proc/interrupts", excluded)) {
            String[] f = l.split(" ", 3);
            if (f.length == 3 && f[0].endsWith(":")) {
                lines.add(f[2]);
            }
        }
        return lines;
    }
}
