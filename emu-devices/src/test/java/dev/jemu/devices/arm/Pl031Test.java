package dev.jemu.devices.arm;

import static org.junit.jupiter.api.Assertions.*;

import dev.jemu.core.state.StateRecord;
import dev.jemu.core.time.VirtualClock;
import org.junit.jupiter.api.Test;

/** The PL031 as Linux's rtc-pl031 driver uses it: DR read, LR set, MR alarm with IMSC/RIS/ICR. */
class Pl031Test {
    static final long S = 1_000_000_000L;
    final VirtualClock clock = VirtualClock.instructionCount(0);
    boolean irq;
    final Pl031 rtc = new Pl031("pl031@9010000", clock, l -> irq = l, 1_700_000_000L * S + 250_000_000L, true);

    @Test
    void drCountsSecondsFromTheStartTime() {
        assertEquals(1_700_000_000L, rtc.read(Pl031.DR, 4));
        clock.addInstructions(750_000_000L);
        assertEquals(1_700_000_001L, rtc.read(Pl031.DR, 4));
        assertEquals(1, rtc.read(Pl031.CR, 4), "the counter always runs");
        assertEquals(0x00141031, rtc.read(0xfe0, 4) | rtc.read(0xfe4, 4) << 8 | rtc.read(0xfe8, 4) << 16
                | rtc.read(0xfec, 4) << 24);
    }

    @Test
    void lrSetsTheCounter() {
        rtc.write(Pl031.LR, 4, 1000);
        assertEquals(1000, rtc.read(Pl031.DR, 4));
        assertEquals(1000, rtc.read(Pl031.LR, 4));
        clock.addInstructions(2 * S);
        assertEquals(1002, rtc.read(Pl031.DR, 4));
    }

    @Test
    void matchRaisesTheInterruptWhenUnmaskedUntilCleared() {
        rtc.write(Pl031.LR, 4, 100);
        rtc.write(Pl031.MR, 4, 103);
        rtc.write(Pl031.IMSC, 4, 1);
        clock.addInstructions(2 * S);
        clock.runExpired();
        assertFalse(irq);
        clock.addInstructions(S);
        clock.runExpired();
        assertTrue(irq);
        assertEquals(1, rtc.read(Pl031.RIS, 4));
        assertEquals(1, rtc.read(Pl031.MIS, 4));
        rtc.write(Pl031.ICR, 4, 1);
        assertFalse(irq);
        assertEquals(0, rtc.read(Pl031.RIS, 4));
    }

    @Test
    void stateRoundTripKeepsTimeAndPendingMatch() {
        rtc.write(Pl031.LR, 4, 500);
        rtc.write(Pl031.MR, 4, 510);
        rtc.write(Pl031.IMSC, 4, 1);
        StateRecord rec = StateRecord.of(rtc);
        boolean[] line = new boolean[1];
        Pl031 copy = new Pl031("pl031@9010000", clock, l -> line[0] = l, 0, true);
        rec.restore(copy);
        assertEquals(500, copy.read(Pl031.DR, 4));
        assertEquals(510, copy.read(Pl031.MR, 4));
        clock.addInstructions(10 * S);
        clock.runExpired();
        assertTrue(line[0]);
    }
}
