package dev.jemu.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * How the kit boots on one architecture's {@code virt} board, for the boot tests both architectures share:
 * the kit's name, jemu's architecture (what {@code uname -m} and the kit's markers say), the CPU model that
 * picks the board, the serial console and QEMU's binary to compare with.
 */
record KitGuest(String kit, String arch, String cpu, String console, String qemu) {
    static final KitGuest RISCV64 = new KitGuest(Kit.RISCV64, "riscv64", "riscv64", "ttyS0", "qemu-system-riscv64");
    static final KitGuest ARM64 = new KitGuest(Kit.ARM64, "aarch64", "cortex-a57", "ttyAMA0", "qemu-system-aarch64");
    /** amd64 on QEMU's microvm with its default CPU model; the kit's kernel is a bzImage (see Amd64BootTest). */
    static final KitGuest AMD64 = new KitGuest(Kit.AMD64, "x86_64", "qemu64", "ttyS0", "qemu-system-x86_64");

    /** Skips until this architecture's board is on the class path. */
    void requireBoard(String board) {
        Kit.requireBoard(arch, board);
    }

    Path file(String name) {
        return Kit.file(kit, name);
    }

    /** {@code -M MACHINE -cpu CPU -m 512M -nographic -no-reboot -kernel Image -initrd ... -append "console=X EXTRA"}. */
    List<String> kernelArgs(String machine, String append) {
        return new ArrayList<>(List.of("-M", machine, "-cpu", cpu, "-m", "512M", "-nographic", "-no-reboot",
                "-kernel", file("Image").toString(), "-initrd", file("initrd.cpio.gz").toString(),
                "-append", ("console=" + console + " " + append).strip()));
    }

    /** No kernel: the board boots the disk {@code disk} (extlinux.conf), named by -drive or as a bare argument. */
    List<String> diskArgs(Path disk, boolean bare) {
        List<String> args = new ArrayList<>(List.of("-M", "virt", "-cpu", cpu, "-m", "512M", "-nographic", "-no-reboot"));
        args.addAll(bare ? List.of(disk.toString()) : List.of("-drive", "file=" + disk));
        return args;
    }

    /** Runs jemu to the end: the initrd's /init reached {@code JEMU-BOOT-OK ARCH} and the guest powered off, status 0. */
    JemuProcess.Result boot(List<String> args) throws Exception {
        return bootTo("JEMU-BOOT-OK " + arch + " ", args);
    }

    /** Runs jemu to the end: the disk's /sbin/init reached {@code JEMU-ROOT-OK ARCH}, then powered off with status 0. */
    JemuProcess.Result diskBoot(List<String> args) throws Exception {
        return diskBoot(args, JemuProcess.timeout());
    }

    /** {@link #diskBoot(List)} with its own time limit (a slower guest). */
    JemuProcess.Result diskBoot(List<String> args, java.time.Duration timeout) throws Exception {
        return bootTo("JEMU-ROOT-OK " + arch + " ", args, timeout);
    }

    private static JemuProcess.Result bootTo(String marker, List<String> args) throws Exception {
        return bootTo(marker, args, JemuProcess.timeout());
    }

    private static JemuProcess.Result bootTo(String marker, List<String> args, java.time.Duration timeout)
            throws Exception {
        JemuProcess.Result r = JemuProcess.run(timeout, args.toArray(String[]::new));
        assertFalse(r.timedOut(), r::describe);
        assertTrue(r.out().contains(marker), r::describe);
        assertTrue(r.out().contains("JEMU-POWEROFF"), r::describe);
        assertEquals(0, r.status(), r::describe);
        System.out.printf("boot %s: %d ms%n", args, r.elapsed().toMillis());
        return r;
    }

    /** Boots with {@code jemu.shell}, types a sum, expects the shell's answer, types poweroff: status 0. */
    JemuProcess.Result typeIntoTheShell(List<String> args) throws Exception {
        JemuProcess.Result r = JemuProcess.run(JemuProcess.timeout(),
                List.of(new JemuProcess.Step(" # ", "echo JEMU-TYPED-$((6*7))\n"),
                        new JemuProcess.Step("JEMU-TYPED-42", "poweroff -f\n")),
                args.toArray(String[]::new));
        assertFalse(r.timedOut(), r::describe);
        // the shell computed what was typed: stdin reached the guest through the UART
        assertTrue(r.out().contains("JEMU-TYPED-42"), r::describe);
        assertEquals(0, r.status(), r::describe);
        return r;
    }

    /** qemu-img check finds {@code disk} clean (skipped without qemu-img). */
    static void assertQemuImgCheckClean(Path disk) throws Exception {
        assumeTrue(hasTool("qemu-img"), "qemu-img not installed: image not checked");
        Process p = new ProcessBuilder("qemu-img", "check", disk.toString()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        assertEquals(0, p.exitValue(), out);
        assertTrue(out.contains("No errors were found on the image."), out);
    }

    /** The number that the first group of {@code regex} captures in {@code out} (a guest's marker line). */
    static long number(String out, String regex) {
        java.util.regex.Matcher m = java.util.regex.Pattern.compile(regex).matcher(out);
        assertTrue(m.find(), "no " + regex + " in the output: " + out.substring(Math.max(0, out.length() - 1500)));
        return Long.parseLong(m.group(1));
    }

    static boolean hasTool(String tool) {
        for (String d : System.getenv().getOrDefault("PATH", "/usr/bin").split(":")) {
            if (!d.isEmpty() && Files.isExecutable(Path.of(d, tool))) {
                return true;
            }
        }
        return false;
    }
}
