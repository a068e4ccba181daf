package dev.jemu.devices.arm;

/**
 * The PrimeCell identification registers every AMBA peripheral has in its last 32 bytes (0xfe0..0xffc): four
 * PeriphID bytes (part number, designer 0x41 = Arm, revision) then the fixed PrimeCell ID 0x0d 0xf0 0x05 0xb1,
 * which Linux's AMBA bus reads to find the driver before it probes.
 */
final class PrimeCellId {
    static final int FIRST = 0xfe0;

    private PrimeCellId() {
    }

    /** Whether {@code offset} is an ID register. */
    static boolean covers(long offset) {
        return offset >= FIRST && offset < 0x1000 && (offset & 3) == 0;
    }

    /** The ID register at {@code offset} of a peripheral whose PeriphID0..3 are {@code periph}. */
    static int read(long offset, int[] periph) {
        int i = (int) (offset - FIRST) >>> 2;
        return i < 4 ? periph[i] : new int[] {0x0d, 0xf0, 0x05, 0xb1}[i - 4];
    }
}
