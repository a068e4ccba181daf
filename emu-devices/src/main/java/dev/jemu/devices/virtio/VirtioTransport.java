package dev.jemu.devices.virtio;

/** What a {@link VirtioDevice} may ask of its transport. */
public interface VirtioTransport {
    Virtqueue queue(int q);

    DmaMemory memory();

    /** Feature bits the driver accepted. */
    long driverFeatures();

    /** Whether the driver set DRIVER_OK and the device does not need a reset. */
    boolean live();

    /** Used buffers were added to queue {@code q}: interrupt the driver if it wants one. */
    void usedBuffers(int q);

    /** The driver broke the protocol: set DEVICE_NEEDS_RESET and signal a configuration change. */
    void deviceError(String why);
}
