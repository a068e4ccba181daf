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
import static org.junit.jupiter.api.Assertions.assertTrue;

/** VDI (dynamic and static) against qemu-img, plus mutated VDI headers and block maps. */
class VdiInteropTest {
    @TempDir
    Path dir;

    private static final int SIZE = (5 << 20) + 4096;

    @Test
    void qemuAndJemuImagesAgree() throws Exception {
        QemuTools.assumeQemuImg();
        byte[] content = TestImages.content(21, SIZE);
        Path raw = TestImages.writeRaw(dir, "src.raw", content);
        for (String opts : new String[]{"static=off", "static=on"}) {
            Path q = dir.resolve("q.vdi");
            ok("qemu-img", "convert", "-O", "vdi", "-o", opts, raw.toString(), q.toString());
            try (BlockDriver d = BlockFormats.open(q, null, OpenOptions.readOnlyOpts())) {
                assertEquals("vdi", d.formatName());
                assertArrayEquals(content, TestImages.readAll(d), opts);
            }
            // jemu creates and writes; qemu checks and reads.
            Path j = dir.resolve("j.vdi");
            BlockFormats.byName("vdi").create(j, SIZE, CreateOptions.parse(opts));
            byte[] model = new byte[SIZE];
            Random r = new Random(opts.hashCode());
            try (BlockDriver d = BlockFormats.open(j, "vdi", OpenOptions.readWrite())) {
                for (int i = 0; i < 50; i++) {
                    int off = r.nextInt(SIZE - 1), len = 1 + r.nextInt(Math.min(SIZE - off, 300000));
                    byte[] b = new byte[len];
                    r.nextBytes(b);
                    if (i % 5 == 0) {
                        d.writeZeroes(off, len);
                        Arrays.fill(model, off, off + len, (byte) 0);
                    } else {
                        d.write(off, b, 0, len);
                        System.arraycopy(b, 0, model, off, len);
                    }
                }
                assertArrayEquals(model, TestImages.readAll(d));
            }
            QemuTools.Result chk = QemuTools.run("qemu-img", "check", j.toString());
            assertEquals(0, chk.exit(), chk.out());
            Path flat = dir.resolve("flat.raw");
            ok("qemu-img", "convert", "-O", "raw", j.toString(), flat.toString());
            assertArrayEquals(model, Files.readAllBytes(flat));
        }
    }

    @Test
    void checkAgreesWithQemu() throws Exception {
        QemuTools.assumeQemuImg();
        Path v = dir.resolve("c.vdi");
        BlockFormats.byName("vdi").create(v, 3 << 20, new CreateOptions());
        try (BlockDriver d = BlockFormats.open(v, "vdi", OpenOptions.readWrite())) {
            d.write(0, new byte[]{1}, 0, 1);
        }
        try (BlockDriver d = BlockFormats.open(v, "vdi", OpenOptions.readOnlyOpts())) {
            assertEquals(0, d.check(RepairMode.NONE).corruptions());
        }
        assertEquals(0, QemuTools.run("qemu-img", "check", v.toString()).exit());
        byte[] img = Files.readAllBytes(v);
        img[512 + 4] = 0; // block 1 now maps to the data of block 0 as well
        img[512 + 5] = 0;
        img[512 + 6] = 0;
        img[512 + 7] = 0;
        Files.write(v, img);
        try (BlockDriver d = BlockFormats.open(v, "vdi", OpenOptions.readOnlyOpts())) {
            assertEquals(2, d.check(RepairMode.NONE).corruptions());
        }
        assertEquals(2, QemuTools.run("qemu-img", "check", v.toString()).exit());
    }

    @Test
    void mutatedVdiImagesFailCleanly() throws Exception {
        Path base = dir.resolve("base.vdi");
        BlockFormats.byName("vdi").create(base, 3 << 20, new CreateOptions());
        try (BlockDriver d = BlockFormats.open(base, "vdi", OpenOptions.readWrite())) {
            byte[] c = TestImages.content(1, 3 << 20);
            d.write(0, c, 0, c.length);
        }
        byte[] orig = Files.readAllBytes(base);
        Random r = new Random(4242);
        int errors = 0;
        for (int k = 0; k < 300; k++) {
            byte[] img = orig.clone();
            int what = r.nextInt(4);
            if (what == 0) img = Arrays.copyOf(img, r.nextInt(img.length));
            else if (what == 1) Bytes.putInt(img, 0x140 + 4 * r.nextInt(32), r.nextInt(4) == 0 ? -1 : r.nextInt());
            else if (what == 2) Bytes.putInt(img, 512 + 4 * r.nextInt(3), r.nextInt(8) - 4);
            else img[r.nextInt(1024)] ^= (byte) (1 << r.nextInt(8));
            Path p = dir.resolve("m.vdi");
            Files.write(p, img);
            try (BlockDriver d = BlockFormats.open(p, null, OpenOptions.readWrite())) {
                TestImages.readAll(d);
                byte[] b = new byte[70000];
                d.write(r.nextLong(d.size() - b.length), b, 1, b.length - 1);
            } catch (BlockException e) {
                assertTrue(!e.getMessage().contains("\n"));
                errors++;
            }
            assertTrue(Files.size(p) <= img.length + (2L << 20), "write outside the image");
        }
        assertTrue(errors > 10, "some mutations must be refused: " + errors);
    }
}
