package dev.jemu.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * savevm of a booted arm64 guest (the kit's shell, a counter loop that only runs on with timer interrupts), then
 * a new jemu started with {@code -loadvm}: every device's state comes from the snapshot alone (CPU, GIC, generic
 * timer, PL011, PL031, PL061, virtio), so the counter runs on, the shell answers on the PL011, HMP savevm/loadvm
 * within that process bring a shell variable back with the timer still running, and the power key (PL061 through
 * the GIC to gpio-keys) still powers the guest off.
 */
@Tag("boot")
class Arm64SnapshotBootTest {
    private static final KitGuest G = KitGuest.ARM64;

    @TempDir
    Path tmp;

    @BeforeEach
    void needBoard() {
        G.requireBoard("virt");
    }

    private List<String> args(Path disk, String... more) {
        List<String> a = G.kernelArgs("virt", "jemu.shell");
        a.addAll(List.of("-drive", "file=" + disk + ",if=virtio"));
        a.addAll(List.of(more));
        return a;
    }

    @Test
    void savevmThenLoadvmInANewProcessRunsOnAndThePowerKeyWorks() throws Exception {
        MonitorVm.need("qemu-img");
        Path disk = tmp.resolve("root.qcow2");
        Files.copy(G.file("root.qcow2"), disk, StandardCopyOption.REPLACE_EXISTING);

        // the test-only trigger saves and quits when the guest prints the marker (the typed "SAVE""-NOW" does not match)
        JemuProcess.Result saved = JemuProcess.run(JemuProcess.timeout(), List.of("-Djemu.test.savevm=s1@SAVE-NOW"),
                List.of(new JemuProcess.Step(" # ", "mkdir -p /t; mount -t tmpfs tmpfs /t; "
                                + "(i=0; while true; do i=$((i+1)); echo $i > /t/n; mv /t/n /t/c; sleep 0.1; done) &\n"),
                        new JemuProcess.Step(" # ", "sleep 2; echo C=$(cat /t/c); echo SAVE\"\"-NOW\n")),
                args(disk).toArray(String[]::new));
        assertFalse(saved.timedOut(), saved::describe);
        assertEquals(0, saved.status(), saved::describe);
        assertTrue(saved.err().contains("jemu: savevm s1: "), saved::describe);
        long before = KitGuest.number(saved.out(), "C=(\\d+)");
        assertTrue(before >= 5, "the counter ran before the save: " + before);
        KitGuest.assertQemuImgCheckClean(disk);

        Path sock = MonitorVm.tempDir("arm-snap").resolve("qmp.sock");
        try (MonitorVm vm = MonitorVm.jemu(args(disk, "-loadvm", "s1", "-qmp", "unix:" + sock + ",server=on,wait=off"))) {
            vm.awaitFile(sock, MonitorVm.seconds(120));
            vm.type("echo AFTER=$(cat /t/c); sleep 1; echo AFTER2=$(cat /t/c); echo TYPED-$((6*7))\n");
            vm.awaitOutput("TYPED-42", MonitorVm.seconds(120));
            assertFalse(vm.out().contains("JEMU-BOOT-OK"), "no boot: the guest went on from the snapshot");
            long after = KitGuest.number(vm.out(), "AFTER=(\\d+)");
            long after2 = KitGuest.number(vm.out(), "AFTER2=(\\d+)");
            assertTrue(after >= before && after <= before + 20, "continues from " + before + ": " + after);
            assertTrue(after2 >= after + 3, "the counter runs on by itself (timers re-armed): " + after + " -> " + after2);
            try (QmpLines qmp = new QmpLines(sock)) {
                // and savevm/loadvm in this process (HMP): the shell variable is back, the timer runs (sleep 1)
                vm.type("X=41; echo SET-$X\n");
                vm.awaitOutput("SET-41", MonitorVm.seconds(60));
                assertEquals("{\"return\": \"\"}", qmp.hmp("savevm s2"), vm::describe);
                vm.type("X=99; echo SET-$X\n");
                vm.awaitOutput("SET-99", MonitorVm.seconds(60));
                assertEquals("{\"return\": \"\"}", qmp.hmp("loadvm s2"), vm::describe);
                vm.type("sleep 1; echo GOT-$X\n");
                vm.awaitOutput("GOT-41", MonitorVm.seconds(60));
                assertFalse(vm.out().contains("GOT-99"), vm::describe);
                assertEquals("{\"return\": {}}", qmp.execute("system_powerdown"));
                vm.awaitOutput("JEMU-POWER-KEY", MonitorVm.seconds(120));
                assertEquals(0, vm.awaitExit(MonitorVm.seconds(120)), vm::describe);
            }
        }
        KitGuest.assertQemuImgCheckClean(disk);
    }
}
