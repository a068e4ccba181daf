package dev.jemu.devices;

import static org.junit.jupiter.api.Assertions.*;

import dev.jemu.core.time.VirtualClock;
import org.junit.jupiter.api.Test;

class GoldfishRtcTest {
    final VirtualClock clock = VirtualClock.instructionCount(0);
    boolean irq;
    final GoldfishRtc rtc = new GoldfishRtc("rtc", clock, l -> irq = l, 0x1_2345_6789L);

    long time() {
        long lo = rtc.read(GoldfishRtc.TIME_LOW, 4);
        long hi = rtc.read(GoldfishRtc.TIME_HIGH, 4);
        return hi << 32 | lo;
    }

    @Test
    void timeIsStartWallClockPlusGuestTime() {
        assertEquals(0x1_2345_6789L, time());
        clock.addInstructions(1000);
        assertEquals(0x1_2345_6789L + 1000, time());
    }

    @Test
    void hostClockIgnoresGuestTimeAndAlarmsStillFireOnTheGuestClock() throws InterruptedException {
        // -rtc clock=host under -icount: the RTC follows the host, whatever the guest clock does
        boolean[] line = new boolean[1];
        GoldfishRtc host = new GoldfishRtc("rtc", clock, l -> line[0] = l, 5_000_000_000L, false);
        long t0 = host.now();
        assertTrue(t0 >= 5_000_000_000L && t0 < 5_500_000_000L, Long.toString(t0));
        clock.addInstructions(10_000_000_000L); // 10 s of guest time
        Thread.sleep(20);
        long t1 = host.now();
        assertTrue(t1 - t0 >= 20_000_000L && t1 - t0 < 5_000_000_000L, Long.toString(t1 - t0));
        // an alarm 1 s ahead in RTC time is armed 1 s ahead on the guest clock
        long at = host.now() + 1_000_000_000L;
        host.write(GoldfishRtc.IRQ_ENABLED, 4, 1);
        host.write(GoldfishRtc.ALARM_HIGH, 4, at >>> 32);
        host.write(GoldfishRtc.ALARM_LOW, 4, at & 0xffffffffL);
        assertFalse(line[0]);
        clock.addInstructions(1_100_000_000L);
        clock.runExpired();
        assertTrue(line[0]);
    }

    @Test
    void savedHostClockTimeGoesOnFromTheSavedTimeInAnotherProcess() throws InterruptedException {
        // -rtc clock=host: the loading machine's host clock started elsewhere; its RTC goes on from the saved time
        GoldfishRtc saved = new GoldfishRtc("rtc", clock, l -> { }, 5_000_000_000_000L, false);
        clock.addInstructions(3_000_000_000L);
        Thread.sleep(30); // host time the saving RTC has run: the loading one's host clock has not seen it
        long atSave = saved.now();
        dev.jemu.core.state.StateRecord rec = dev.jemu.core.state.StateRecord.of(saved);
        Thread.sleep(30);
        VirtualClock other = VirtualClock.instructionCount(0);
        other.addInstructions(3_000_000_000L); // loadvm restores the guest clock before the devices
        GoldfishRtc loaded = new GoldfishRtc("rtc", other, l -> { }, 9_000_000_000_000L, false);
        rec.restore(loaded);
        long t = loaded.now();
        assertTrue(Math.abs(t - atSave) < 10_000_000L, Long.toString(t - atSave)); // not 30 ms behind
        // -rtc clock=vm: exactly the saved time at the same guest time, whatever the new base
        GoldfishRtc vm = new GoldfishRtc("rtc", clock, l -> { }, 7_000_000_000L, true);
        dev.jemu.core.state.StateRecord vmRec = dev.jemu.core.state.StateRecord.of(vm);
        GoldfishRtc vmLoaded = new GoldfishRtc("rtc", other, l -> { }, 1L, true);
        vmRec.restore(vmLoaded);
        assertEquals(vm.now(), vmLoaded.now());
    }

    @Test
    void settingTheTime() {
        rtc.write(GoldfishRtc.TIME_HIGH, 4, 7);
        rtc.write(GoldfishRtc.TIME_LOW, 4, 100);
        assertEquals(7L << 32 | 100, time());
        clock.addInstructions(5);
        assertEquals(7L << 32 | 105, time());
    }

    @Test
    void alarmRaisesTheInterruptWhenEnabled() {
        long t = time() + 500;
        rtc.write(GoldfishRtc.IRQ_ENABLED, 4, 1);
        rtc.write(GoldfishRtc.ALARM_HIGH, 4, t >>> 32);
        rtc.write(GoldfishRtc.ALARM_LOW, 4, t & 0xffffffffL);
        assertEquals(1, rtc.read(GoldfishRtc.ALARM_STATUS, 4));
        clock.addInstructions(499);
        clock.runExpired();
        assertFalse(irq);
        clock.addInstructions(1);
        clock.runExpired();
        assertTrue(irq);
        assertEquals(0, rtc.read(GoldfishRtc.ALARM_STATUS, 4));
        rtc.write(GoldfishRtc.CLEAR_INTERRUPT, 4, 1);
        assertFalse(irq);
    }

    @Test
    void clearedAlarmNeverFiresAndPastAlarmFiresAtOnce() {
        long t = time() + 10;
        rtc.write(GoldfishRtc.IRQ_ENABLED, 4, 1);
        rtc.write(GoldfishRtc.ALARM_HIGH, 4, t >>> 32);
        rtc.write(GoldfishRtc.ALARM_LOW, 4, t & 0xffffffffL);
        rtc.write(GoldfishRtc.CLEAR_ALARM, 4, 1);
        clock.addInstructions(100);
        clock.runExpired();
        assertFalse(irq);
        rtc.write(GoldfishRtc.ALARM_LOW, 4, t & 0xffffffffL);
        assertTrue(irq);
    }
    /** The alarm is an unsigned 64-bit time: one at 2^63 ns or later is far in the future, not in the past. */
    @Test
    void alarmWithTheTopBitSetIsFarAwayNotPast() {
        rtc.write(GoldfishRtc.IRQ_ENABLED, 4, 1);
        for (long t : new long[] {1L << 63, -1L, 0xf000_0000_0000_0000L}) {
            rtc.write(GoldfishRtc.ALARM_HIGH, 4, t >>> 32);
            rtc.write(GoldfishRtc.ALARM_LOW, 4, t & 0xffffffffL);
            clock.addInstructions(1000);
            clock.runExpired();
            assertFalse(irq, Long.toHexString(t));
            assertEquals(1, rtc.read(GoldfishRtc.ALARM_STATUS, 4));
        }
        // and a time set near the top of the range still fires an alarm just after it
        rtc.write(GoldfishRtc.CLEAR_ALARM, 4, 1);
        rtc.write(GoldfishRtc.TIME_HIGH, 4, 0xffff_fff0L);
        rtc.write(GoldfishRtc.TIME_LOW, 4, 0);
        long t = time() + 100;
        rtc.write(GoldfishRtc.ALARM_HIGH, 4, t >>> 32);
        rtc.write(GoldfishRtc.ALARM_LOW, 4, t & 0xffffffffL);
        assertFalse(irq);
        clock.addInstructions(100);
        clock.runExpired();
        assertTrue(irq);
    }
}
