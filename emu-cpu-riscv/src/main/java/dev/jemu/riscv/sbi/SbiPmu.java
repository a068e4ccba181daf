package dev.jemu.riscv.sbi;

/**
 * The SBI PMU extension ("PMU"), as far as Linux needs it to treat the counters as it does under OpenSBI: the
 * fixed counters cycle (index 0) and instret (index 2) are listed with their CSRs; index 1 (time) is no PMU
 * counter. Without this extension Linux's riscv_pmu_sbi driver does not probe, leaves {@code scounteren} as the
 * firmware set it (all of cycle, time and instret readable from user space) and offers no
 * {@code kernel.perf_user_access} sysctl; with it, Linux sets {@code scounteren} itself (time only, by default;
 * cycle and instret too with {@code perf_user_access = 2}), exactly as under OpenSBI. Programmable events are
 * not offered: configuring a counter is {@link Sbi#ERR_NOT_SUPPORTED}, so perf sees no hardware events.
 * Deviation: stopping a counter (Linux stops them all at CPU start) leaves it running, where OpenSBI inhibits
 * it ({@code mcountinhibit}), so user-space cycle/instret reads stand still under OpenSBI but count here.
 */
final class SbiPmu {
    static final int NUM_COUNTERS = 0, COUNTER_GET_INFO = 1, COUNTER_CONFIG_MATCHING = 2, COUNTER_START = 3,
            COUNTER_STOP = 4, COUNTER_FW_READ = 5;
    static final int CSR_CYCLE = 0xc00, CSR_INSTRET = 0xc02;
    /** counter_info: CSR number in bits 11:0, width - 1 in bits 17:12, type (0: hardware) in bit XLEN-1. */
    static final long WIDTH_64 = 63L << 12;
    static final int COUNTERS = 3;

    private SbiPmu() {
    }

    /** The (error, value) answer to PMU function {@code fid} with arguments a0, a1. */
    static long[] call(long fid, long a0, long a1) {
        return switch ((int) fid) {
            case NUM_COUNTERS -> new long[] {Sbi.SUCCESS, COUNTERS};
            case COUNTER_GET_INFO -> a0 == 0 ? new long[] {Sbi.SUCCESS, WIDTH_64 | CSR_CYCLE}
                    : a0 == 2 ? new long[] {Sbi.SUCCESS, WIDTH_64 | CSR_INSTRET}
                    : new long[] {Sbi.ERR_INVALID_PARAM, 0};
            case COUNTER_STOP -> stopping(a0, a1) ? new long[] {Sbi.SUCCESS, 0} : new long[] {Sbi.ERR_INVALID_PARAM, 0};
            default -> new long[] {Sbi.ERR_NOT_SUPPORTED, 0}; // no events to configure, start or read
        };
    }

    /** Stopping (and resetting) counters that never run succeeds when the mask names only existing counters. */
    private static boolean stopping(long base, long mask) {
        return base >= 0 && base < COUNTERS && (mask << base & ~((1L << COUNTERS) - 1)) == 0;
    }
}
