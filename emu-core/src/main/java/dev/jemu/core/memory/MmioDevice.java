package dev.jemu.core.memory;

/**
 * A device register window on the bus. Offsets are relative to the region base; sizes are 1, 2, 4 or 8 bytes.
 * Registers that do not exist read as zero and ignore writes, as on real hardware; a device throws
 * {@link BusError} only where the real bus would signal an access fault.
 */
public interface MmioDevice {
    long read(long offset, int size);

    void write(long offset, int size, long value);
}
