package dev.jemu.devices;

import static org.junit.jupiter.api.Assertions.*;

import dev.jemu.core.irq.IrqLine;
import dev.jemu.core.time.Timebase;
import dev.jemu.core.time.VirtualClock;
import org.junit.jupiter.api.Test;

class AclintTest {
    final VirtualClock clock = VirtualClock.instructionCount(0); // 1 ns per instruction
    final Timebase tb = new Timebase(clock, 10_000_000);          // 1 tick per 100 ns
    boolean msip, mtip;
    final Aclint clint = new Aclint("clint", tb, new IrqLine[] {l -> msip = l}, new IrqLine[] {l -> mtip = l});

    @Test
    void mtimeFollowsTheTimebase() {
        clock.addInstructions(12_345);
        assertEquals(123, clint.read(Aclint.MTIME, 8));
        assertEquals(123, clint.read(Aclint.MTIME, 4));
        assertEquals(0, clint.read(Aclint.MTIME + 4, 4));
    }

    @Test
    void msipBit() {
        clint.write(0, 4, 1);
        assertTrue(msip);
        assertEquals(1, clint.read(0, 4));
        clint.write(0, 4, 0);
        assertFalse(msip);
    }

    @Test
    void mtipFiresWhenMtimeReachesMtimecmp() {
        assertFalse(mtip);
        clint.write(Aclint.MTIMECMP_BASE, 8, 50); // 5000 ns
        assertFalse(mtip);
        assertEquals(50, clint.read(Aclint.MTIMECMP_BASE, 8));
        clock.addInstructions(4999);
        clock.runExpired();
        assertFalse(mtip);
        clock.addInstructions(1);
        clock.runExpired();
        assertTrue(mtip);
        // Raising mtimecmp in two 32-bit halves (high first, as 32-bit code does) clears it.
        clint.write(Aclint.MTIMECMP_BASE + 4, 4, 1);
        assertFalse(mtip);
        assertEquals(1L << 32 | 50, clint.read(Aclint.MTIMECMP_BASE, 8));
        clint.write(Aclint.MTIMECMP_BASE, 8, 10);
        assertTrue(mtip, "mtimecmp in the past: at once");
        clint.write(Aclint.MTIMECMP_BASE, 8, -1);
        assertFalse(mtip);
        assertEquals(Long.MAX_VALUE, clock.nextDeadline(), "no timer for a never-reached mtimecmp");
    }
}
