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
}
