package dev.jemu.devices.virtio;

import static dev.jemu.devices.virtio.VirtioMmio.*;
import static org.junit.jupiter.api.Assertions.*;

import dev.jemu.core.memory.AddressSpace;
import dev.jemu.core.state.StateRecord;
import dev.jemu.devices.virtio.blk.VirtioBlk;
import java.nio.file.Files;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

class VirtioMmioTransportTest {
    static final long ALL = Virtio.bit(Virtio.F_VERSION_1) | Virtio.bit(Virtio.F_EVENT_IDX)
            | Virtio.bit(Virtio.F_INDIRECT_DESC) | Virtio.bit(VirtioBlk.F_FLUSH) | Virtio.bit(VirtioBlk.F_SEG_MAX)
            | Virtio.bit(VirtioBlk.F_BLK_SIZE) | Virtio.bit(VirtioBlk.F_DISCARD) | Virtio.bit(VirtioBlk.F_WRITE_ZEROES);

    @Test
    void headerAndFeatureNegotiation() throws Exception {
        try (FakeDriver d = new FakeDriver(1 << 16, "", null)) {
            assertEquals(MAGIC, d.reg(MagicValue));
            assertEquals(2, d.reg(Version));
            assertEquals(Virtio.ID_BLOCK, d.reg(DeviceID));
            long f = d.deviceFeatures();
            assertTrue((f & Virtio.bit(Virtio.F_VERSION_1)) != 0);
            assertEquals(0, f & Virtio.bit(VirtioBlk.F_RO));
            assertEquals(256, readQueueNumMax(d));
            // a legacy driver (no VERSION_1) is refused: FEATURES_OK does not stick
            int st = d.start(Virtio.bit(VirtioBlk.F_FLUSH));
            assertEquals(0, st & Virtio.STATUS_FEATURES_OK);
            // features the device did not offer are refused too
            st = d.start(Virtio.bit(Virtio.F_VERSION_1) | Virtio.bit(40));
            assertEquals(0, st & Virtio.STATUS_FEATURES_OK);
            st = d.start(ALL);
            assertNotEquals(0, st & Virtio.STATUS_DRIVER_OK);
            assertEquals(1, d.reg(QueueReady));
            // capacity in the config space, in 512-byte sectors
            assertEquals(128, d.t.read(Config, 4) | d.t.read(Config + 4, 4) << 32);
            assertEquals(512, d.t.read(Config + 20, 4));
            // QueueNumMax of a queue that does not exist
            d.reg(QueueSel, 5);
            assertEquals(0, d.reg(QueueNumMax));
        }
    }

    private static long readQueueNumMax(FakeDriver d) {
        d.reg(QueueSel, 0);
        return d.reg(QueueNumMax);
    }

    @Test
    void writeThenReadASector() throws Exception {
        try (FakeDriver d = new FakeDriver(1 << 16, "", null)) {
            d.start(ALL);
            byte[] data = new byte[1024];
            for (int i = 0; i < data.length; i++) {
                data[i] = (byte) (i ^ 0x5a);
            }
            d.ram.load(FakeDriver.DATA - FakeDriver.RAM_BASE, data);
            d.request(1, 3, FakeDriver.DATA, 1024, false); // OUT to sector 3
            d.complete(1);
            assertEquals(0, d.status());
            assertEquals(1, d.usedIdx());
            assertEquals(0, d.usedId(0));
            assertEquals(1, d.usedLen(0));
            assertTrue(d.irq);
            assertEquals(Virtio.INT_USED_BUFFER, d.reg(InterruptStatus));
            d.reg(InterruptACK, Virtio.INT_USED_BUFFER);
            assertFalse(d.irq);

            d.request(4, 0, 0, 0, false); // FLUSH
            d.complete(1);
            assertEquals(0, d.status());
            byte[] file = Files.readAllBytes(d.disk);
            assertArrayEquals(data, Arrays.copyOfRange(file, 3 * 512, 5 * 512));

            long dst = FakeDriver.DATA + 0x4000;
            d.request(0, 3, dst, 1024, true); // IN from sector 3
            d.complete(1);
            assertEquals(0, d.status());
            byte[] back = new byte[1024];
            d.ram.copyOut(dst - FakeDriver.RAM_BASE, back, 0, 1024);
            assertArrayEquals(data, back);
            assertEquals(3, d.usedIdx());
            assertEquals(1025, d.usedLen(2));
            assertEquals(0, d.guardWrites);
        }
    }

    @Test
    void indirectTable() throws Exception {
        try (FakeDriver d = new FakeDriver(1 << 16, "", null)) {
            d.start(ALL);
            long table = FakeDriver.RAM_BASE + 0x3000, hdr = FakeDriver.DATA, buf = FakeDriver.DATA + 0x1000,
                    status = FakeDriver.DATA + 0x2000;
            d.ram.writeInt(hdr - FakeDriver.RAM_BASE, 0);
            d.ram.writeLong(hdr - FakeDriver.RAM_BASE + 8, 1);
            d.desc(table, 0, hdr, 16, Virtio.VIRTQ_DESC_F_NEXT, 1);
            d.desc(table, 1, buf, 256, Virtio.VIRTQ_DESC_F_NEXT | Virtio.VIRTQ_DESC_F_WRITE, 2);
            d.desc(table, 2, buf + 256, 256, Virtio.VIRTQ_DESC_F_NEXT | Virtio.VIRTQ_DESC_F_WRITE, 3);
            d.desc(table, 3, status, 1, Virtio.VIRTQ_DESC_F_WRITE, 0);
            d.desc(FakeDriver.DESC, 5, table, 64, Virtio.VIRTQ_DESC_F_INDIRECT, 0);
            d.offer(5);
            d.complete(1);
            assertEquals(0, d.ram.readByte(status - FakeDriver.RAM_BASE));
            byte[] file = Files.readAllBytes(d.disk);
            byte[] got = new byte[512];
            d.ram.copyOut(buf - FakeDriver.RAM_BASE, got, 0, 512);
            assertArrayEquals(Arrays.copyOfRange(file, 512, 1024), got);
            assertEquals(5, d.usedId(0));
        }
    }

    @Test
    void badChainSetsNeedsResetAndResetRecovers() throws Exception {
        try (FakeDriver d = new FakeDriver(1 << 16, "", null)) {
            d.start(ALL);
            d.desc(FakeDriver.DESC, 0, FakeDriver.DATA, 16, Virtio.VIRTQ_DESC_F_NEXT, 1);
            d.desc(FakeDriver.DESC, 1, FakeDriver.DATA, 16, Virtio.VIRTQ_DESC_F_NEXT, 0); // loops back to 0
            d.offer(0);
            d.drain();
            assertNotEquals(0, d.reg(Status) & Virtio.STATUS_DEVICE_NEEDS_RESET);
            assertEquals(Virtio.INT_CONFIG_CHANGE, d.reg(InterruptStatus) & Virtio.INT_CONFIG_CHANGE);
            assertTrue(d.irq);
            assertEquals(0, d.usedIdx());
            // a buffer outside RAM, after a reset and a new handshake
            d.availIdx = 0;
            d.ram.writeShort(FakeDriver.AVAIL - FakeDriver.RAM_BASE + 2, (short) 0);
            assertNotEquals(0, d.start(ALL) & Virtio.STATUS_DRIVER_OK);
            assertEquals(0, d.reg(Status) & Virtio.STATUS_DEVICE_NEEDS_RESET);
            assertFalse(d.irq);
            d.request(0, 0, FakeDriver.RAM_BASE + FakeDriver.RAM_SIZE - 256, 512, true);
            d.drain();
            assertNotEquals(0, d.reg(Status) & Virtio.STATUS_DEVICE_NEEDS_RESET);
            // a readable descriptor after a writable one
            d.availIdx = 0;
            d.ram.writeShort(FakeDriver.AVAIL - FakeDriver.RAM_BASE + 2, (short) 0);
            d.start(ALL);
            d.desc(FakeDriver.DESC, 0, FakeDriver.DATA, 1, Virtio.VIRTQ_DESC_F_NEXT | Virtio.VIRTQ_DESC_F_WRITE, 1);
            d.desc(FakeDriver.DESC, 1, FakeDriver.DATA, 16, 0, 0);
            d.offer(0);
            d.drain();
            assertNotEquals(0, d.reg(Status) & Virtio.STATUS_DEVICE_NEEDS_RESET);
            assertEquals(0, d.guardWrites);
        }
    }

    @Test
    void eventIdxSuppressesInterrupts() throws Exception {
        try (FakeDriver d = new FakeDriver(1 << 16, "", null)) {
            d.start(ALL);
            long usedEvent = FakeDriver.AVAIL - FakeDriver.RAM_BASE + 4 + 2L * d.queueSize;
            d.request(4, 0, 0, 0, false);
            d.complete(1);
            assertTrue(d.irq); // the first used buffer always interrupts
            d.reg(InterruptACK, 1);
            d.ram.writeShort(usedEvent, (short) 5); // "interrupt me when used idx passes 5"
            d.request(4, 0, 0, 0, false);
            d.complete(1);
            assertFalse(d.irq);
            // avail_event tells the driver how far the device has read
            assertEquals(2, d.ram.readShort(FakeDriver.USED - FakeDriver.RAM_BASE + 4 + 8L * d.queueSize));
        }
    }

    @Test
    void stateRoundTrip() throws Exception {
        try (FakeDriver d = new FakeDriver(1 << 16, "", null)) {
            d.start(ALL);
            d.request(4, 0, 0, 0, false);
            d.complete(1);
            StateRecord r = StateRecord.of(d.t);
            d.reg(Status, 0);
            assertEquals(0, d.reg(Status));
            r.restore(d.t);
            assertNotEquals(0, d.reg(Status) & Virtio.STATUS_DRIVER_OK);
            assertEquals(1, d.reg(QueueReady));
            assertTrue(d.irq);
            d.request(4, 0, 0, 0, false); // the queue carries on where it was
            d.complete(1);
            assertEquals(2, d.usedIdx());
        }
    }
    /**
     * Regression (issue 14): a QueueSel of 2^31 or more was read as a negative index and ended jemu with an
     * ArrayIndexOutOfBoundsException. It selects no queue: its registers read 0 and ignore writes.
     */
    @Test
    void queueSelAbove2To31SelectsNoQueueInsteadOfCrashing() throws Exception {
        try (FakeDriver d = new FakeDriver(1 << 16, "", null)) {
            for (long sel : new long[] {0x8000_0000L, 0xf65a_c57bL, 0xffff_ffffL, 0xffff_ffff_ffff_ffffL}) {
                d.reg(QueueSel, sel);
                assertEquals(0, d.reg(QueueNumMax));
                assertEquals(0, d.reg(QueueReady));
                assertEquals(0, d.reg(QueueNum));
                d.reg(QueueNum, 8);
                d.reg(QueueDescLow, FakeDriver.DESC);
                d.reg(QueueReady, 1);
                assertEquals(0, d.reg(QueueReady));
            }
            d.reg(QueueSel, 0);
            assertEquals(256, d.reg(QueueNumMax));
            assertEquals(256, d.reg(QueueNum)); // untouched by the writes above
            assertEquals(0, d.reg(QueueDescLow));
        }
    }

    @Test
    void featureSelectorsAbove1SelectNothingEvenWithTheTopBitSet() throws Exception {
        try (FakeDriver d = new FakeDriver(1 << 16, "", null)) {
            for (long sel : new long[] {2, 0x8000_0000L, 0xffff_fffeL, 0xffff_ffffL}) {
                d.reg(DeviceFeaturesSel, sel);
                assertEquals(0, d.reg(DeviceFeatures), "DeviceFeaturesSel " + sel);
                d.reg(DriverFeaturesSel, sel);
                d.reg(DriverFeatures, 0xffff_ffffL);
                assertEquals(0, d.t.driverFeatures(), "DriverFeaturesSel " + sel);
            }
        }
    }

    @Test
    void queueNumWithTheTopBitSetIsTooLargeAndReadsBackUnsigned() throws Exception {
        try (FakeDriver d = new FakeDriver(1 << 16, "", null)) {
            d.queueSize = 0x8000_0000; // a power of two, negative as an int
            int st = d.start(ALL);
            assertNotEquals(0, st & Virtio.STATUS_DEVICE_NEEDS_RESET);
            assertEquals(0, d.reg(QueueReady));
            assertEquals(0x8000_0000L, d.reg(QueueNum)); // a 32-bit register: zero-extended
        }
    }

    @Test
    void queueNotifyTakesTheWhole32BitValueAsTheQueueIndex() throws Exception {
        try (FakeDriver d = new FakeDriver(1 << 16, "", null)) {
            d.start(ALL);
            long hdr = FakeDriver.DATA - 0x100, status = FakeDriver.DATA - 0x10;
            d.ram.writeInt(hdr - FakeDriver.RAM_BASE, 4); // FLUSH
            d.desc(FakeDriver.DESC, 0, hdr, 16, Virtio.VIRTQ_DESC_F_NEXT, 1);
            d.desc(FakeDriver.DESC, 1, status, 1, Virtio.VIRTQ_DESC_F_WRITE, 0);
            d.ram.writeShort(FakeDriver.AVAIL - FakeDriver.RAM_BASE + 4, (short) 0);
            d.setAvailIdx(1);
            d.reg(QueueNotify, 0x1_0000); // queue 65536, not queue 0
            d.reg(QueueNotify, 0x8000_0000L);
            d.drain();
            assertEquals(0, d.usedIdx());
            d.reg(QueueNotify, 0);
            d.complete(1);
            assertEquals(1, d.usedIdx());
        }
    }
    /**
     * Containment: if the device's own code throws on an MMIO access (a bug), the bus's guard tells the
     * transport, which shows the driver DEVICE_NEEDS_RESET with a configuration interrupt; the VM goes on.
     */
    @Test
    void anInternalErrorOnTheBusBecomesDeviceNeedsReset() {
        boolean[] irq = new boolean[1];
        VirtioDevice buggy = new VirtioDevice() {
            public int deviceId() { return 2; }
            public long deviceFeatures() { return 0; }
            public int queueCount() { return 1; }
            public int queueNumMax(int q) { return 16; }
            public void attach(VirtioTransport transport) { }
            public long readConfig(int offset, int size) { return 0; }
            public void writeConfig(int offset, int size, long value) { throw new IllegalStateException("config bug"); }
            public void queueNotify(int q) { }
            public void reset() { }
            public void saveState(dev.jemu.core.state.StateWriter out) { }
            public void loadState(dev.jemu.core.state.StateReader in) { }
        };
        AddressSpace bus = new AddressSpace();
        VirtioMmioTransport t = new VirtioMmioTransport("virtio_mmio@10008000", buggy, l -> irq[0] = l,
                new DmaMemory(bus));
        long base = 0x1000_8000L;
        bus.addMmio("virtio_mmio@10008000", base, SLOT_SIZE, t);
        bus.write(base + Status, 4, Virtio.STATUS_ACKNOWLEDGE | Virtio.STATUS_DRIVER);
        bus.write(base + DriverFeaturesSel, 4, 1);
        bus.write(base + DriverFeatures, 4, 1); // VERSION_1
        bus.write(base + Status, 4, Virtio.STATUS_ACKNOWLEDGE | Virtio.STATUS_DRIVER | Virtio.STATUS_FEATURES_OK
                | Virtio.STATUS_DRIVER_OK);
        assertEquals(0, bus.read(base + Status, 4) & Virtio.STATUS_DEVICE_NEEDS_RESET);
        bus.write(base + Config, 4, 1);
        assertEquals(1, bus.faults().count());
        assertNotEquals(0, bus.read(base + Status, 4) & Virtio.STATUS_DEVICE_NEEDS_RESET);
        assertEquals(Virtio.INT_CONFIG_CHANGE, bus.read(base + InterruptStatus, 4));
        assertTrue(irq[0]);
        assertEquals(MAGIC, bus.read(base + MagicValue, 4)); // still in service: a driver reset recovers it
        bus.write(base + Status, 4, 0);
        assertEquals(0, bus.read(base + Status, 4));
    }
}
