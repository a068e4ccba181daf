package dev.jemu.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jemu.core.memory.GuestRam;
import org.junit.jupiter.api.Test;

/** Guest RAM starts zeroed (mapped lazily on Linux), keeps what is written and is released on close. */
class GuestRamTest {
    @Test
    void freshRamIsZeroAndKeepsWrites() {
        long size = 64L << 20;
        for (int round = 0; round < 3; round++) { // a new block after the previous one was released
            try (GuestRam ram = new GuestRam(size)) {
                assertTrue(ram.segment().isNative());
                assertEquals(0, ram.segment().address() & 0xfff, "page-aligned");
                for (long off : new long[] {0, 4096, size / 2 + 8, size - 8}) {
                    assertEquals(0, ram.readLong(off), "zero at " + off);
                    ram.writeLong(off, 0x1122334455667788L + off + round);
                }
                for (long off : new long[] {0, 4096, size / 2 + 8, size - 8}) {
                    assertEquals(0x1122334455667788L + off + round, ram.readLong(off));
                }
                assertThrows(IndexOutOfBoundsException.class, () -> ram.readLong(size - 4));
            }
        }
    }
}
