package dev.jemu.core.log;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;

/**
 * jemu's own error and warning lines ({@code jemu: ...}), with QEMU's {@code -msg} prefixes: the UTC time to
 * the microsecond ({@code timestamp=on}) and the guest's name ({@code guest-name=on} with {@code -name}).
 */
public final class Messages {
    private static final DateTimeFormatter STAMP = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSSSSS'Z'")
            .withZone(ZoneOffset.UTC);
    private static volatile boolean timestamps;
    private static volatile String guestName;

    private Messages() {
    }

    /** {@code -msg timestamp=}, and the guest name to print ({@code -msg guest-name=on}), or null. */
    public static void configure(boolean withTimestamps, String withGuestName) {
        timestamps = withTimestamps;
        guestName = withGuestName;
    }

    /** {@code text} (a whole line, e.g. "jemu: ...") with the configured prefixes. */
    public static String line(String text) {
        String name = guestName;
        if (!timestamps && name == null) {
            return text;
        }
        return (timestamps ? STAMP.format(Instant.now()) + " " : "") + (name == null ? "" : name + " ") + text;
    }

    /** Prints {@code jemu: text} on stderr with the prefixes. */
    public static void error(String text) {
        System.err.println(line("jemu: " + text));
    }
}
