package dev.jemu.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Debian's amd64 kernel from the kit on jemu's {@code microvm} board, with QEMU's command line: the bzImage with
 * the initrd and the root disk on a virtio-mmio slot boots to JEMU-BOOT-OK, finds the disk through the ACPI
 * tables (LNRO0005) and powers off through the GED with status 0; the kit's shell answers typed input; the kit's
 * whole disk boots with no -kernel through its extlinux.conf, twice, the second boot seeing the first's write.
 * A boot takes minutes on the interpreter, so one boot covers the kernel's findings, typed input and power-off.
 */
@Tag("boot")
class Amd64BootTest {
    private static final KitGuest G = KitGuest.AMD64;
    /**
     * The interpreter boots the amd64 kit in about 3 minutes on an idle 2-core machine (twice that under load):
     * a generous limit of its own, 25 minutes unless -Djemu.boot.timeout says otherwise.
     */
    static final Duration TIMEOUT = Duration.ofSeconds(Long.getLong("jemu.boot.timeout", 1500));

    @TempDir
    Path tmp;

    @BeforeEach
    void needBoard() {
        G.requireBoard("microvm");
    }

    /** QEMU's microvm command line for the kit: bzImage, initrd, console ttyS0 and {@code append}. */
    static List<String> kernelArgs(String append) {
        return new ArrayList<>(List.of("-M", "microvm", "-cpu", G.cpu(), "-m", "512M", "-nographic", "-no-reboot",
                "-kernel", G.file("bzImage").toString(), "-initrd", G.file("initrd.cpio.gz").toString(),
                "-append", ("console=ttyS0 " + append).strip()));
    }

    /** A disk on a virtio-mmio slot, as microvm's users attach one (there is no if= default bus on microvm). */
    static List<String> disk(Path file, boolean snapshot) {
        return List.of("-drive", "id=d0,file=" + file + ",format=qcow2,if=none" + (snapshot ? ",snapshot=on" : ""),
                "-device", "virtio-blk-device,drive=d0");
    }

    /**
     * One boot that proves the most (a boot costs minutes on the interpreter): jemu.info lists what the kernel
     * found, the kit's shell answers typed input, leaving it mounts the disk and powers off through ACPI.
     */
    @Test
    void bootsTheKitAnswersTypedInputFindsItsDiskThroughAcpiAndPowersOff() throws Exception {
        List<String> args = kernelArgs("jemu.info jemu.shell");
        args.addAll(disk(G.file("root.qcow2"), true));
        JemuProcess.Result r = JemuProcess.run(TIMEOUT,
                List.of(new JemuProcess.Step(" # ",
                        "echo JEMU-TYPED-$((6*7))\n"), new JemuProcess.Step("JEMU-TYPED-42", "exit\n")),
                args.toArray(String[]::new));
        assertFalse(r.timedOut(), r::describe);
        assertEquals(0, r.status(), r::describe);
        String out = r.out().replace("\r", "");
        System.out.printf("amd64 kit boot (typed input, disk, poweroff): %d ms%n", r.elapsed().toMillis());
        assertTrue(out.contains("JEMU-BOOT-OK x86_64 "), r::describe);
        // the shell computed what was typed: stdin reached the guest through the 16550A
        assertTrue(out.contains("JEMU-TYPED-42"), r::describe);
        assertTrue(out.contains("JEMU-DISK-OK"), r::describe);
        assertTrue(out.contains("JEMU-HELLO jemu kit amd64"), r::describe);
        assertTrue(out.contains("JEMU-POWEROFF"), r::describe);
        // what QEMU 7.2's microvm shows for the same command line (MicrovmLoaderQemuTest checks the tables there)
        for (String must : List.of("BIOS-e820: [mem 0x0000000000100000-0x000000001fffffff] usable",
                "ACPI: RSDP 0x00000000000F0000 000024 (v02 BOCHS )", "pnp: PnP ACPI: found 2 devices",
                "platform/devices/ACPI0013:00 -> acpi-ged", "platform/devices/LNRO0005:00 -> virtio-mmio",
                "pnp/devices/00:00 -> serial", "pnp/devices/00:01 -> rtc_cmos", "virtio/devices/virtio0 -> virtio_blk",
                "ACPI: PM: Preparing to enter system sleep state S5")) {
            assertTrue(out.contains(must), () -> "missing '" + must + "'\n" + r.describe());
        }
        for (String bad : List.of("ACPI Error", "ACPI BIOS Error", "could not calculate TSC khz")) {
            assertFalse(out.contains(bad), () -> "the kernel says '" + bad + "'\n" + r.describe());
        }
    }

    @Test
    void bootsTheDiskWithNoKernelTwiceAndItsWritesPersist() throws Exception {
        Path d = tmp.resolve("disk.qcow2");
        Files.copy(G.file("disk.qcow2"), d, StandardCopyOption.REPLACE_EXISTING);
        for (int n = 1; n <= 2; n++) {
            List<String> args = new ArrayList<>(List.of("-M", "microvm", "-cpu", G.cpu(), "-m", "512M", "-nographic",
                    "-no-reboot"));
            args.addAll(disk(d, false));
            JemuProcess.Result r = G.diskBoot(args, TIMEOUT);
            assertTrue(r.out().contains("JEMU-BOOT-COUNT " + n), r::describe);
        }
        KitGuest.assertQemuImgCheckClean(d);
    }

    /** A bad -kernel on microvm: one line, status 1, naming what the file is. */
    static void oneLine(String expectedPart, String... args) throws Exception {
        JemuProcess.Result r = JemuProcess.run(Duration.ofSeconds(60), args);
        assertEquals(1, r.status(), r::describe);
        assertTrue(r.err().startsWith("jemu: ") && r.err().indexOf('\n') == r.err().length() - 1, r::describe);
        assertTrue(r.err().contains(expectedPart), r::describe);
    }

    @Test
    void otherArchitecturesKernelsAndATruncatedBzImageAreOneLine() throws Exception {
        oneLine("not an x86 kernel: it is an arm64 Linux Image", "-M", "microvm", "-m", "512M", "-nographic",
                "-kernel", Kit.file(Kit.ARM64, "Image").toString());
        oneLine("not an x86 kernel: it is a riscv64 Linux Image", "-M", "microvm", "-m", "512M", "-nographic",
                "-kernel", Kit.file(Kit.RISCV64, "Image").toString());
        Path cut = tmp.resolve("bzImage.cut");
        byte[] bz = Files.readAllBytes(G.file("bzImage"));
        Files.write(cut, Arrays.copyOf(bz, 1 << 20));
        oneLine("truncated bzImage", "-M", "microvm", "-m", "512M", "-nographic", "-kernel", cut.toString());
    }
}
