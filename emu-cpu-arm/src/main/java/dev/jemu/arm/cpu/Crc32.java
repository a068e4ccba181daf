package dev.jemu.arm.cpu;

/** The CRC32 instructions' arithmetic: bit-reflected CRC-32 (ISO-HDLC) and CRC-32C (Castagnoli), no inversion. */
final class Crc32 {
    static final int[] IEEE = table(0xedb88320), CASTAGNOLI = table(0x82f63b78);

    private Crc32() {
    }

    private static int[] table(int poly) {
        int[] t = new int[256];
        for (int i = 0; i < 256; i++) {
            int v = i;
            for (int k = 0; k < 8; k++) {
                v = (v >>> 1) ^ ((v & 1) != 0 ? poly : 0);
            }
            t[i] = v;
        }
        return t;
    }

    /** Accumulates the low {@code bytes} bytes of {@code data}, least significant first, into {@code crc}. */
    static long update(int[] table, long crc, long data, int bytes) {
        int v = (int) crc;
        for (int i = 0; i < bytes; i++) {
            v = table[(v ^ (int) (data >>> (8 * i))) & 0xff] ^ (v >>> 8);
        }
        return v & Alu.W;
    }
}
