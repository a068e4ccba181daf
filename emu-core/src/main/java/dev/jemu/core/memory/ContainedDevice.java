package dev.jemu.core.memory;

import dev.jemu.core.machine.DeviceFaults;

/**
 * The bus's guard around one device window ({@link AddressSpace#addMmio} installs it): a
 * {@link RuntimeException} other than {@link BusError} out of the device is contained by
 * {@link DeviceFaults} instead of reaching the CPU or the machine loop. A device that cannot recover is
 * switched off: from then on it reads 0 and ignores writes. Only MMIO goes through here, never RAM. When the
 * bus has a device lock (CPUs on several threads), every access holds it.
 */
final class ContainedDevice implements MmioDevice {
    private final String name;
    private final MmioDevice device;
    private final DeviceFaults faults;
    private final AddressSpace.DeviceLockRef lockRef;
    private boolean disabled;

    ContainedDevice(String name, MmioDevice device, DeviceFaults faults, AddressSpace.DeviceLockRef lockRef) {
        this.name = name;
        this.device = device;
        this.faults = faults;
        this.lockRef = lockRef;
    }

    @Override
    public long read(long offset, int size) {
        java.util.concurrent.locks.ReentrantLock l = lockRef.lock;
        if (l == null) {
            return readUnlocked(offset, size);
        }
        l.lock();
        try {
            return readUnlocked(offset, size);
        } finally {
            l.unlock();
        }
    }

    @Override
    public void write(long offset, int size, long value) {
        java.util.concurrent.locks.ReentrantLock l = lockRef.lock;
        if (l == null) {
            writeUnlocked(offset, size, value);
            return;
        }
        l.lock();
        try {
            writeUnlocked(offset, size, value);
        } finally {
            l.unlock();
        }
    }

    private long readUnlocked(long offset, int size) {
        if (disabled) {
            return 0;
        }
        try {
            return device.read(offset, size);
        } catch (BusError e) {
            throw e;
        } catch (RuntimeException e) {
            failed(e);
            return 0;
        }
    }

    private void writeUnlocked(long offset, int size, long value) {
        if (disabled) {
            return;
        }
        try {
            device.write(offset, size, value);
        } catch (BusError e) {
            throw e;
        } catch (RuntimeException e) {
            failed(e);
        }
    }

    private void failed(RuntimeException e) {
        DeviceFaults.Recovery recovery = device instanceof DeviceFaults.Recovery r ? r : null;
        disabled = !faults.contain(name, e, recovery);
    }
}
