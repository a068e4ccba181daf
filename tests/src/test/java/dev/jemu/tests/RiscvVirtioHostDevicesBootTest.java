package dev.jemu.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.UserDefinedFileAttributeView;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * One boot of the kit with virtio-rng and two virtio-9p shares: the guest reads /dev/hwrng, mounts a
 * {@code security_model=none} share and a {@code mapped-xattr} one, reads a host file, writes files back
 * (checked here on the host, with the mapped owner in user.virtfs.* xattrs; a mapped-file share too), and follows host symlinks that
 * point outside the share, which must never reach the host's file. Then the same script under QEMU 7.2
 * (when installed) must give the same guest output and leave the same host files, modes and xattrs.
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

    /**
     * The guest's script, typed in parts of a few hundred bytes (each after the previous part's last line
     * appeared), so no console input is lost; markers are computed by the guest shell ({@code $((6*7))}) so
     * that the echo of the typed text never matches them.
     */
    private static final List<JemuProcess.Step> STEPS = List.of(
            new JemuProcess.Step("Enter 'help'", String.join("; ",
                    "echo RNG=$(cat /sys/class/misc/hw_random/rng_current)",
                    "echo HWRNG=$(head -c 64 /dev/hwrng | od -An -tx1 | tr -d ' \\n')",
                    "echo virtio_rng.1 > /sys/class/misc/hw_random/rng_current",
                    "echo RNG1=$(cat /sys/class/misc/hw_random/rng_current) $(head -c 16 /dev/hwrng | od -An -tx1 | tr -d ' \\n')",
                    "mount -t 9p -o trans=virtio,version=9p2000.L hostnone /mnt && echo MOUNT1-OK-$((6*7))",
                    "echo READ=$(cat /mnt/hostfile)\n")),
            new JemuProcess.Step("READ=hello", String.join("; ",
                    "echo guest-none > /mnt/fromguest && echo WRITE1-OK-$((6*7))",
                    "mkdir /mnt/gdir && mv /mnt/fromguest /mnt/gdir/moved && echo RENAME-OK-$((6*7))",
                    "echo ESC=$(cat /mnt/abslink /mnt/rellink /mnt/dirlink/secret /mnt/../secret 2>&1 | tr '\\n' ' ')",
                    "echo LINKS=$(readlink /mnt/abslink) $(readlink /mnt/rellink)\n")),
            new JemuProcess.Step("LINKS=/", String.join("; ",
                    "mkdir -p /tmp/m2 && mount -t 9p -o trans=virtio,version=9p2000.L hostmapped /tmp/m2 && echo MOUNT2-OK-$((6*7))",
                    "echo guest-mapped > /tmp/m2/owned && chown 1234:5678 /tmp/m2/owned && chmod 640 /tmp/m2/owned",
                    "ln -s /etc/passwd /tmp/m2/gsym && mkdir /tmp/m2/gd && mknod /tmp/m2/fifo p\n")),
            new JemuProcess.Step("MOUNT2-OK-42", String.join("; ",
                    "echo STAT=$(stat -c '%u:%g:%a' /tmp/m2/owned) $(readlink /tmp/m2/gsym)",
                    "echo LS=$(stat -c '%n:%u:%g:%a:%F:%s' /tmp/m2/* | tr '\\n' ' ')",
                    "umount /mnt /tmp/m2 && echo UMOUNT-OK-$((6*7))",
                    "echo PART3-$((6*7))\n")),
            new JemuProcess.Step("PART3-42", String.join("; ",
                    "mkdir -p /tmp/m3 && mount -t 9p -o trans=virtio,version=9p2000.L hostmfile /tmp/m3",
                    "echo in-mfile > /tmp/m3/f && chown 1:2 /tmp/m3/f && mkdir /tmp/m3/d && echo g > /tmp/m3/d/g",
                    "ln -s /x /tmp/m3/s && mv /tmp/m3/f /tmp/m3/d/f2 && mkdir /tmp/m3/gone && rmdir /tmp/m3/gone",
                    "echo LS3=$(stat -c '%n:%u:%g:%a:%F:%s' /tmp/m3/* /tmp/m3/d/* | tr '\\n' ' ')",
                    "umount /tmp/m3; echo SCRIPT-DONE-$((6*7))\n")),
            new JemuProcess.Step("SCRIPT-DONE-42", "poweroff -f\n"));

    /** Two shares in {@code base}: "none" with a host file and symlinks out of it, "mapped" empty. */
    private static Path shares(Path base) throws Exception {
        Path none = Files.createDirectories(base.resolve("none"));
        Files.createDirectories(base.resolve("mapped"));
        Files.createDirectories(base.resolve("mfile"));
        Files.writeString(none.resolve("hostfile"), "hello-from-host\n");
        Path secret = Files.writeString(base.resolve("secret"), SECRET + "\n");
        Files.createSymbolicLink(none.resolve("abslink"), secret);             // an absolute host path
        Files.createSymbolicLink(none.resolve("rellink"), Path.of("../secret")); // one level up: outside
        Files.createSymbolicLink(none.resolve("dirlink"), base);                // a directory outside
        return base;
    }

    private static List<String> args(Path base, boolean virtfs) throws Exception {
        List<String> a = new ArrayList<>(List.of("-M", "virt", "-m", "512M", "-nographic", "-no-reboot",
                "-kernel", Kit.file(ARCH, "Image").toString(), "-initrd", Kit.file(ARCH, "initrd.cpio.gz").toString(),
                "-append", "console=ttyS0 jemu.shell",
                "-object", "rng-random,id=rng0,filename=/dev/urandom", "-device", "virtio-rng-device,rng=rng0",
                "-device", "virtio-rng-device")); // the second with its own builtin backend
        if (virtfs) {
            a.addAll(List.of("-virtfs", "local,path=" + base.resolve("none") + ",mount_tag=hostnone,security_model=none"));
        } else { // QEMU's -virtfs makes a virtio-9p-pci on this board: name the virtio-mmio device instead
            a.addAll(List.of("-fsdev", "local,id=fs0,path=" + base.resolve("none") + ",security_model=none",
                    "-device", "virtio-9p-device,fsdev=fs0,mount_tag=hostnone"));
        }
        a.addAll(List.of("-fsdev", "local,id=fs1,path=" + base.resolve("mapped") + ",security_model=mapped-xattr",
                "-device", "virtio-9p-device,fsdev=fs1,mount_tag=hostmapped",
                "-fsdev", "local,id=fs2,path=" + base.resolve("mfile") + ",security_model=mapped-file",
                "-device", "virtio-9p-device,fsdev=fs2,mount_tag=hostmfile"));
        return a;
    }

    @Test
    void rngAndNinePShares() throws Exception {
        Path base = shares(Files.createDirectories(tmp.resolve("jemu")));
        Path none = base.resolve("none"), mapped = base.resolve("mapped");
        JemuProcess.Result r = JemuProcess.run(JemuProcess.timeout(), STEPS, args(base, true).toArray(String[]::new));
        String out = r.out();
        assertFalse(r.timedOut(), r::describe);
        assertTrue(out.contains("SCRIPT-DONE-42"), r::describe);
        assertFalse(out.contains("jemu: insmod"), "the kit's init loads every module (9p ones too): " + r.describe());
        // virtio-rng
        assertTrue(out.contains("RNG=virtio_rng"), r::describe);
        Matcher m = Pattern.compile("HWRNG=([0-9a-f]+)").matcher(out);
        assertTrue(m.find(), r::describe);
        assertEquals(128, m.group(1).length(), "64 bytes from /dev/hwrng: " + m.group(1));
        assertFalse(m.group(1).matches("0*"), m.group(1));
        Matcher m1 = Pattern.compile("RNG1=virtio_rng.1 ([0-9a-f]{32})").matcher(out);
        assertTrue(m1.find(), r::describe);
        assertFalse(m1.group(1).matches("0*"), m1.group(1));
        // security_model=none: host file read, guest file written back
        assertTrue(out.contains("MOUNT1-OK-42") && out.contains("READ=hello-from-host"), r::describe);
        assertTrue(out.contains("RENAME-OK-42"), r::describe);
        assertEquals("guest-none\n", Files.readString(none.resolve("gdir/moved")));
        // host symlinks out of the share: the guest resolves them in its own tree, never the host's
        assertFalse(out.contains(SECRET), r::describe);
        assertTrue(out.contains("LINKS=" + base.resolve("secret") + " ../secret"), r::describe);
        // mapped-xattr: the guest's owner and mode in xattrs, the host file a plain 0600 file owned by us
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

        // the same script under QEMU 7.2: the same guest view and the same host files and xattrs
        assumeTrue(hasQemu(), "qemu-system-riscv64 not installed: not compared");
        Path qbase = shares(Files.createDirectories(tmp.resolve("qemu")));
        List<String> cmd = new ArrayList<>(List.of("qemu-system-riscv64"));
        cmd.addAll(args(qbase, false));
        JemuProcess.Result q = JemuProcess.runCommand(cmd, JemuProcess.timeout(), STEPS);
        assertTrue(q.out().contains("SCRIPT-DONE-42"), q::describe);
        assertTrue(q.out().contains("RNG1=virtio_rng.1 "), q::describe);
        for (String key : List.of("READ=", "ESC=", "STAT=", "LS=", "LS3=")) {
            assertFalse(line(out, key).startsWith("(no"), key);
            assertEquals(line(q.out(), key).replace(qbase.toString(), "BASE"),
                    line(out, key).replace(base.toString(), "BASE"), key);
        }
        assertEquals(hostView(qbase.resolve("mapped")), hostView(mapped));
        assertEquals(hostView(qbase.resolve("none")), hostView(none));
        assertEquals(hostView(qbase.resolve("mfile")), hostView(base.resolve("mfile")));
        assertTrue(hostView(base.resolve("mfile")).containsKey("d/.virtfs_metadata/f2"), "mapped-file metadata");
    }

    /** The guest's output line starting with {@code key} (not the echo of the typed script). */
    private static String line(String out, String key) {
        return out.lines().filter(l -> l.startsWith(key) && !l.contains("$(")).findFirst()
                .orElse("(no " + key + " line)");
    }

    /** Each file under {@code dir}: type, host mode, size and user.* xattrs, as the host sees them. */
    private static Map<String, String> hostView(Path dir) throws Exception {
        Map<String, String> v = new TreeMap<>();
        try (var s = Files.walk(dir)) {
            for (Path p : s.toList()) {
                StringBuilder b = new StringBuilder();
                b.append(Integer.toOctalString((Integer) Files.getAttribute(p, "unix:mode", LinkOption.NOFOLLOW_LINKS)));
                if (!Files.isSymbolicLink(p)) {
                    b.append(' ').append(Files.isDirectory(p) ? "dir" : Files.readString(p).replace("\n", "|"));
                    UserDefinedFileAttributeView x = Files.getFileAttributeView(p, UserDefinedFileAttributeView.class);
                    for (String n : x.list().stream().sorted().toList()) {
                        ByteBuffer bb = ByteBuffer.allocate(x.size(n));
                        x.read(n, bb);
                        b.append(' ').append(n).append('=').append(HexFormat.of().formatHex(bb.array()));
                    }
                }
                v.put(dir.relativize(p).toString(), b.toString());
            }
        }
        return v;
    }

    private static boolean hasQemu() {
        try {
            return new ProcessBuilder("qemu-system-riscv64", "--version").start().waitFor() == 0;
        } catch (Exception e) {
            return false;
        }
    }

    private static int xattr(Path p, String name) throws Exception {
        UserDefinedFileAttributeView v = Files.getFileAttributeView(p, UserDefinedFileAttributeView.class,
                LinkOption.NOFOLLOW_LINKS);
        ByteBuffer b = ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN);
        assertEquals(4, v.read(name, b), name);
        return b.getInt(0);
    }
}
