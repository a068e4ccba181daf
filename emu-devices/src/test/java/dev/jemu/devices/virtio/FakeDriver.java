package dev.jemu.devices.virtio;

import static dev.jemu.devices.virtio.VirtioMmio.*;

import dev.jemu.core.memory.AddressSpace;
import dev.jemu.core.memory.GuestRam;
import dev.jemu.core.memory.MmioDevice;
import dev.jemu.devices.block.Drive;
import dev.jemu.devices.block.DriveOptions;
import dev.jemu.devices.virtio.blk.VirtioBlk;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A test bench: guest RAM with guard devices on both sides (any DMA that leaves RAM would hit them), a
 * virtio-blk on a raw temp file behind the MMIO transport, and a driver that speaks the split-ring protocol
 * by writing guest memory directly.
 */
public final class FakeDriver implements AutoCloseable {
    public static final long RAM_BASE = 0x8000_0000L;
    public static final int RAM_SIZE = 1 << 20;
    public static final long DESC = RAM_BASE, AVAIL = RAM_BASE + 0x1000, USED = RAM_BASE + 0x2000;
    public static final long DATA = RAM_BASE + 0x10000;

    public final GuestRam ram = new GuestRam(RAM_SIZE);
    public final AddressSpace bus = new AddressSpace();
    public final LinkedBlockingQueue<Runnable> posted = new LinkedBlockingQueue<>();
    public final VirtioMmioTransport t;
    public final VirtioBlk blk;
    public final VirtioDevice device;
    public final Path disk;
    public int guardWrites;
    public boolean irq;
    public int queueSize = 16;
    /** The driver's next avail index (a restored driver goes on from the saved one's). */
    public int availIdx;

    public FakeDriver(long diskBytes, String extraDriveOpts, String serial) throws Exception {
        this(diskFile(diskBytes), extraDriveOpts, serial);
    }

    private FakeDriver(Path disk, String extraDriveOpts, String serial) throws Exception {
        this(disk, Drive.open(DriveOptions.parse("file=" + disk + ",format=raw" + extraDriveOpts), false), serial);
    }

    /** A bench over a drive the test made (e.g. over its own BlockDriver); {@link #disk} is null. */
    public FakeDriver(Drive drive, String serial) {
        this(null, drive, serial);
    }

    private FakeDriver(Path disk, Drive drive, String serial) {
        guards();
        this.disk = disk;
        blk = new VirtioBlk(drive, serial, posted::add, "virtio-blk-test");
        device = blk;
        t = new VirtioMmioTransport("virtio@test", blk, level -> irq = level, new DmaMemory(bus));
    }

    /** A bench over any device, made with the bench's machine-thread poster; {@link #blk} is null. */
    public FakeDriver(java.util.function.Function<java.util.function.Consumer<Runnable>, VirtioDevice> make) {
        guards();
        this.disk = null;
        this.blk = null;
        device = make.apply(posted::add);
        t = new VirtioMmioTransport("virtio@test", device, level -> irq = level, new DmaMemory(bus));
    }

    private void guards() {
        MmioDevice guard = new MmioDevice() {
            @Override
            public long read(long offset, int size) {
                return 0;
            }

            @Override
            public void write(long offset, int size, long value) {
                guardWrites++;
            }
        };
        bus.addMmio("guard-low", RAM_BASE - 0x1000, 0x1000, guard);
        bus.addRam("ram", RAM_BASE, ram);
        bus.addMmio("guard-high", RAM_BASE + RAM_SIZE, 0x1000, guard);
    }

    private static Path diskFile(long diskBytes) throws Exception {
        Path disk = Files.createTempFile("virtio-test", ".img");
        disk.toFile().deleteOnExit();
        Files.write(disk, pattern((int) diskBytes));
        return disk;
    }

    /** The bytes a new test disk holds. */
    public static byte[] pattern(int diskBytes) {
        byte[] content = new byte[diskBytes];
        for (int i = 0; i < content.length; i++) {
            content[i] = (byte) (i * 7 + (i >> 9));
        }
        return content;
    }

    public long reg(int off) {
        return t.read(off, 4);
    }

    public void reg(int off, long v) {
        t.write(off, 4, v);
    }

    public long deviceFeatures() {
        reg(DeviceFeaturesSel, 0);
        long lo = reg(DeviceFeatures);
        reg(DeviceFeaturesSel, 1);
        return lo | reg(DeviceFeatures) << 32;
    }

    /** The whole handshake; returns the status read back after FEATURES_OK. */
    public int start(long features) {
        reg(Status, 0);
        reg(Status, Virtio.STATUS_ACKNOWLEDGE);
        reg(Status, Virtio.STATUS_ACKNOWLEDGE | Virtio.STATUS_DRIVER);
        reg(DriverFeaturesSel, 0);
        reg(DriverFeatures, features & 0xffff_ffffL);
        reg(DriverFeaturesSel, 1);
        reg(DriverFeatures, features >>> 32);
        reg(Status, Virtio.STATUS_ACKNOWLEDGE | Virtio.STATUS_DRIVER | Virtio.STATUS_FEATURES_OK);
        int st = (int) reg(Status);
        if ((st & Virtio.STATUS_FEATURES_OK) == 0) {
            return st;
        }
        reg(QueueSel, 0);
        reg(QueueNum, queueSize);
        reg(QueueDescLow, DESC);
        reg(QueueDescHigh, DESC >>> 32);
        reg(QueueDriverLow, AVAIL);
        reg(QueueDriverHigh, 0);
        reg(QueueDeviceLow, USED);
        reg(QueueDeviceHigh, 0);
        reg(QueueReady, 1);
        reg(Status, Virtio.STATUS_ACKNOWLEDGE | Virtio.STATUS_DRIVER | Virtio.STATUS_FEATURES_OK
                | Virtio.STATUS_DRIVER_OK);
        return (int) reg(Status);
    }

    public void desc(long table, int i, long addr, int len, int flags, int next) {
        long o = table - RAM_BASE + 16L * i;
        ram.writeLong(o, addr);
        ram.writeInt(o + 8, len);
        ram.writeShort(o + 12, (short) flags);
        ram.writeShort(o + 14, (short) next);
    }

    /** Makes chain {@code head} available and notifies. */
    public void offer(int head) {
        ram.writeShort(AVAIL - RAM_BASE + 4 + 2L * (availIdx % queueSize), (short) head);
        availIdx++;
        ram.writeShort(AVAIL - RAM_BASE + 2, (short) availIdx);
        reg(QueueNotify, 0);
    }

    public int availIdx() {
        return availIdx;
    }

    /** Publishes the available index (chains already in the ring). */
    public void setAvailIdx(int idx) {
        availIdx = idx;
        ram.writeShort(AVAIL - RAM_BASE + 2, (short) idx);
    }

    public int usedIdx() {
        return ram.readShort(USED - RAM_BASE + 2) & 0xffff;
    }

    public long usedLen(int slot) {
        return ram.readInt(USED - RAM_BASE + 4 + 8L * slot + 4) & 0xffff_ffffL;
    }

    public int usedId(int slot) {
        return ram.readInt(USED - RAM_BASE + 4 + 8L * slot);
    }

    /** Runs posted completions until {@code n} have run (the I/O thread is asynchronous). */
    public void complete(int n) throws InterruptedException {
        for (int i = 0; i < n; i++) {
            Runnable r = posted.poll(10, TimeUnit.SECONDS);
            if (r == null) {
                throw new AssertionError("no completion within 10 s");
            }
            r.run();
        }
    }

    /** Runs whatever completions arrive within a short while. */
    public void drain() throws InterruptedException {
        Runnable r;
        while ((r = posted.poll(50, TimeUnit.MILLISECONDS)) != null) {
            r.run();
        }
    }

    /** A three-descriptor request: header, data (read or written by the device), status byte. */
    public void request(int type, long sector, long dataAddr, int dataLen, boolean deviceWrites) {
        long hdr = DATA - 0x100, status = DATA - 0x10;
        ram.writeInt(hdr - RAM_BASE, type);
        ram.writeInt(hdr - RAM_BASE + 4, 0);
        ram.writeLong(hdr - RAM_BASE + 8, sector);
        ram.writeByte(status - RAM_BASE, (byte) 0x7f);
        if (dataLen == 0) {
            desc(DESC, 0, hdr, 16, Virtio.VIRTQ_DESC_F_NEXT, 2);
        } else {
            desc(DESC, 0, hdr, 16, Virtio.VIRTQ_DESC_F_NEXT, 1);
            desc(DESC, 1, dataAddr, dataLen,
                    Virtio.VIRTQ_DESC_F_NEXT | (deviceWrites ? Virtio.VIRTQ_DESC_F_WRITE : 0), 2);
        }
        desc(DESC, 2, status, 1, Virtio.VIRTQ_DESC_F_WRITE, 0);
        offer(0);
    }

    public int status() {
        return ram.readByte(DATA - 0x10 - RAM_BASE) & 0xff;
    }

    @Override
    public void close() throws Exception {
        if (device instanceof AutoCloseable c) {
            c.close();
        }
        ram.close();
        if (disk != null) {
            Files.deleteIfExists(disk);
        }
    }
}
