package dev.jemu.devices.block;

import static dev.jemu.devices.block.QemuTools.ok;
import static org.junit.jupiter.api.Assertions.*;

import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * What another process (qemu-img) sees of a qcow2 drive's writes, per cache mode: with a volatile write
 * cache (writeback, none, unsafe) new clusters become visible, and the image stays clean, at the guest's
 * flush; in the write-through modes at once.
 */
class DriveCacheTest {
    @TempDir
    Path dir;

    @ParameterizedTest(name = "cache={0}")
    @CsvSource({"writeback,false", "none,false", "unsafe,false", "writethrough,true", "directsync,true"})
    void newClustersReachTheFileAtTheFlushOrAtOnce(String cache, boolean atOnce) throws Exception {
        QemuTools.assumeQemuImg();
        Path q = dir.resolve("d.qcow2");
        ok("qemu-img", "create", "-q", "-f", "qcow2", q.toString(), "8M");
        byte[] data = new byte[3 << 16];
        Arrays.fill(data, (byte) 0x6b);
        Path want = dir.resolve("want.raw");
        java.nio.file.Files.write(want, new byte[8 << 20]);
        Drive d = Drive.open(DriveOptions.parse("file=" + q + ",format=qcow2,cache=" + cache), false);
        try {
            d.write(1 << 20, data, 0, data.length);
            // before the flush: qemu-img sees the new data only in the write-through modes
            boolean seen = QemuTools.run("qemu-img", "compare", "-U", "-f", "raw", "-F", "qcow2", want.toString(), q.toString()).exit() != 0;
            assertEquals(atOnce, seen, "data visible before the guest flush");
            if (atOnce) {
                ok("qemu-img", "check", "-U", q.toString());
            }
            d.flush();
            try (var f = new java.io.RandomAccessFile(want.toFile(), "rw")) {
                f.seek(1 << 20);
                f.write(data);
            }
            if (!cache.equals("unsafe")) { // unsafe ignores the guest's flush: only closing writes the metadata
                ok("qemu-img", "compare", "-U", "-f", "raw", "-F", "qcow2", want.toString(), q.toString());
                ok("qemu-img", "check", "-U", q.toString());
            }
        } finally {
            d.close();
        }
        ok("qemu-img", "compare", "-f", "raw", "-F", "qcow2", want.toString(), q.toString());
        ok("qemu-img", "check", q.toString());
    }

    /** A jemu ended by a signal: the exit hook writes what a writeback drive still holds in memory. */
    @org.junit.jupiter.api.Test
    void theExitHookWritesPendingMetadata() throws Exception {
        QemuTools.assumeQemuImg();
        Path q = dir.resolve("e.qcow2");
        ok("qemu-img", "create", "-q", "-f", "qcow2", q.toString(), "4M");
        Path want = dir.resolve("e.raw");
        byte[] all = new byte[4 << 20];
        Arrays.fill(all, 4096, 4096 + 70000, (byte) 0x3c);
        java.nio.file.Files.write(want, all);
        Drive d = Drive.open(DriveOptions.parse("file=" + q + ",format=qcow2"), false);
        Drive ro = Drive.open(DriveOptions.parse("file=" + want + ",format=raw,readonly=on"), false);
        try {
            assertTrue(d.flushedAtExit());
            assertFalse(ro.flushedAtExit(), "nothing to flush on a read-only drive");
            d.write(4096, all, 4096, 70000);
            assertNotEquals(0, QemuTools.run("qemu-img", "compare", "-U", "-f", "raw", "-F", "qcow2", want.toString(), q.toString()).exit(),
                    "still in memory");
            Drive.flushAllAtExit();
            ok("qemu-img", "compare", "-U", "-f", "raw", "-F", "qcow2", want.toString(), q.toString());
            ok("qemu-img", "check", "-U", q.toString());
        } finally {
            d.close();
            ro.close();
        }
        assertFalse(d.flushedAtExit(), "a closed drive leaves the list");
    }
}
