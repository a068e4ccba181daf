package dev.jemu.devices.x86;

import static org.junit.jupiter.api.Assertions.*;

import dev.jemu.core.state.StateRecord;
import dev.jemu.core.time.Timebase;
import dev.jemu.core.time.VirtualClock;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class LocalApicTest {
    static final long CRYSTAL_HZ = 25_000_000, TSC_HZ = 2_000_000_000L;

    final VirtualClock clock = VirtualClock.instructionCount(0);
    final List<Integer> eois = new ArrayList<>();
    LocalApic apic;
    boolean hwEnabled = true;

    @BeforeEach
    void setUp() {
        apic = new LocalApic("lapic0", 0, true, clock, CRYSTAL_HZ, new Timebase(clock, TSC_HZ)::nanosAt, eois::add);
        apic.connect(() -> hwEnabled, () -> 0x30);
    }

    long r(int off) {
        return apic.read(off, 4);
    }

    void w(int off, long v) {
        apic.write(off, 4, v);
    }

    void advanceTo(long ns) {
        clock.setNanos(ns);
        clock.runExpired();
    }

    @Test
    void resetValuesAreQemus() {
        assertEquals(0x50014, r(0x30));
        assertEquals(0xff, r(0xf0));
        assertEquals(0xffffffffL, r(0xe0));
        assertEquals(0x700, r(0x350), "the boot CPU's LINT0 is ExtINT");
        assertEquals(0x10000, r(0x320));
    }

    @Test
    void highestVectorAbovePprIsTakenAndEoiEndsIt() {
        w(0xf0, 0x1ff);
        apic.deliver(0, false, ApicBus.FIXED, 0x40, false);
        apic.deliver(0, false, ApicBus.FIXED, 0x35, false);
        assertTrue(apic.hasInterrupt());
        assertEquals(0x40, apic.acknowledge());
        assertEquals(0x40, r(0xa0), "PPR follows the vector in service");
        assertFalse(apic.hasInterrupt(), "0x35 is in a lower class than 0x40");
        assertEquals(1, r(0x120) & 1, "ISR bit 0x40");
        w(0xb0, 0);
        assertTrue(apic.hasInterrupt());
        assertEquals(0x35, apic.acknowledge());
        assertTrue(eois.isEmpty(), "edge interrupts are not broadcast");
    }

    @Test
    void tprBlocksLowerClasses() {
        w(0xf0, 0x1ff);
        w(0x80, 0x50);
        apic.deliver(0, false, ApicBus.FIXED, 0x51, false);
        assertFalse(apic.hasInterrupt());
        apic.setTpr(0x40);
        assertTrue(apic.hasInterrupt());
    }

    @Test
    void softwareDisabledApicPresentsNothing() {
        apic.deliver(0, false, ApicBus.FIXED, 0x40, false);
        assertFalse(apic.hasInterrupt());
        w(0xf0, 0x1ff);
        assertTrue(apic.hasInterrupt());
    }

    @Test
    void levelEoiIsBroadcast() {
        w(0xf0, 0x1ff);
        apic.deliver(0, false, ApicBus.FIXED, 0x3a, true);
        assertEquals(1L << 26, r(0x190), "TMR bit 0x3a");
        apic.acknowledge();
        w(0xb0, 0);
        assertEquals(List.of(0x3a), eois);
    }

    @Test
    void logicalFlatDestinationMatchesLdr() {
        w(0xf0, 0x1ff);
        w(0xd0, 0x01000000);
        apic.deliver(0x02, true, ApicBus.FIXED, 0x41, false);
        assertFalse(apic.hasInterrupt());
        apic.deliver(0x01, true, ApicBus.FIXED, 0x41, false);
        assertTrue(apic.hasInterrupt());
    }

    @Test
    void selfIpiAndIllegalVector() {
        w(0xf0, 0x1ff);
        w(0x300, 0x40000 | 0x55); // shorthand self, fixed
        assertEquals(0x55, apic.acknowledge());
        w(0x300, 0x40000 | 0x05);
        w(0x280, 0);
        assertEquals(0x20, r(0x280), "send illegal vector");
        w(0x280, 0);
        assertEquals(0, r(0x280));
        w(0x310, 0); // destination 0 = itself, physical
        w(0x300, 0x66);
        assertEquals(0x66, apic.acknowledge());
    }

    @Test
    void oneShotTimerCountsDownAtTheCrystalRate() {
        w(0xf0, 0x1ff);
        w(0x3e0, 0x0); // divide by 2
        w(0x320, 0xec);
        w(0x380, 1000); // 2000 crystal ticks = 80 us
        assertEquals(1000, r(0x390));
        advanceTo(40_000);
        assertEquals(500, r(0x390));
        assertFalse(apic.hasInterrupt());
        advanceTo(80_000);
        assertEquals(0, r(0x390));
        assertEquals(0xec, apic.acknowledge());
        advanceTo(1_000_000);
        assertFalse(apic.hasInterrupt(), "one shot");
    }

    @Test
    void periodicTimerReloads() {
        w(0xf0, 0x1ff);
        w(0x3e0, 0xb); // divide by 1
        w(0x320, 0x20000 | 0xef);
        w(0x380, 250); // 10 us
        int fired = 0;
        for (long t = 1_000; t <= 100_000; t += 1_000) {
            advanceTo(t);
            if (apic.hasInterrupt()) {
                apic.acknowledge();
                w(0xb0, 0);
                fired++;
            }
        }
        assertEquals(10, fired);
        advanceTo(105_000);
        assertEquals(125, r(0x390));
    }

    @Test
    void maskedTimerCountsWithoutInterrupting() {
        w(0xf0, 0x1ff);
        w(0x320, 0x10000 | 0xec);
        w(0x380, 10);
        advanceTo(10_000);
        assertEquals(0, r(0x390));
        assertFalse(apic.hasInterrupt());
    }

    @Test
    void tscDeadlineTimer() {
        w(0xf0, 0x1ff);
        w(0x320, 0x40000 | 0xee);
        w(0x380, 5); // ignored in TSC-deadline mode
        assertEquals(0, r(0x380));
        Timebase tsc = new Timebase(clock, TSC_HZ);
        apic.setTscDeadline(tsc.ticks() + 2_000_000); // 1 ms
        advanceTo(999_000);
        assertFalse(apic.hasInterrupt());
        advanceTo(1_000_000);
        assertEquals(0xee, apic.acknowledge());
        assertEquals(0, apic.tscDeadline(), "the deadline clears when it fires");
        w(0x320, 0xee); // back to one-shot: deadline writes are ignored
        apic.setTscDeadline(1);
        assertEquals(0, apic.tscDeadline());
    }

    @Test
    void extIntFromThePicThroughLint0() {
        apic.lint0().set(true);
        assertTrue(apic.hasInterrupt(), "LINT0 is ExtINT at reset");
        assertEquals(0x30, apic.acknowledge());
        w(0xf0, 0x1ff);
        w(0x350, 0x10700); // masked
        assertFalse(apic.hasInterrupt());
        hwEnabled = false;
        assertTrue(apic.hasInterrupt(), "with IA32_APIC_BASE disabled the PIC reaches the CPU directly");
    }

    @Test
    void stateRoundTripsWithTheTimer() {
        w(0xf0, 0x1ff);
        w(0x320, 0xec);
        w(0x380, 1000);
        advanceTo(20_000);
        StateRecord saved = StateRecord.of(apic);
        LocalApic other = new LocalApic("lapic0", 0, true, clock, CRYSTAL_HZ, new Timebase(clock, TSC_HZ)::nanosAt, eois::add);
        saved.restore(other);
        assertEquals(r(0x390), other.read(0x390, 4));
        advanceTo(80_000);
        assertTrue(other.hasInterrupt());
    }
}
