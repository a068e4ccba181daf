package dev.jemu.core.migration;

/**
 * What query-migrate / info migrate report about the outgoing migration, as QEMU 7.2 counts it: bytes put on
 * the wire, pages sent with data ({@code normal}) and zero pages not sent ({@code duplicate}), dirty-log syncs,
 * times in ms. Written by the migration thread, read by monitors (volatile fields, no lock).
 */
public final class MigrationStats {
    public volatile long transferred, normalPages, duplicatePages, dirtySyncCount, remainingBytes, totalBytes;
    public volatile long downtimeBytes, precopyBytes, dirtyPagesRate, pagesPerSecond;
    public volatile double mbps;
    public volatile long startMillis, setupMillis = -1, totalMillis = -1, downtimeMillis = -1, expectedDowntimeMillis;
    /** Set once the stop-and-copy has begun: what is sent from then on counts as downtime bytes, not pre-copy. */
    public volatile boolean switchingOver;
}
