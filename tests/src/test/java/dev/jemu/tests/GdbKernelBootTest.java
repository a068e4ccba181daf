package dev.jemu.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * gdb-multiarch on the kit's Debian kernel under OpenSBI fw_jump (the kit has no vmlinux, so the breakpoint is
 * the kernel's load address, 0x80200000, as under QEMU): attach to {@code -s -S}, break at the entry, continue,
 * read a0 (hartid), a1 (the device tree: its magic is there), priv, the first instructions, stepi, delete,
 * detach; the transcript is QEMU 7.2's (QEMU stops after the detach), and on jemu the kernel boots on to the
 * kit's marker.
 */
@Tag("boot")
class GdbKernelBootTest {
    private static final String ARCH = "riscv64";

    @Test
    void breakAtTheKernelEntryThenBoot() throws Exception {
        Kit.requireBoard(ARCH, "virt");
        MonitorVm.need(GdbStubTest.GDB);
        MonitorVm.need(MonitorVm.QEMU);
        String qemu = run(false);
        String jemu = run(true);
        for (String t : List.of(qemu, jemu)) {
            assertTrue(t.contains("Breakpoint 1, 0x0000000080200000 in ?? ()"), t);
            assertTrue(t.contains("a0             0x0\t0"), t);
            assertTrue(t.contains(":\t0xedfe0dd0"), "no device tree at a1: " + t);
            assertTrue(t.contains("[Inferior 1 (process 1) detached]"), t);
        }
        assertEquals(qemu, jemu);
    }

    private static String run(boolean jemu) throws Exception {
        boolean dashS = jemu && portFree(1234);
        int port = dashS ? 1234 : MonitorVm.freePort();
        Path dir = MonitorVm.tempDir("gdbk");
        Path script = dir.resolve("kernel.gdb");
        String text = new String(GdbKernelBootTest.class.getClassLoader().getResourceAsStream("gdb/kernel.gdb")
                .readAllBytes(), StandardCharsets.UTF_8);
        Files.writeString(script, text.replace("${PORT}", String.valueOf(port)));
        List<String> args = new ArrayList<>(List.of("-M", "virt", "-m", "256M", "-display", "none", "-serial", "stdio",
                "-bios", Kit.file(ARCH, "fw_jump.bin").toString(), "-kernel", Kit.file(ARCH, "Image").toString(),
                "-initrd", Kit.file(ARCH, "initrd.cpio.gz").toString(), "-append", "console=ttyS0", "-S"));
        args.addAll(dashS ? List.of("-s") : List.of("-gdb", "tcp::" + port));
        try (MonitorVm vm = jemu ? MonitorVm.jemu(args) : MonitorVm.qemu(args)) {
            GdbStubTest.awaitListening(port, vm);
            Process gdb = new ProcessBuilder(GdbStubTest.GDB, "-nx", "-batch", "-x", script.toString())
                    .redirectErrorStream(true).start();
            JemuProcess.Collector out = new JemuProcess.Collector(gdb.getInputStream());
            if (!gdb.waitFor(120, TimeUnit.SECONDS)) {
                gdb.destroyForcibly();
            }
            String transcript = out.text();
            assertEquals(0, gdb.exitValue(), transcript);
            if (jemu) {
                vm.awaitOutput("JEMU-BOOT-OK riscv64 ", JemuProcess.timeout()); // detached: the kernel boots on
                assertEquals(0, vm.awaitExit(MonitorVm.seconds(60)), vm::describe);
            }
            return transcript;
        }
    }

    private static boolean portFree(int port) {
        try (ServerSocket s = new ServerSocket(port)) {
            return true;
        } catch (java.io.IOException e) {
            return false;
        }
    }
}
