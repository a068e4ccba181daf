package dev.jemu.riscv.sbi;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** What Linux's riscv_pmu_sbi driver asks of the PMU extension at probe and CPU start (see SbiPmu). */
class SbiPmuTest {

    @Test
    void probedAndCountsTheFixedCounters() {
        assertTrue(BuiltinSbi.probe(Sbi.EXT_PMU));
        assertArrayEquals(new long[] {0, 3}, SbiPmu.call(SbiPmu.NUM_COUNTERS, 0, 0));
    }

    @Test
    void cycleAndInstretAre64BitHardwareCountersAndTimeIsNone() {
        assertArrayEquals(new long[] {0, 63L << 12 | 0xc00}, SbiPmu.call(SbiPmu.COUNTER_GET_INFO, 0, 0));
        assertEquals(Sbi.ERR_INVALID_PARAM, SbiPmu.call(SbiPmu.COUNTER_GET_INFO, 1, 0)[0]);
        assertArrayEquals(new long[] {0, 63L << 12 | 0xc02}, SbiPmu.call(SbiPmu.COUNTER_GET_INFO, 2, 0));
        assertEquals(Sbi.ERR_INVALID_PARAM, SbiPmu.call(SbiPmu.COUNTER_GET_INFO, 3, 0)[0]);
    }

    @Test
    void noEventsToConfigureStartOrRead() {
        assertEquals(Sbi.ERR_NOT_SUPPORTED, SbiPmu.call(SbiPmu.COUNTER_CONFIG_MATCHING, 0, 0b101)[0]);
        assertEquals(Sbi.ERR_NOT_SUPPORTED, SbiPmu.call(SbiPmu.COUNTER_START, 0, 1)[0]);
        assertEquals(Sbi.ERR_NOT_SUPPORTED, SbiPmu.call(SbiPmu.COUNTER_FW_READ, 0, 0)[0]);
    }

    @Test
    void stoppingExistingCountersSucceeds() {
        assertEquals(Sbi.SUCCESS, SbiPmu.call(SbiPmu.COUNTER_STOP, 0, 0b111)[0]);   // Linux's stop-all at CPU start
        assertEquals(Sbi.ERR_INVALID_PARAM, SbiPmu.call(SbiPmu.COUNTER_STOP, 0, 0b1000)[0]);
    }
}
