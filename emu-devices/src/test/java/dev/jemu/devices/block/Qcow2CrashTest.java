package dev.jemu.devices.block;

import dev.jemu.devices.block.qcow2.Qcow2Format;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Crash consistency: a child JVM writes to a qcow2 image and is killed with SIGKILL at random points;
 * after every kill qemu-img check must find no corruption (leaks are allowed) and every sector must read
 * as zero or as a complete stamp for its own offset. The same image carries on across kills.
 */
class Qcow2CrashTest {
    private static final int KILLS = Integer.getInteger("jemu.crash.kills", 12);

    @TempDir
    Path dir;

    @Test
    void sigkillDuringWritesNeverCorrupts() throws Exception {
        run("cluster_size=4096", 0x5eedL, KILLS);
    }

    @Test
    void sigkillWithSmallClustersAndV2() throws Exception {
        run("cluster_size=512,compat=0.10", 0xbeefL, KILLS / 2);
    }

    /** Lazy refcounts: the image is dirty after a kill; opening it read-write rebuilds the refcounts. */
    @Test
    void sigkillWithLazyRefcounts() throws Exception {
        run("cluster_size=65536,lazy_refcounts=on", 0x1a2L, 4);
        Path img = dir.resolve("crash.qcow2");
        try (BlockDriver d = BlockFormats.open(img, "qcow2", OpenOptions.readWrite())) {
            assertTrue(!d.info().dirty());
        }
        QemuTools.Result chk = QemuTools.run("qemu-img", "check", img.toString());
        assertEquals(0, chk.exit(), chk.out());
    }

    private void run(String opts, long seed, int kills) throws Exception {
        QemuTools.assumeQemuImg();
        Path img = dir.resolve("crash.qcow2");
        new Qcow2Format().create(img, 8 << 20, CreateOptions.parse(opts));
        Random r = new Random(seed);
        int leaksSeen = 0;
        List<String> log = new ArrayList<>();
        for (int k = 0; k < kills; k++) {
            Process p = new ProcessBuilder(javaBin(), "-cp", System.getProperty("java.class.path"),
                    CrashWriter.class.getName(), img.toString(), Long.toString(r.nextLong()))
                    .redirectErrorStream(true).start();
            BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream()));
            String line = out.readLine();
            if (!"ready".equals(line)) {
                p.destroyForcibly();
                fail("writer did not start: " + line + " " + readRest(out));
            }
            long delay = 20 + r.nextInt(600);
            Thread.sleep(delay);
            if (!p.isAlive()) fail("writer died by itself: " + readRest(out));
            p.destroyForcibly(); // SIGKILL on Linux
            assertTrue(p.waitFor(30, TimeUnit.SECONDS));
            QemuTools.Result chk = QemuTools.run("qemu-img", "check", img.toString());
            log.add("kill " + k + " after " + delay + " ms: qemu-img check exit " + chk.exit());
            if (chk.exit() != 0 && chk.exit() != 3) fail("corruption after kill " + k + " (" + log + "):\n" + chk.out());
            if (chk.exit() == 3) leaksSeen++;
            verifySectors(img);
        }
        System.out.println("crash test " + opts + ": " + log + ", leaks after " + leaksSeen + " kills");
        // Leaks are harmless; a repair must clean them up completely.
        QemuTools.Result fix = QemuTools.run("qemu-img", "check", "-r", "leaks", img.toString());
        assertTrue(fix.exit() == 0, fix.out());
    }

    private static void verifySectors(Path img) throws Exception {
        try (BlockDriver d = BlockFormats.open(img, "qcow2", OpenOptions.readOnlyOpts())) {
            byte[] b = TestImages.readAll(d);
            for (int s = 0; s < b.length; s += CrashWriter.SECTOR) {
                if (!CrashWriter.valid(b, s, s)) fail("sector at " + s + " holds data that was never written there");
            }
        }
        // qemu must agree with what jemu reads.
        Path flat = img.resolveSibling("flat.raw");
        QemuTools.ok("qemu-img", "convert", "-O", "raw", img.toString(), flat.toString());
        byte[] q = java.nio.file.Files.readAllBytes(flat);
        try (BlockDriver d = BlockFormats.open(img, "qcow2", OpenOptions.readOnlyOpts())) {
            assertEquals(java.util.Arrays.mismatch(q, TestImages.readAll(d)), -1, "jemu and qemu read different data");
        }
    }

    private static String readRest(BufferedReader r) {
        StringBuilder sb = new StringBuilder();
        try {
            for (String l; (l = r.readLine()) != null && sb.length() < 4000; ) sb.append(l).append('\n');
        } catch (java.io.IOException e) {
            sb.append(e);
        }
        return sb.toString();
    }

    private static String javaBin() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }
}
