package dev.jemu.devices.virtio;

import static dev.jemu.devices.virtio.VirtioMmio.*;
import static org.junit.jupiter.api.Assertions.*;

import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Seeded garbage in the descriptor table, the rings and the request headers: the device must only ever
 * complete requests (with a valid status) or set DEVICE_NEEDS_RESET; it must never throw and never write
 * outside guest RAM (the guard devices around RAM count any such write).
 */
class VirtqueueFuzzTest {
    static final int SEEDS = Integer.getInteger("virtio.fuzz.seeds", 1500);

    @Test
    void malformedRingsNeverEscape() throws Exception {
        int needsReset = 0, completed = 0;
        try (FakeDriver d = new FakeDriver(1 << 16, "", null)) {
            for (int seed = 0; seed < SEEDS; seed++) {
                Random r = new Random(seed);
                d.availIdx = 0;
                d.ram.segment().fill((byte) 0);
                d.posted.clear();
                boolean badRing = r.nextInt(20) == 0;
                if (badRing) {
                    d.reg(Status, 0);
                    d.reg(Status, 3);
                    d.reg(DriverFeatures, 0);
                    d.reg(DriverFeaturesSel, 1);
                    d.reg(DriverFeatures, 1);
                    d.reg(Status, 11);
                    d.reg(QueueNum, r.nextInt(300));
                    d.reg(QueueDescLow, randomAddr(r));
                    d.reg(QueueDriverLow, randomAddr(r));
                    d.reg(QueueDeviceLow, randomAddr(r));
                    d.reg(QueueReady, 1);
                    d.reg(Status, 15);
                } else {
                    d.start(r.nextBoolean() ? VirtioMmioTransportTest.ALL : Virtio.bit(Virtio.F_VERSION_1));
                }
                boolean wellFormed = r.nextBoolean();
                if (wellFormed) {
                    // five valid 3-descriptor requests (header, data, status), then a few random mutations
                    for (int k = 0; k < 5; k++) {
                        long h = FakeDriver.DATA + 0x1000L * k;
                        boolean in = r.nextBoolean();
                        d.desc(FakeDriver.DESC, 3 * k, h, 16, Virtio.VIRTQ_DESC_F_NEXT, 3 * k + 1);
                        d.desc(FakeDriver.DESC, 3 * k + 1, h + 0x100, 512 * (1 + r.nextInt(4)),
                                Virtio.VIRTQ_DESC_F_NEXT | (in ? Virtio.VIRTQ_DESC_F_WRITE : 0), 3 * k + 2);
                        d.desc(FakeDriver.DESC, 3 * k + 2, h + 0xf00, 1, Virtio.VIRTQ_DESC_F_WRITE, 0);
                    }
                    int mutations = r.nextInt(4);
                    for (int m = 0; m < mutations; m++) {
                        long o = FakeDriver.DESC - FakeDriver.RAM_BASE + 16L * r.nextInt(16) + r.nextInt(16);
                        d.ram.writeByte(o, (byte) r.nextInt(256));
                    }
                } else {
                    // random descriptors, some pointing at random request headers
                    for (int i = 0; i < 16; i++) {
                        d.desc(FakeDriver.DESC, i, randomAddr(r), randomLen(r), r.nextInt(8), r.nextInt(20));
                    }
                }
                long table = FakeDriver.RAM_BASE + 0x3000;
                for (int i = 0; i < 32; i++) {
                    d.desc(table, i, randomAddr(r), randomLen(r), r.nextInt(8), r.nextInt(40));
                }
                for (int i = 0; i < 8; i++) {
                    long h = FakeDriver.DATA + 0x1000L * i;
                    int[] types = {0, 1, 4, 8, 11, 13, r.nextInt()};
                    d.ram.writeInt(h - FakeDriver.RAM_BASE, wellFormed ? r.nextInt(2) : types[r.nextInt(types.length)]);
                    d.ram.writeLong(h - FakeDriver.RAM_BASE + 8, r.nextInt(8) != 0 ? r.nextInt(120) : r.nextLong());
                    d.ram.writeLong(h - FakeDriver.RAM_BASE + 16, r.nextLong());
                    d.ram.writeInt(h - FakeDriver.RAM_BASE + 24, r.nextInt(300));
                }
                int offers = 1 + r.nextInt(6);
                for (int k = 0; k < offers; k++) {
                    if (r.nextInt(10) == 0) { // avail idx far ahead
                        d.ram.writeShort(FakeDriver.AVAIL - FakeDriver.RAM_BASE + 2, (short) r.nextInt(65536));
                        d.reg(QueueNotify, 0);
                    } else {
                        d.offer(wellFormed && r.nextInt(8) != 0 ? 3 * r.nextInt(5) : r.nextInt(20));
                    }
                    if (r.nextInt(4) == 0) {
                        d.reg(QueueNotify, r.nextInt(3)); // also for queues that do not exist
                    }
                }
                d.blk.sync();
                Runnable p;
                while ((p = d.posted.poll()) != null) {
                    p.run();
                }
                assertEquals(0, d.guardWrites, "seed " + seed + ": DMA outside guest RAM");
                boolean reset = (d.reg(Status) & Virtio.STATUS_DEVICE_NEEDS_RESET) != 0;
                if (reset) {
                    needsReset++;
                    if ((d.reg(Status) & Virtio.STATUS_DRIVER_OK) != 0) {
                        assertNotEquals(0, d.reg(InterruptStatus) & Virtio.INT_CONFIG_CHANGE, "seed " + seed);
                    }
                } else {
                    int used = d.usedIdx();
                    completed += used;
                    for (int i = 0; i < used && i < d.queueSize; i++) {
                        assertTrue(d.usedId(i) >= 0 && d.usedId(i) < d.queueSize, "seed " + seed);
                        assertTrue(d.usedLen(i) >= 1, "seed " + seed + ": a completion writes the status byte");
                    }
                }
            }
        }
        // the generator must exercise both outcomes, or it tests nothing
        assertTrue(needsReset > SEEDS / 10, "needs-reset outcomes: " + needsReset);
        assertTrue(completed > SEEDS / 20, "completed requests: " + completed);
        System.out.printf("virtqueue fuzz: %d seeds, %d needed a reset, %d requests completed%n", SEEDS, needsReset,
                completed);
    }

    private static long randomAddr(Random r) {
        return switch (r.nextInt(8)) {
            case 0 -> r.nextLong();
            case 1 -> FakeDriver.RAM_BASE - 1 - r.nextInt(64);
            case 2 -> FakeDriver.RAM_BASE + FakeDriver.RAM_SIZE - r.nextInt(600);
            case 3 -> r.nextInt(1 << 20);
            default -> FakeDriver.DATA + 0x1000L * r.nextInt(8) + (r.nextInt(4) == 0 ? r.nextInt(64) : 0);
        };
    }

    private static int randomLen(Random r) {
        return switch (r.nextInt(8)) {
            case 0 -> r.nextInt();
            case 1 -> 0;
            case 2 -> 1;
            case 3 -> 16;
            case 4 -> 512;
            case 5 -> 32 + r.nextInt(64);
            default -> r.nextInt(4096);
        };
    }
}
