package dev.jemu.devices.virtio.blk;

import static org.junit.jupiter.api.Assertions.*;

import dev.jemu.devices.virtio.FakeDriver;
import dev.jemu.devices.virtio.Virtio;
import dev.jemu.devices.virtio.VirtioMmio;
import java.nio.file.Files;
import org.junit.jupiter.api.Test;

class VirtioBlkTest {
    static final long FEATURES = Virtio.bit(Virtio.F_VERSION_1) | Virtio.bit(VirtioBlk.F_FLUSH)
            | Virtio.bit(VirtioBlk.F_DISCARD) | Virtio.bit(VirtioBlk.F_WRITE_ZEROES);
    static final long SEG = FakeDriver.DATA;

    private static int run(FakeDriver d, int type, long sector, int len, boolean deviceWrites) throws Exception {
        d.request(type, sector, SEG, len, deviceWrites);
        d.complete(1);
        return d.status();
    }

    @Test
    void getIdReturnsTheSerial() throws Exception {
        try (FakeDriver d = new FakeDriver(1 << 16, "", "jemu-serial-1")) {
            d.start(FEATURES);
            assertEquals(0, run(d, 8, 0, 20, true));
            byte[] id = new byte[20];
            d.ram.copyOut(SEG - FakeDriver.RAM_BASE, id, 0, 20);
            assertEquals("jemu-serial-1", new String(id, 0, 13));
            assertEquals(0, id[13]);
        }
    }

    @Test
    void errorsAreGuestVisible() throws Exception {
        try (FakeDriver d = new FakeDriver(1 << 16, "", null)) {
            d.start(FEATURES);
            assertEquals(2, run(d, 99, 0, 0, false), "unknown type: UNSUPP");
            assertEquals(1, run(d, 0, 127, 1024, true), "read past the end: IOERR");
            assertEquals(1, run(d, 0, -1L, 512, true), "huge sector: IOERR");
            assertEquals(1, run(d, 1, 0, 100, false), "partial sector: IOERR");
            assertEquals(0, run(d, 0, 127, 512, true), "last sector: OK");
            assertEquals(0, d.reg(VirtioMmio.Status) & Virtio.STATUS_DEVICE_NEEDS_RESET);
        }
    }

    @Test
    void readOnlyDrive() throws Exception {
        try (FakeDriver d = new FakeDriver(1 << 16, ",readonly=on", null)) {
            long f = d.deviceFeatures();
            assertNotEquals(0, f & Virtio.bit(VirtioBlk.F_RO));
            assertEquals(0, f & Virtio.bit(VirtioBlk.F_DISCARD));
            d.start(Virtio.bit(Virtio.F_VERSION_1) | Virtio.bit(VirtioBlk.F_RO));
            byte[] before = Files.readAllBytes(d.disk);
            assertEquals(1, run(d, 1, 0, 512, false));
            assertArrayEquals(before, Files.readAllBytes(d.disk));
            assertEquals(0, run(d, 0, 0, 512, true));
        }
    }

    @Test
    void writeZeroesAndDiscard() throws Exception {
        try (FakeDriver d = new FakeDriver(1 << 16, ",discard=unmap", null)) {
            d.start(FEATURES);
            // one segment: sector 4, 2 sectors, flags 0
            d.ram.writeLong(SEG - FakeDriver.RAM_BASE, 4);
            d.ram.writeInt(SEG - FakeDriver.RAM_BASE + 8, 2);
            d.ram.writeInt(SEG - FakeDriver.RAM_BASE + 12, 0);
            assertEquals(0, run(d, 13, 0, 16, false));
            byte[] file = Files.readAllBytes(d.disk);
            for (int i = 4 * 512; i < 6 * 512; i++) {
                assertEquals(0, file[i], "byte " + i);
            }
            assertNotEquals(0, file[6 * 512 + 1]);
            // discard with the unmap flag is not allowed; a plain discard succeeds
            d.ram.writeInt(SEG - FakeDriver.RAM_BASE + 12, 1);
            assertEquals(2, run(d, 11, 0, 16, false));
            d.ram.writeInt(SEG - FakeDriver.RAM_BASE + 12, 0);
            assertEquals(0, run(d, 11, 0, 16, false));
            // beyond the disk
            d.ram.writeLong(SEG - FakeDriver.RAM_BASE, 127);
            assertEquals(1, run(d, 13, 0, 16, false));
        }
    }

    @Test
    void discardWithoutTheFeatureIsUnsupported() throws Exception {
        try (FakeDriver d = new FakeDriver(1 << 16, "", null)) {
            d.start(Virtio.bit(Virtio.F_VERSION_1));
            d.ram.writeLong(SEG - FakeDriver.RAM_BASE, 0);
            d.ram.writeInt(SEG - FakeDriver.RAM_BASE + 8, 1);
            assertEquals(2, run(d, 11, 0, 16, false));
        }
    }

    @Test
    void resetDropsCompletionsInFlight() throws Exception {
        try (FakeDriver d = new FakeDriver(1 << 16, "", null)) {
            d.start(FEATURES);
            d.request(0, 0, SEG, 512, true);
            d.blk.sync();
            d.reg(VirtioMmio.Status, 0); // reset before the completion runs
            d.complete(1);
            assertEquals(0, d.usedIdx());
            assertEquals(0x7f, d.status());
        }
    }

    /**
     * n requests in one notify, chain k at descriptors 3k..3k+2: header, data of len bytes at
     * data + k * len (split into two descriptors of odd sizes when split is set), status byte.
     */
    private static void requests(FakeDriver d, int n, int type, long firstSector, long data, int len, boolean split) {
        requests(d, n, type, firstSector, data, len, split, false);
    }

    private static void requests(FakeDriver d, int n, int type, long firstSector, long data, int len, boolean split,
            boolean oneBuffer) {
        for (int k = 0; k < n; k++) {
            long hdr = FakeDriver.RAM_BASE + 0x3000 + 32L * k, status = hdr + 16;
            d.ram.writeInt(hdr - FakeDriver.RAM_BASE, type);
            d.ram.writeInt(hdr - FakeDriver.RAM_BASE + 4, 0);
            d.ram.writeLong(hdr - FakeDriver.RAM_BASE + 8, firstSector + (long) k * len / 512);
            d.ram.writeByte(status - FakeDriver.RAM_BASE, (byte) 0x7f);
            int w = type == 0 ? Virtio.VIRTQ_DESC_F_WRITE : 0, next = Virtio.VIRTQ_DESC_F_NEXT;
            long buf = oneBuffer ? data : data + (long) k * len;
            int base = 4 * k;
            d.desc(FakeDriver.DESC, base, hdr, 16, next, base + 1);
            if (split) {
                int a = len / 2 - 77; // segments need not be whole sectors; only the total is
                d.desc(FakeDriver.DESC, base + 1, buf, a, next | w, base + 2);
                d.desc(FakeDriver.DESC, base + 2, buf + a, len - a, next | w, base + 3);
            } else {
                d.desc(FakeDriver.DESC, base + 1, buf, len, next | w, base + 3);
            }
            d.desc(FakeDriver.DESC, base + 3, status, 1, Virtio.VIRTQ_DESC_F_WRITE, 0);
        }
        for (int k = 0; k < n; k++) { // all available before one notify
            d.ram.writeShort(FakeDriver.AVAIL - FakeDriver.RAM_BASE + 4 + 2L * ((d.availIdx() + k) % d.queueSize),
                    (short) (4 * k));
        }
        d.setAvailIdx(d.availIdx() + n);
        d.reg(VirtioMmio.QueueNotify, 0);
    }

    @Test
    void scatterGatherReadsAndWritesMoveTheRightBytes() throws Exception {
        int len = 8192;
        try (FakeDriver d = new FakeDriver(1 << 20, "", null)) {
            d.start(FEATURES);
            byte[] disk = Files.readAllBytes(d.disk);
            requests(d, 3, 0, 10, SEG, len, true);
            d.blk.sync();
            d.drain();
            assertEquals(3, d.usedIdx());
            for (int k = 0; k < 3; k++) {
                assertEquals(len + 1, d.usedLen(k), "used length counts data and status");
                assertEquals(0, d.ram.readByte(0x3000 + 32L * k + 16), "status of request " + k);
            }
            byte[] got = new byte[3 * len];
            d.ram.copyOut(SEG - FakeDriver.RAM_BASE, got, 0, got.length);
            assertArrayEquals(java.util.Arrays.copyOfRange(disk, 10 * 512, 10 * 512 + 3 * len), got);
            // write the same bytes, changed, 100 sectors further on
            for (int i = 0; i < got.length; i++) {
                got[i] = (byte) (got[i] ^ 0x5a ^ i);
            }
            d.ram.load(SEG - FakeDriver.RAM_BASE, got);
            requests(d, 3, 1, 110, SEG, len, true);
            d.blk.sync();
            d.drain();
            assertEquals(6, d.usedIdx());
            assertEquals(1, d.usedLen(3), "a write reports only the status byte");
            byte[] after = Files.readAllBytes(d.disk);
            assertArrayEquals(got, java.util.Arrays.copyOfRange(after, 110 * 512, 110 * 512 + 3 * len));
            assertArrayEquals(java.util.Arrays.copyOfRange(disk, 0, 110 * 512), java.util.Arrays.copyOfRange(after, 0, 110 * 512));
            assertEquals(0, d.guardWrites);
        }
    }

    @Test
    void finishedRequestsCompleteInOneTaskWithOneInterrupt() throws Exception {
        try (FakeDriver d = new FakeDriver(1 << 20, "", null)) {
            d.start(FEATURES);
            requests(d, 4, 0, 0, SEG, 4096, false);
            d.blk.sync(); // all four carried out before the machine thread runs anything
            assertEquals(1, d.posted.size(), "one completion task for the batch");
            assertFalse(d.irq);
            d.complete(1);
            assertEquals(4, d.usedIdx());
            assertTrue(d.irq);
            for (int k = 0; k < 4; k++) {
                assertEquals(4 * k, d.usedId(k), "in order");
            }
            requests(d, 1, 0, 0, SEG, 512, false); // the next one posts again
            d.complete(1);
            assertEquals(5, d.usedIdx());
        }
    }

    @Test
    void resetWaitsUntilNoDmaIsLeft() throws Exception {
        int len = 64 << 10, n = 63;
        try (FakeDriver d = new FakeDriver(8 << 20, "", null)) {
            d.queueSize = 256;
            d.start(FEATURES);
            for (int round = 0; round < 5; round++) {
                d.ram.segment().asSlice(SEG - FakeDriver.RAM_BASE, len).fill((byte) 0);
                // 63 reads of different sectors into one buffer: it changes with each one carried out
                requests(d, n, 0, 0, SEG, len, false, true);
                d.reg(VirtioMmio.Status, 0); // reset with most of them still queued
                byte[] at = new byte[len];
                d.ram.copyOut(SEG - FakeDriver.RAM_BASE, at, 0, at.length);
                Thread.sleep(50);
                d.blk.sync();
                byte[] later = new byte[len];
                d.ram.copyOut(SEG - FakeDriver.RAM_BASE, later, 0, later.length);
                assertArrayEquals(at, later, "guest RAM changed after the reset (round " + round + ")");
                d.drain();
                assertEquals(0, d.usedIdx(), "no completion after the reset");
                d.setAvailIdx(0); // a driver sets its rings up afresh after a reset
                d.start(FEATURES);
            }
        }
    }
}
