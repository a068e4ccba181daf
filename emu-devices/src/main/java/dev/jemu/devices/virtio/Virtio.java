package dev.jemu.devices.virtio;

/** Transport-independent virtio constants (virtio 1.2, sections 2 and 6). */
public final class Virtio {
    private Virtio() {
    }

    // Device status (2.1)
    public static final int STATUS_ACKNOWLEDGE = 1;
    public static final int STATUS_DRIVER = 2;
    public static final int STATUS_DRIVER_OK = 4;
    public static final int STATUS_FEATURES_OK = 8;
    public static final int STATUS_DEVICE_NEEDS_RESET = 0x40;
    public static final int STATUS_FAILED = 0x80;

    // Reserved feature bits (6)
    public static final int F_INDIRECT_DESC = 28;
    public static final int F_EVENT_IDX = 29;
    public static final int F_VERSION_1 = 32;

    // Split virtqueue descriptor flags (2.7.5)
    public static final int VIRTQ_DESC_F_NEXT = 1;
    public static final int VIRTQ_DESC_F_WRITE = 2;
    public static final int VIRTQ_DESC_F_INDIRECT = 4;
    public static final int VIRTQ_AVAIL_F_NO_INTERRUPT = 1;

    // InterruptStatus bits (4.2.2)
    public static final int INT_USED_BUFFER = 1;
    public static final int INT_CONFIG_CHANGE = 2;

    /** Device IDs (5). */
    public static final int ID_BLOCK = 2;
    public static final int ID_ENTROPY = 4;
    public static final int ID_9P = 9;

    public static long bit(int n) {
        return 1L << n;
    }

    /** {@code size} bytes at {@code offset} of a configuration space held as bytes, little-endian; 0 beyond it. */
    public static long configBytes(byte[] config, int offset, int size) {
        long v = 0;
        for (int i = size - 1; i >= 0; i--) {
            int o = offset + i;
            v = (v << 8) | (o >= 0 && o < config.length ? config[o] & 0xff : 0);
        }
        return v;
    }
}
