package dev.jemu.devices.x86;

import static org.junit.jupiter.api.Assertions.*;

import dev.jemu.core.memory.MmioDevice;
import dev.jemu.core.time.VirtualClock;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class I8254Test {
    final VirtualClock clock = VirtualClock.instructionCount(0);
    I8254 pit;
    MmioDevice port61;
    boolean irq;
    int risingEdges;

    @BeforeEach
    void setUp() {
        pit = new I8254(clock, l -> {
            if (l && !irq) {
                risingEdges++;
            }
            irq = l;
        });
        port61 = pit.port61();
    }

    void advanceTo(long ns) {
        clock.setNanos(ns);
        clock.runExpired();
    }

    /** Steps time in 10 us steps so that every timer on the way fires at its time. */
    void runTo(long ns) {
        for (long t = clock.nanos(); t < ns; t = Math.min(ns, t + 10_000)) {
            advanceTo(Math.min(ns, t + 10_000));
        }
    }

    @Test
    void mode2RateGeneratorInterruptsOncePerPeriod() {
        pit.write(3, 1, 0x34); // channel 0, LSB then MSB, mode 2
        pit.write(0, 1, 1193 & 0xff); // ~1 ms
        pit.write(0, 1, 1193 >> 8);
        risingEdges = 0; // the control word set OUT high
        runTo(10_000_000);
        assertEquals(10, risingEdges, "ten periods of 1193 ticks in 10 ms");
    }

    @Test
    void periodsMissedWhileStoppedAreDropped() {
        pit.write(3, 1, 0x34);
        pit.write(0, 1, 100); // 83.8 us
        pit.write(0, 1, 0);
        risingEdges = 0;
        advanceTo(100_000_000); // 1193 periods at once
        assertTrue(risingEdges <= 1, "no catch-up storm: " + risingEdges);
        risingEdges = 0;
        runTo(100_000_000 + 838_100); // ten periods, stepped
        assertEquals(10, risingEdges);
    }

    @Test
    void mode3SquareWaveIsHighForHalfThePeriod() {
        pit.write(3, 1, 0x36);
        pit.write(0, 1, 0x00);
        pit.write(0, 1, 0x10); // 4096 ticks = 3.43 ms
        risingEdges = 0;
        advanceTo(1_000_000);
        assertTrue(irq);
        advanceTo(2_000_000);
        assertFalse(irq);
        runTo(34_400_000);
        assertEquals(10, risingEdges);
    }

    @Test
    void mode0InterruptsOnTerminalCount() {
        pit.write(3, 1, 0x30);
        assertFalse(irq);
        pit.write(0, 1, 0xa9);
        pit.write(0, 1, 0x04); // 1193 ticks
        advanceTo(999_000);
        assertFalse(irq);
        advanceTo(1_000_000);
        assertTrue(irq);
        assertEquals(1, risingEdges);
    }

    @Test
    void channel2GateAndOutputThroughPort61AsLinuxCalibrates() {
        // pit_calibrate_tsc: gate high, speaker off; channel 2 mode 0 binary, 50 ms
        port61.write(0, 1, (port61.read(0, 1) & ~0x02) | 0x01);
        pit.write(3, 1, 0xb0);
        int latch = (int) (I8254.HZ / 20);
        pit.write(2, 1, latch & 0xff);
        pit.write(2, 1, latch >> 8);
        assertEquals(0, port61.read(0, 1) & 0x20);
        advanceTo(49_000_000);
        assertEquals(0, port61.read(0, 1) & 0x20);
        advanceTo(50_001_000);
        assertEquals(0x20, port61.read(0, 1) & 0x20);
        assertEquals(1, port61.read(0, 1) & 0x03, "gate and speaker bits read back");
    }

    @Test
    void countReadsAndLatchDecrementAtThePitRate() {
        pit.write(3, 1, 0xb0);
        pit.write(2, 1, 0xff);
        pit.write(2, 1, 0xff);
        advanceTo(10_000_000); // 11931.82 ticks
        pit.write(3, 1, 0x80); // latch channel 2
        advanceTo(20_000_000);
        int v = (int) pit.read(2, 1) | (int) pit.read(2, 1) << 8;
        assertEquals(0xffff - 11931, v, "the latched value, not the live one");
        int live = (int) pit.read(2, 1) | (int) pit.read(2, 1) << 8;
        assertEquals(0xffff - 23863, live);
    }

    @Test
    void readBackStatus() {
        pit.write(3, 1, 0x34);
        pit.write(3, 1, 0xe2); // read-back: status only, channel 0
        assertEquals(0x40 | 0x30 | 0x04 | 0x80, pit.read(0, 1), "OUT high, null count, LSB/MSB, mode 2");
    }
}
