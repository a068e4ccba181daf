package dev.jemu.devices.virtio.blk;

import static dev.jemu.devices.virtio.blk.VirtioBlkRequest.*;

import dev.jemu.core.log.DebugLog;
import dev.jemu.core.state.StateReader;
import dev.jemu.core.state.StateWriter;
import dev.jemu.devices.block.BlockException;
import dev.jemu.devices.block.Drive;
import dev.jemu.devices.virtio.DescriptorChain;
import dev.jemu.devices.virtio.DmaMemory;
import dev.jemu.devices.virtio.Virtio;
import dev.jemu.devices.virtio.Virtqueue;
import dev.jemu.devices.virtio.VirtqueueException;
import dev.jemu.devices.virtio.WorkerDevice;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import java.util.function.Consumer;

/**
 * virtio-blk (virtio 1.2, 5.2) over a {@link Drive}. Requests are taken from the ring and checked on the
 * machine thread; this device's own I/O thread then moves the data (one request at a time, so completions
 * come back in order): it gathers a write's data from guest RAM into a native buffer and hands that to the
 * drive, or reads into the buffer and scatters it into guest RAM, so neither the copies nor the file I/O
 * hold up the CPU. Finished requests are queued and one task posted to the machine thread returns all of
 * them (status byte, used ring) with one interrupt. A device reset waits for the I/O thread, so no DMA of
 * an old request lands in memory the driver has taken back. Saving state first drains: every request taken
 * from the ring is carried out and completed into the ring before anything is captured, as QEMU drains its
 * block layer before a snapshot, so a restored guest never waits for a request its snapshot forgot.
 */
public final class VirtioBlk extends WorkerDevice {
    public static final int F_SIZE_MAX = 1, F_SEG_MAX = 2, F_RO = 5, F_BLK_SIZE = 6, F_FLUSH = 9, F_DISCARD = 13,
            F_WRITE_ZEROES = 14;
    static final int SECTOR = 512;
    static final int QUEUE_SIZE = 256;
    /** Largest segment, and with {@link #SEG_MAX} the largest request the driver may build. */
    static final int SIZE_MAX = 256 << 10;
    static final int SEG_MAX = QUEUE_SIZE - 2;
    /** Largest request data we buffer; above it the request fails with IOERR. */
    static final long MAX_DATA = (long) SIZE_MAX * SEG_MAX;
    static final int MAX_DISCARD_SEG = 32;
    static final int MAX_DISCARD_SECTORS = (1 << 30) / SECTOR;
    static final int ID_BYTES = 20;

    private final Drive drive;
    private final String serial;
    /** I/O thread only: the data of the request being carried out (grown on demand, reused). */
    private MemorySegment buffer = MemorySegment.NULL;

    /**
     * @param machine runs a task on the machine thread ({@code MachineLoop::post})
     * @param serial  GET_ID answer, at most 20 bytes used; null for none
     */
    public VirtioBlk(Drive drive, String serial, Consumer<Runnable> machine, String threadName) {
        super(QUEUE_SIZE, machine, threadName);
        this.drive = drive;
        this.serial = serial == null ? "" : serial;
    }

    public Drive drive() {
        return drive;
    }

    @Override
    public int deviceId() {
        return Virtio.ID_BLOCK;
    }

    @Override
    public long deviceFeatures() {
        long f = Virtio.bit(F_SIZE_MAX) | Virtio.bit(F_SEG_MAX) | Virtio.bit(F_BLK_SIZE) | Virtio.bit(F_FLUSH);
        if (drive.readOnly()) {
            f |= Virtio.bit(F_RO);
        } else {
            f |= Virtio.bit(F_DISCARD) | Virtio.bit(F_WRITE_ZEROES);
        }
        return f;
    }

    /** struct virtio_blk_config, the fields we fill (5.2.4). */
    private byte[] config() {
        byte[] c = new byte[60];
        putLong(c, 0, drive.size() / SECTOR); // capacity
        putInt(c, 8, SIZE_MAX);
        putInt(c, 12, SEG_MAX);
        putInt(c, 20, SECTOR); // blk_size
        c[32] = 1; // writeback (only meaningful with CONFIG_WCE, which we do not offer)
        putShort(c, 34, 1); // num_queues
        putInt(c, 36, MAX_DISCARD_SECTORS);
        putInt(c, 40, MAX_DISCARD_SEG);
        putInt(c, 44, 1); // discard_sector_alignment
        putInt(c, 48, MAX_DISCARD_SECTORS); // max_write_zeroes_sectors
        putInt(c, 52, MAX_DISCARD_SEG);
        c[56] = 1; // write_zeroes_may_unmap
        return c;
    }

    @Override
    public long readConfig(int offset, int size) {
        return Virtio.configBytes(config(), offset, size);
    }

    @Override
    public void writeConfig(int offset, int size, long value) {
        // everything we expose is read-only
    }

    @Override
    public void queueNotify(int q) {
        Virtqueue vq = transport.queue(q);
        try {
            DescriptorChain c;
            while ((c = vq.pop()) != null) {
                submit(q, c);
            }
        } catch (VirtqueueException e) {
            transport.deviceError(e.getMessage());
        }
    }

    private void submit(int q, DescriptorChain c) throws VirtqueueException {
        DmaMemory mem = transport.memory();
        if (c.readableLength() < 16 || c.writableLength() < 1) {
            throw new VirtqueueException("virtio-blk request without a header or status byte");
        }
        byte[] h = new byte[16];
        c.read(mem, 0, h, 0, 16);
        int type = getInt(h, 0);
        long sector = getLong(h, 8);
        VirtioBlkRequest r = new VirtioBlkRequest(q, c, type, sector);
        long negotiated = transport.driverFeatures();
        switch (type) {
            case T_IN -> {
                long n = c.writableLength() - 1;
                if (checkRange(r, n)) {
                    r.length = (int) n;
                }
            }
            case T_OUT -> {
                long n = c.readableLength() - 16;
                if (drive.readOnly()) {
                    r.status = S_IOERR;
                } else if (checkRange(r, n)) {
                    r.length = (int) n;
                }
            }
            case T_FLUSH, T_GET_ID -> { }
            case T_DISCARD, T_WRITE_ZEROES -> {
                long n = c.readableLength() - 16;
                int feature = type == T_DISCARD ? F_DISCARD : F_WRITE_ZEROES;
                if ((negotiated & Virtio.bit(feature)) == 0 || n == 0 || n % 16 != 0 || n / 16 > MAX_DISCARD_SEG) {
                    r.status = S_UNSUPP;
                } else if (drive.readOnly()) {
                    r.status = S_IOERR;
                } else {
                    r.data = new byte[(int) n];
                    c.read(mem, 16, r.data, 0, (int) n);
                }
            }
            default -> r.status = S_UNSUPP;
        }
        worker.submit(() -> {
            if (r.status < 0) {
                r.status = perform(r, mem);
            }
            return () -> complete(r) ? r.queue : -1;
        });
    }

    /** A data transfer must be whole sectors inside the disk and not larger than we buffer. */
    private boolean checkRange(VirtioBlkRequest r, long n) {
        if (n % SECTOR != 0 || n > MAX_DATA || Long.compareUnsigned(r.sector, drive.size() / SECTOR) > 0
                || r.sector * SECTOR + n > drive.size()) {
            guestError("request type %d: sector %d + %d bytes is not inside the disk or too large", r.type, r.sector, n);
            r.status = S_IOERR;
            return false;
        }
        return true;
    }

    /** On the I/O thread: the native buffer for n bytes of request data. */
    private MemorySegment buffer(int n) {
        if (buffer.byteSize() < n) {
            // Arena.ofAuto: the old buffer is freed by the GC once nothing refers to it
            buffer = Arena.ofAuto().allocate(Math.max(n, Math.min(2 * buffer.byteSize(), MAX_DATA)), 4096);
        }
        return buffer.asSlice(0, n);
    }

    /** On the I/O thread: the drive operation, with the data moved between guest RAM and the drive. */
    private byte perform(VirtioBlkRequest r, DmaMemory mem) {
        try {
            switch (r.type) {
                case T_IN -> {
                    MemorySegment b = buffer(r.length);
                    drive.read(r.sector * SECTOR, b);
                    r.chain.write(mem, 0, b);
                    r.dataOut = r.length;
                }
                case T_OUT -> {
                    MemorySegment b = buffer(r.length);
                    r.chain.read(mem, 16, b);
                    drive.write(r.sector * SECTOR, b);
                }
                case T_FLUSH -> drive.flush();
                case T_GET_ID -> {
                    r.data = new byte[ID_BYTES];
                    byte[] s = serial.getBytes(StandardCharsets.UTF_8);
                    System.arraycopy(s, 0, r.data, 0, Math.min(s.length, ID_BYTES));
                    r.dataOut = ID_BYTES;
                }
                case T_DISCARD, T_WRITE_ZEROES -> {
                    return zeroOrDiscard(r);
                }
                default -> {
                    return S_UNSUPP;
                }
            }
            return S_OK;
        } catch (BlockException e) {
            hostError(r, e.getMessage());
            return S_IOERR;
        } catch (VirtqueueException e) { // cannot happen: the chain was checked when it was taken
            r.dmaError = e.getMessage();
            return S_IOERR;
        } catch (RuntimeException e) { // a bug in a driver must not kill the I/O thread
            hostError(r, e.toString());
            return S_IOERR;
        }
    }

    private byte zeroOrDiscard(VirtioBlkRequest r) throws BlockException {
        long sectors = drive.size() / SECTOR;
        for (int i = 0; i < r.data.length; i += 16) {
            long sector = getLong(r.data, i);
            long num = getInt(r.data, i + 8) & 0xffff_ffffL;
            int flags = getInt(r.data, i + 12);
            if ((r.type == T_DISCARD && flags != 0) || (flags & ~1) != 0) {
                return S_UNSUPP; // unmap is only a write-zeroes flag
            }
            if (num > MAX_DISCARD_SECTORS || Long.compareUnsigned(sector, sectors) > 0 || sector + num > sectors) {
                return S_IOERR;
            }
        }
        for (int i = 0; i < r.data.length; i += 16) {
            long off = getLong(r.data, i) * SECTOR;
            long len = (getInt(r.data, i + 8) & 0xffff_ffffL) * SECTOR;
            if (r.type == T_DISCARD) {
                drive.discard(off, len);
            } else {
                drive.writeZeroes(off, len);
            }
        }
        return S_OK;
    }

    /**
     * On the machine thread: small data (GET_ID) and the status into the guest, the used ring; whether the
     * request went into it.
     */
    private boolean complete(VirtioBlkRequest r) {
        DmaMemory mem = transport.memory();
        DescriptorChain c = r.chain;
        try {
            if (r.dmaError != null) {
                throw new VirtqueueException(r.dmaError);
            }
            int out = r.status == S_OK ? (int) Math.min(r.dataOut, c.writableLength() - 1) : 0;
            if (out > 0 && r.type == T_GET_ID) {
                c.write(mem, 0, r.data, 0, out);
            }
            c.write(mem, c.writableLength() - 1, new byte[] {r.status}, 0, 1);
            transport.queue(r.queue).pushUsed(c.head(), out + 1);
            return true;
        } catch (VirtqueueException e) {
            transport.deviceError(e.getMessage());
            return false;
        }
    }

    /**
     * Waits until every request taken from the ring so far has been carried out and its completion posted
     * (tests; later, snapshots). Must not be called on a thread that the completions need.
     */
    public void sync() {
        worker.sync();
    }

    /** Closes the drive, once the requests in flight are done ({@link #close}). */
    @Override
    protected void release() throws BlockException {
        drive.close();
    }

    @Override
    public void saveState(StateWriter out) {
        out.putLong("capacity", drive.size() / SECTOR);
    }

    @Override
    protected void restoreState(StateReader in) {
        // nothing to restore: the capacity saved is the image's own
    }

    private void guestError(String fmt, Object... args) {
        if (DebugLog.on(DebugLog.Category.GUEST_ERRORS)) {
            DebugLog.log(DebugLog.Category.GUEST_ERRORS, "virtio-blk: " + String.format(fmt, args));
        }
    }

    private void hostError(VirtioBlkRequest r, String msg) {
        System.err.println("jemu: " + drive.options().file() + ": I/O error (request type " + r.type + ", sector "
                + r.sector + "): " + msg);
    }

    static int getInt(byte[] b, int o) {
        return (b[o] & 0xff) | (b[o + 1] & 0xff) << 8 | (b[o + 2] & 0xff) << 16 | (b[o + 3] & 0xff) << 24;
    }

    static long getLong(byte[] b, int o) {
        return (getInt(b, o) & 0xffff_ffffL) | (long) getInt(b, o + 4) << 32;
    }

    static void putShort(byte[] b, int o, int v) {
        b[o] = (byte) v;
        b[o + 1] = (byte) (v >> 8);
    }

    static void putInt(byte[] b, int o, int v) {
        putShort(b, o, v);
        putShort(b, o + 2, v >> 16);
    }

    static void putLong(byte[] b, int o, long v) {
        putInt(b, o, (int) v);
        putInt(b, o + 4, (int) (v >> 32));
    }
}
