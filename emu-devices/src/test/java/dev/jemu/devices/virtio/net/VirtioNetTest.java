package dev.jemu.devices.virtio.net;

import static dev.jemu.devices.virtio.VirtioMmio.*;
import static org.junit.jupiter.api.Assertions.*;

import dev.jemu.devices.net.MacAddress;
import dev.jemu.devices.net.RecordingBackend;
import dev.jemu.devices.virtio.FakeDriver;
import dev.jemu.devices.virtio.Virtio;
import java.nio.ByteBuffer;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * virtio-net through the MMIO transport with a driver that writes the rings itself: queue 0 (receive) at the
 * bench's usual ring addresses, queue 1 (transmit) beside it; the backend records what the guest sends and
 * hands frames in through the sink the device gave it.
 */
class VirtioNetTest {
    static final long R = FakeDriver.RAM_BASE;
    static final long TX_DESC = R + 0x4000, TX_AVAIL = R + 0x5000, TX_USED = R + 0x6000;
    static final long BUF = FakeDriver.DATA;
    static final long ALL = Virtio.bit(Virtio.F_VERSION_1) | Virtio.bit(VirtioNet.F_MAC)
            | Virtio.bit(VirtioNet.F_STATUS) | Virtio.bit(VirtioNet.F_MRG_RXBUF) | Virtio.bit(Virtio.F_EVENT_IDX);
    static final long PLAIN = Virtio.bit(Virtio.F_VERSION_1) | Virtio.bit(VirtioNet.F_MAC);

    final RecordingBackend backend = new RecordingBackend("rec");
    int txAvail;

    FakeDriver bench(int mtu) {
        FakeDriver d = new FakeDriver(post -> new VirtioNet("virtio-net-device.0", MacAddress.qemuDefault(1), mtu,
                true, backend, post));
        d.queueSize = 16;
        return d;
    }

    /** The handshake with both queues. */
    int start(FakeDriver d, long features) {
        int st = d.start(features); // sets up queue 0 and DRIVER_OK
        d.reg(QueueSel, 1);
        d.reg(QueueNum, 16);
        d.reg(QueueDescLow, TX_DESC);
        d.reg(QueueDescHigh, 0);
        d.reg(QueueDriverLow, TX_AVAIL);
        d.reg(QueueDriverHigh, 0);
        d.reg(QueueDeviceLow, TX_USED);
        d.reg(QueueDeviceHigh, 0);
        d.reg(QueueReady, 1);
        return st;
    }

    static byte[] frame(int n, int seed) {
        byte[] f = new byte[n];
        for (int i = 0; i < n; i++) {
            f[i] = (byte) (i * 31 + seed);
        }
        return f;
    }

    /** A transmit chain: a 12-byte header descriptor then the frame in one descriptor. */
    void transmit(FakeDriver d, int head, byte[] frame) {
        long h = BUF + 0x8000 + 0x1000L * head;
        d.ram.segment().asSlice(h - R, 12).fill((byte) 0);
        d.ram.load(h + 16 - R, frame);
        d.desc(TX_DESC, head, h, 12, Virtio.VIRTQ_DESC_F_NEXT, head + 1);
        d.desc(TX_DESC, head + 1, h + 16, frame.length, 0, 0);
        offerTx(d, head);
    }

    void offerTx(FakeDriver d, int head) {
        d.ram.writeShort(TX_AVAIL - R + 4 + 2L * (txAvail % 16), (short) head);
        txAvail++;
        d.ram.writeShort(TX_AVAIL - R + 2, (short) txAvail);
        d.reg(QueueNotify, 1);
    }

    /** Runs what the device posted to the machine thread (receive is posted at once, from the caller's thread). */
    static void runPosted(FakeDriver d) {
        Runnable task;
        while ((task = d.posted.poll()) != null) {
            task.run();
        }
    }

    int txUsed(FakeDriver d) {
        return d.ram.readShort(TX_USED - R + 2) & 0xffff;
    }

    /** Receive buffer {@code head}: one device-writable descriptor of {@code len} bytes. */
    static void rxBuffer(FakeDriver d, int head, int len) {
        d.desc(FakeDriver.DESC, head, BUF + 0x800L * head, len, Virtio.VIRTQ_DESC_F_WRITE, 0);
        d.offer(head);
    }

    @Test
    void configSpaceAndFeatures() throws Exception {
        try (FakeDriver d = bench(1400)) {
            assertEquals(1, d.reg(DeviceID));
            long f = d.deviceFeatures();
            for (int bit : new int[] {VirtioNet.F_MAC, VirtioNet.F_STATUS, VirtioNet.F_MRG_RXBUF, VirtioNet.F_MTU}) {
                assertNotEquals(0, f & Virtio.bit(bit), "feature " + bit);
            }
            assertEquals(0x52, d.t.read(Config, 1));
            assertEquals(0x57, d.t.read(Config + 5, 1), "the second default MAC: 52:54:00:12:34:57");
            assertEquals(1, d.t.read(Config + 6, 2), "link up");
            assertEquals(1, d.t.read(Config + 8, 2), "one queue pair");
            assertEquals(1400, d.t.read(Config + 10, 2));
        }
        try (FakeDriver d = bench(0)) {
            assertEquals(0, d.deviceFeatures() & Virtio.bit(VirtioNet.F_MTU), "no host_mtu: no MTU feature");
        }
    }

    @Test
    void transmitStripsTheHeaderAndCompletes() throws Exception {
        try (FakeDriver d = bench(0)) {
            start(d, ALL);
            byte[] f = frame(98, 1);
            transmit(d, 0, f);
            transmit(d, 2, frame(1514, 2));
            assertEquals(2, backend.sent.size());
            assertArrayEquals(f, backend.sent.get(0));
            assertArrayEquals(frame(1514, 2), backend.sent.get(1));
            assertEquals(2, txUsed(d));
            assertTrue(d.irq);
            VirtioNet n = (VirtioNet) d.device;
            assertEquals(2, n.txFrames());
        }
    }

    @Test
    void malformedTransmitFramesAreDroppedAndCounted() throws Exception {
        try (FakeDriver d = bench(0)) {
            start(d, ALL);
            transmit(d, 0, frame(5, 1)); // shorter than an Ethernet header
            // longer than 64 KiB: header + 70,000 bytes in one descriptor (inside RAM)
            d.desc(TX_DESC, 2, BUF, 12 + 70_000, 0, 0);
            offerTx(d, 2);
            VirtioNet n = (VirtioNet) d.device;
            assertEquals(0, backend.sent.size());
            assertEquals(2, n.txDropped());
            assertEquals(2, txUsed(d), "dropped frames are still returned to the driver");
            assertEquals(0, d.reg(Status) & Virtio.STATUS_DEVICE_NEEDS_RESET);
            transmit(d, 4, frame(60, 3));
            assertEquals(1, backend.sent.size(), "the device goes on working");
        }
    }

    @Test
    void aBadChainNeedsReset() throws Exception {
        try (FakeDriver d = bench(0)) {
            start(d, ALL);
            d.desc(TX_DESC, 0, R - 0x800, 100, 0, 0); // a buffer outside guest RAM
            offerTx(d, 0);
            assertNotEquals(0, d.reg(Status) & Virtio.STATUS_DEVICE_NEEDS_RESET);
            assertNotEquals(0, d.reg(InterruptStatus) & Virtio.INT_CONFIG_CHANGE);
            assertEquals(0, backend.sent.size());
            assertEquals(0, d.guardWrites);
            // a reset brings it back
            txAvail = 0;
            start(d, ALL);
            assertEquals(0, d.reg(Status) & Virtio.STATUS_DEVICE_NEEDS_RESET);
            transmit(d, 0, frame(60, 1));
            assertEquals(1, backend.sent.size());
        }
    }

    @Test
    void receiveIntoOneBuffer() throws Exception {
        try (FakeDriver d = bench(0)) {
            start(d, PLAIN);
            rxBuffer(d, 0, 1526);
            byte[] f = frame(100, 7);
            assertTrue(backend.sink.deliver(ByteBuffer.wrap(f)));
            runPosted(d);
            assertEquals(1, d.usedIdx());
            assertEquals(112, d.usedLen(0));
            assertEquals(1, d.ram.readShort(BUF - R + 10), "num_buffers");
            byte[] got = new byte[100];
            d.ram.copyOut(BUF + 12 - R, got, 0, 100);
            assertArrayEquals(f, got);
            assertTrue(d.irq);
        }
    }

    @Test
    void mergeableBuffersCarryALargeFrame() throws Exception {
        try (FakeDriver d = bench(0)) {
            start(d, ALL);
            for (int i = 0; i < 6; i++) {
                rxBuffer(d, i, 64);
            }
            byte[] f = frame(200, 3); // 212 bytes with the header: four 64-byte buffers
            assertTrue(backend.sink.deliver(ByteBuffer.wrap(f)));
            runPosted(d);
            assertEquals(4, d.usedIdx());
            assertEquals(4, d.ram.readShort(BUF - R + 10), "num_buffers in the first buffer's header");
            long total = 0;
            byte[] got = new byte[212];
            for (int i = 0; i < 4; i++) {
                int head = d.usedId(i);
                long len = d.usedLen(i);
                d.ram.copyOut(BUF + 0x800L * head - R, got, (int) total, (int) len);
                total += len;
            }
            assertEquals(212, total);
            assertArrayEquals(f, java.util.Arrays.copyOfRange(got, 12, 212));
        }
    }

    @Test
    void framesWaitForBuffersAndTheBackendIsToldWhenThereIsRoom() throws Exception {
        try (FakeDriver d = bench(0)) {
            start(d, ALL);
            int refused = 0;
            for (int i = 0; i < VirtioNet.RX_BACKLOG + 10; i++) {
                if (!backend.sink.deliver(ByteBuffer.wrap(frame(60, i)))) {
                    refused++;
                }
            }
            assertEquals(10, refused, "the backlog holds " + VirtioNet.RX_BACKLOG + " frames, then refuses");
            runPosted(d);
            assertEquals(0, d.usedIdx(), "no buffers yet");
            for (int i = 0; i < 16; i++) {
                rxBuffer(d, i, 1526);
            }
            runPosted(d);
            assertEquals(16, d.usedIdx());
            assertEquals(1, backend.ready.get(), "receiveReady once there is room");
            byte[] got = new byte[60];
            d.ram.copyOut(BUF + 0x800L * d.usedId(0) + 12 - R, got, 0, 60);
            assertArrayEquals(frame(60, 0), got, "in order");
        }
    }

    @Test
    void oversizedOrShortFramesFromTheBackendAreDropped() throws Exception {
        try (FakeDriver d = bench(0)) {
            start(d, ALL);
            rxBuffer(d, 0, 1526);
            VirtioNet n = (VirtioNet) d.device;
            assertTrue(backend.sink.deliver(ByteBuffer.wrap(new byte[VirtioNet.MAX_FRAME + 1])));
            assertTrue(backend.sink.deliver(ByteBuffer.wrap(new byte[3])));
            runPosted(d);
            assertEquals(0, d.usedIdx());
            assertEquals(2, n.rxDropped());
            // a frame larger than every buffer the guest has: dropped, its buffers returned empty
            assertTrue(backend.sink.deliver(ByteBuffer.wrap(frame(4000, 1))));
            runPosted(d);
            assertEquals(1, d.usedIdx());
            assertEquals(0, d.usedLen(0));
            assertEquals(3, n.rxDropped());
        }
    }

    @Test
    void linkDownDropsFramesAndInterruptsTheDriver() throws Exception {
        try (FakeDriver d = bench(0)) {
            start(d, ALL);
            VirtioNet n = (VirtioNet) d.device;
            n.setLink(false);
            assertEquals(0, d.t.read(Config + 6, 2));
            assertNotEquals(0, d.reg(InterruptStatus) & Virtio.INT_CONFIG_CHANGE);
            transmit(d, 0, frame(60, 1));
            assertEquals(0, backend.sent.size());
            n.setLink(true);
            assertEquals(1, d.t.read(Config + 6, 2));
            transmit(d, 2, frame(60, 1));
            assertEquals(1, backend.sent.size());
        }
    }

    @Test
    void savedStateKeepsTheLinkStatus() throws Exception {
        try (FakeDriver d = bench(0)) {
            start(d, ALL);
            VirtioNet n = (VirtioNet) d.device;
            n.setLink(false);
            var rec = dev.jemu.core.state.StateRecord.of(d.t);
            n.setLink(true);
            rec.restore(d.t);
            assertFalse(n.linkUp());
        }
    }

    /** Seeded garbage in both rings: the device only completes buffers or needs a reset; nothing escapes. */
    @Test
    void fuzzedRingsNeverEscape() throws Exception {
        int resets = 0, sent = 0;
        for (int seed = 0; seed < 400; seed++) {
            Random r = new Random(seed);
            backend.sent.clear();
            txAvail = 0;
            try (FakeDriver d = bench(0)) {
                start(d, r.nextBoolean() ? ALL : PLAIN | Virtio.bit(Virtio.F_INDIRECT_DESC));
                for (int i = 0; i < 16; i++) {
                    long addr = switch (r.nextInt(6)) {
                        case 0 -> R - 16 + r.nextInt(32);
                        case 1 -> R + FakeDriver.RAM_SIZE - r.nextInt(64);
                        case 2 -> r.nextLong();
                        default -> BUF + r.nextInt(0x8000);
                    };
                    int len = r.nextInt(8) == 0 ? r.nextInt() : r.nextInt(2000);
                    int flags = r.nextInt(8);
                    d.desc(TX_DESC, i, addr, len, flags, r.nextInt(20));
                    d.desc(FakeDriver.DESC, i, addr, len, flags | (r.nextInt(4) == 0 ? 0 : Virtio.VIRTQ_DESC_F_WRITE),
                            r.nextInt(20));
                }
                for (int k = 0; k < 8; k++) {
                    if (r.nextBoolean()) {
                        offerTx(d, r.nextInt(18));
                    } else {
                        d.offer(r.nextInt(18));
                    }
                    backend.sink.deliver(ByteBuffer.wrap(frame(r.nextInt(3000), k)));
                    runPosted(d);
                }
                if ((d.reg(Status) & Virtio.STATUS_DEVICE_NEEDS_RESET) != 0) {
                    resets++;
                }
                sent += backend.sent.size();
                assertEquals(0, d.guardWrites, "seed " + seed);
            }
        }
        assertTrue(resets > 0 && sent > 0, "the fuzzer reached both outcomes: " + resets + " resets, " + sent + " frames");
    }
}
