package dev.jemu.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The arm64 kit's whole disk (GPT, ext4 partition with /boot/extlinux/extlinux.conf naming Debian's vmlinuz and
 * initrd) on the aarch64 virt board, as on riscv64: booted by jemu with no -kernel, twice, the second boot seeing
 * the first one's write (JEMU-BOOT-COUNT) and qemu-img check clean afterwards; and booted by Debian's U-Boot
 * (qemu_arm64) as -bios, whose distro boot reads the same extlinux.conf through its virtio-blk and ext4 drivers.
 */
@Tag("boot")
class Arm64DiskBootTest {
    private static final KitGuest G = KitGuest.ARM64;

    @TempDir
    Path tmp;

    @BeforeEach
    void needBoard() {
        G.requireBoard("virt");
    }

    private Path disk() throws Exception {
        Path disk = tmp.resolve("disk.qcow2");
        Files.copy(G.file("disk.qcow2"), disk, StandardCopyOption.REPLACE_EXISTING);
        return disk;
    }

    @Test
    void bootsTheDiskTwiceAndItsWritesPersist() throws Exception {
        Path disk = disk();
        JemuProcess.Result first = G.diskBoot(G.diskArgs(disk, false));
        assertTrue(first.out().contains("JEMU-BOOT-COUNT 1"), first::describe);
        JemuProcess.Result second = G.diskBoot(G.diskArgs(disk, true));   // QEMU's `qemu ... disk.qcow2`
        assertTrue(second.out().contains("JEMU-BOOT-COUNT 2"), second::describe);
        KitGuest.assertQemuImgCheckClean(disk);
    }

    @Test
    void uBootBootsTheSameDisk() throws Exception {
        Path disk = disk();
        JemuProcess.Result r = JemuProcess.run(JemuProcess.timeout(), "-M", "virt", "-cpu", G.cpu(), "-m", "512M",
                "-nographic", "-no-reboot", "-bios", G.file("u-boot.bin").toString(),
                "-drive", "file=" + disk + ",if=virtio");
        assertFalse(r.timedOut(), r::describe);
        assertTrue(r.out().contains("U-Boot 20"), r::describe);
        // U-Boot 2025's bootflow scan names the extlinux.conf it found, then loads what it lists
        assertTrue(Pattern.compile("extlinux +ready +virtio +1 .*/boot/extlinux/extlinux.conf").matcher(r.out()).find(),
                r::describe);
        assertTrue(r.out().contains("Retrieving file: /boot/vmlinuz-"), r::describe);
        assertTrue(r.out().contains("Retrieving file: /boot/initrd.img-"), r::describe);
        assertTrue(r.out().contains("Starting kernel ..."), r::describe);
        assertTrue(r.out().contains("JEMU-ROOT-OK aarch64 "), r::describe);
        assertTrue(r.out().contains("JEMU-BOOT-COUNT 1"), r::describe);
        assertEquals(0, r.status(), r::describe);
        System.out.printf("u-boot disk boot: %d ms%n", r.elapsed().toMillis());
        KitGuest.assertQemuImgCheckClean(disk);
    }
}
