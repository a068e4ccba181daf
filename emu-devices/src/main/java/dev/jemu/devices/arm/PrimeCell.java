package dev.jemu.devices.arm;

import dev.jemu.core.log.DebugLog;

/**
 * What every AMBA PrimeCell peripheral shares: the identification registers in its last 32 bytes (0xfe0..0xffc):
 * four PeriphID bytes (part number, designer 0x41 = Arm, revision) then the fixed PrimeCell ID 0x0d 0xf0 0x05 0xb1,
 * which Linux's AMBA bus reads to find the driver before it probes; and how an access to no register is logged.
 */
final class PrimeCell {
    static final int FIRST = 0xfe0;

    private PrimeCell() {
    }

    /** Whether {@code offset} is an ID register. */
    static boolean covers(long offset) {
        return offset >= FIRST && offset < 0x1000 && (offset & 3) == 0;
    }

    /** The ID register at {@code offset} of a peripheral whose PeriphID0..3 are {@code periph}. */
    static int readId(long offset, int[] periph) {
        int i = (int) (offset - FIRST) >>> 2;
        return i < 4 ? periph[i] : new int[] {0x0d, 0xf0, 0x05, 0xb1}[i - 4];
    }

    /** A read of no register of device {@code id}: a guest error, reads as 0. */
    static long unknownRead(String id, long offset) {
        DebugLog.log(DebugLog.Category.GUEST_ERRORS, "%s: read of unknown register 0x%x", id, offset);
        return 0;
    }

    /** A write of {@code value} to a read-only ({@code readOnly}) or unknown register: a guest error, ignored. */
    static void ignoredWrite(String id, long offset, int value, boolean readOnly) {
        DebugLog.log(DebugLog.Category.GUEST_ERRORS, "%s: write 0x%x to %s register 0x%x", id, value,
                readOnly ? "read-only" : "unknown", offset);
    }
}
