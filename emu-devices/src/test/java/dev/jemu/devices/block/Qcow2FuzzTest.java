package dev.jemu.devices.block;

import dev.jemu.devices.block.qcow2.Qcow2Format;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Seeded mutations of small qcow2 images (header fields, extensions, L1/L2 tables, refcount structures,
 * truncation) and of raw images' first sector. Every case must end in a {@link BlockException} or in
 * reads that work, within a time bound, without another exception type, and without growing the file
 * beyond a small bound when written to.
 */
class Qcow2FuzzTest {
    private static final int CASES = Integer.getInteger("jemu.fuzz.cases", 1200);
    private static final long MAX_GROWTH = 16L << 20;

    @TempDir
    static Path dir;
    private static final List<byte[]> BASES = new ArrayList<>();
    private static ExecutorService pool;

    @BeforeAll
    static void makeBases() throws Exception {
        pool = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "fuzz");
            t.setDaemon(true);
            return t;
        });
        Files.write(dir.resolve("backing.raw"), TestImages.content(5, 256 << 10));
        String[] opts = {"cluster_size=512", "cluster_size=4096,compat=0.10", "cluster_size=65536",
                "cluster_size=512,refcount_bits=4", "cluster_size=4096,backing_file=backing.raw,backing_fmt=raw"};
        for (int i = 0; i < opts.length; i++) {
            Path p = dir.resolve("base" + i + ".qcow2");
            new Qcow2Format().create(p, 256 << 10, CreateOptions.parse(opts[i]));
            try (BlockDriver d = BlockFormats.open(p, "qcow2", OpenOptions.readWrite().withBarriers(false))) {
                byte[] c = TestImages.content(i, 256 << 10);
                d.write(0, c, 0, 100 << 10);
                d.write(200 << 10, c, 200 << 10, 7000);
                if (d.clusterSize() <= 4096) d.writeCompressed(160 << 10, c, 0);
                d.writeZeroes(40 << 10, 16 << 10);
                if (i == 2) {
                    d.snapshotCreate("s");
                    d.write(1000, c, 5000, 3000);
                }
            }
            BASES.add(Files.readAllBytes(p));
        }
    }

    @AfterAll
    static void stop() {
        pool.shutdownNow();
    }

    @Test
    void mutatedQcow2ImagesFailCleanly() throws Exception {
        Random r = new Random(Long.getLong("jemu.fuzz.seed", 20261127));
        int errors = 0, opened = 0;
        for (int k = 0; k < CASES; k++) {
            int base = r.nextInt(BASES.size());
            byte[] img = mutate(BASES.get(base).clone(), r);
            Path p = dir.resolve("fuzz.qcow2");
            Files.write(p, img);
            boolean writeToo = r.nextInt(3) == 0;
            long seed = r.nextLong();
            String outcome = runCase(p, writeToo, seed, img.length, "case " + k + " (base " + base + ")");
            if (outcome.equals("error")) errors++;
            else opened++;
        }
        System.out.println("fuzz: " + CASES + " qcow2 cases, " + errors + " clean errors, " + opened + " opened and read");
        assertTrue(errors > CASES / 10 && opened > CASES / 10, "mutations should give both outcomes: " + errors + "/" + opened);
    }

    @Test
    void mutatedRawFirstSectorNeverBecomesAnotherFormat() throws Exception {
        Random r = new Random(77);
        byte[] qcowHead = Arrays.copyOf(BASES.get(0), 512);
        for (int k = 0; k < 300; k++) {
            Path p = dir.resolve("raw.img");
            byte[] img = new byte[64 << 10];
            if (r.nextBoolean()) r.nextBytes(img);
            Files.write(p, img);
            try (BlockDriver d = BlockFormats.open(p, null, OpenOptions.readWrite())) {
                assertEquals("raw", d.formatName());
                byte[] w = new byte[512];
                if (r.nextBoolean()) System.arraycopy(qcowHead, 0, w, 0, 512);
                else r.nextBytes(w);
                for (int j = r.nextInt(4); j > 0; j--) w[r.nextInt(512)] = (byte) r.nextInt();
                int off = r.nextInt(3) == 0 ? r.nextInt(8) : 0;
                int len = 1 + r.nextInt(512 - off);
                try {
                    d.write(off, w, 0, len);
                } catch (BlockException e) {
                    assertTrue(e.getMessage().contains("sector 0"), e.getMessage());
                }
            }
            assertEquals("raw", BlockFormats.probe(p).name(), "case " + k + ": a probed raw image turned into another format");
        }
    }

    private String runCase(Path p, boolean writeToo, long seed, long origLen, String what) throws Exception {
        Future<String> f = pool.submit(() -> exercise(p, writeToo, seed, origLen));
        try {
            return f.get(20, TimeUnit.SECONDS);
        } catch (TimeoutException e) {
            f.cancel(true);
            fail(what + ": hang (no result within 20 s)");
        } catch (java.util.concurrent.ExecutionException e) {
            Throwable c = e.getCause();
            AssertionError ae = new AssertionError(what + ": unexpected " + c);
            ae.initCause(c);
            throw ae;
        }
        return "";
    }

    /** Returns "ok" or "error"; any exception other than BlockException escapes and fails the test. */
    private static String exercise(Path p, boolean writeToo, long seed, long origLen) throws Exception {
        Random r = new Random(seed);
        try (BlockDriver d = BlockFormats.open(p, null, OpenOptions.readOnlyOpts())) {
            d.info();
            long size = d.size();
            byte[] b = new byte[64 << 10];
            for (int i = 0; i < 8 && size > 0; i++) {
                long off = i == 0 ? 0 : (r.nextLong(size));
                int n = (int) Math.min(b.length, size - off);
                d.read(off, b, 0, n);
                d.status(off, Math.max(1, n));
            }
            if (d.formatName().equals("qcow2")) d.check(RepairMode.NONE);
        } catch (BlockException e) {
            assertOneLine(e);
            return "error";
        }
        if (!writeToo) return "ok";
        try (BlockDriver d = BlockFormats.open(p, null, OpenOptions.readWrite().withBarriers(false).withWriteback(r.nextBoolean()))) {
            FuzzWrites.scribble(d, r);
        } catch (BlockException e) {
            assertOneLine(e);
        }
        long len = Files.size(p);
        assertTrue(len <= Math.max(origLen, 1 << 20) + MAX_GROWTH, "file grew from " + origLen + " to " + len);
        return "ok";
    }

    private static void assertOneLine(BlockException e) {
        String m = e.getMessage();
        assertTrue(m != null && !m.isBlank() && !m.contains("\n"), "error message must be one line: " + m);
    }

    private static byte[] mutate(byte[] img, Random r) {
        int cb = Bytes.getInt(img, 20);
        int cs = 1 << Math.max(9, Math.min(21, cb));
        long l1 = Bytes.getLong(img, 40), rt = Bytes.getLong(img, 48);
        int n = 1 + r.nextInt(3);
        for (int i = 0; i < n; i++) {
            switch (r.nextInt(7)) {
                case 0 -> { // a header field
                    int[] fields = {4, 8, 16, 20, 24, 32, 36, 40, 48, 56, 60, 64, 72, 80, 88, 96, 100};
                    int f = fields[r.nextInt(fields.length)];
                    boolean wide = f == 8 || f == 24 || f == 40 || f == 48 || f == 64 || f == 72 || f == 80 || f == 88;
                    long v = interesting(r, img.length, cs);
                    if (wide) Bytes.putLong(img, f, v);
                    else Bytes.putInt(img, f, (int) v);
                }
                case 1 -> img[r.nextInt(Math.min(img.length, 512))] ^= (byte) (1 << r.nextInt(8)); // a bit in the header area
                case 2 -> entry(img, l1, 64, r, cs); // L1 entries
                case 3 -> entry(img, rt, 64, r, cs); // refcount table entries
                case 4 -> { // an L2 table or refcount block: any 8 bytes of a metadata-looking cluster
                    int c = 1 + r.nextInt(Math.max(1, img.length / cs - 1));
                    entry(img, (long) c * cs, cs / 8, r, cs);
                }
                case 5 -> { // truncation
                    int len = r.nextInt(img.length);
                    img = Arrays.copyOf(img, len);
                }
                default -> { // random bytes anywhere
                    int o = r.nextInt(img.length);
                    img[o] = (byte) r.nextInt();
                }
            }
            if (img.length < 8) break;
        }
        return img;
    }

    private static void entry(byte[] img, long tableOff, int entries, Random r, int cs) {
        if (tableOff < 0 || tableOff + 8 > img.length) return;
        int idx = r.nextInt(entries);
        long at = tableOff + idx * 8L;
        if (at + 8 > img.length) at = tableOff;
        long v = switch (r.nextInt(6)) {
            case 0 -> interesting(r, img.length, cs);
            case 1 -> Bytes.getLong(img, (int) at) ^ (1L << r.nextInt(64));
            case 2 -> (1L << 63) | ((long) r.nextInt(Math.max(1, img.length / cs)) * cs);
            case 3 -> (1L << 62) | r.nextLong(1L << 40);
            case 4 -> (long) r.nextInt(4) * cs;
            default -> r.nextLong();
        };
        Bytes.putLong(img, (int) at, v);
    }

    private static long interesting(Random r, int fileLen, int cs) {
        long[] v = {0, 1, -1, 0x7fffffffL, 0x80000000L, 0xffffffffL, Long.MAX_VALUE, Long.MIN_VALUE, fileLen,
                fileLen + 512L, cs - 1L, cs, 2L * cs, 1L << 40, 1L << 56, 1L << 62, 3, 4, 6, 7, 9, 21, 22, 72, 104, 112};
        return r.nextInt(4) == 0 ? r.nextLong() : v[r.nextInt(v.length)];
    }
}
