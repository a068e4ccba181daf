package dev.jemu.devices.block;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.BiFunction;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Seeded mutations of VDI and VMDK images (monolithicSparse, monolithicFlat descriptors, streamOptimized
 * with the grain directory in the header and at the end) and guest writes to a probed raw image's first
 * sector: {@value #DEFAULT_CASES} cases each by default ({@code -Djemu.fuzz.formatCases=N}). Every case
 * must end in a one-line {@link BlockException} or in reads that work, within {@value #TIMEOUT_S} s,
 * without another exception type, without growing the image beyond a bound and without touching any
 * other file in its directory.
 */
class FormatFuzzTest {
    private static final int DEFAULT_CASES = 1000;
    private static final int CASES = Integer.getInteger("jemu.fuzz.formatCases", DEFAULT_CASES);
    private static final long SEED = Long.getLong("jemu.fuzz.seed", 20261127);
    private static final int TIMEOUT_S = 10;
    private static final long MAX_GROWTH = 4L << 20;

    @TempDir
    static Path dir;
    private static ExecutorService pool;
    private static Path victim;
    private static byte[] victimBytes;

    @BeforeAll
    static void start() throws Exception {
        pool = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "fuzz");
            t.setDaemon(true);
            return t;
        });
        victim = dir.resolve("victim.bin");
        victimBytes = TestImages.content(77, 8192);
        Files.write(victim, victimBytes);
    }

    @AfterAll
    static void stop() {
        pool.shutdownNow();
    }

    /** One base image: its bytes, its name in the fuzz directory, and the mutator that knows its layout. */
    private record Base(String name, byte[] bytes, BiFunction<byte[], Random, byte[]> mutator) {
    }

    @Test
    void mutatedVdiImagesFailCleanly() throws Exception {
        List<Base> bases = new ArrayList<>();
        for (String opts : new String[]{"static=off", "static=on"}) {
            Path p = dir.resolve("vdi-base.vdi");
            BlockFormats.byName("vdi").create(p, (1 << 20) + 4096, CreateOptions.parse(opts));
            try (BlockDriver d = BlockFormats.open(p, "vdi", OpenOptions.readWrite())) {
                byte[] c = TestImages.content(opts.length(), (int) d.size());
                d.write(0, c, 0, 300 << 10);
                d.write(600 << 10, c, 600 << 10, 5000);
                d.writeZeroes(100 << 10, 64 << 10);
            }
            bases.add(new Base("fuzz.vdi", Files.readAllBytes(p), FormatFuzzTest::mutateVdi));
            Files.delete(p);
        }
        fuzz("vdi", bases, new Random(SEED));
    }

    @Test
    void mutatedVmdkSparseAndFlatImagesFailCleanly() throws Exception {
        List<Base> bases = new ArrayList<>();
        byte[] content = TestImages.content(12, (1 << 20) + 3072);
        if (QemuTools.has("qemu-img")) {
            Path raw = TestImages.writeRaw(dir, "src.raw", content);
            Path v = dir.resolve("sparse-base.vmdk");
            QemuTools.ok("qemu-img", "convert", "-O", "vmdk", "-o", "subformat=monolithicSparse", raw.toString(), v.toString());
            bases.add(new Base("fuzz.vmdk", Files.readAllBytes(v), FormatFuzzTest::mutateVmdkSparse));
            Files.delete(v);
            Files.delete(raw);
        }
        // A descriptor with a FLAT extent: the descriptor text is mutated, the flat file stays.
        Path desc = dir.resolve("flat.vmdk");
        BlockFormats.byName("vmdk").create(desc, 1 << 20, CreateOptions.parse("subformat=monolithicFlat"));
        try (BlockDriver d = BlockFormats.open(desc, "vmdk", OpenOptions.readWrite())) {
            d.write(0, content, 0, 1 << 20);
        }
        bases.add(new Base("fuzzd.vmdk", Files.readAllBytes(desc), FormatFuzzTest::mutateDescriptor));
        Path flat = dir.resolve("flat-flat.vmdk");
        Files.move(flat, dir.resolve("fuzzd-flat.vmdk"));
        fuzz("vmdk", bases, new Random(SEED + 1));
        Files.delete(desc);
    }

    @Test
    void mutatedVmdkStreamsFailCleanly() throws Exception {
        List<Base> bases = new ArrayList<>();
        byte[] content = TestImages.content(13, (2 << 20) + 5120);
        Arrays.fill(content, 1 << 20, (1 << 20) + (300 << 10), (byte) 0);
        Path s = dir.resolve("stream-base.vmdk");
        VmdkStreams.write(s, content, 8, false); // 4 KiB grains, two grain tables, GD at the end
        bases.add(new Base("fuzz.vmdk", Files.readAllBytes(s), FormatFuzzTest::mutateVmdkSparse));
        VmdkStreams.write(s, Arrays.copyOf(content, 1 << 20), 128, true); // 64 KiB grains, bare deflate
        bases.add(new Base("fuzz.vmdk", Files.readAllBytes(s), FormatFuzzTest::mutateVmdkSparse));
        if (QemuTools.has("qemu-img")) { // qemu-img's layout: GD in the header, redundant GD
            Path raw = TestImages.writeRaw(dir, "src.raw", Arrays.copyOf(content, (1 << 20) + 5120));
            QemuTools.ok("qemu-img", "convert", "-O", "vmdk", "-o", "subformat=streamOptimized", raw.toString(), s.toString());
            bases.add(new Base("fuzz.vmdk", Files.readAllBytes(s), FormatFuzzTest::mutateVmdkSparse));
            Files.delete(raw);
        }
        Files.delete(s);
        fuzz("vmdk streamOptimized", bases, new Random(SEED + 2));
    }

    @Test
    void guestWritesNeverTurnAProbedRawImageIntoAnotherFormat() throws Exception {
        List<byte[]> heads = new ArrayList<>();
        Path q = dir.resolve("h.qcow2");
        BlockFormats.byName("qcow2").create(q, 1 << 20, new CreateOptions());
        heads.add(Arrays.copyOf(Files.readAllBytes(q), 512));
        BlockFormats.byName("vdi").create(q, 1 << 20, new CreateOptions());
        heads.add(Arrays.copyOf(Files.readAllBytes(q), 512));
        heads.add(Arrays.copyOf(VmdkStreams.header(2048, 128, 1, -1), 512));
        heads.add(Arrays.copyOf("# Disk DescriptorFile\nversion=1\nRW 2048 FLAT \"victim.bin\" 0\n".getBytes(StandardCharsets.US_ASCII), 512));
        Files.delete(q);
        Random r = new Random(SEED + 3);
        int refused = 0;
        for (int k = 0; k < CASES; k++) {
            Path p = dir.resolve("raw.img");
            byte[] img = new byte[16 << 10];
            if (r.nextBoolean()) r.nextBytes(img);
            Files.write(p, img);
            try (BlockDriver d = BlockFormats.open(p, null, OpenOptions.readWrite())) {
                assertEquals("raw", d.formatName());
                byte[] w = new byte[512];
                int kind = r.nextInt(heads.size() + 1);
                if (kind < heads.size()) System.arraycopy(heads.get(kind), 0, w, 0, 512);
                else r.nextBytes(w);
                for (int j = r.nextInt(4); j > 0; j--) w[r.nextInt(512)] = (byte) r.nextInt();
                int off = r.nextInt(3) == 0 ? r.nextInt(80) : 0;
                int len = 1 + r.nextInt(512 - off);
                try {
                    d.write(off, w, off, len); // the head's bytes land where they would in the image
                } catch (BlockException e) {
                    assertTrue(e.getMessage().contains("sector 0") && !e.getMessage().contains("\n"), e.getMessage());
                    refused++;
                }
            }
            assertEquals("raw", BlockFormats.probe(p).name(), "case " + k + ": a probed raw image turned into another format");
            checkVictim("case " + k);
        }
        System.out.println("fuzz: " + CASES + " raw sector-0 cases, " + refused + " writes refused");
        assertTrue(refused > CASES / 10, "writes of format headers must be refused: " + refused);
    }

    private static void fuzz(String what, List<Base> bases, Random r) throws Exception {
        int errors = 0, opened = 0;
        long t0 = System.nanoTime();
        for (int k = 0; k < CASES; k++) {
            int b = r.nextInt(bases.size());
            Base base = bases.get(b);
            byte[] img = base.mutator().apply(base.bytes().clone(), r);
            Path p = dir.resolve(base.name());
            Files.write(p, img);
            boolean writeToo = r.nextInt(3) == 0;
            long seed = r.nextLong();
            String where = what + " case " + k + " (base " + b + ")";
            if (runCase(p, writeToo, seed, where)) opened++;
            else errors++;
            long len = Files.size(p);
            assertTrue(len <= img.length + MAX_GROWTH, where + ": file grew from " + img.length + " to " + len);
            checkVictim(where);
        }
        System.out.printf("fuzz: %d %s cases, %d clean errors, %d opened and read, %.1f s%n", CASES, what, errors, opened,
                (System.nanoTime() - t0) / 1e9);
        assertTrue(errors > CASES / 10 && opened > CASES / 10, what + ": mutations should give both outcomes: " + errors + "/" + opened);
    }

    private static void checkVictim(String where) throws Exception {
        assertTrue(Arrays.equals(victimBytes, Files.readAllBytes(victim)), where + ": a file outside the image was changed");
    }

    /** True when the image opened and read; false for a clean error. Anything else fails the test. */
    private static boolean runCase(Path p, boolean writeToo, long seed, String where) throws Exception {
        Future<Boolean> f = pool.submit(() -> exercise(p, writeToo, seed));
        try {
            return f.get(TIMEOUT_S, TimeUnit.SECONDS);
        } catch (TimeoutException e) {
            f.cancel(true);
            fail(where + ": hang (no result within " + TIMEOUT_S + " s)");
        } catch (ExecutionException e) {
            AssertionError ae = new AssertionError(where + ": unexpected " + e.getCause());
            ae.initCause(e.getCause());
            throw ae;
        }
        return false;
    }

    private static boolean exercise(Path p, boolean writeToo, long seed) throws Exception {
        Random r = new Random(seed);
        boolean ok;
        try (BlockDriver d = BlockFormats.open(p, null, OpenOptions.readOnlyOpts())) {
            d.info();
            long size = d.size();
            byte[] b = new byte[64 << 10];
            if (size <= (4 << 20)) {
                for (long off = 0; off < size; off += b.length) d.read(off, b, 0, (int) Math.min(b.length, size - off));
            }
            for (int i = 0; i < 8 && size > 0; i++) {
                long off = r.nextLong(size);
                int n = (int) Math.min(1 + r.nextInt(b.length), size - off);
                d.read(off, b, 0, n);
                d.status(off, n);
            }
            try {
                d.check(RepairMode.NONE);
            } catch (BlockDriver.CheckUnsupportedException ignored) {
                // vmdk has no check
            }
            ok = true;
        } catch (BlockException e) {
            assertOneLine(e);
            ok = false;
        }
        if (!writeToo) return ok;
        try (BlockDriver d = BlockFormats.open(p, null, OpenOptions.readWrite().withBarriers(false))) { // no fsync per step
            FuzzWrites.scribble(d, r);
            d.flush();
        } catch (BlockException e) {
            assertOneLine(e);
        }
        return ok;
    }

    private static void assertOneLine(BlockException e) {
        String m = e.getMessage();
        assertTrue(m != null && !m.isBlank() && !m.contains("\n"), "error message must be one line: " + m);
    }

    // ---- mutators ----

    private static long interesting(Random r, long fileLen, long unit) {
        long[] v = {0, 1, 2, -1, -2, 0x7fffffffL, 0x80000000L, 0xffffffffL, 0xfffffffeL, Long.MAX_VALUE, Long.MIN_VALUE,
                fileLen, fileLen / 512, fileLen / 512 - 1, fileLen / 512 + 1, unit - 1, unit, unit + 1, 2 * unit, 3, 4, 8,
                511, 512, 513, 4096, 1L << 20, 1L << 32, 1L << 40, 1L << 56};
        return r.nextInt(4) == 0 ? r.nextLong() : v[r.nextInt(v.length)];
    }

    private static void putLE(byte[] b, int o, long v, int width) {
        if (o < 0 || o + width > b.length) return;
        for (int i = 0; i < width; i++) b[o + i] = (byte) (v >>> (8 * i));
    }

    private static byte[] common(byte[] img, Random r) {
        return switch (r.nextInt(3)) {
            case 0 -> Arrays.copyOf(img, r.nextInt(img.length)); // truncation
            case 1 -> {
                img[r.nextInt(img.length)] ^= (byte) (1 << r.nextInt(8));
                yield img;
            }
            default -> {
                int o = r.nextInt(img.length), n = Math.min(img.length - o, 1 + r.nextInt(64));
                Arrays.fill(img, o, o + n, (byte) (r.nextBoolean() ? 0 : r.nextInt()));
                yield img;
            }
        };
    }

    private static byte[] mutateVdi(byte[] img, Random r) {
        int n = 1 + r.nextInt(2);
        for (int i = 0; i < n && img.length > 0x200; i++) {
            int bmap = Bytes.getIntLE(img, 0x154);
            switch (r.nextInt(4)) {
                case 0 -> { // a header field
                    int[] f = {0x40, 0x44, 0x48, 0x4c, 0x50, 0x154, 0x158, 0x168, 0x170, 0x178, 0x17c, 0x180, 0x184};
                    int at = f[r.nextInt(f.length)];
                    putLE(img, at, interesting(r, img.length, 1 << 20), at == 0x170 ? 8 : 4);
                }
                case 1 -> { // a block map entry
                    if (bmap > 0 && bmap < img.length - 4) {
                        long v = r.nextInt(3) == 0 ? r.nextInt(4) - 2 : interesting(r, img.length, 1 << 20);
                        putLE(img, bmap + 4 * r.nextInt(Math.min(64, (img.length - bmap) / 4)), v, 4);
                    }
                }
                default -> img = common(img, r);
            }
        }
        return img;
    }

    /** Grain directory and table sectors of a sparse/stream VMDK (footer header when GD is at the end). */
    private static long[] vmdkTables(byte[] img) {
        int h = 0;
        if (img.length >= 2048 && Bytes.getLongLE(img, 56) == -1) h = (img.length & ~511) - 1024;
        long gd = Bytes.getLongLE(img, h + 56);
        if (gd <= 0 || gd >= img.length / 512) return new long[0];
        long[] out = new long[3];
        out[0] = gd;
        out[1] = Integer.toUnsignedLong(Bytes.getIntLE(img, (int) gd * 512)); // first grain table
        if (out[1] < img.length / 512) {
            for (int i = 0; i < 512 && out[1] * 512 + 4 * i + 4 <= img.length; i++) {
                long g = Integer.toUnsignedLong(Bytes.getIntLE(img, (int) out[1] * 512 + 4 * i));
                if (g > 1 && g < img.length / 512) {
                    out[2] = g; // a grain (its marker in a stream)
                    if (i > 0 && (i % 3 == 0)) break;
                }
            }
        }
        return out;
    }

    private static byte[] mutateVmdkSparse(byte[] img, Random r) {
        int n = 1 + r.nextInt(2);
        for (int i = 0; i < n && img.length >= 512; i++) {
            long[] t = vmdkTables(img);
            boolean atEnd = img.length >= 2048 && Bytes.getLongLE(img, 56) == -1;
            int grainBytes = (int) Math.min(1 << 21, Math.max(512, Bytes.getLongLE(img, 20) * 512));
            switch (r.nextInt(8)) {
                case 0 -> { // a header field, or the footer's copy of it
                    int[] f = {4, 8, 12, 20, 28, 36, 44, 48, 56, 64, 77};
                    int at = f[r.nextInt(f.length)];
                    int width = at == 4 || at == 8 || at == 44 ? 4 : at == 77 ? 2 : 8;
                    int base = atEnd && r.nextBoolean() ? (img.length & ~511) - 1024 : 0;
                    putLE(img, base + at, interesting(r, img.length, grainBytes / 512), width);
                }
                case 1 -> { // a footer / end-of-stream marker
                    int at = (img.length & ~511) - (r.nextBoolean() ? 1536 : 512);
                    putLE(img, at + (r.nextBoolean() ? 12 : r.nextInt(3) * 4), interesting(r, img.length, 4), 4);
                }
                case 2 -> { // a grain directory entry
                    if (t.length > 0) putLE(img, (int) t[0] * 512 + 4 * r.nextInt(2), interesting(r, img.length, 1), 4);
                }
                case 3 -> { // a grain table entry
                    if (t.length > 0 && t[1] > 0 && t[1] < img.length / 512) putLE(img, (int) t[1] * 512 + 4 * r.nextInt(64), interesting(r, img.length, grainBytes / 512), 4);
                }
                case 4 -> { // a grain marker's LBA or size
                    if (t.length > 0 && t[2] > 0) {
                        boolean lba = r.nextBoolean();
                        putLE(img, (int) t[2] * 512 + (lba ? 0 : 8), interesting(r, img.length, lba ? grainBytes / 512 : grainBytes), lba ? 8 : 4);
                    }
                }
                case 5 -> { // compressed data
                    if (t.length > 0 && t[2] > 0) {
                        int at = (int) t[2] * 512 + 12 + r.nextInt(64);
                        if (at < img.length) img[at] ^= (byte) (1 << r.nextInt(8));
                    }
                }
                default -> img = common(img, r);
            }
        }
        return img;
    }

    private static byte[] mutateDescriptor(byte[] img, Random r) {
        String s = new String(img, StandardCharsets.ISO_8859_1);
        String[] swaps = {"RW ", "RDONLY ", "FLAT", "SPARSE", "ZERO", "\"fuzzd-flat.vmdk\"", "\"../x\"", "\"\"",
                "parentCID=ffffffff", "parentCID=1234", "2048", "-1", "99999999999999", "0", "\n", ""};
        int n = 1 + r.nextInt(3);
        for (int i = 0; i < n; i++) {
            if (r.nextInt(4) == 0 && !s.isEmpty()) { // a random character
                int at = r.nextInt(s.length());
                s = s.substring(0, at) + (char) (r.nextInt(95) + 32) + s.substring(at + 1);
                continue;
            }
            String from = swaps[r.nextInt(swaps.length)];
            int at = from.isEmpty() ? -1 : s.indexOf(from);
            if (at >= 0) s = s.substring(0, at) + swaps[r.nextInt(swaps.length)] + s.substring(at + from.length());
        }
        return s.getBytes(StandardCharsets.ISO_8859_1);
    }
}
