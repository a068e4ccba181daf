package dev.jemu.riscv.sbi;

/** SBI 2.0 numbers: extension IDs (EID, in a7), error codes (returned in a0). */
public final class Sbi {
    private Sbi() {
    }

    public static final long EXT_BASE = 0x10;
    public static final long EXT_TIME = 0x54494D45L;   // "TIME"
    public static final long EXT_IPI = 0x735049L;      // "sPI"
    public static final long EXT_RFENCE = 0x52464E43L; // "RFNC"
    public static final long EXT_HSM = 0x48534DL;      // "HSM"
    public static final long EXT_SRST = 0x53525354L;   // "SRST"
    public static final long EXT_DBCN = 0x4442434EL;   // "DBCN"
    public static final long EXT_PMU = 0x504D55L;      // "PMU"

    // Legacy extensions (SBI v0.1): the EID is the function.
    public static final long LEGACY_SET_TIMER = 0, LEGACY_CONSOLE_PUTCHAR = 1, LEGACY_CONSOLE_GETCHAR = 2,
            LEGACY_CLEAR_IPI = 3, LEGACY_SEND_IPI = 4, LEGACY_REMOTE_FENCE_I = 5, LEGACY_REMOTE_SFENCE_VMA = 6,
            LEGACY_REMOTE_SFENCE_VMA_ASID = 7, LEGACY_SHUTDOWN = 8;

    public static final long SUCCESS = 0, ERR_FAILED = -1, ERR_NOT_SUPPORTED = -2, ERR_INVALID_PARAM = -3,
            ERR_DENIED = -4, ERR_INVALID_ADDRESS = -5, ERR_ALREADY_AVAILABLE = -6;

    /** Spec version 2.0: major in bits 30:24, minor in 23:0. */
    public static final long SPEC_VERSION = 2L << 24;
    /** Our implementation ID: not in the SBI registry, so "JEMU" spelled in ASCII. */
    public static final long IMPL_ID = 0x4a454d55L;
    public static final long IMPL_VERSION = 1;

    public static final long SRST_SHUTDOWN = 0, SRST_COLD_REBOOT = 1, SRST_WARM_REBOOT = 2;
    public static final long SRST_REASON_NONE = 0, SRST_REASON_FAILURE = 1;
    public static final long HSM_STARTED = 0;
}
