package dev.jemu.core.memory;

import dev.jemu.core.machine.DeviceFaults;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;

/**
 * The physical address space: non-overlapping regions sorted by base, found by binary search. CPUs use
 * {@link #find} once per page and cache the answer in their TLBs; {@link #read}/{@link #write} are the
 * generic (slow) path for everything else, such as device DMA or loaders. Every device window is guarded
 * ({@link ContainedDevice}): an exception out of a device's code is contained, not passed to the CPU.
 */
public final class AddressSpace {
    private Region[] regions = new Region[0];
    private final DeviceFaults faults = new DeviceFaults();
    private final DeviceLockRef deviceLock = new DeviceLockRef();
    private final java.util.Map<Class<?>, Object> shared = new java.util.concurrent.ConcurrentHashMap<>();

    /** The lock every device window's accesses take (null: none); shared by the bus's {@link ContainedDevice}s. */
    static final class DeviceLockRef {
        volatile java.util.concurrent.locks.ReentrantLock lock;
    }

    public Region addRam(String name, long base, GuestRam ram) {
        return add(new Region(name, base, ram.size(), Region.Kind.RAM, ram, null));
    }

    public Region addRom(String name, long base, GuestRam rom) {
        return add(new Region(name, base, rom.size(), Region.Kind.ROM, rom, null));
    }

    public Region addMmio(String name, long base, long size, MmioDevice device) {
        return add(new Region(name, base, size, Region.Kind.MMIO, null, new ContainedDevice(name, device, faults, deviceLock)));
    }

    /**
     * Makes every MMIO access through this bus hold {@code lock} (the machine loop's device lock, see
     * {@code MachineLoop.deviceLock()}): CPUs on several threads reach devices written for one. RAM never takes
     * it. Null: no lock (one thread runs everything).
     */
    public void useDeviceLock(java.util.concurrent.locks.ReentrantLock lock) {
        deviceLock.lock = lock;
    }

    /**
     * The one {@code type} object of this bus, made by {@code make} on first use: what every CPU on the bus shares,
     * such as a CPU module's decoded-code cache. It lives exactly as long as the bus (a static map keyed by the bus
     * would keep every machine's bus alive whenever the value refers back to it).
     */
    public <T> T shared(Class<T> type, java.util.function.Supplier<? extends T> make) {
        return type.cast(shared.computeIfAbsent(type, k -> make.get()));
    }

    /** Device faults contained on MMIO accesses (see {@link DeviceFaults}). */
    public DeviceFaults faults() {
        return faults;
    }

    private Region add(Region r) {
        for (Region o : regions) {
            if (Long.compareUnsigned(r.base(), o.end()) < 0 && Long.compareUnsigned(o.base(), r.end()) < 0) {
                throw new IllegalArgumentException("region " + r.name() + " overlaps " + o.name());
            }
        }
        List<Region> list = new ArrayList<>(Arrays.asList(regions));
        list.add(r);
        list.sort(Comparator.comparing(Region::base, Long::compareUnsigned));
        regions = list.toArray(Region[]::new);
        return r;
    }

    public List<Region> regions() {
        return List.of(regions);
    }

    /** The region containing {@code addr}, or null. */
    public Region find(long addr) {
        Region[] rs = regions;
        int lo = 0, hi = rs.length - 1;
        while (lo <= hi) {
            int mid = (lo + hi) >>> 1;
            Region r = rs[mid];
            if (Long.compareUnsigned(addr, r.base()) < 0) {
                hi = mid - 1;
            } else if (Long.compareUnsigned(addr - r.base(), r.size()) >= 0) {
                lo = mid + 1;
            } else {
                return r;
            }
        }
        return null;
    }

    /** Reads {@code size} bytes at {@code addr}; an access must not straddle two regions. */
    public long read(long addr, int size) {
        Region r = find(addr);
        if (r == null || !r.contains(addr + size - 1)) {
            throw BusError.INSTANCE;
        }
        return r.isMemory() ? r.ram().read(addr - r.base(), size) : r.device().read(addr - r.base(), size);
    }

    public void write(long addr, int size, long value) {
        Region r = find(addr);
        if (r == null || !r.contains(addr + size - 1)) {
            throw BusError.INSTANCE;
        }
        switch (r.kind()) {
            case RAM -> r.ram().write(addr - r.base(), size, value);
            case ROM -> { } // writes to ROM are ignored, as QEMU does
            case MMIO -> r.device().write(addr - r.base(), size, value);
        }
    }

    /** Reads the first {@code len} bytes of {@code file} into RAM or ROM, as {@link #load(long, byte[])}. */
    public void loadFrom(long addr, java.nio.channels.FileChannel file, long len) throws java.io.IOException {
        Region r = find(addr);
        if (r == null || !r.isMemory() || (len > 0 && !r.contains(addr + len - 1))) {
            throw new IllegalArgumentException(String.format("0x%x..0x%x is not inside RAM or ROM", addr, addr + len));
        }
        r.ram().loadFrom(addr - r.base(), file, len);
    }

    /** Copies bytes into RAM or ROM (loaders); fails if any byte is not backed by memory. */
    public void load(long addr, byte[] data) {
        Region r = find(addr);
        if (r == null || !r.isMemory() || (data.length > 0 && !r.contains(addr + data.length - 1))) {
            throw new IllegalArgumentException(String.format("0x%x..0x%x is not inside RAM or ROM", addr,
                    addr + data.length));
        }
        r.ram().load(addr - r.base(), data);
    }

    /** Bulk copy out of RAM (DMA, loaders); fails if the range is not inside one memory region. */
    public void copyOut(long addr, byte[] dst, int off, int len) {
        Region r = find(addr);
        if (r == null || !r.isMemory() || (len > 0 && !r.contains(addr + len - 1))) {
            throw BusError.INSTANCE;
        }
        r.ram().copyOut(addr - r.base(), dst, off, len);
    }
}
