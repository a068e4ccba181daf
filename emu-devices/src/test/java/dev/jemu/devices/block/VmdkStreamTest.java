package dev.jemu.devices.block;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Random;

import static dev.jemu.devices.block.QemuTools.ok;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** streamOptimized VMDK: qemu-img's images (GD in the header) and VMware-style streams (GD at the end), read and appended to. */
class VmdkStreamTest {
    @TempDir
    Path dir;

    /** Known content: the TestImages mix, plus a 1 MiB zero run and a zero tail; the size is no multiple of a grain. */
    private static byte[] content(long seed, int size) {
        byte[] b = TestImages.content(seed, size);
        Arrays.fill(b, size / 3, size / 3 + Math.min(1 << 20, size / 4), (byte) 0);
        Arrays.fill(b, size - 3000, size - 1000, (byte) 0);
        b[size - 1] = 0x5a;
        return b;
    }

    @Test
    void qemuStreamOptimizedImagesReadBack() throws Exception {
        QemuTools.assumeQemuImg();
        for (int size : new int[]{(5 << 20) + (12 << 10) + 512, (3 << 20) + 1000}) {
            byte[] src = content(size, size);
            Path raw = TestImages.writeRaw(dir, "src.raw", src);
            Path v = dir.resolve("s.vmdk");
            ok("qemu-img", "convert", "-O", "vmdk", "-o", "subformat=streamOptimized", raw.toString(), v.toString());
            byte[] expect = Arrays.copyOf(src, (int) Math.ceilDiv(size, 512) * 512); // qemu rounds up to a sector
            try (BlockDriver d = BlockFormats.open(v, null, OpenOptions.readOnlyOpts())) {
                assertEquals("vmdk", d.formatName());
                assertEquals("streamOptimized", d.info().formatSpecific().get("create-type"));
                assertEquals(expect.length, d.size());
                assertArrayEquals(expect, TestImages.readAll(d), "size " + size);
                assertPiecewiseReads(d, expect, size);
                BlockStatus st = d.status(size / 3 + 65536, 65536);
                assertEquals(BlockStatus.Kind.UNALLOCATED, st.kind(), "a zero grain is not stored");
                assertEquals(BlockStatus.Kind.DATA, d.status(size - 512, 512).kind());
            }
            writesReadBackInJemuAndQemu(v, expect, size);
        }
    }

    /** Random writes (appended compressed grains), zeroes and rewrites: jemu and qemu-img read the model back. */
    private void writesReadBackInJemuAndQemu(Path v, byte[] model, long seed) throws Exception {
        Random r = new Random(seed);
        try (BlockDriver d = BlockFormats.open(v, null, OpenOptions.readWrite())) {
            assertTrue(!d.readOnly());
            for (int i = 0; i < 40; i++) {
                int off = r.nextInt(model.length), len = 1 + r.nextInt(Math.min(model.length - off, 150000));
                if (i % 7 == 3) {
                    d.writeZeroes(off, len);
                    Arrays.fill(model, off, off + len, (byte) 0);
                } else {
                    byte[] b = new byte[len];
                    if (i % 2 == 0) r.nextBytes(b);
                    else Arrays.fill(b, (byte) ('a' + i));
                    d.write(off, b, 0, len);
                    System.arraycopy(b, 0, model, off, len);
                }
            }
            d.write(model.length - 100, model, 0, 100); // the partial last grain
            System.arraycopy(model, 0, model, model.length - 100, 100);
            assertArrayEquals(model, TestImages.readAll(d), "read back while open");
        }
        try (BlockDriver d = BlockFormats.open(v, null, OpenOptions.readOnlyOpts())) {
            assertArrayEquals(model, TestImages.readAll(d), "read back after reopening");
        }
        QemuTools.Result chk = QemuTools.run("qemu-img", "check", v.toString());
        assertEquals(0, chk.exit(), chk.out());
        Path back = dir.resolve("back.raw");
        ok("qemu-img", "convert", "-O", "raw", v.toString(), back.toString());
        assertArrayEquals(model, Files.readAllBytes(back), "qemu-img reads what jemu wrote");
    }

    @Test
    void gdAtEndStreamsReadBackLikeQemuReadsThem() throws Exception {
        QemuTools.assumeQemuImg();
        int size = (6 << 20) + 1536;
        byte[] src = content(3, size);
        Arrays.fill(src, 2 << 20, 4 << 20, (byte) 0); // a whole grain table (512 x 4 KiB) left out
        Path v = dir.resolve("vmware.vmdk");
        VmdkStreams.write(v, src, 8, false);
        Path viaQemu = dir.resolve("q.raw");
        ok("qemu-img", "convert", "-O", "raw", v.toString(), viaQemu.toString());
        assertArrayEquals(src, Files.readAllBytes(viaQemu), "qemu reads the test stream as written");
        try (BlockDriver d = BlockFormats.open(v, null, OpenOptions.readOnlyOpts())) {
            assertEquals(size, d.size());
            assertEquals(4096, d.clusterSize());
            assertArrayEquals(src, TestImages.readAll(d));
            assertPiecewiseReads(d, src, size);
        }
        writesReadBackInJemuAndQemu(v, src.clone(), 5);
        assertSequentialStream(Files.readAllBytes(v));
        // Bare deflate (no zlib header) is accepted as well.
        VmdkStreams.write(v, src, 128, true);
        try (BlockDriver d = BlockFormats.open(v, "vmdk", OpenOptions.readOnlyOpts())) {
            assertArrayEquals(src, TestImages.readAll(d));
        }
    }

    @Test
    void jemuCreatesStreamOptimizedImagesQemuReads() throws Exception {
        QemuTools.assumeQemuImg();
        int size = (3 << 20) + (7 << 10);
        Path v = dir.resolve("j.vmdk");
        BlockFormats.byName("vmdk").create(v, size, CreateOptions.parse("subformat=streamOptimized"));
        QemuTools.Result info = QemuTools.run("qemu-img", "info", v.toString());
        assertTrue(info.exit() == 0 && info.out().contains("streamOptimized"), info.out());
        byte[] model = new byte[(int) Math.ceilDiv(size, 512) * 512];
        Path back = dir.resolve("empty.raw");
        ok("qemu-img", "convert", "-O", "raw", v.toString(), back.toString());
        assertArrayEquals(model, Files.readAllBytes(back), "a new image reads as zeroes");
        byte[] c = content(4, size);
        System.arraycopy(c, 0, model, 0, size);
        try (BlockDriver d = BlockFormats.open(v, null, OpenOptions.readWrite())) {
            d.write(0, c, 0, size);
        }
        assertTrue(Files.size(v) < size, "grains are stored compressed: " + Files.size(v));
        writesReadBackInJemuAndQemu(v, model, 11);
    }

    @Test
    void brokenStreamsFailWithOneLine() throws Exception {
        byte[] src = content(9, 1 << 20);
        Path v = dir.resolve("b.vmdk");
        long[] where = VmdkStreams.write(v, src, 16, false);
        byte[] good = Files.readAllBytes(v);
        int firstGrain = 0;
        while (where[firstGrain] == 0) firstGrain++;
        int marker = (int) where[firstGrain] * 512;
        String[] expect = {"footer marker", "end-of-stream", "names LBA", "invalid size", "inflate"};
        for (int k = 0; k < expect.length; k++) {
            byte[] img = good.clone();
            switch (k) {
                case 0 -> img[img.length - 1024 - 512 + 12] = 7;
                case 1 -> img[img.length - 512 + 12] = 1;
                case 2 -> img[marker] ^= 0x10;
                case 3 -> VmdkStreams.putIntLE(img, marker + 8, 1 << 30);
                default -> Arrays.fill(img, marker + 12, marker + 40, (byte) 0x77);
            }
            Files.write(v, img);
            BlockException e = assertThrows(BlockException.class, () -> {
                try (BlockDriver d = BlockFormats.open(v, null, OpenOptions.readOnlyOpts())) {
                    TestImages.readAll(d);
                }
            });
            assertTrue(e.getMessage().contains(expect[k]) && !e.getMessage().contains("\n"), k + ": " + e.getMessage());
        }
    }

    /**
     * Walks a stream's markers from the end of its header area as a sequential reader does: grains
     * (size > 0) and metadata (size 0: GT, GD, FOOTER with their sectors) until EOS, which must be the
     * file's last sector.
     */
    private static void assertSequentialStream(byte[] f) {
        long pos = Bytes.getLongLE(f, 64) * 512; // overHead
        while (true) {
            assertTrue(pos + 512 <= f.length, "stream walk ran off the end at " + pos);
            long lba = Bytes.getLongLE(f, (int) pos);
            int size = Bytes.getIntLE(f, (int) pos + 8);
            if (size > 0) {
                pos += Math.ceilDiv(12L + size, 512) * 512;
                continue;
            }
            int type = Bytes.getIntLE(f, (int) pos + 12);
            if (type == 0) break;
            assertTrue(type >= 1 && type <= 3, "bad marker type " + type + " at " + pos);
            pos += 512 + lba * 512;
        }
        assertEquals(f.length - 512, pos, "the stream's only EOS is its last sector");
    }

    /** Random reads of odd lengths and offsets agree with the model (grain cache, grain boundaries). */
    private static void assertPiecewiseReads(BlockDriver d, byte[] model, long seed) throws BlockException {
        Random r = new Random(seed);
        for (int i = 0; i < 200; i++) {
            int off = r.nextInt(model.length), len = 1 + r.nextInt(Math.min(model.length - off, 200000));
            byte[] b = new byte[len];
            d.read(off, b, 0, len);
            assertArrayEquals(Arrays.copyOfRange(model, off, off + len), b, "read at " + off + " len " + len);
        }
    }
}
