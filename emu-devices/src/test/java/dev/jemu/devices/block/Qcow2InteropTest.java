package dev.jemu.devices.block;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Random;

import static dev.jemu.devices.block.QemuTools.ok;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** qcow2 images written by qemu are read by jemu, and images written by jemu pass qemu-img check. */
class Qcow2InteropTest {
    @TempDir
    Path dir;

    private static final int SIZE = 3 << 20;

    @ParameterizedTest(name = "cluster {0} compat {1}")
    @CsvSource({"512,0.10", "512,1.1", "4096,1.1", "65536,0.10", "65536,1.1", "2097152,1.1"})
    void qemuWrittenImagesReadBack(int cs, String compat) throws Exception {
        QemuTools.assumeQemuImg();
        byte[] content = TestImages.content(cs, SIZE);
        Path raw = TestImages.writeRaw(dir, "src.raw", content);
        for (boolean compressed : new boolean[]{false, true}) {
            Path q = dir.resolve("q" + compressed + ".qcow2");
            if (compressed) ok("qemu-img", "convert", "-c", "-f", "raw", "-O", "qcow2", "-o", "cluster_size=" + cs + ",compat=" + compat, raw.toString(), q.toString());
            else ok("qemu-img", "convert", "-f", "raw", "-O", "qcow2", "-o", "cluster_size=" + cs + ",compat=" + compat, raw.toString(), q.toString());
            try (BlockDriver d = BlockFormats.open(q, null, OpenOptions.readOnlyOpts())) {
                assertEquals("qcow2", d.formatName());
                assertEquals(SIZE, d.size());
                assertArrayEquals(content, TestImages.readAll(d), "content of " + q + " compressed=" + compressed);
            }
        }
    }

    @Test
    void qemuIoPatternsAndZeroClusters() throws Exception {
        QemuTools.assumeQemuImg();
        org.junit.jupiter.api.Assumptions.assumeTrue(QemuTools.has("qemu-io"));
        Path q = dir.resolve("io.qcow2");
        ok("qemu-img", "create", "-f", "qcow2", q.toString(), "4M");
        ok("qemu-io", "-c", "write -P 0xab 0 64k", "-c", "write -P 0xcd 100k 3k", "-c", "write -z 64k 64k",
                "-c", "write -P 0x11 1M 128k", "-c", "write -z 1056k 32k", q.toString());
        byte[] want = new byte[4 << 20];
        Arrays.fill(want, 0, 65536, (byte) 0xab);
        Arrays.fill(want, 100 * 1024, 103 * 1024, (byte) 0xcd);
        Arrays.fill(want, 65536, 131072, (byte) 0);
        Arrays.fill(want, 1 << 20, (1 << 20) + 131072, (byte) 0x11);
        Arrays.fill(want, 1056 * 1024, 1088 * 1024, (byte) 0);
        try (BlockDriver d = BlockFormats.open(q, "qcow2", OpenOptions.readOnlyOpts())) {
            assertArrayEquals(want, TestImages.readAll(d));
            assertEquals(BlockStatus.Kind.ZERO, d.status(65536, 65536).kind());
        }
    }

    @Test
    void backingChainWithRelativePaths() throws Exception {
        QemuTools.assumeQemuImg();
        Path sub = Files.createDirectories(dir.resolve("images"));
        byte[] content = TestImages.content(7, SIZE);
        Path raw = TestImages.writeRaw(sub, "base.raw", content);
        ok("qemu-img", "convert", "-f", "raw", "-O", "qcow2", "-o", "cluster_size=4096", raw.toString(), sub.resolve("base.qcow2").toString());
        ok("qemu-img", "create", "-f", "qcow2", "-b", "base.qcow2", "-F", "qcow2", sub.resolve("mid.qcow2").toString());
        ok("qemu-img", "create", "-f", "qcow2", "-b", "mid.qcow2", "-F", "qcow2", "-o", "compat=0.10", sub.resolve("top.qcow2").toString());
        // jemu writes into the middle and top layers; qemu must see the same flattened content.
        Random r = new Random(3);
        for (String layer : new String[]{"mid.qcow2", "top.qcow2"}) {
            try (BlockDriver d = BlockFormats.open(sub.resolve(layer), "qcow2", OpenOptions.readWrite())) {
                for (int i = 0; i < 40; i++) {
                    int off = r.nextInt(SIZE - 20000), len = 1 + r.nextInt(20000);
                    byte[] b = new byte[len];
                    r.nextBytes(b);
                    d.write(off, b, 0, len);
                    System.arraycopy(b, 0, content, off, len);
                }
                d.writeZeroes(65536, 200000);
                Arrays.fill(content, 65536, 65536 + 200000, (byte) 0);
            }
        }
        // Opened from another working directory: relative names resolve against the image's directory.
        try (BlockDriver d = BlockFormats.open(sub.resolve("top.qcow2"), null, OpenOptions.readOnlyOpts())) {
            assertArrayEquals(content, TestImages.readAll(d));
            assertTrue(d.info().fullBackingFilename().endsWith("images/mid.qcow2"));
        }
        Path flat = dir.resolve("flat.raw");
        ok("qemu-img", "convert", "-O", "raw", sub.resolve("top.qcow2").toString(), flat.toString());
        assertArrayEquals(content, Files.readAllBytes(flat));
        for (String layer : new String[]{"mid.qcow2", "top.qcow2"}) ok("qemu-img", "check", sub.resolve(layer).toString());
    }

    @ParameterizedTest(name = "cluster {0} compat {1} refcount_bits {2} writeback {3}")
    @CsvSource({"512,0.10,16,false", "512,1.1,1,false", "4096,1.1,8,false", "65536,1.1,16,false", "65536,1.1,64,false",
            "65536,0.10,16,false", "2097152,1.1,16,false", "512,0.10,16,true", "4096,1.1,4,true", "65536,1.1,16,true",
            "2097152,1.1,16,true"})
    void jemuWritesPassQemuCheck(int cs, String compat, int refBits, boolean writeback) throws Exception {
        QemuTools.assumeQemuImg();
        Path q = dir.resolve("j.qcow2");
        new dev.jemu.devices.block.qcow2.Qcow2Format().create(q, SIZE,
                CreateOptions.parse("cluster_size=" + cs + ",compat=" + compat + ",refcount_bits=" + refBits));
        ok("qemu-img", "check", q.toString());
        byte[] model = new byte[SIZE];
        Random r = new Random(cs ^ refBits);
        try (BlockDriver d = BlockFormats.open(q, "qcow2", OpenOptions.readWrite().withWriteback(writeback))) {
            for (int i = 0; i < 120; i++) {
                if (writeback && i % 40 == 39) d.flush();
                int op = r.nextInt(10);
                int off = r.nextInt(SIZE - 1), len = 1 + r.nextInt(Math.min(SIZE - off, 3 * cs + 5000));
                if (op < 7) {
                    byte[] b = new byte[len];
                    r.nextBytes(b);
                    if (op == 6) Arrays.fill(b, (byte) 0x5a);
                    d.write(off, b, 0, len);
                    System.arraycopy(b, 0, model, off, len);
                } else if (op < 9) {
                    d.writeZeroes(off, len);
                    Arrays.fill(model, off, off + len, (byte) 0);
                } else {
                    d.discard(off, len); // whole clusters become zero, partial ones stay
                    long a = Math.ceilDiv(off, cs) * (long) cs, e = (off + len) == SIZE ? SIZE : (off + len) / cs * (long) cs;
                    if (a < e) Arrays.fill(model, (int) a, (int) e, (byte) 0);
                }
            }
            assertArrayEquals(model, TestImages.readAll(d));
        }
        QemuTools.Result chk = QemuTools.run("qemu-img", "check", q.toString());
        assertEquals(0, chk.exit(), chk.out());
        Path flat = dir.resolve("flat.raw");
        ok("qemu-img", "convert", "-O", "raw", q.toString(), flat.toString());
        assertArrayEquals(model, Files.readAllBytes(flat));
    }

    @Test
    void refcountTableAndL1Growth() throws Exception {
        QemuTools.assumeQemuImg();
        Path q = dir.resolve("grow.qcow2");
        // 512-byte clusters, 1-bit refcounts: one refcount block covers 4096 clusters (2 MiB), the initial
        // table 64 blocks; writing 40 MiB forces new blocks and a larger refcount table.
        new dev.jemu.devices.block.qcow2.Qcow2Format().create(q, 1 << 20, CreateOptions.parse("cluster_size=512,refcount_bits=1"));
        long big = 48L << 20;
        try (BlockDriver d = BlockFormats.open(q, "qcow2", OpenOptions.readWrite().withBarriers(false).withWriteback(true))) {
            d.resize(big, false); // the L1 table must grow
            byte[] b = new byte[1 << 20];
            for (int mb = 0; mb < 40; mb++) {
                Arrays.fill(b, (byte) (mb + 1));
                d.write((long) mb << 20, b, 0, b.length);
            }
            d.write(big - 512, b, 0, 512);
        }
        QemuTools.Result chk = QemuTools.run("qemu-img", "check", q.toString());
        assertEquals(0, chk.exit(), chk.out());
        try (BlockDriver d = BlockFormats.open(q, "qcow2", OpenOptions.readOnlyOpts())) {
            assertEquals(big, d.size());
            byte[] b = new byte[512];
            d.read(39L << 20, b, 0, 512);
            assertEquals(40, b[0]);
            d.read(big - 512, b, 0, 512);
            assertEquals(40, b[511]);
        }
        String info = ok("qemu-img", "info", "--output=json", q.toString());
        assertTrue(info.contains("\"virtual-size\": " + big), info);
    }

    @ParameterizedTest(name = "writeback {0}")
    @CsvSource({"false", "true"})
    void snapshotsInteroperate(boolean writeback) throws Exception {
        QemuTools.assumeQemuImg();
        Path q = dir.resolve("snap.qcow2");
        new dev.jemu.devices.block.qcow2.Qcow2Format().create(q, SIZE, CreateOptions.parse("cluster_size=4096"));
        byte[] v1 = TestImages.content(11, SIZE);
        try (BlockDriver d = BlockFormats.open(q, "qcow2", OpenOptions.readWrite().withWriteback(writeback))) {
            d.write(0, v1, 0, SIZE);
            d.snapshotCreate("before");
            byte[] x = new byte[10000];
            Arrays.fill(x, (byte) 0x77);
            d.write(5000, x, 0, x.length);
            d.writeZeroes(1 << 20, 1 << 20);
        }
        assertEquals(0, QemuTools.run("qemu-img", "check", q.toString()).exit());
        assertTrue(ok("qemu-img", "snapshot", "-l", q.toString()).contains("before"));
        ok("qemu-img", "snapshot", "-c", "qemu-made", q.toString());
        try (BlockDriver d = BlockFormats.open(q, "qcow2", OpenOptions.readWrite().withWriteback(writeback))) {
            assertEquals(2, d.snapshots().size());
            assertEquals("qemu-made", d.snapshots().get(1).name());
            d.snapshotApply("before");
            assertArrayEquals(v1, TestImages.readAll(d));
            d.snapshotDelete("qemu-made");
        }
        QemuTools.Result chk = QemuTools.run("qemu-img", "check", q.toString());
        assertEquals(0, chk.exit(), chk.out());
        Path flat = dir.resolve("flat.raw");
        ok("qemu-img", "convert", "-O", "raw", q.toString(), flat.toString());
        assertArrayEquals(v1, Files.readAllBytes(flat));
        try (BlockDriver d = BlockFormats.open(q, "qcow2", OpenOptions.readWrite())) {
            d.snapshotDelete("before");
            assertEquals(0, d.snapshots().size());
        }
        chk = QemuTools.run("qemu-img", "check", q.toString());
        assertEquals(0, chk.exit(), chk.out());
    }

    @ParameterizedTest(name = "cluster {0}")
    @CsvSource({"512", "65536"})
    void jemuOverwritesQemuCompressedImagesWithSnapshots(int cs) throws Exception {
        QemuTools.assumeQemuImg();
        byte[] model = TestImages.content(cs + 1, SIZE);
        Path raw = TestImages.writeRaw(dir, "src.raw", model);
        Path q = dir.resolve("qc.qcow2");
        ok("qemu-img", "convert", "-c", "-f", "raw", "-O", "qcow2", "-o", "cluster_size=" + cs, raw.toString(), q.toString());
        ok("qemu-img", "snapshot", "-c", "base", q.toString());
        byte[] atSnapshot = model.clone();
        Random r = new Random(cs);
        try (BlockDriver d = BlockFormats.open(q, "qcow2", OpenOptions.readWrite())) {
            for (int i = 0; i < 60; i++) {
                int off = r.nextInt(SIZE - 1), len = 1 + r.nextInt(Math.min(SIZE - off, 2 * cs + 3000));
                byte[] b = new byte[len];
                r.nextBytes(b);
                d.write(off, b, 0, len);
                System.arraycopy(b, 0, model, off, len);
            }
            d.writeZeroes(0, 3 * cs);
            Arrays.fill(model, 0, 3 * cs, (byte) 0);
            assertArrayEquals(model, TestImages.readAll(d));
        }
        QemuTools.Result chk = QemuTools.run("qemu-img", "check", q.toString());
        assertEquals(0, chk.exit(), chk.out());
        Path flat = dir.resolve("flat.raw");
        ok("qemu-img", "convert", "-O", "raw", q.toString(), flat.toString());
        assertArrayEquals(model, Files.readAllBytes(flat));
        ok("qemu-img", "snapshot", "-a", "base", q.toString());
        try (BlockDriver d = BlockFormats.open(q, "qcow2", OpenOptions.readOnlyOpts())) {
            assertArrayEquals(atSnapshot, TestImages.readAll(d));
        }
    }

    @Test
    void lazyRefcountsDirtyImageIsRepairedOnOpen() throws Exception {
        QemuTools.assumeQemuImg();
        Path q = dir.resolve("lazy.qcow2");
        new dev.jemu.devices.block.qcow2.Qcow2Format().create(q, SIZE, CreateOptions.parse("lazy_refcounts=on"));
        BlockDriver d = BlockFormats.open(q, "qcow2", OpenOptions.readWrite());
        byte[] b = new byte[200000];
        Arrays.fill(b, (byte) 9);
        d.write(12345, b, 0, b.length);
        d.flush(); // no close: as if the process died
        try (BlockDriver ro = BlockFormats.open(q, "qcow2", OpenOptions.readOnlyOpts())) {
            assertTrue(ro.info().dirty(), "dirty bit set while in use");
        }
        try (BlockDriver rw = BlockFormats.open(q, "qcow2", OpenOptions.readWrite())) {
            assertTrue(!rw.info().dirty());
        }
        d = null;
        QemuTools.Result chk = QemuTools.run("qemu-img", "check", q.toString());
        assertEquals(0, chk.exit(), chk.out());
        assertTrue(ok("qemu-img", "info", q.toString()).contains("lazy refcounts: true"));
    }

    @Test
    void corruptAndUnsupportedImagesAreRefused() throws Exception {
        Path q = dir.resolve("c.qcow2");
        new dev.jemu.devices.block.qcow2.Qcow2Format().create(q, SIZE, new CreateOptions());
        byte[] img = Files.readAllBytes(q);
        img[79] |= 2; // corrupt bit
        Files.write(q, img);
        BlockException e = assertThrows(BlockException.class, () -> BlockFormats.open(q, null, OpenOptions.readWrite()));
        assertTrue(e.getMessage().contains("corrupt"), e.getMessage());
        try (BlockDriver d = BlockFormats.open(q, null, OpenOptions.readOnlyOpts())) {
            assertEquals(SIZE, d.size());
        }
        img[79] = 0x10; // extended L2
        Files.write(q, img);
        e = assertThrows(BlockException.class, () -> BlockFormats.open(q, null, OpenOptions.readOnlyOpts()));
        assertTrue(e.getMessage().contains("extended L2"), e.getMessage());
        img[79] = 0;
        img[7] = 4; // version 4
        Files.write(q, img);
        e = assertThrows(BlockException.class, () -> BlockFormats.open(q, null, OpenOptions.readOnlyOpts()));
        assertTrue(e.getMessage().contains("version 4"), e.getMessage());
    }

    @Test
    void probedRawGuardsSectorZero() throws Exception {
        Path p = dir.resolve("disk.img");
        Files.write(p, new byte[1 << 20]);
        byte[] hdr = new byte[512];
        hdr[0] = 'Q';
        hdr[1] = 'F';
        hdr[2] = 'I';
        hdr[3] = (byte) 0xfb;
        hdr[7] = 3;
        try (BlockDriver d = BlockFormats.open(p, null, OpenOptions.readWrite())) {
            assertEquals("raw", d.formatName());
            BlockException e = assertThrows(BlockException.class, () -> d.write(0, hdr, 0, 512));
            assertTrue(e.getMessage().contains("qcow2"), e.getMessage());
            d.write(0, hdr, 4, 100); // harmless partial writes still work
            d.write(512, hdr, 0, 512); // other sectors are not guarded
        }
        try (BlockDriver d = BlockFormats.open(p, "raw", OpenOptions.readWrite())) {
            d.write(0, hdr, 0, 512); // an explicit format may write anything
        }
        assertEquals("qcow2", BlockFormats.probe(p).name());
    }
}
