package dev.jemu.core.control;

/** The VM run states, named as QEMU's QMP names them ({@code query-status}'s {@code status}). */
public enum RunState {
    DEBUG("debug"),
    INMIGRATE("inmigrate"),
    INTERNAL_ERROR("internal-error"),
    IO_ERROR("io-error"),
    PAUSED("paused"),
    POSTMIGRATE("postmigrate"),
    PRELAUNCH("prelaunch"),
    FINISH_MIGRATE("finish-migrate"),
    RESTORE_VM("restore-vm"),
    RUNNING("running"),
    SAVE_VM("save-vm"),
    SHUTDOWN("shutdown"),
    SUSPENDED("suspended"),
    WATCHDOG("watchdog"),
    GUEST_PANICKED("guest-panicked"),
    COLO("colo");

    private final String qapiName;

    RunState(String qapiName) {
        this.qapiName = qapiName;
    }

    /** QEMU's spelling: {@code running}, {@code internal-error}, ... */
    public String qapiName() {
        return qapiName;
    }

    /** States that only a reset leaves ({@code cont} refuses them, as QEMU's {@code runstate_needs_reset}). */
    public boolean needsReset() {
        return this == INTERNAL_ERROR || this == SHUTDOWN || this == GUEST_PANICKED;
    }
}
