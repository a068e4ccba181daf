package dev.jemu.devices.block;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;

import static dev.jemu.devices.block.QemuTools.ok;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The memory-segment entry points of the drivers ({@code read/write(long, MemorySegment)}, used with native
 * buffers by virtio-blk and convert) give exactly what the byte-array ones give, on every kind of cluster.
 */
class SegmentIoTest {
    @TempDir
    Path dir;

    private static final int SIZE = 3 << 20;

    /** raw, qcow2 (plain, compressed, zero and backing-file clusters) and vmdk (the default bounce path). */
    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"raw", "qcow2-plain", "qcow2-compressed", "qcow2-overlay", "vmdk"})
    void segmentReadsEqualArrayReads(String kind) throws Exception {
        QemuTools.assumeQemuImg();
        byte[] content = TestImages.content(11, SIZE);
        Path raw = TestImages.writeRaw(dir, "src.raw", content);
        Path img = switch (kind) {
            case "raw" -> raw;
            case "qcow2-plain" -> convert(raw, "qcow2", "cluster_size=4096");
            case "qcow2-compressed" -> {
                Path q = dir.resolve("c.qcow2");
                ok("qemu-img", "convert", "-c", "-f", "raw", "-O", "qcow2", "-o", "cluster_size=4096", raw.toString(), q.toString());
                yield q;
            }
            case "qcow2-overlay" -> overlay(raw, content);
            default -> convert(raw, "vmdk", "subformat=monolithicSparse");
        };
        String fmt = kind.startsWith("qcow2") ? "qcow2" : kind;
        Random r = new Random(5);
        try (BlockDriver d = BlockFormats.open(img, fmt, OpenOptions.readOnlyOpts()); Arena a = Arena.ofConfined()) {
            for (int i = 0; i < 300; i++) {
                int len = i % 3 == 0 ? 1 + r.nextInt(300_000) : 512 * (1 + r.nextInt(600));
                int off = r.nextInt(SIZE - len + 1);
                byte[] want = new byte[len];
                d.read(off, want, 0, len);
                MemorySegment seg = a.allocate(len);
                seg.fill((byte) 0x5a); // stale bytes must all be overwritten
                d.read(off, seg);
                assertArrayEquals(want, seg.toArray(ValueLayout.JAVA_BYTE), kind + " read at " + off + " + " + len);
            }
            byte[] all = new byte[SIZE];
            d.read(0, MemorySegment.ofArray(all));
            assertArrayEquals(kind.equals("qcow2-overlay") ? overlayContent(content) : content, all, kind);
        }
    }

    /** The same writes through byte arrays and through native segments give images that qemu sees as equal. */
    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"raw", "qcow2", "qcow2-overlay"})
    void segmentWritesEqualArrayWrites(String kind) throws Exception {
        QemuTools.assumeQemuImg();
        byte[] content = TestImages.content(12, SIZE);
        Path raw = TestImages.writeRaw(dir, "base.raw", content);
        Path[] imgs = new Path[2];
        for (int k = 0; k < 2; k++) {
            imgs[k] = dir.resolve("w" + k + "." + (kind.equals("raw") ? "raw" : "qcow2"));
            switch (kind) {
                case "raw" -> Files.copy(raw, imgs[k]);
                case "qcow2" -> ok("qemu-img", "create", "-q", "-f", "qcow2", "-o", "cluster_size=4096", imgs[k].toString(), String.valueOf(SIZE));
                default -> ok("qemu-img", "create", "-q", "-f", "qcow2", "-o", "cluster_size=4096", "-b", raw.toString(), "-F", "raw", imgs[k].toString());
            }
        }
        String fmt = kind.equals("raw") ? "raw" : "qcow2";
        byte[] model = kind.equals("qcow2") ? new byte[SIZE] : content.clone();
        for (int k = 0; k < 2; k++) {
            Random r = new Random(9);
            try (BlockDriver d = BlockFormats.open(imgs[k], fmt, OpenOptions.readWrite()); Arena a = Arena.ofConfined()) {
                for (int i = 0; i < 200; i++) {
                    int len = 1 + r.nextInt(i % 4 == 0 ? 200_000 : 9000);
                    int off = r.nextInt(SIZE - len + 1);
                    byte[] b = new byte[len];
                    r.nextBytes(b);
                    if (k == 0) {
                        d.write(off, b, 0, len);
                        System.arraycopy(b, 0, model, off, len);
                    } else {
                        d.write(off, a.allocate(len).copyFrom(MemorySegment.ofArray(b)));
                    }
                }
                assertArrayEquals(model, TestImages.readAll(d), kind + " image " + k);
            }
        }
        ok("qemu-img", "compare", "-f", fmt, "-F", fmt, imgs[0].toString(), imgs[1].toString());
        if (!kind.equals("raw")) {
            for (Path p : imgs) ok("qemu-img", "check", p.toString());
        }
    }

    @Test
    void isZeroFindsEveryNonZeroByte() {
        byte[] b = new byte[200_000];
        assertTrue(Bytes.isZero(b, 0, b.length));
        assertTrue(Bytes.isZero(MemorySegment.ofArray(b)));
        for (int pos : new int[]{0, 1, 7, 8, 63, 64, 65535, 65536, 65537, 131071, 199_999}) {
            b[pos] = (byte) 0x80;
            assertFalse(Bytes.isZero(b, 0, b.length), "byte " + pos);
            assertFalse(Bytes.isZero(MemorySegment.ofArray(b).asSlice(pos)), "from byte " + pos);
            assertTrue(Bytes.isZero(b, pos + 1, b.length - pos - 1), "after byte " + pos);
            assertTrue(Bytes.isZero(b, 0, pos), "before byte " + pos);
            b[pos] = 0;
        }
        assertTrue(Bytes.isZero(b, 5, 0));
    }

    @Test
    void cachedFileSizeFollowsOurWritesAndTruncates() throws Exception {
        Path p = dir.resolve("f.img");
        try (ImageFile f = ImageFile.create(p)) {
            assertEquals(0, f.size());
            f.write(4096, new byte[100], 0, 100);
            assertEquals(4196, f.size());
            f.write(10, new byte[10], 0, 10);
            assertEquals(4196, f.size());
            f.truncate(1000);
            assertEquals(1000, f.size());
            f.truncate(1 << 20);
            assertEquals(1 << 20, f.size());
            try (Arena a = Arena.ofConfined()) {
                f.write((1 << 20) + 5, a.allocate(3));
            }
            assertEquals((1 << 20) + 8, f.size());
            assertEquals(Files.size(p), f.size());
        }
    }

    private Path convert(Path raw, String fmt, String opts) throws Exception {
        Path p = dir.resolve("img." + fmt);
        ok("qemu-img", "convert", "-f", "raw", "-O", fmt, "-o", opts, raw.toString(), p.toString());
        return p;
    }

    /** A qcow2 over a raw backing file with its own data, zero and compressed clusters (see overlayContent). */
    private Path overlay(Path raw, byte[] content) throws Exception {
        org.junit.jupiter.api.Assumptions.assumeTrue(QemuTools.has("qemu-io"));
        Path q = dir.resolve("top.qcow2");
        ok("qemu-img", "create", "-q", "-f", "qcow2", "-o", "cluster_size=4096", "-b", raw.toString(), "-F", "raw", q.toString());
        ok("qemu-io", "-c", "write -P 0x33 8k 20k", "-c", "write -z 100k 64k", "-c", "write -P 0x44 1M 6000",
                "-c", "write -c -P 0x55 2M 4k", q.toString());
        return q;
    }

    private static byte[] overlayContent(byte[] content) {
        byte[] b = content.clone();
        java.util.Arrays.fill(b, 8 << 10, 28 << 10, (byte) 0x33);
        java.util.Arrays.fill(b, 100 << 10, 164 << 10, (byte) 0);
        java.util.Arrays.fill(b, 1 << 20, (1 << 20) + 6000, (byte) 0x44);
        java.util.Arrays.fill(b, 2 << 20, (2 << 20) + 4096, (byte) 0x55);
        return b;
    }

    @Test
    void forceSyncsOnlyAfterWrites() throws Exception {
        Path p = dir.resolve("s.img");
        try (ImageFile f = ImageFile.create(p)) {
            f.write(0, new byte[10], 0, 10);
            assertTrue(f.unsynced());
            f.force();
            assertFalse(f.unsynced(), "synced");
            f.force(); // nothing written since: no fdatasync
            assertFalse(f.unsynced());
            try (Arena a = Arena.ofConfined()) {
                f.write(100, a.allocate(4));
            }
            assertTrue(f.unsynced(), "a segment write needs a sync again");
            f.force();
            f.truncate(4096);
            assertTrue(f.unsynced(), "so does a resize");
        }
    }

    /** A sparse raw file: its holes are ZERO (with their host offset, as qemu-img map says), the rest DATA. */
    @Test
    void rawHolesAreZero() throws Exception {
        Path p = dir.resolve("sparse.raw");
        try (var f = new java.io.RandomAccessFile(p.toFile(), "rw")) {
            f.setLength(4 << 20); // a hole
            f.seek(1 << 20);
            f.write(new byte[]{1, 2, 3});
        }
        try (BlockDriver d = BlockFormats.open(p, "raw", OpenOptions.readOnlyOpts())) {
            BlockStatus first = d.status(0, 4 << 20);
            org.junit.jupiter.api.Assumptions.assumeTrue(first.kind() == BlockStatus.Kind.ZERO,
                    "the file system (or native access) cannot report holes");
            assertEquals(new BlockStatus(0, 1 << 20, BlockStatus.Kind.ZERO, 0), first);
            BlockStatus data = d.status(1 << 20, 3 << 20);
            assertEquals(BlockStatus.Kind.DATA, data.kind());
            assertEquals(1 << 20, data.hostOffset());
            assertTrue(data.length() >= 3 && data.length() <= 64 << 10, "one file system block: " + data);
            long after = (1 << 20) + data.length();
            assertEquals(new BlockStatus(after, (4 << 20) - after, BlockStatus.Kind.ZERO, after), d.status(after, (4 << 20) - after));
            assertEquals(new BlockStatus(4096, 8192, BlockStatus.Kind.ZERO, 4096), d.status(4096, 8192), "clipped to the range asked");
            byte[] b = new byte[4];
            d.read((1 << 20) - 1, b, 0, 4);
            assertArrayEquals(new byte[]{0, 1, 2, 3}, b);
        }
    }
}
