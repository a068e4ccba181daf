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

    /** Writeback metadata: a kill loses what was not flushed, never the image's consistency. */
    @Test
    void sigkillWithWritebackMetadata() throws Exception {
        writeback = true;
        run("cluster_size=4096", 0x3bL, KILLS / 2);
    }

    private boolean writeback;

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
        int flushedRuns = 0;
        for (int k = 0; k < kills; k++) {
            long childSeed = r.nextLong(), seqBase = (k + 1) * 1_000_000_000L;
            Process p = new ProcessBuilder(javaBin(), "-cp", System.getProperty("java.class.path"),
                    CrashWriter.class.getName(), img.toString(), Long.toString(childSeed),
                    writeback ? "writeback" : "writethrough", Long.toString(seqBase))
                    .redirectErrorStream(true).start();
            BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream()));
            String line = out.readLine();
            if (!"ready".equals(line)) {
                p.destroyForcibly();
                fail("writer did not start: " + line + " " + readRest(out));
            }
            StringBuilder other = new StringBuilder();
            Thread reader = new Thread(() -> {
                try {
                    for (String l; (l = out.readLine()) != null; ) if (other.length() < 4000) other.append(l).append('\n');
                } catch (java.io.IOException ignored) {
                    // the child is gone
                }
            });
            reader.start();
            long delay = 20 + r.nextInt(600);
            Thread.sleep(delay);
            if (!p.isAlive()) fail("writer died by itself: " + other);
            p.destroyForcibly(); // SIGKILL on Linux
            assertTrue(p.waitFor(30, TimeUnit.SECONDS));
            reader.join(10_000);
            long[] flushed = {CrashWriter.lastFlushed(img)};
            QemuTools.Result chk = QemuTools.run("qemu-img", "check", img.toString());
            log.add("kill " + k + " after " + delay + " ms (" + (flushed[0] == 0 ? "no flush" : "flushed to op " + (flushed[0] - seqBase)) + "): qemu-img check exit " + chk.exit());
            if (chk.exit() != 0 && chk.exit() != 3) fail("corruption after kill " + k + " (" + log + "):\n" + chk.out());
            if (chk.exit() == 3) leaksSeen++;
            byte[] content = verifySectors(img);
            if (flushed[0] > 0) {
                flushedRuns++;
                verifyFlushed(content, childSeed, seqBase, flushed[0], k);
            }
        }
        assertTrue(flushedRuns > 0, "no run got as far as a flush: " + log);
        System.out.println("crash test " + opts + (writeback ? " writeback" : "") + ": " + log + ", leaks after " + leaksSeen + " kills");
        // Leaks are harmless; a repair must clean them up completely.
        QemuTools.Result fix = QemuTools.run("qemu-img", "check", "-r", "leaks", img.toString());
        assertTrue(fix.exit() == 0, fix.out());
    }

    /**
     * Replays the child's operations up to its last completed flush: every sector must hold that
     * flushed state or something the child wrote later (a later stamp, or zeroes from a later zeroing).
     */
    private static void verifyFlushed(byte[] content, long seed, long seqBase, long flushedSeq, int k) {
        int sectors = content.length / CrashWriter.SECTOR;
        long[] required = new long[sectors];   // seq of the last flushed write, or -seq of a flushed zeroing
        long[] laterZero = new long[sectors];  // seq of a zero/discard after the flush (it may have landed)
        Random r = new Random(seed);
        // After the last reported flush the child got at most as far as the next flush in its sequence.
        for (long seq = seqBase + 1; ; seq++) {
            CrashWriter.Op op = CrashWriter.Op.next(r, sectors);
            if (seq > flushedSeq && op.kind() == CrashWriter.Kind.FLUSH) break;
            for (long s = op.sector(); s < op.sector() + op.n(); s++) {
                int i = (int) s;
                switch (op.kind()) {
                    case WRITE -> {
                        if (seq <= flushedSeq) required[i] = seq;
                    }
                    case ZERO, DISCARD -> {
                        if (seq <= flushedSeq) required[i] = op.kind() == CrashWriter.Kind.ZERO ? -seq : 0;
                        else laterZero[i] = seq;
                    }
                    default -> {
                    }
                }
            }
        }
        for (int i = 0; i < sectors; i++) {
            long got = CrashWriter.seqOf(content, i * CrashWriter.SECTOR);
            long req = required[i];
            boolean ok;
            if (req > 0) ok = got >= req || (got == 0 && laterZero[i] > req);
            else if (req < 0) ok = got == 0 || got > -req;
            else ok = true;
            if (!ok) fail("kill " + k + ": sector " + i + " lost flushed data (holds seq " + got + ", flushed seq " + req + ")");
        }
    }

    private static byte[] verifySectors(Path img) throws Exception {
        byte[] b;
        try (BlockDriver d = BlockFormats.open(img, "qcow2", OpenOptions.readOnlyOpts())) {
            b = TestImages.readAll(d);
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
        return b;
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
