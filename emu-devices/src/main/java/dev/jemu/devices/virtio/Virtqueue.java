package dev.jemu.devices.virtio;

import dev.jemu.core.state.StateReader;
import dev.jemu.core.state.StateWriter;

/**
 * A split virtqueue (virtio 1.2, 2.7): the driver's descriptor table and available ring, the device's used
 * ring, all in guest RAM. {@link #pop} takes the next available chain and checks it completely (indices,
 * loops, addresses, readable-before-writable, indirect tables) before the device sees it; any violation is a
 * {@link VirtqueueException}, which the transport turns into DEVICE_NEEDS_RESET.
 */
public final class Virtqueue {
    private final int index;
    private final int numMax;
    private final DmaMemory mem;

    int num;
    boolean ready;
    long descAddr, driverAddr, deviceAddr;
    /** Next available-ring slot to take, and next used-ring slot to fill (free-running 16-bit counters). */
    int lastAvailIdx, usedIdx;
    /** usedIdx when the driver was last notified (EVENT_IDX suppression). */
    int signalledUsed;
    boolean signalledValid;
    boolean eventIdx, indirect;

    Virtqueue(int index, int numMax, DmaMemory mem) {
        this.index = index;
        this.numMax = numMax;
        this.mem = mem;
        reset();
    }

    public int index() {
        return index;
    }

    public int numMax() {
        return numMax;
    }

    public int num() {
        return num;
    }

    public boolean ready() {
        return ready;
    }

    void reset() {
        num = numMax;
        ready = false;
        descAddr = driverAddr = deviceAddr = 0;
        lastAvailIdx = usedIdx = signalledUsed = 0;
        signalledValid = false;
    }

    /** Checks the ring layout when the driver sets QueueReady. */
    void checkLayout() throws VirtqueueException {
        // QueueNum is a 32-bit register: compared unsigned, so 2^31 (one bit set) is too large, not negative
        if (num == 0 || Integer.compareUnsigned(num, numMax) > 0 || Integer.bitCount(num) != 1) {
            throw new VirtqueueException("queue " + index + ": size " + Integer.toUnsignedString(num)
                    + " is not a power of two <= " + numMax);
        }
        if ((descAddr & 15) != 0 || (driverAddr & 1) != 0 || (deviceAddr & 3) != 0) {
            throw new VirtqueueException("queue " + index + ": misaligned ring");
        }
        if (!mem.isRam(descAddr, 16L * num) || !mem.isRam(driverAddr, 6 + 2L * num)
                || !mem.isRam(deviceAddr, 6 + 8L * num)) {
            throw new VirtqueueException("queue " + index + ": ring outside guest RAM");
        }
    }

    /** Number of chains the driver has made available and the device has not taken yet. */
    private int pending() throws VirtqueueException {
        int avail = mem.readU16(driverAddr + 2);
        int n = (avail - lastAvailIdx) & 0xffff;
        if (n > num) {
            throw new VirtqueueException("queue " + index + ": avail idx " + avail + " is " + n + " ahead of "
                    + lastAvailIdx + " (queue size " + num + ")");
        }
        return n;
    }

    /** The next available chain, or null if none; the device owns it until {@link #pushUsed}. */
    public DescriptorChain pop() throws VirtqueueException {
        if (!ready || pending() == 0) {
            return null;
        }
        int head = mem.readU16(driverAddr + 4 + 2L * (lastAvailIdx & (num - 1)));
        DescriptorChain c = walk(head);
        lastAvailIdx = (lastAvailIdx + 1) & 0xffff;
        if (eventIdx) { // avail_event: notify me when the driver moves past what I have taken
            mem.writeU16(deviceAddr + 4 + 8L * num, lastAvailIdx);
        }
        return c;
    }

    private DescriptorChain walk(int head) throws VirtqueueException {
        if (head >= num) {
            throw new VirtqueueException("queue " + index + ": head index " + head + " >= size " + num);
        }
        long table = descAddr;
        int tableSize = num;
        int i = head, seen = 0, readable = 0, n = 0;
        boolean inIndirect = false;
        long[] addr = new long[8];
        int[] len = new int[8];
        while (true) {
            if (i >= tableSize) {
                throw new VirtqueueException("queue " + index + ": descriptor index " + i + " >= table size " + tableSize);
            }
            if (++seen > tableSize) {
                throw new VirtqueueException("queue " + index + ": descriptor chain loops or is longer than its table");
            }
            long d = table + 16L * i;
            long a = mem.readU64(d);
            long l = mem.readU32(d + 8);
            int flags = mem.readU16(d + 12);
            int next = mem.readU16(d + 14);
            if ((flags & Virtio.VIRTQ_DESC_F_INDIRECT) != 0) {
                if (!indirect || inIndirect || n > 0 || (flags & Virtio.VIRTQ_DESC_F_NEXT) != 0) {
                    throw new VirtqueueException("queue " + index + ": misplaced indirect descriptor");
                }
                if (l == 0 || (l & 15) != 0 || (a & 15) != 0 || !mem.isRam(a, l)) {
                    throw new VirtqueueException("queue " + index + ": bad indirect table (0x"
                            + Long.toHexString(a) + ", " + l + " bytes)");
                }
                table = a;
                tableSize = (int) Math.min(l / 16, 1 << 16);
                inIndirect = true;
                i = 0;
                seen = 0;
                continue;
            }
            boolean write = (flags & Virtio.VIRTQ_DESC_F_WRITE) != 0;
            if (!write && readable != n) {
                throw new VirtqueueException("queue " + index + ": device-readable descriptor after a writable one");
            }
            if (!mem.isRam(a, l)) {
                throw new VirtqueueException(String.format("queue %d: buffer 0x%x (%d bytes) is outside guest RAM",
                        index, a, l));
            }
            if (n == addr.length) {
                addr = java.util.Arrays.copyOf(addr, n * 2);
                len = java.util.Arrays.copyOf(len, n * 2);
            }
            addr[n] = a;
            len[n] = (int) l;
            n++;
            if (!write) {
                readable++;
            }
            if ((flags & Virtio.VIRTQ_DESC_F_NEXT) == 0) {
                break;
            }
            i = next;
        }
        return new DescriptorChain(head, addr, len, readable, n);
    }

    /** Returns a chain to the driver with {@code written} bytes written into its writable part. */
    public void pushUsed(int head, long written) throws VirtqueueException {
        long e = deviceAddr + 4 + 8L * (usedIdx & (num - 1));
        mem.writeU32(e, head);
        mem.writeU32(e + 4, written);
        usedIdx = (usedIdx + 1) & 0xffff;
        mem.writeU16(deviceAddr + 2, usedIdx); // after the element: the driver reads idx first
    }

    /** Whether the driver wants an interrupt for the used buffers added since the last one. */
    boolean needsInterrupt() throws VirtqueueException {
        if (!eventIdx) {
            return (mem.readU16(driverAddr) & Virtio.VIRTQ_AVAIL_F_NO_INTERRUPT) == 0;
        }
        int old = signalledUsed;
        boolean valid = signalledValid;
        signalledUsed = usedIdx;
        signalledValid = true;
        if (!valid) {
            return true;
        }
        int usedEvent = mem.readU16(driverAddr + 4 + 2L * num);
        // vring_need_event: did the new used idx step past used_event since the last interrupt?
        return ((usedIdx - usedEvent - 1) & 0xffff) < ((usedIdx - old) & 0xffff);
    }

    void save(StateWriter out, String p) {
        out.putInt(p + "num", num).putBoolean(p + "ready", ready).putLong(p + "desc", descAddr)
                .putLong(p + "driver", driverAddr).putLong(p + "device", deviceAddr)
                .putInt(p + "lastAvailIdx", lastAvailIdx).putInt(p + "usedIdx", usedIdx)
                .putInt(p + "signalledUsed", signalledUsed).putBoolean(p + "signalledValid", signalledValid);
    }

    void load(StateReader in, String p) {
        num = in.getInt(p + "num");
        ready = in.getBoolean(p + "ready");
        descAddr = in.getLong(p + "desc");
        driverAddr = in.getLong(p + "driver");
        deviceAddr = in.getLong(p + "device");
        lastAvailIdx = in.getInt(p + "lastAvailIdx") & 0xffff;
        usedIdx = in.getInt(p + "usedIdx") & 0xffff;
        signalledUsed = in.getInt(p + "signalledUsed", usedIdx) & 0xffff;
        signalledValid = in.getBoolean(p + "signalledValid", false);
    }
}
