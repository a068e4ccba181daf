package dev.jemu.core.migration;

/** QEMU's MigrationStatus values that jemu's pre-copy migration goes through. */
public enum MigrationStatus {
    NONE("none"), SETUP("setup"), CANCELLING("cancelling"), CANCELLED("cancelled"), ACTIVE("active"),
    COMPLETED("completed"), FAILED("failed");

    private final String qapiName;

    MigrationStatus(String qapiName) {
        this.qapiName = qapiName;
    }

    public String qapiName() {
        return qapiName;
    }

    /** A migration between setup and its end (QEMU's migration_is_running). */
    public boolean running() {
        return this == SETUP || this == ACTIVE || this == CANCELLING;
    }
}
