package dev.jemu.devices.virtio;

import dev.jemu.core.machine.DeviceFaults;

/**
 * What a {@link VirtioDevice} may ask of its transport. As a {@link DeviceFaults.Recovery} it is what a
 * device's failed posted work falls back on: DEVICE_NEEDS_RESET.
 */
public interface VirtioTransport extends DeviceFaults.Recovery {
    Virtqueue queue(int q);

    DmaMemory memory();

    /** Feature bits the driver accepted. */
    long driverFeatures();

    /** Whether the driver set DRIVER_OK and the device does not need a reset. */
    boolean live();

    /** Used buffers were added to queue {@code q}: interrupt the driver if it wants one. */
    void usedBuffers(int q);

    /** The device changed its configuration space (e.g. virtio-net's link status): tell the driver. */
    void configChanged();

    /** The driver broke the protocol: set DEVICE_NEEDS_RESET and signal a configuration change. */
    void deviceError(String why);
}
