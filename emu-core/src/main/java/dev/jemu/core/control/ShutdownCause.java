package dev.jemu.core.control;

/**
 * Why the machine shut down or reset: QEMU's {@code ShutdownCause}, reported as the {@code reason} of the
 * SHUTDOWN and RESET events, with {@code guest} telling whether the guest asked for it.
 */
public enum ShutdownCause {
    HOST_ERROR("host-error", false),
    HOST_QMP_QUIT("host-qmp-quit", false),
    HOST_QMP_SYSTEM_RESET("host-qmp-system-reset", false),
    HOST_SIGNAL("host-signal", false),
    HOST_UI("host-ui", false),
    GUEST_SHUTDOWN("guest-shutdown", true),
    GUEST_RESET("guest-reset", true),
    GUEST_PANIC("guest-panic", true);

    private final String qapiName;
    private final boolean guest;

    ShutdownCause(String qapiName, boolean guest) {
        this.qapiName = qapiName;
        this.guest = guest;
    }

    public String qapiName() {
        return qapiName;
    }

    public boolean guest() {
        return guest;
    }
}
