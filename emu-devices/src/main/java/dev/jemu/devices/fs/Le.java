package dev.jemu.devices.fs;

/** Little-endian fields of on-disk structures. */
final class Le {
    private Le() {
    }

    static int u8(byte[] b, int o) {
        return b[o] & 0xff;
    }

    static int u16(byte[] b, int o) {
        return (b[o] & 0xff) | (b[o + 1] & 0xff) << 8;
    }

    static long u32(byte[] b, int o) {
        return ((b[o] & 0xff) | (b[o + 1] & 0xff) << 8 | (b[o + 2] & 0xff) << 16 | (long) (b[o + 3] & 0xff) << 24);
    }

    static long u64(byte[] b, int o) {
        return u32(b, o) | u32(b, o + 4) << 32;
    }
}
