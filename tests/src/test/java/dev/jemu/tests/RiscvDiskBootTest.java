package dev.jemu.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Boots the kit's whole disk (GPT, ext4 partition with /boot/extlinux/extlinux.conf) with no -kernel, as
 * u-boot's distro boot would, twice: the disk's /sbin/init counts its boots in /var/jemu-boots, so the second
 * boot proves the first one's writes reached the qcow2 image, which qemu-img check must find clean. The
 * second boot names the disk as a bare argument ({@code jemu ... disk.qcow2}).
 */
@Tag("boot")
class RiscvDiskBootTest {
    private static final KitGuest G = KitGuest.RISCV64;
    private static final String ARCH = G.kit();

    @TempDir
    Path tmp;

    @BeforeEach
    void needBoard() {
        G.requireBoard("virt");
    }

    /** Boots with {@code -drive file=DISK}, or with DISK as a bare argument as QEMU allows. */
    private JemuProcess.Result boot(Path disk, boolean bare) throws Exception {
        return G.diskBoot(G.diskArgs(disk, bare));
    }

    @Test
    void bootsTheDiskTwiceAndItsWritesPersist() throws Exception {
        Path disk = tmp.resolve("disk.qcow2");
        Files.copy(Kit.file(ARCH, "disk.qcow2"), disk, StandardCopyOption.REPLACE_EXISTING);
        JemuProcess.Result first = boot(disk, false);
        assertTrue(first.out().contains("JEMU-BOOT-COUNT 1"), first::describe);
        JemuProcess.Result second = boot(disk, true);   // QEMU's `qemu disk.qcow2`
        assertTrue(second.out().contains("JEMU-BOOT-COUNT 2"), second::describe);
        KitGuest.assertQemuImgCheckClean(disk);
    }

    /**
     * The same disk booted the firmware way: OpenSBI fw_jump.bin, then Debian's U-Boot (u-boot-qemu,
     * qemu-riscv64_smode) as the payload, whose distro boot finds /boot/extlinux/extlinux.conf on the virtio
     * disk and loads the kernel and initrd through its own virtio-blk and ext4 drivers.
     */
    @Test
    void uBootBootsTheSameDisk() throws Exception {
        Path disk = tmp.resolve("disk.qcow2");
        Files.copy(Kit.file(ARCH, "disk.qcow2"), disk, StandardCopyOption.REPLACE_EXISTING);
        JemuProcess.Result r = JemuProcess.run(JemuProcess.timeout(), "-M", "virt", "-m", "512M", "-nographic",
                "-no-reboot", "-bios", Kit.file(ARCH, "fw_jump.bin").toString(),
                "-kernel", Kit.file(ARCH, "u-boot.bin").toString(), "-drive", "file=" + disk + ",if=virtio");
        assertFalse(r.timedOut(), r::describe);
        assertTrue(r.out().contains("U-Boot 20"), r::describe);
        assertTrue(r.out().contains("Retrieving file: /boot/extlinux/extlinux.conf"), r::describe);
        assertTrue(r.out().contains("Starting kernel ..."), r::describe);
        assertTrue(r.out().contains("JEMU-ROOT-OK riscv64 "), r::describe);
        assertTrue(r.out().contains("JEMU-BOOT-COUNT 1"), r::describe);
        assertEquals(0, r.status(), r::describe);
        System.out.printf("u-boot disk boot: %d ms%n", r.elapsed().toMillis());
    }
}
