package dev.jemu.devices.virtio.rng;

import static org.junit.jupiter.api.Assertions.*;

import dev.jemu.core.time.VirtualClock;
import dev.jemu.devices.virtio.FakeDriver;
import dev.jemu.devices.virtio.Virtio;
import dev.jemu.devices.virtio.VirtioMmio;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class VirtioRngTest {
    static final long BUF = FakeDriver.DATA;

    /** A source that blocks until released, then gives {@code give} bytes of 42 (-1: all that were asked). */
    private static final class HeldBackend implements RngBackend {
        final CountDownLatch release = new CountDownLatch(1);
        private final int give;

        HeldBackend(int give) {
            this.give = give;
        }

        @Override
        public String id() {
            return "held";
        }

        @Override
        public int read(byte[] dst, int off, int n) {
            try {
                release.await(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                return -1;
            }
            int k = give < 0 ? n : Math.min(give, n);
            java.util.Arrays.fill(dst, off, off + k, (byte) 42);
            return k;
        }

        @Override
        public void close() {
        }
    }

    private static void offer(FakeDriver d, int head, long addr, int len) {
        d.desc(FakeDriver.DESC, head, addr, len, Virtio.VIRTQ_DESC_F_WRITE, 0);
        d.offer(head);
    }

    @Test
    void fillsTheBufferFromTheBackend() throws Exception {
        VirtualClock clock = VirtualClock.instructionCount(0);
        try (FakeDriver d = new FakeDriver(post -> new VirtioRng(new RngBuiltin("r"), Long.MAX_VALUE, 1000, clock, post,
                "rng-test"))) {
            d.queueSize = 8;
            assertEquals(4, d.reg(VirtioMmio.DeviceID));
            d.start(Virtio.bit(Virtio.F_VERSION_1));
            offer(d, 0, BUF, 64);
            d.complete(1);
            assertEquals(1, d.usedIdx());
            assertEquals(64, d.usedLen(0));
            byte[] b = new byte[64];
            d.ram.copyOut(BUF - FakeDriver.RAM_BASE, b, 0, 64);
            assertFalse(java.util.Arrays.equals(new byte[64], b), "64 zero bytes are not entropy");
            assertTrue(d.irq);
        }
    }

    @Test
    void maxBytesPerPeriod() throws Exception {
        VirtualClock clock = VirtualClock.instructionCount(0); // 1 ns per instruction, advanced by hand
        try (FakeDriver d = new FakeDriver(post -> new VirtioRng(new RngBuiltin("r"), 16, 1000, clock, post,
                "rng-test"))) {
            d.queueSize = 8;
            d.start(Virtio.bit(Virtio.F_VERSION_1));
            offer(d, 0, BUF, 64);
            d.complete(1);
            assertEquals(16, d.usedLen(0), "the quota cuts the first buffer");
            offer(d, 1, BUF + 64, 64);
            d.drain();
            assertEquals(1, d.usedIdx(), "quota spent: the buffer waits for the next period");
            clock.addInstructions(999_000_000L);
            clock.runExpired();
            d.drain();
            assertEquals(1, d.usedIdx(), "still inside the 1000 ms period");
            clock.addInstructions(2_000_000L);
            clock.runExpired();
            d.complete(1);
            assertEquals(2, d.usedIdx());
            assertEquals(16, d.usedLen(1));
        }
    }

    @Test
    void aBlockingSourceDoesNotStopTheMachineThread() throws Exception {
        HeldBackend slow = new HeldBackend(1);
        VirtualClock clock = VirtualClock.instructionCount(0);
        try (FakeDriver d = new FakeDriver(post -> new VirtioRng(slow, Long.MAX_VALUE, 1000, clock, post, "rng-test"))) {
            d.queueSize = 8;
            d.start(Virtio.bit(Virtio.F_VERSION_1));
            long t0 = System.nanoTime();
            offer(d, 0, BUF, 32); // returns at once although the source blocks
            assertTrue(System.nanoTime() - t0 < 2_000_000_000L);
            assertEquals(0, d.usedIdx());
            slow.release.countDown();
            d.complete(1);
            assertEquals(1, d.usedLen(0), "one read's worth, as QEMU completes it");
            assertEquals(42, d.ram.readByte(BUF - FakeDriver.RAM_BASE));
        }
    }

    @Test
    void resetDropsRequestsInFlight() throws Exception {
        HeldBackend slow = new HeldBackend(-1);
        VirtualClock clock = VirtualClock.instructionCount(0);
        try (FakeDriver d = new FakeDriver(post -> new VirtioRng(slow, Long.MAX_VALUE, 1000, clock, post, "rng-test"))) {
            d.queueSize = 8;
            d.start(Virtio.bit(Virtio.F_VERSION_1));
            offer(d, 0, BUF, 32);
            slow.release.countDown();
            d.reg(VirtioMmio.Status, 0); // reset: waits for the device thread, drops its completion
            d.drain();
            assertEquals(0, d.usedIdx());
        }
    }
}
