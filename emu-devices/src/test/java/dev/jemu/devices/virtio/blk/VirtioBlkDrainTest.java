package dev.jemu.devices.virtio.blk;

import static org.junit.jupiter.api.Assertions.*;

import dev.jemu.core.state.StateRecord;
import dev.jemu.devices.block.BlockDriver;
import dev.jemu.devices.block.BlockException;
import dev.jemu.devices.block.BlockStatus;
import dev.jemu.devices.block.Drive;
import dev.jemu.devices.block.DriveOptions;
import dev.jemu.devices.block.ImageInfo;
import dev.jemu.devices.virtio.FakeDriver;
import dev.jemu.devices.virtio.Virtio;
import dev.jemu.devices.virtio.VirtioMmio;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Saving state while requests are in flight on the I/O thread: the save drains them first (as QEMU drains the
 * block layer before a snapshot), so the saved rings, interrupt status and RAM hold their completions and a
 * machine restored from them has lost nothing.
 */
class VirtioBlkDrainTest {
    static final int DISK = 1 << 16;
    static final long FEATURES = Virtio.bit(Virtio.F_VERSION_1) | Virtio.bit(VirtioBlk.F_FLUSH);
    static final long RAM = FakeDriver.RAM_BASE;
    static final long HDR = RAM + 0x8000, DATA = FakeDriver.DATA;

    /** An image in memory whose reads and writes wait until the test opens the gate. */
    static final class GatedDriver implements BlockDriver {
        final byte[] bytes;
        final CountDownLatch gate = new CountDownLatch(1);
        final CountDownLatch entered = new CountDownLatch(1);

        GatedDriver(byte[] bytes) {
            this.bytes = bytes;
        }

        /** Opens the gate from another thread 200 ms from now. */
        Thread openLater() {
            Thread t = new Thread(() -> {
                try {
                    Thread.sleep(200);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                gate.countDown();
            });
            t.start();
            return t;
        }

        private void pass() throws BlockException {
            entered.countDown();
            try {
                if (!gate.await(20, TimeUnit.SECONDS)) {
                    throw new BlockException("gate never opened");
                }
            } catch (InterruptedException e) {
                throw new BlockException("interrupted");
            }
        }

        @Override
        public void read(long offset, byte[] buf, int off, int len) throws BlockException {
            pass();
            System.arraycopy(bytes, (int) offset, buf, off, len);
        }

        @Override
        public void write(long offset, byte[] buf, int off, int len) throws BlockException {
            pass();
            System.arraycopy(buf, off, bytes, (int) offset, len);
        }

        @Override
        public void flush() throws BlockException {
            pass();
        }

        @Override
        public String formatName() {
            return "gated";
        }

        @Override
        public Path path() {
            return Path.of("gated");
        }

        @Override
        public long size() {
            return bytes.length;
        }

        @Override
        public boolean readOnly() {
            return false;
        }

        @Override
        public void writeZeroes(long offset, long length) {
            Arrays.fill(bytes, (int) offset, (int) (offset + length), (byte) 0);
        }

        @Override
        public void discard(long offset, long length) {
        }

        @Override
        public void close() {
        }

        @Override
        public BlockStatus status(long offset, long length) {
            throw new UnsupportedOperationException();
        }

        @Override
        public ImageInfo info() {
            throw new UnsupportedOperationException();
        }
    }

    static FakeDriver bench(GatedDriver g) throws Exception {
        return new FakeDriver(Drive.of(DriveOptions.parse("file=gated,format=raw"), g), null);
    }

    /** Request {@code n} (descriptors 3n..3n+2): header, {@code len} data bytes at DATA + n * 4 KiB, status. */
    static void request(FakeDriver d, int n, int type, long sector, int len, boolean deviceWrites) {
        long hdr = HDR + 32L * n, status = hdr + 16, data = DATA + 4096L * n;
        d.ram.writeInt(hdr - RAM, type);
        d.ram.writeInt(hdr - RAM + 4, 0);
        d.ram.writeLong(hdr - RAM + 8, sector);
        d.ram.writeByte(status - RAM, (byte) 0x7f);
        int head = 3 * n;
        d.desc(FakeDriver.DESC, head, hdr, 16, Virtio.VIRTQ_DESC_F_NEXT, head + 1);
        d.desc(FakeDriver.DESC, head + 1, data, len,
                Virtio.VIRTQ_DESC_F_NEXT | (deviceWrites ? Virtio.VIRTQ_DESC_F_WRITE : 0), head + 2);
        d.desc(FakeDriver.DESC, head + 2, status, 1, Virtio.VIRTQ_DESC_F_WRITE, 0);
        d.offer(head);
    }

    static int status(FakeDriver d, int n) {
        return d.ram.readByte(HDR + 32L * n + 16 - RAM) & 0xff;
    }

    static StateRecord roundTrip(StateRecord r) throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        r.writeTo(new DataOutputStream(bytes));
        return StateRecord.readFrom(new DataInputStream(new ByteArrayInputStream(bytes.toByteArray())));
    }

    @Test
    void savingWhileRequestsAreInFlightLosesNothing() throws Exception {
        byte[] disk = FakeDriver.pattern(DISK);
        byte[] expectedRead = Arrays.copyOfRange(disk, 8 * 512, 9 * 512);
        GatedDriver g1 = new GatedDriver(disk);
        StateRecord saved;
        byte[] ramImage = new byte[FakeDriver.RAM_SIZE];
        try (FakeDriver d1 = bench(g1)) {
            d1.start(FEATURES);
            byte[] written = new byte[1024];
            Arrays.fill(written, (byte) 0xa5);
            d1.ram.load(DATA - RAM, written);
            request(d1, 0, VirtioBlkRequest.T_OUT, 2, 1024, false);
            request(d1, 1, VirtioBlkRequest.T_IN, 8, 512, true);
            request(d1, 2, VirtioBlkRequest.T_FLUSH, 0, 0, false);
            assertTrue(g1.entered.await(10, TimeUnit.SECONDS), "the I/O thread took the first request");
            assertEquals(0, d1.usedIdx(), "all three are in flight");
            assertFalse(d1.irq);

            // this thread is the machine thread; the drive answers a while after the save has begun
            Thread opener = g1.openLater();
            saved = roundTrip(StateRecord.of(d1.t));
            opener.join();
            d1.ram.copyOut(0, ramImage, 0, ramImage.length);  // RAM after the device state, as a snapshot does

            assertEquals(3, d1.usedIdx(), "completed into the ring before the state was captured");
            d1.drain();   // the completions posted meanwhile find nothing left to do
            assertEquals(3, d1.usedIdx());
        }
        assertArrayEquals(written(), Arrays.copyOfRange(disk, 2 * 512, 3 * 512 + 512), "the write reached the disk");

        // a new machine from the saved state and RAM, over the same disk
        GatedDriver g2 = new GatedDriver(disk);
        g2.gate.countDown();
        try (FakeDriver d2 = bench(g2)) {
            d2.ram.load(0, ramImage);
            saved.restore(d2.t);
            assertEquals(3, d2.usedIdx());
            assertEquals(0, d2.usedId(0));
            assertEquals(3, d2.usedId(1));
            assertEquals(6, d2.usedId(2));
            assertEquals(513, d2.usedLen(1), "512 data bytes + status");
            for (int n = 0; n < 3; n++) {
                assertEquals(0, status(d2, n), "request " + n + " status OK");
            }
            byte[] read = new byte[512];
            d2.ram.copyOut(DATA + 4096 - RAM, read, 0, 512);
            assertArrayEquals(expectedRead, read);
            assertEquals(Virtio.INT_USED_BUFFER, d2.reg(VirtioMmio.InterruptStatus) & Virtio.INT_USED_BUFFER);
            assertTrue(d2.irq, "the interrupt the completions raised is pending after the restore");

            // and the restored device goes on from there
            d2.availIdx = 3;
            d2.reg(VirtioMmio.InterruptACK, Virtio.INT_USED_BUFFER);
            request(d2, 3, VirtioBlkRequest.T_IN, 2, 512, true);
            d2.complete(1);
            assertEquals(4, d2.usedIdx());
            assertEquals(0, status(d2, 3));
            byte[] back = new byte[512];
            d2.ram.copyOut(DATA + 3 * 4096 - RAM, back, 0, 512);
            assertArrayEquals(Arrays.copyOf(written(), 512), back);
        }
    }

    private static byte[] written() {
        byte[] w = new byte[1024];
        Arrays.fill(w, (byte) 0xa5);
        return w;
    }

    @Test
    void loadingStateWaitsForAndDropsTheRequestsOfTheStateLeft() throws Exception {
        byte[] disk = FakeDriver.pattern(DISK);
        GatedDriver g = new GatedDriver(disk);
        try (FakeDriver d = bench(g)) {
            d.start(FEATURES);
            StateRecord idle = roundTrip(StateRecord.of(d.t));
            d.ram.load(DATA - RAM, Arrays.copyOf(written(), 512));
            request(d, 0, VirtioBlkRequest.T_OUT, 4, 512, false);
            assertTrue(g.entered.await(10, TimeUnit.SECONDS));
            Thread opener = g.openLater();
            idle.restore(d.t);
            // the old state's write is on the disk before the restored machine runs, not at some later moment
            assertArrayEquals(Arrays.copyOf(written(), 512), Arrays.copyOfRange(disk, 4 * 512, 5 * 512));
            opener.join();
            d.drain();
            assertEquals(0, d.usedIdx(), "a completion from before the restore must not reach the restored ring");
            assertEquals(0x7f, status(d, 0));
        }
    }
}
