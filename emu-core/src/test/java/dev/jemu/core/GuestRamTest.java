package dev.jemu.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jemu.core.memory.DirtyLog;
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

    /** A window (x86's RAM above 4 GiB) is the same memory, marks the whole block's dirty log, and cannot outlive it. */
    @Test
    void aWindowSharesMemoryAndDirtyLogWithItsBlock() {
        try (GuestRam ram = new GuestRam(1 << 20)) {
            GuestRam high = ram.slice(0xc0000, 0x40000);
            assertEquals(0x40000, high.size());
            high.writeLong(8, 0x5aL);
            assertEquals(0x5aL, ram.readLong(0xc0008), "the window writes the block");
            ram.writeInt(0xc1000, 7);
            assertEquals(7, high.readInt(0x1000), "and reads it");
            ram.dirtyLog().start();
            ram.dirtyLog().take();
            high.writeByte(0x3000, (byte) 1);
            high.dirtyLog().mark(0x5000, 0x1001); // pages 5 and 6 of the window
            long[] dirty = ram.dirtyLog().take();
            assertEquals(3, DirtyLog.count(dirty));
            for (int page : new int[] {0xc3, 0xc5, 0xc6}) {
                assertEquals(1, dirty[page >> 6] >>> page & 1, "page " + page);
            }
            assertTrue(high.dirtyLog().active());
            assertThrows(IllegalStateException.class, () -> high.dirtyLog().take());
            high.zero(0, 0x1000);
            assertEquals(0, ram.readLong(0xc0008), "zeroing the window zeroes the block");
            high.close(); // a window owns nothing
            assertEquals(7, ram.readInt(0xc1000));
            assertThrows(IllegalArgumentException.class, () -> ram.slice(0xc0000, 0x41000));
            assertThrows(IllegalArgumentException.class, () -> ram.slice(0x800, 0x1000));
        }
    }
}
