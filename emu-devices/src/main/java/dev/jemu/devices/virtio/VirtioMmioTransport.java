package dev.jemu.devices.virtio;

import static dev.jemu.devices.virtio.VirtioMmio.*;

import dev.jemu.core.irq.CachedIrqLine;
import dev.jemu.core.irq.IrqLine;
import dev.jemu.core.log.DebugLog;
import dev.jemu.core.memory.MmioDevice;
import dev.jemu.core.state.StateReader;
import dev.jemu.core.state.StateWriter;
import dev.jemu.core.state.Stateful;

/**
 * The virtio-mmio transport, version 2 only (virtio 1.2, 4.2.2): registers, feature negotiation, the status
 * handshake, queue setup, notification and the interrupt line for one {@link VirtioDevice}. A driver that
 * breaks the protocol gets DEVICE_NEEDS_RESET and a configuration-change interrupt, never a host error.
 */
public final class VirtioMmioTransport implements MmioDevice, Stateful, VirtioTransport {
    /** Features every device on this transport offers. */
    static final long TRANSPORT_FEATURES = Virtio.bit(Virtio.F_VERSION_1) | Virtio.bit(Virtio.F_EVENT_IDX)
            | Virtio.bit(Virtio.F_INDIRECT_DESC);

    private final String id;
    private final VirtioDevice device;
    private final CachedIrqLine irq;
    private final DmaMemory mem;
    private final Virtqueue[] queues;

    private int status;
    private int deviceFeaturesSel, driverFeaturesSel, queueSel;
    private long driverFeatures;
    private int interruptStatus;
    private int configGeneration;

    public VirtioMmioTransport(String id, VirtioDevice device, IrqLine irq, DmaMemory mem) {
        this.id = id;
        this.device = device;
        this.irq = new CachedIrqLine(irq);
        this.mem = mem;
        this.queues = new Virtqueue[device.queueCount()];
        for (int q = 0; q < queues.length; q++) {
            queues[q] = new Virtqueue(q, device.queueNumMax(q), mem);
        }
        device.attach(this);
    }

    public VirtioDevice device() {
        return device;
    }

    public int status() {
        return status;
    }

    public int interruptStatus() {
        return interruptStatus;
    }

    long offeredFeatures() {
        return device.deviceFeatures() | TRANSPORT_FEATURES;
    }

    /**
     * The queue QueueSel names, or null. The selectors are 32-bit registers the guest may set to any value:
     * compared unsigned, so 2^31 and above are out of range rather than negative indices.
     */
    private Virtqueue selected() {
        return Integer.compareUnsigned(queueSel, queues.length) < 0 ? queues[queueSel] : null;
    }

    /** Whether a features selector picks one of the two 32-bit feature words (values above 1 select nothing). */
    private static boolean featureWord(int sel) {
        return Integer.compareUnsigned(sel, 1) <= 0;
    }

    @Override
    public long read(long offset, int size) {
        int off = (int) offset;
        if (off >= Config) {
            int c = off - Config;
            return c + size <= 0x1000 - Config ? device.readConfig(c, size) : 0;
        }
        if (size != 4) {
            guestError("read of %d bytes at 0x%x", size, off);
            return 0;
        }
        Virtqueue q = selected();
        return switch (off) {
            case MagicValue -> MAGIC;
            case Version -> VERSION;
            case DeviceID -> device.deviceId();
            case VendorID -> VENDOR_QEMU;
            case DeviceFeatures -> featureWord(deviceFeaturesSel)
                    ? (offeredFeatures() >>> (32 * deviceFeaturesSel)) & 0xffff_ffffL : 0;
            case QueueNumMax -> q == null ? 0 : q.numMax();
            case QueueReady -> q != null && q.ready ? 1 : 0;
            case InterruptStatus -> interruptStatus & 0xffff_ffffL;
            case Status -> status;
            case ConfigGeneration -> configGeneration & 0xffff_ffffL;
            case QueueNum -> q == null ? 0 : q.num & 0xffff_ffffL;
            case QueueDescLow -> q == null ? 0 : q.descAddr & 0xffff_ffffL;
            case QueueDescHigh -> q == null ? 0 : q.descAddr >>> 32;
            case QueueDriverLow -> q == null ? 0 : q.driverAddr & 0xffff_ffffL;
            case QueueDriverHigh -> q == null ? 0 : q.driverAddr >>> 32;
            case QueueDeviceLow -> q == null ? 0 : q.deviceAddr & 0xffff_ffffL;
            case QueueDeviceHigh -> q == null ? 0 : q.deviceAddr >>> 32;
            case SHMLenLow, SHMLenHigh, SHMBaseLow, SHMBaseHigh -> 0xffff_ffffL; // no shared memory regions
            default -> 0;
        };
    }

    @Override
    public void write(long offset, int size, long value) {
        int off = (int) offset;
        if (off >= Config) {
            int c = off - Config;
            if (c + size <= 0x1000 - Config) {
                device.writeConfig(c, size, value);
            }
            return;
        }
        if (size != 4) {
            guestError("write of %d bytes at 0x%x", size, off);
            return;
        }
        long v = value & 0xffff_ffffL;
        Virtqueue q = selected();
        switch (off) {
            case DeviceFeaturesSel -> deviceFeaturesSel = (int) v;
            case DriverFeaturesSel -> driverFeaturesSel = (int) v;
            case DriverFeatures -> {
                if ((status & Virtio.STATUS_FEATURES_OK) != 0) {
                    guestError("DriverFeatures written after FEATURES_OK");
                } else if (featureWord(driverFeaturesSel)) {
                    int shift = 32 * driverFeaturesSel;
                    driverFeatures = (driverFeatures & ~(0xffff_ffffL << shift)) | (v << shift);
                }
            }
            case QueueSel -> queueSel = (int) v;
            case QueueNum -> { if (queueSetup(q)) q.num = (int) v; }
            case QueueDescLow -> { if (queueSetup(q)) q.descAddr = low(q.descAddr, v); }
            case QueueDescHigh -> { if (queueSetup(q)) q.descAddr = high(q.descAddr, v); }
            case QueueDriverLow -> { if (queueSetup(q)) q.driverAddr = low(q.driverAddr, v); }
            case QueueDriverHigh -> { if (queueSetup(q)) q.driverAddr = high(q.driverAddr, v); }
            case QueueDeviceLow -> { if (queueSetup(q)) q.deviceAddr = low(q.deviceAddr, v); }
            case QueueDeviceHigh -> { if (queueSetup(q)) q.deviceAddr = high(q.deviceAddr, v); }
            case QueueReady -> setQueueReady(q, v != 0);
            case QueueNotify -> notify(v);
            case InterruptACK -> {
                interruptStatus &= (int) ~v;
                updateIrq();
            }
            case Status -> setStatus((int) (v & 0xff));
            default -> guestError("write to register 0x%x", off);
        }
    }

    private static long low(long old, long v) {
        return (old & 0xffff_ffff_0000_0000L) | v;
    }

    private static long high(long old, long v) {
        return (old & 0xffff_ffffL) | (v << 32);
    }

    private boolean queueSetup(Virtqueue q) {
        if (q == null) {
            guestError("queue register written with QueueSel %s out of range", Integer.toUnsignedString(queueSel));
            return false;
        }
        if (q.ready) {
            guestError("queue %d reconfigured while ready", q.index());
            return false;
        }
        return true;
    }

    private void setQueueReady(Virtqueue q, boolean ready) {
        if (q == null) {
            guestError("QueueReady with QueueSel %s out of range", Integer.toUnsignedString(queueSel));
            return;
        }
        if (!ready) {
            q.ready = false;
            return;
        }
        if (q.ready) {
            return;
        }
        try {
            q.checkLayout();
        } catch (VirtqueueException e) {
            deviceError(e.getMessage());
            return;
        }
        q.eventIdx = (driverFeatures & Virtio.bit(Virtio.F_EVENT_IDX)) != 0;
        q.indirect = (driverFeatures & Virtio.bit(Virtio.F_INDIRECT_DESC)) != 0;
        q.ready = true;
    }

    private void setStatus(int v) {
        if (v == 0) {
            reset();
            return;
        }
        if ((v & ~status & Virtio.STATUS_FEATURES_OK) != 0) {
            long offered = offeredFeatures();
            if ((driverFeatures & ~offered) != 0 || (driverFeatures & Virtio.bit(Virtio.F_VERSION_1)) == 0) {
                guestError("driver features 0x%x not acceptable (offered 0x%x)", driverFeatures, offered);
                v &= ~Virtio.STATUS_FEATURES_OK; // the driver reads it back and gives up
            }
        }
        // DEVICE_NEEDS_RESET is the device's bit: the driver cannot set or clear it
        int old = status;
        status = (v & ~Virtio.STATUS_DEVICE_NEEDS_RESET) | (status & Virtio.STATUS_DEVICE_NEEDS_RESET);
        if ((status & ~old & Virtio.STATUS_DRIVER_OK) != 0 && (status & Virtio.STATUS_DEVICE_NEEDS_RESET) != 0) {
            signalConfigChange(); // broken during setup: tell the driver now that it listens
        }
    }

    /** QueueNotify: the whole 32-bit value is the queue index (no NOTIFICATION_DATA), as QEMU reads it. */
    private void notify(long q) {
        if (q >= queues.length) {
            guestError("QueueNotify for queue %d out of range", q);
            return;
        }
        if (live() && queues[(int) q].ready) {
            device.queueNotify((int) q);
        }
    }

    /** Device reset: back to the power-on state, requests in flight forgotten. */
    public void reset() {
        status = 0;
        deviceFeaturesSel = driverFeaturesSel = queueSel = 0;
        driverFeatures = 0;
        interruptStatus = 0;
        for (Virtqueue q : queues) {
            q.reset();
        }
        device.reset();
        updateIrq();
    }

    private void updateIrq() {
        irq.set(interruptStatus != 0);
    }

    @Override
    public Virtqueue queue(int q) {
        return queues[q];
    }

    @Override
    public DmaMemory memory() {
        return mem;
    }

    @Override
    public long driverFeatures() {
        return driverFeatures;
    }

    @Override
    public boolean live() {
        return (status & Virtio.STATUS_DRIVER_OK) != 0 && (status & Virtio.STATUS_DEVICE_NEEDS_RESET) == 0;
    }

    @Override
    public void usedBuffers(int q) {
        try {
            if (queues[q].needsInterrupt()) {
                interruptStatus |= Virtio.INT_USED_BUFFER;
                updateIrq();
            }
        } catch (VirtqueueException e) {
            deviceError(e.getMessage());
        }
    }

    @Override
    public void deviceError(String why) {
        guestError("%s", why);
        needsReset();
    }

    /** Our own code threw (contained by the bus or the machine loop, which log it): the driver must reset us. */
    @Override
    public void hostFailure(String why) {
        needsReset();
    }

    private void needsReset() {
        if ((status & Virtio.STATUS_DEVICE_NEEDS_RESET) != 0) {
            return;
        }
        status |= Virtio.STATUS_DEVICE_NEEDS_RESET;
        if ((status & Virtio.STATUS_DRIVER_OK) != 0) {
            signalConfigChange();
        }
    }

    @Override
    public void configChanged() {
        if ((status & Virtio.STATUS_DRIVER_OK) != 0) {
            signalConfigChange();
        }
    }

    private void signalConfigChange() {
        interruptStatus |= Virtio.INT_CONFIG_CHANGE;
        configGeneration++;
        updateIrq();
    }

    private void guestError(String fmt, Object... args) {
        if (DebugLog.on(DebugLog.Category.GUEST_ERRORS)) {
            DebugLog.log(DebugLog.Category.GUEST_ERRORS, id + ": " + String.format(fmt, args));
        }
    }

    @Override
    public String stateId() {
        return id;
    }

    /** Carries out every request taken from the rings (snapshots: before the disks change under them). */
    public void drain() {
        device.drain();
    }

    @Override
    public void saveState(StateWriter out) {
        device.drain(); // first: completions change the rings, the interrupt status and guest RAM
        out.putInt("deviceId", device.deviceId()).putInt("status", status)
                .putInt("deviceFeaturesSel", deviceFeaturesSel).putInt("driverFeaturesSel", driverFeaturesSel)
                .putInt("queueSel", queueSel).putLong("driverFeatures", driverFeatures)
                .putInt("interruptStatus", interruptStatus).putInt("configGeneration", configGeneration);
        for (Virtqueue q : queues) {
            q.save(out, "q" + q.index() + ".");
        }
        device.saveState(out);
    }

    @Override
    public void loadState(StateReader in) {
        if (in.getInt("deviceId") != device.deviceId()) {
            throw new dev.jemu.core.state.StateException(id + ": saved device id " + in.getInt("deviceId")
                    + " is not " + device.deviceId());
        }
        status = in.getInt("status");
        deviceFeaturesSel = in.getInt("deviceFeaturesSel");
        driverFeaturesSel = in.getInt("driverFeaturesSel");
        queueSel = in.getInt("queueSel");
        driverFeatures = in.getLong("driverFeatures");
        interruptStatus = in.getInt("interruptStatus");
        configGeneration = in.getInt("configGeneration", 0);
        for (Virtqueue q : queues) {
            q.load(in, "q" + q.index() + ".");
            q.eventIdx = (driverFeatures & Virtio.bit(Virtio.F_EVENT_IDX)) != 0;
            q.indirect = (driverFeatures & Virtio.bit(Virtio.F_INDIRECT_DESC)) != 0;
        }
        device.loadState(in);
        irq.force(interruptStatus != 0);
    }
}
