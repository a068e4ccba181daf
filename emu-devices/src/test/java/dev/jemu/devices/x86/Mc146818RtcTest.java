package dev.jemu.devices.x86;

import static org.junit.jupiter.api.Assertions.*;

import dev.jemu.core.machine.RtcOptions;
import dev.jemu.core.time.VirtualClock;
import java.time.Instant;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class Mc146818RtcTest {
    /** Sunday 6 December 2026, 21:34:56.5 UTC. */
    static final long START = RtcOptions.nanos(Instant.parse("2026-12-06T21:34:56.500Z"));

    final VirtualClock clock = VirtualClock.instructionCount(0);
    Mc146818Rtc rtc;
    boolean irq;
    int edges;

    @BeforeEach
    void setUp() {
        rtc = new Mc146818Rtc(clock, START, true, l -> {
            if (l && !irq) {
                edges++;
            }
            irq = l;
        });
    }

    int cmos(int i) {
        rtc.write(0, 1, i | 0x80); // bit 7: NMI masked, as Linux writes the index
        return (int) rtc.read(1, 1);
    }

    void setCmos(int i, int v) {
        rtc.write(0, 1, i);
        rtc.write(1, 1, v);
    }

    void advanceTo(long ns) {
        clock.setNanos(ns);
        clock.runExpired();
    }

    @Test
    void readsTheTimeInBcd24Hour() {
        assertEquals(0x56, cmos(0));
        assertEquals(0x34, cmos(2));
        assertEquals(0x21, cmos(4));
        assertEquals(0x01, cmos(6), "Sunday");
        assertEquals(0x06, cmos(7));
        assertEquals(0x12, cmos(8));
        assertEquals(0x26, cmos(9));
        assertEquals(0x20, cmos(0x32), "century");
        assertEquals(0x26, cmos(10));
        assertEquals(0x02, cmos(11));
        assertEquals(0x80, cmos(13), "battery good");
    }

    @Test
    void binaryAnd12HourModes() {
        setCmos(11, 0x04); // binary, 12-hour
        assertEquals(56, cmos(0));
        assertEquals(0x80 | 9, cmos(4), "9 PM");
    }

    @Test
    void updateInProgressBeforeEachSecond() {
        advanceTo(499_800_000L); // 200 us before second 57
        assertEquals(0x80, cmos(10) & 0x80);
        advanceTo(500_000_000L);
        assertEquals(0, cmos(10) & 0x80);
        assertEquals(0x57, cmos(0));
    }

    @Test
    void setBitFreezesAndCommitsWrittenTime() {
        setCmos(11, 0x82);
        setCmos(4, 0x08);
        setCmos(2, 0x00);
        setCmos(0, 0x00);
        advanceTo(5_000_000_000L);
        assertEquals(0x00, cmos(0), "frozen while SET");
        setCmos(11, 0x02);
        advanceTo(7_000_000_000L);
        assertEquals(0x08, cmos(4));
        assertEquals(0x02, cmos(0));
    }

    @Test
    void periodicInterruptOnIrq8ClearedByReadingC() {
        setCmos(10, 0x26); // 1024 Hz
        setCmos(11, 0x42); // PIE
        advanceTo(976_563);
        assertTrue(irq);
        assertEquals(0xc0, cmos(12));
        assertFalse(irq);
        assertEquals(0, cmos(12));
        for (long t = 1_000_000; t <= 10_000_000; t += 100_000) {
            advanceTo(t);
            cmos(12);
        }
        assertEquals(10, edges);
    }

    @Test
    void updateAndAlarmInterrupts() {
        setCmos(1, 0x58);
        setCmos(3, 0xff);
        setCmos(5, 0xff);
        setCmos(11, 0x32); // AIE, UIE
        advanceTo(500_000_000L); // second 57
        assertEquals(0x90, cmos(12));
        advanceTo(1_500_000_000L); // second 58: the alarm
        assertEquals(0xb0, cmos(12));
    }

    @Test
    void cmosMemoryBytes() {
        rtc.setMemory(0x15, 0x80);
        assertEquals(0x80, cmos(0x15));
        setCmos(0x40, 0x5a);
        assertEquals(0x5a, cmos(0x40));
    }
}
