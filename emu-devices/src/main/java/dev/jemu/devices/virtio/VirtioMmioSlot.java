package dev.jemu.devices.virtio;

import dev.jemu.core.memory.MmioDevice;
import dev.jemu.core.state.StateReader;
import dev.jemu.core.state.StateWriter;
import dev.jemu.core.state.Stateful;

/**
 * An empty virtio-mmio slot, as QEMU's virt board has eight of: a valid transport header with device ID 0
 * ("no device"), which Linux's virtio_mmio driver probes and skips. Every other register reads 0 and ignores
 * writes.
 */
public final class VirtioMmioSlot implements MmioDevice, Stateful {
    private final String id;

    public VirtioMmioSlot(String id) {
        this.id = id;
    }

    @Override
    public long read(long offset, int size) {
        if (size != 4) {
            return 0;
        }
        return switch ((int) offset) {
            case VirtioMmio.MagicValue -> VirtioMmio.MAGIC;
            case VirtioMmio.Version -> VirtioMmio.VERSION;
            case VirtioMmio.DeviceID -> 0;
            case VirtioMmio.VendorID -> VirtioMmio.VENDOR_QEMU;
            default -> 0;
        };
    }

    @Override
    public void write(long offset, int size, long value) {
    }

    @Override
    public String stateId() {
        return id;
    }

    @Override
    public void saveState(StateWriter out) {
    }

    @Override
    public void loadState(StateReader in) {
    }
}
