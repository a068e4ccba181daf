package dev.jemu.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Image locking between processes, jemu and QEMU 7.2 both ways: a second writer is refused with QEMU's words
 * before its guest starts, readers and -snapshot share, file.locking=off lets two in, the image tools need -U
 * while a VM runs. The guests only sit in WFI ({@code -bios none -kernel} of two instructions; QEMU: -S), so
 * each case takes the start of a JVM, not a boot.
 */
class ImageLockingTest {
    /** wfi; j .-4 */
    private static final byte[] IDLE = {0x73, 0x00, 0x50, 0x10, 0x6f, (byte) 0xf0, (byte) 0xdf, (byte) 0xff};

    @TempDir
    Path tmp;
    private Path image, idle;

    @BeforeEach
    void setUp() throws Exception {
        Kit.requireBoard("riscv64", "virt");
        assumeTrue(Files.isExecutable(Path.of("/usr/bin/qemu-img")) && Files.isExecutable(Path.of("/usr/bin/qemu-system-riscv64")),
                "QEMU not installed");
        image = tmp.resolve("disk.qcow2");
        run(List.of("qemu-img", "create", "-q", "-f", "qcow2", image.toString(), "64M"));
        idle = Files.write(tmp.resolve("idle.bin"), IDLE);
    }

    private String[] jemuArgs(Path disk, String driveOpts, String... more) {
        List<String> a = new ArrayList<>(List.of("-M", "virt", "-bios", "none", "-kernel", idle.toString(), "-nographic",
                "-drive", "file=" + disk + ",if=none,id=d0" + driveOpts, "-device", "virtio-blk-device,drive=d0"));
        a.addAll(List.of(more));
        return a.toArray(String[]::new);
    }

    private static List<String> qemuArgs(Path disk, String driveOpts) {
        return List.of("qemu-system-riscv64", "-M", "virt", "-S", "-nographic", "-monitor", "none", "-serial", "none",
                "-drive", "file=" + disk + ",if=none,id=d0" + driveOpts, "-device", "virtio-blk-device,drive=d0");
    }

    private static List<String> java(String main, String... args) {
        return JemuProcess.java(main, List.of(), args);
    }

    private String refusal(String kind) {
        return "Failed to get " + kind + " lock. Is another process using the image [" + image + "]?";
    }

    @Test
    void aSecondJemuIsRefusedBeforeItsGuestStarts() throws Exception {
        try (Holder first = Holder.start(java("dev.jemu.cli.Main", jemuArgs(image, "")), image, true)) {
            JemuProcess.Result r = JemuProcess.run(Duration.ofSeconds(60), jemuArgs(image, ""));
            assertEquals(1, r.status(), r::describe);
            assertEquals("jemu: -drive file=" + image + ",if=none,id=d0: " + refusal("\"write\"") + "\n", r.err());
            r = JemuProcess.run(Duration.ofSeconds(60), jemuArgs(image, ",readonly=on"));
            assertEquals(1, r.status(), r::describe);
            assertEquals("jemu: -drive file=" + image + ",if=none,id=d0,readonly=on: " + refusal("shared \"write\"") + "\n", r.err());
            first.assertAlive();
        }
    }

    /** The data loss: two VMs on one qcow2 over the kit's disk. Now the second never starts. */
    @Test
    void theDataLossScenarioEndsInARefusal() throws Exception {
        Path overlay = tmp.resolve("kit-overlay.qcow2");
        run(List.of("qemu-img", "create", "-q", "-f", "qcow2", "-b", Kit.file("riscv64", "disk.qcow2").toString(), "-F", "qcow2",
                overlay.toString()));
        try (Holder first = Holder.start(java("dev.jemu.cli.Main", jemuArgs(overlay, "")), overlay, true)) {
            JemuProcess.Result r = JemuProcess.run(Duration.ofSeconds(60), "-M", "virt", "-nographic", "-drive",
                    "file=" + overlay + ",if=virtio");
            assertEquals(1, r.status(), r::describe);
            assertEquals("jemu: -drive file=" + overlay + ",if=virtio: Failed to get \"write\" lock. Is another process using "
                    + "the image [" + overlay + "]?\n", r.err());
            first.assertAlive();
        }
    }

    @Test
    void jemuIsRefusedByARunningQemu() throws Exception {
        try (Holder qemu = Holder.start(qemuArgs(image, ""), image, true)) {
            JemuProcess.Result r = JemuProcess.run(Duration.ofSeconds(60), jemuArgs(image, ""));
            assertEquals(1, r.status(), r::describe);
            assertEquals("jemu: -drive file=" + image + ",if=none,id=d0: " + refusal("\"write\"") + "\n", r.err());
            qemu.assertAlive();
        }
    }

    @Test
    void qemuIsRefusedByARunningJemu() throws Exception {
        try (Holder jemu = Holder.start(java("dev.jemu.cli.Main", jemuArgs(image, "")), image, true)) {
            Ran q = run(qemuArgs(image, ""));
            assertEquals(1, q.status, q.err);
            assertEquals("qemu-system-riscv64: -drive file=" + image + ",if=none,id=d0: Failed to get \"write\" lock\n"
                    + "Is another process using the image [" + image + "]?\n", q.err);
            jemu.assertAlive();
        }
    }

    @Test
    void imageToolsNeedForceShareWhileJemuRuns() throws Exception {
        try (Holder jemu = Holder.start(java("dev.jemu.cli.Main", jemuArgs(image, "")), image, true)) {
            Ran j = run(java("dev.jemu.cli.img.JemuImg", "info", image.toString()));
            assertEquals(1, j.status, j.err);
            assertEquals("jemu-img: Could not open '" + image + "': " + refusal("shared \"write\"") + "\n", j.err);
            j = run(java("dev.jemu.cli.img.JemuImg", "info", "-U", image.toString()));
            assertEquals(0, j.status, j.err);
            assertTrue(j.out.contains("file format: qcow2"), j.out);
            Ran q = run(List.of("qemu-img", "info", image.toString()));
            assertEquals(1, q.status, q.err);
            assertTrue(q.err.startsWith("qemu-img: Could not open '" + image + "': Failed to get shared \"write\" lock\n"), q.err);
            q = run(List.of("qemu-img", "info", "-U", image.toString()));
            assertEquals(0, q.status, q.err);
            jemu.assertAlive();
        }
    }

    @Test
    void readersAndSnapshotsShareAsInQemu() throws Exception {
        try (Holder reader = Holder.start(java("dev.jemu.cli.Main", jemuArgs(image, ",readonly=on")), image, true);
             Holder reader2 = Holder.start(java("dev.jemu.cli.Main", jemuArgs(image, ",readonly=on")), image, true);
             Holder snap = Holder.start(java("dev.jemu.cli.Main", jemuArgs(image, "", "-snapshot")), image, true);
             Holder qemuReader = Holder.start(qemuArgs(image, ",readonly=on"), image, true)) {
            JemuProcess.Result r = JemuProcess.run(Duration.ofSeconds(60), jemuArgs(image, ""));
            assertEquals(1, r.status(), r::describe);
            assertEquals("jemu: -drive file=" + image + ",if=none,id=d0: " + refusal("\"write\"") + "\n", r.err());
            Ran q = run(qemuArgs(image, ""));
            assertEquals(1, q.status, q.err);
            assertTrue(q.err.contains("Failed to get \"write\" lock\n"), q.err);
            reader.assertAlive();
            reader2.assertAlive();
            snap.assertAlive();
            qemuReader.assertAlive();
        }
    }

    @Test
    void fileLockingOffLetsTwoWritersIn() throws Exception {
        try (Holder a = Holder.start(java("dev.jemu.cli.Main", jemuArgs(image, ",file.locking=off")), image, false);
             Holder b = Holder.start(java("dev.jemu.cli.Main", jemuArgs(image, ",file.locking=off")), image, false);
             Holder q = Holder.start(qemuArgs(image, ",file.locking=off"), image, false)) {
            a.assertAlive();
            b.assertAlive();
            q.assertAlive();
            assertEquals(0, Holder.lockEntries(image), "nobody locked");
        }
    }

    private record Ran(int status, String out, String err) {
    }

    private static Ran run(List<String> cmd) throws Exception {
        Process p = new ProcessBuilder(cmd).start();
        p.getOutputStream().close();
        byte[][] err = new byte[1][];
        Thread drain = Thread.ofPlatform().start(() -> {
            try {
                err[0] = p.getErrorStream().readAllBytes();
            } catch (IOException e) {
                err[0] = new byte[0];
            }
        });
        byte[] out = p.getInputStream().readAllBytes();
        if (!p.waitFor(120, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            fail("did not end: " + cmd);
        }
        drain.join();
        return new Ran(p.exitValue(), new String(out, StandardCharsets.UTF_8), new String(err[0], StandardCharsets.UTF_8));
    }

    /**
     * A VM that holds an image until closed: started, then awaited until it has the image open and (unless
     * file.locking=off) its lock entries show in /proc/locks, so the next opener meets them.
     */
    private static final class Holder implements AutoCloseable {
        private final Process process;
        private final Path err;

        private Holder(Process process, Path err) {
            this.process = process;
            this.err = err;
        }

        static Holder start(List<String> cmd, Path image, boolean locks) throws Exception {
            Path err = Files.createTempFile("jemu-holder-", ".err");
            int before = lockEntries(image);
            Process p = new ProcessBuilder(cmd).redirectOutput(ProcessBuilder.Redirect.DISCARD)
                    .redirectError(err.toFile()).start();
            Holder h = new Holder(p, err);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (System.nanoTime() < deadline) {
                h.assertAlive();
                if (h.hasOpen(image) && (!locks || lockEntries(image) > before)) {
                    // a refused opener drops its bytes and exits right after its check: give it the time to
                    Thread.sleep(500);
                    h.assertAlive();
                    assertTrue(!locks || lockEntries(image) > before, "its locks went away");
                    return h;
                }
                Thread.sleep(50);
            }
            h.close();
            int cp = cmd.indexOf("-cp");
            throw new AssertionError("did not open and lock " + image + " in 60 s: " + String.join(" ", cmd.subList(cp < 0 ? 0 : cp + 2, cmd.size())));
        }

        private boolean hasOpen(Path image) {
            try (var fds = Files.list(Path.of("/proc", Long.toString(process.pid()), "fd"))) {
                return fds.anyMatch(fd -> {
                    try {
                        return Files.readSymbolicLink(fd).equals(image.toAbsolutePath());
                    } catch (IOException e) {
                        return false;
                    }
                });
            } catch (IOException e) {
                return false;
            }
        }

        void assertAlive() throws IOException {
            if (!process.isAlive()) {
                fail("the holder ended (status " + process.exitValue() + "): " + Files.readString(err));
            }
        }

        @Override
        public void close() throws Exception {
            process.destroy();
            if (!process.waitFor(30, TimeUnit.SECONDS)) process.destroyForcibly().waitFor();
            Files.deleteIfExists(err);
        }

        /** OFD lock entries anyone holds on the file (each holder shows at least one). */
        private static int lockEntries(Path file) throws IOException {
            String ino = ":" + Files.getAttribute(file, "unix:ino") + " ";
            int n = 0;
            for (String line : Files.readAllLines(Path.of("/proc/locks"))) {
                if (line.contains(" OFDLCK ") && line.contains(ino)) n++;
            }
            return n;
        }
    }
}
