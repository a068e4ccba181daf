package dev.jemu.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** -drive / -device mistakes and unbootable disks: one line on stderr, status 1, before the guest runs. */
class DriveErrorsTest {
    @TempDir
    Path tmp;

    @BeforeEach
    void needBoard() {
        Kit.requireBoard("riscv64", "virt");
    }

    private static JemuProcess.Result jemu(String... args) throws Exception {
        return JemuProcess.run(Duration.ofSeconds(120), args);
    }

    @Test
    void missingFile() throws Exception {
        Path f = tmp.resolve("nope.qcow2");
        JemuProcess.Result r = jemu("-M", "virt", "-nographic", "-drive", "file=" + f + ",if=virtio");
        assertEquals(1, r.status(), r::describe);
        assertEquals("jemu: -drive file=" + f + ",if=virtio: Could not open '" + f + "': No such file or directory\n",
                r.err());
    }

    @Test
    void bareImageArgument() throws Exception {
        Path f = tmp.resolve("nope.qcow2");
        JemuProcess.Result r = jemu("-M", "virt", "-nographic", f.toString());
        assertEquals(1, r.status(), r::describe);
        assertEquals("jemu: " + f + ": Could not open '" + f + "': No such file or directory\n", r.err());
        // an existing one is the virtio disk the board tries to boot
        Path blank = Files.write(tmp.resolve("blank.img"), new byte[1 << 20]);
        r = jemu("-M", "virt", "-nographic", blank.toString());
        assertEquals(1, r.status(), r::describe);
        assertEquals("jemu: " + blank + ": nothing bootable on the disk (no partition with "
                + "/boot/extlinux/extlinux.conf or /extlinux/extlinux.conf) and no -kernel given\n", r.err());
        r = jemu("-M", "virt", "-nographic", blank.toString(), f.toString());
        assertEquals(1, r.status(), r::describe);
        assertEquals("jemu: " + f + ": only one disk image may be given as an argument (use -drive file=" + f
                + " for more)\n", r.err());
    }

    @Test
    void unknownDriveId() throws Exception {
        Path f = Files.write(tmp.resolve("a.img"), new byte[1 << 20]);
        JemuProcess.Result r = jemu("-M", "virt", "-nographic", "-drive", "file=" + f + ",if=none,id=d0",
                "-device", "virtio-blk-device,drive=d1");
        assertEquals(1, r.status(), r::describe);
        assertEquals("jemu: -device virtio-blk-device,drive=d1: Property 'drive' can't find value 'd1'\n", r.err());
    }

    @Test
    void unknownOption() throws Exception {
        JemuProcess.Result r = jemu("-M", "virt", "-nographic", "-drive", "file=x.img,speed=fast");
        assertEquals(1, r.status(), r::describe);
        assertEquals("jemu: -drive file=x.img,speed=fast: Invalid parameter 'speed'\n", r.err());
    }

    @Test
    void nothingBootable() throws Exception {
        Path f = Files.write(tmp.resolve("blank.img"), new byte[1 << 20]);
        JemuProcess.Result r = jemu("-M", "virt", "-nographic", "-drive", "file=" + f + ",format=raw");
        assertEquals(1, r.status(), r::describe);
        assertEquals("jemu: " + f + ": nothing bootable on the disk (no partition with /boot/extlinux/extlinux.conf "
                + "or /extlinux/extlinux.conf) and no -kernel given\n", r.err());
    }
}
