package dev.jemu.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.UserDefinedFileAttributeView;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * One boot of the kit with virtio-rng and two virtio-9p shares: the guest reads /dev/hwrng, mounts a
 * {@code security_model=none} share and a {@code mapped-xattr} one, reads a host file, writes files back
 * (checked here on the host, with the mapped owner in user.virtfs.* xattrs), and follows host symlinks that
 * point outside the share, which must never reach the host's file.
 */
@Tag("boot")
class RiscvVirtioHostDevicesBootTest {
    private static final String ARCH = "riscv64";
    private static final String SECRET = "HOST-SECRET-7f3a";

    @TempDir
    Path tmp;

    @BeforeEach
    void needBoard() {
        Kit.requireBoard(ARCH, "virt");
    }

    @Test
    void rngAndNinePShares() throws Exception {
        Path none = Files.createDirectories(tmp.resolve("none"));
        Path mapped = Files.createDirectories(tmp.resolve("mapped"));
        Files.writeString(none.resolve("hostfile"), "hello-from-host\n");
        Path secret = Files.writeString(tmp.resolve("secret"), SECRET + "\n");
        Files.createSymbolicLink(none.resolve("abslink"), secret);             // /tmp/.../secret
        Files.createSymbolicLink(none.resolve("rellink"), Path.of("../secret")); // one level up: outside
        Files.createSymbolicLink(none.resolve("dirlink"), tmp);                 // a directory outside
        String script = String.join("; ",
                "echo RNG=$(cat /sys/class/misc/hw_random/rng_current)",
                "echo HWRNG=$(head -c 64 /dev/hwrng | od -An -tx1 | tr -d ' \\n')",
                "mount -t 9p -o trans=virtio,version=9p2000.L hostnone /mnt && echo MOUNT1-OK-$((6*7))",
                "echo READ=$(cat /mnt/hostfile)",
                "echo guest-none > /mnt/fromguest && echo WRITE1-OK-$((6*7))",
                "mkdir /mnt/gdir && mv /mnt/fromguest /mnt/gdir/moved && echo RENAME-OK-$((6*7))",
                "echo ESC=$(cat /mnt/abslink /mnt/rellink /mnt/dirlink/secret /mnt/../secret 2>&1 | tr '\\n' ' ')",
                "echo LINKS=$(readlink /mnt/abslink) $(readlink /mnt/rellink)",
                "mkdir -p /tmp/m2 && mount -t 9p -o trans=virtio,version=9p2000.L hostmapped /tmp/m2 && echo MOUNT2-OK-$((6*7))",
                "echo guest-mapped > /tmp/m2/owned && chown 1234:5678 /tmp/m2/owned && chmod 640 /tmp/m2/owned",
                "ln -s /etc/passwd /tmp/m2/gsym && mkdir /tmp/m2/gd",
                "echo STAT=$(stat -c '%u:%g:%a' /tmp/m2/owned) $(readlink /tmp/m2/gsym)",
                "umount /mnt /tmp/m2 && echo UMOUNT-OK-$((6*7))",
                "echo SCRIPT-DONE-$((6*7))");
        JemuProcess.Result r = JemuProcess.run(JemuProcess.timeout(),
                List.of(new JemuProcess.Step("Enter 'help'", script + "\npoweroff -f\n")),
                "-M", "virt", "-m", "512M", "-nographic", "-no-reboot",
                "-kernel", Kit.file(ARCH, "Image").toString(), "-initrd", Kit.file(ARCH, "initrd.cpio.gz").toString(),
                "-append", "console=ttyS0 jemu.shell",
                "-object", "rng-random,id=rng0,filename=/dev/urandom", "-device", "virtio-rng-device,rng=rng0",
                "-virtfs", "local,path=" + none + ",mount_tag=hostnone,security_model=none",
                "-fsdev", "local,id=fs1,path=" + mapped + ",security_model=mapped-xattr",
                "-device", "virtio-9p-device,fsdev=fs1,mount_tag=hostmapped");
        String out = r.out();
        assertFalse(r.timedOut(), r::describe);
        assertTrue(out.contains("SCRIPT-DONE-42"), r::describe);
        // virtio-rng
        assertTrue(out.contains("RNG=virtio_rng"), r::describe);
        Matcher m = Pattern.compile("HWRNG=([0-9a-f]+)").matcher(out);
        assertTrue(m.find(), r::describe);
        assertEquals(128, m.group(1).length(), "64 bytes from /dev/hwrng: " + m.group(1));
        assertFalse(m.group(1).matches("0*"), m.group(1));
        // security_model=none: host file read, guest file written back, host ownership as the guest set it
        assertTrue(out.contains("MOUNT1-OK-42") && out.contains("READ=hello-from-host"), r::describe);
        assertTrue(out.contains("RENAME-OK-42"), r::describe);
        assertEquals("guest-none\n", Files.readString(none.resolve("gdir/moved")));
        // host symlinks out of the share: the guest resolves them in its own tree, never the host's
        assertFalse(out.contains(SECRET), r::describe);
        assertTrue(out.contains("LINKS=" + secret + " ../secret"), r::describe);
        // mapped-xattr: the guest's owner and mode in xattrs, host file a plain 0600 file owned by us
        assertTrue(out.contains("MOUNT2-OK-42"), r::describe);
        assertTrue(out.contains("STAT=1234:5678:640 /etc/passwd"), r::describe);
        Path owned = mapped.resolve("owned");
        assertEquals("guest-mapped\n", Files.readString(owned));
        assertEquals(1234, xattr(owned, "virtfs.uid"));
        assertEquals(5678, xattr(owned, "virtfs.gid"));
        assertEquals(0100640, xattr(owned, "virtfs.mode"));
        assertEquals(0600, (Integer) Files.getAttribute(owned, "unix:mode") & 07777);
        Path gsym = mapped.resolve("gsym");
        assertTrue(Files.isRegularFile(gsym, LinkOption.NOFOLLOW_LINKS), "a mapped symlink is a plain host file");
        assertEquals("/etc/passwd", Files.readString(gsym));
        assertEquals(0120777, xattr(gsym, "virtfs.mode"));
        assertEquals(0040000, xattr(mapped.resolve("gd"), "virtfs.mode") & 0170000);
        assertTrue(out.contains("UMOUNT-OK-42"), r::describe);
        assertEquals(0, r.status(), r::describe);
        System.out.printf("virtio-rng + 9p boot: %d ms%n", r.elapsed().toMillis());
    }

    private static int xattr(Path p, String name) throws Exception {
        UserDefinedFileAttributeView v = Files.getFileAttributeView(p, UserDefinedFileAttributeView.class,
                LinkOption.NOFOLLOW_LINKS);
        ByteBuffer b = ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN);
        assertEquals(4, v.read(name, b), name);
        return b.getInt(0);
    }
}
