package dev.jemu.devices.virtio;

/**
 * Register offsets and constants of the virtio-mmio transport (virtio 1.2, section 4.2.2), in one place so
 * the full transport can grow from the empty slot.
 */
public final class VirtioMmio {
    private VirtioMmio() {
    }

    /** "virt" in little-endian ASCII. */
    public static final int MAGIC = 0x74726976;
    /** Version 2: the non-legacy interface. */
    public static final int VERSION = 2;
    /** QEMU's vendor ID ("QEMU"); Linux does not check it, but tools print it. */
    public static final int VENDOR_QEMU = 0x554d4551;
    /** Size of one slot's register window. */
    public static final int SLOT_SIZE = 0x1000;

    public static final int MagicValue = 0x000;
    public static final int Version = 0x004;
    public static final int DeviceID = 0x008;
    public static final int VendorID = 0x00c;
    public static final int DeviceFeatures = 0x010;
    public static final int DeviceFeaturesSel = 0x014;
    public static final int DriverFeatures = 0x020;
    public static final int DriverFeaturesSel = 0x024;
    public static final int QueueSel = 0x030;
    public static final int QueueNumMax = 0x034;
    public static final int QueueNum = 0x038;
    public static final int QueueReady = 0x044;
    public static final int QueueNotify = 0x050;
    public static final int InterruptStatus = 0x060;
    public static final int InterruptACK = 0x064;
    public static final int Status = 0x070;
    public static final int QueueDescLow = 0x080;
    public static final int QueueDescHigh = 0x084;
    public static final int QueueDriverLow = 0x090;
    public static final int QueueDriverHigh = 0x094;
    public static final int QueueDeviceLow = 0x0a0;
    public static final int QueueDeviceHigh = 0x0a4;
    public static final int SHMSel = 0x0ac;
    public static final int SHMLenLow = 0x0b0;
    public static final int SHMLenHigh = 0x0b4;
    public static final int SHMBaseLow = 0x0b8;
    public static final int SHMBaseHigh = 0x0bc;
    public static final int QueueReset = 0x0c0;
    public static final int ConfigGeneration = 0x0fc;
    public static final int Config = 0x100;
}
