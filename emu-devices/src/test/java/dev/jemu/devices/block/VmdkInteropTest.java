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

/** VMDK: qemu's monolithicSparse and flat images read by jemu; jemu's monolithicFlat accepted by qemu. */
class VmdkInteropTest {
    @TempDir
    Path dir;

    private static final int SIZE = 5 << 20;

    @Test
    void qemuImagesReadBack() throws Exception {
        QemuTools.assumeQemuImg();
        byte[] content = TestImages.content(31, SIZE);
        Path raw = TestImages.writeRaw(dir, "src.raw", content);
        for (String sub : new String[]{"monolithicSparse", "monolithicFlat", "twoGbMaxExtentFlat"}) {
            Path v = dir.resolve(sub + ".vmdk");
            ok("qemu-img", "convert", "-O", "vmdk", "-o", "subformat=" + sub, raw.toString(), v.toString());
            try (BlockDriver d = BlockFormats.open(v, null, OpenOptions.readOnlyOpts())) {
                assertEquals("vmdk", d.formatName());
                assertArrayEquals(content, TestImages.readAll(d), sub);
                assertEquals(sub, d.info().formatSpecific().get("create-type"));
            }
        }
        // qemu-img's monolithicSparse is writable: random writes (in allocated grains and new ones) read back in qemu-img
        Path sparse = dir.resolve("monolithicSparse.vmdk");
        byte[] model = content.clone();
        try (BlockDriver d = BlockFormats.open(sparse, null, OpenOptions.readWrite())) {
            randomWrites(d, model, new Random(9));
        }
        assertEquals(0, QemuTools.run("qemu-img", "check", sparse.toString()).exit());
        Path want = TestImages.writeRaw(dir, "want.raw", model);
        assertEquals(0, QemuTools.run("qemu-img", "compare", want.toString(), sparse.toString()).exit());
    }

    /** 30 random writes of random bytes, applied to the model too. */
    private static void randomWrites(BlockDriver d, byte[] model, Random r) throws Exception {
        for (int i = 0; i < 30; i++) {
            int off = r.nextInt(SIZE - 1), len = 1 + r.nextInt(Math.min(SIZE - off, 100000));
            byte[] b = new byte[len];
            r.nextBytes(b);
            d.write(off, b, 0, len);
            System.arraycopy(b, 0, model, off, len);
        }
    }

    @Test
    void jemuFlatImagesPassQemuCheck() throws Exception {
        QemuTools.assumeQemuImg();
        Path v = dir.resolve("j.vmdk");
        BlockFormats.byName("vmdk").create(v, SIZE, CreateOptions.parse("subformat=monolithicFlat"));
        byte[] model = new byte[SIZE];
        try (BlockDriver d = BlockFormats.open(v, null, OpenOptions.readWrite())) {
            randomWrites(d, model, new Random(5));
        }
        assertEquals(0, QemuTools.run("qemu-img", "check", v.toString()).exit());
        Path flat = dir.resolve("flat.raw");
        ok("qemu-img", "convert", "-O", "raw", v.toString(), flat.toString());
        assertArrayEquals(model, Files.readAllBytes(flat));
        // A descriptor whose extent is missing is a clear error.
        Files.delete(dir.resolve("j-flat.vmdk"));
        BlockException e = assertThrows(BlockException.class, () -> BlockFormats.open(v, null, OpenOptions.readOnlyOpts()));
        assertTrue(e.getMessage().contains("j-flat.vmdk"), e.getMessage());
    }

    @Test
    void mutatedSparseHeadersFailCleanly() throws Exception {
        QemuTools.assumeQemuImg();
        Path raw = TestImages.writeRaw(dir, "src.raw", TestImages.content(8, 1 << 20));
        Path v = dir.resolve("s.vmdk");
        ok("qemu-img", "convert", "-O", "vmdk", raw.toString(), v.toString());
        byte[] orig = Files.readAllBytes(v);
        Random r = new Random(99);
        int errors = 0;
        for (int k = 0; k < 300; k++) {
            byte[] img = orig.clone();
            switch (r.nextInt(4)) {
                case 0 -> img = Arrays.copyOf(img, r.nextInt(img.length));
                case 1 -> Bytes.putInt(img, 4 * r.nextInt(20), r.nextInt(3) == 0 ? -1 : r.nextInt());
                case 2 -> { // a grain directory or grain table entry
                    int at = 512 * (21 + r.nextInt(10)) + 4 * r.nextInt(128);
                    if (at + 4 <= img.length) Bytes.putInt(img, at, r.nextInt(3) == 0 ? -1 : r.nextInt(1 << 16));
                }
                default -> img[r.nextInt(Math.min(img.length, 4096))] ^= (byte) (1 << r.nextInt(8));
            }
            Path p = dir.resolve("m.vmdk");
            Files.write(p, img);
            try (BlockDriver d = BlockFormats.open(p, null, OpenOptions.readOnlyOpts())) {
                if (d.size() <= (64 << 20)) TestImages.readAll(d);
            } catch (BlockException e) {
                assertTrue(!e.getMessage().contains("\n"));
                errors++;
            }
        }
        assertTrue(errors > 10, "some mutations must be refused: " + errors);
    }
}
