package dev.jemu.cli.monitor;

import dev.jemu.core.migration.Migration;
import dev.jemu.core.migration.MigrationException;
import dev.jemu.core.migration.MigrationStatus;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * HMP's migration commands, in QEMU 7.2's words: {@code migrate [-d] URI} (without -d it returns once the
 * migration has ended, printing its error if it failed), {@code migrate_cancel}, {@code migrate_incoming URI},
 * {@code migrate_set_parameter NAME VALUE}, {@code info migrate}, {@code info migrate_parameters}.
 */
final class HmpMigration {
    private HmpMigration() {
    }

    static CompletableFuture<String> migrate(MonitorContext ctx, String rest) {
        String r = rest.strip();
        boolean detach = false;
        while (r.startsWith("-")) {
            int sp = r.indexOf(' ');
            String flag = sp < 0 ? r : r.substring(0, sp);
            if (!flag.equals("-d")) {
                return done("migrate: unsupported option " + flag + "\n");
            }
            detach = true;
            r = sp < 0 ? "" : r.substring(sp + 1).strip();
        }
        String[] uriAndRest = r.isEmpty() ? null : hmpString(r);
        if (uriAndRest == null) {
            return done("migrate: string expected\nTry \"help migrate\" for more information\n");
        }
        if (!uriAndRest[1].isBlank()) {
            return done("migrate: extraneous characters at the end of line\nTry \"help migrate\" for more information\n");
        }
        r = uriAndRest[0];
        Migration m = ctx.migration();
        if (m == null) {
            return done("Error: this machine cannot be migrated\n");
        }
        try {
            m.migrate(r);
        } catch (MigrationException e) {
            return done("Error: " + e.getMessage() + "\n");
        }
        if (detach) {
            return done("");
        }
        CompletableFuture<String> out = new CompletableFuture<>();
        poll(m, out);
        return out;
    }

    /**
     * QEMU's HMP string argument at the start of {@code text}: a word up to the next blank, or a double-quoted
     * string with the escapes \n \r \\ \' \" (so a URI may hold blanks: {@code migrate "exec:cat > FILE"}).
     * Returns {value, the rest}, or null for an unterminated string or another escape (QEMU prints why on its
     * stdout, not on the monitor).
     */
    static String[] hmpString(String text) {
        if (!text.startsWith("\"")) {
            int end = 0;
            while (end < text.length() && !Character.isWhitespace(text.charAt(end))) {
                end++;
            }
            return new String[] {text.substring(0, end), text.substring(end)};
        }
        StringBuilder v = new StringBuilder();
        for (int i = 1; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == '"') {
                return new String[] {v.toString(), text.substring(i + 1)};
            }
            if (c == '\\' && i + 1 < text.length()) {
                char e = text.charAt(++i);
                switch (e) {
                    case 'n' -> v.append('\n');
                    case 'r' -> v.append('\r');
                    case '\\', '\'', '"' -> v.append(e);
                    default -> {
                        return null;
                    }
                }
            } else {
                v.append(c);
            }
        }
        return null;
    }

    /** QEMU's non-detached migrate: the monitor waits, checking the status (here every 20 ms). */
    private static void poll(Migration m, CompletableFuture<String> out) {
        if (m.status().running()) {
            CompletableFuture.delayedExecutor(20, TimeUnit.MILLISECONDS).execute(() -> poll(m, out));
            return;
        }
        out.complete(m.status() == MigrationStatus.FAILED && m.errorDesc() != null ? m.errorDesc() + "\n" : "");
    }

    static CompletableFuture<String> cancel(MonitorContext ctx) {
        if (ctx.migration() != null) {
            ctx.migration().cancel();
        }
        return done("");
    }

    static CompletableFuture<String> incoming(MonitorContext ctx, String rest) {
        String uri = rest.strip();
        if (uri.isEmpty()) {
            return done("Parameter 'uri' is missing\n");
        }
        try {
            QmpMigrationCommands.migration(ctx).migrateIncoming(uri);
            return done("");
        } catch (MigrationException | QmpCommands.QmpError e) {
            return done("Error: " + e.getMessage() + "\n");
        }
    }

    static CompletableFuture<String> setParameter(MonitorContext ctx, String rest) {
        String[] w = rest.strip().split("\\s+");
        if (w.length != 2 || w[0].isEmpty()) {
            return done(w[0].isEmpty() ? "Parameter 'parameter' is missing\n" : "Parameter 'value' is missing\n");
        }
        Migration m = ctx.migration();
        if (m == null) {
            return done("Error: this machine cannot be migrated\n");
        }
        try {
            switch (w[0]) {
                case "max-bandwidth" -> m.setMaxBandwidth(size(w[1], 1L << 20)); // a plain number is MiB, as QEMU
                case "downtime-limit" -> m.setDowntimeLimit(size(w[1], 1));
                default -> {
                    if (QmpMigrationCommands.parameters(m).containsKey(w[0])) {
                        return done("Error: jemu does not support the migration parameter '" + w[0] + "'\n");
                    }
                    return done("Error: invalid parameter value: " + w[0] + "\n");
                }
            }
        } catch (MigrationException e) {
            return done("Error: " + e.getMessage() + "\n");
        } catch (NumberFormatException e) {
            return done("Error: Parameter '" + w[0] + "' expects a non-negative number below 2^64\n"
                    + "Optional suffix k, M, G, T, P or E means kilo-, mega-, giga-, tera-, peta-\n"
                    + "and exabytes, respectively.\n");
        }
        return done("");
    }

    /** migrate_set_capability NAME on|off, through migrate-set-capabilities. */
    static CompletableFuture<String> setCapability(MonitorContext ctx, String rest) {
        String[] w = rest.strip().split("\\s+");
        if (w[0].isEmpty()) {
            return done("Parameter 'capability' is missing\n");
        }
        if (w.length < 2) {
            return done("Parameter 'state' is missing\n");
        }
        if (!w[1].equals("on") && !w[1].equals("off")) {
            return done("Expected 'on' or 'off'\nTry \"help migrate_set_capability\" for more information\n");
        }
        if (!QmpMigrationCommands.CAPABILITIES.contains(w[0])) {
            return done("Error: invalid parameter value: " + w[0] + "\n");
        }
        try {
            QmpMigrationCommands.setCapabilities(QmpMigrationCommands.migration(ctx),
                    List.of(Map.of("capability", w[0], "state", w[1].equals("on"))));
            return done("");
        } catch (MigrationException | QmpCommands.QmpError e) {
            return done("Error: " + e.getMessage() + "\n");
        }
    }

    /** info migrate_capabilities: every capability, on or off, in QEMU's order. */
    static CompletableFuture<String> capabilities(MonitorContext ctx) {
        Migration m = ctx.migration();
        if (m == null) {
            return done("");
        }
        StringBuilder s = new StringBuilder();
        for (String c : QmpMigrationCommands.CAPABILITIES) {
            s.append(c).append(": ").append(c.equals("events") && m.events() ? "on" : "off").append('\n');
        }
        return done(s.toString());
    }

    /** A size with an optional K/M/G/T suffix (powers of 1024); a plain number counts {@code unit}. */
    private static long size(String v, long unit) {
        String s = v.toLowerCase(Locale.ROOT);
        long mul = unit;
        char last = s.charAt(s.length() - 1);
        int k = "bkmgt".indexOf(last);
        if (k >= 0) {
            mul = 1L << (10 * k);
            s = s.substring(0, s.length() - 1);
        }
        double n = Double.parseDouble(s);
        if (n < 0) {
            throw new NumberFormatException();
        }
        return (long) (n * mul);
    }

    /**
     * info migrate: QEMU 7.2's lines (hmp_info_migrate) from query-migrate's reply, except its leading "globals:"
     * block (the -global migration.* properties of QEMU's migration object, which jemu does not have).
     */
    static CompletableFuture<String> info(MonitorContext ctx) {
        Migration m = ctx.migration();
        if (m == null) {
            return done("");
        }
        Map<String, Object> i = QmpMigrationCommands.info(m);
        StringBuilder s = new StringBuilder();
        if (i.containsKey("status")) {
            s.append("Migration status: ").append(i.get("status"));
            if ("failed".equals(i.get("status")) && i.containsKey("error-desc")) {
                s.append(" (").append(i.get("error-desc")).append(')');
            }
            s.append('\n');
            s.append("total time: ").append(i.getOrDefault("total-time", 0L)).append(" ms\n"); // 0 when absent, as QEMU
            line(s, i, "expected-downtime", "expected downtime: %d ms");
            line(s, i, "downtime", "downtime: %d ms");
            line(s, i, "setup-time", "setup: %d ms");
        }
        if (!m.listening().isEmpty()) {
            s.append("socket address: [\n");
            m.listening().forEach(a -> s.append('\t').append(QmpMigrationCommands.socketUri(a)).append('\n'));
            s.append("]\n");
        }
        if (i.get("ram") instanceof Map<?, ?> ram) {
            s.append("transferred ram: ").append(kib(ram, "transferred")).append(" kbytes\n");
            s.append(String.format(Locale.ROOT, "throughput: %.2f mbps%n", (Double) ram.get("mbps")));
            s.append("remaining ram: ").append(kib(ram, "remaining")).append(" kbytes\n");
            s.append("total ram: ").append(kib(ram, "total")).append(" kbytes\n");
            s.append("duplicate: ").append(ram.get("duplicate")).append(" pages\n");
            s.append("skipped: ").append(ram.get("skipped")).append(" pages\n");
            s.append("normal: ").append(ram.get("normal")).append(" pages\n");
            s.append("normal bytes: ").append(kib(ram, "normal-bytes")).append(" kbytes\n");
            s.append("dirty sync count: ").append(ram.get("dirty-sync-count")).append('\n');
            s.append("page size: ").append(kib(ram, "page-size")).append(" kbytes\n");
            s.append("multifd bytes: ").append(kib(ram, "multifd-bytes")).append(" kbytes\n");
            s.append("pages-per-second: ").append(ram.get("pages-per-second")).append('\n');
            // the rest only when not zero, as QEMU prints them
            if ((Long) ram.get("dirty-pages-rate") != 0) {
                s.append("dirty pages rate: ").append(ram.get("dirty-pages-rate")).append(" pages\n");
            }
            if ((Long) ram.get("precopy-bytes") != 0) {
                s.append("precopy ram: ").append(kib(ram, "precopy-bytes")).append(" kbytes\n");
            }
            if ((Long) ram.get("downtime-bytes") != 0) {
                s.append("downtime ram: ").append(kib(ram, "downtime-bytes")).append(" kbytes\n");
            }
        }
        return done(s.toString());
    }

    private static long kib(Map<?, ?> ram, String key) {
        return (Long) ram.get(key) >> 10;
    }

    private static void line(StringBuilder s, Map<String, Object> i, String key, String format) {
        if (i.containsKey(key)) {
            s.append(String.format(Locale.ROOT, format, (Long) i.get(key))).append('\n');
        }
    }

    /** info migrate_parameters: QEMU's list and units. */
    static CompletableFuture<String> parameters(MonitorContext ctx) {
        Migration m = ctx.migration();
        if (m == null) {
            return done("");
        }
        return done("announce-initial: 50 ms\nannounce-max: 550 ms\nannounce-rounds: 5\nannounce-step: 100 ms\n"
                + "compress-level: 1\ncompress-threads: 8\ncompress-wait-thread: on\ndecompress-threads: 2\n"
                + "throttle-trigger-threshold: 50\ncpu-throttle-initial: 20\ncpu-throttle-increment: 10\n"
                + "cpu-throttle-tailslow: off\nmax-cpu-throttle: 99\ntls-creds: ''\ntls-hostname: ''\n"
                + "max-bandwidth: " + Long.toUnsignedString(m.maxBandwidth()) + " bytes/second\n"
                + "downtime-limit: " + m.downtimeLimit() + " ms\n"
                + "x-checkpoint-delay: 20000 ms\nblock-incremental: off\nmultifd-channels: 2\nmultifd-compression: none\n"
                + "xbzrle-cache-size: 67108864 bytes\nmax-postcopy-bandwidth: 0\ntls-authz: ''\n");
    }

    private static CompletableFuture<String> done(String s) {
        return CompletableFuture.completedFuture(s);
    }
}
