package dev.jemu.cli.monitor;

import dev.jemu.core.migration.Migration;
import dev.jemu.core.migration.MigrationException;
import dev.jemu.core.migration.MigrationStats;
import dev.jemu.core.migration.MigrationStatus;
import java.net.Inet6Address;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.UnixDomainSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * QEMU 7.2's migration commands over jemu's {@link Migration}: migrate, migrate_cancel, migrate-incoming,
 * migrate-set-parameters / query-migrate-parameters, migrate-set-capabilities / query-migrate-capabilities and
 * query-migrate, with QEMU's reply shapes (member order as QEMU prints them). Of the parameters only
 * max-bandwidth and downtime-limit act; the others are reported with QEMU's defaults, and of the capabilities
 * only {@code events} can be turned on.
 */
final class QmpMigrationCommands {
    private QmpMigrationCommands() {
    }

    /** QEMU 7.2's capabilities, in its order. */
    static final List<String> CAPABILITIES = List.of("xbzrle", "rdma-pin-all", "auto-converge", "zero-blocks",
            "compress", "events", "postcopy-ram", "x-colo", "release-ram", "block", "return-path",
            "pause-before-switchover", "multifd", "dirty-bitmaps", "postcopy-blocktime", "late-block-activate",
            "x-ignore-shared", "validate-uuid", "background-snapshot", "zero-copy-send", "postcopy-preempt");

    static final List<QmpCommands.Command> ALL = List.of(
            new QmpCommands.Command("migrate", List.of(new QmpCommands.Param("uri", "str", false),
                    new QmpCommands.Param("blk", "bool", true), new QmpCommands.Param("inc", "bool", true),
                    new QmpCommands.Param("detach", "bool", true), new QmpCommands.Param("resume", "bool", true)),
                    (c, a) -> run(c, m -> {
                        if (Boolean.TRUE.equals(a.get("blk")) || Boolean.TRUE.equals(a.get("inc"))) {
                            throw new MigrationException("jemu does not migrate block devices: disks are shared files");
                        }
                        if (Boolean.TRUE.equals(a.get("resume"))) {
                            throw new MigrationException("Cannot resume if there is no paused migration");
                        }
                        m.migrate((String) a.get("uri"));
                    })),
            new QmpCommands.Command("migrate_cancel", List.of(), (c, a) -> run(c, Migration::cancel)),
            new QmpCommands.Command("migrate-incoming", List.of(new QmpCommands.Param("uri", "str", false)),
                    (c, a) -> run(c, m -> m.migrateIncoming((String) a.get("uri")))),
            new QmpCommands.Command("migrate-set-parameters", List.of(
                    new QmpCommands.Param("max-bandwidth", "uint64", true), new QmpCommands.Param("downtime-limit", "uint64", true)),
                    (c, a) -> run(c, m -> {
                        if (a.containsKey("max-bandwidth")) {
                            m.setMaxBandwidth((Long) a.get("max-bandwidth"));
                        }
                        if (a.containsKey("downtime-limit")) {
                            m.setDowntimeLimit((Long) a.get("downtime-limit"));
                        }
                    })),
            new QmpCommands.Command("query-migrate-parameters", List.of(),
                    (c, a) -> CompletableFuture.completedFuture(parameters(migration(c)))),
            new QmpCommands.Command("migrate-set-capabilities", List.of(new QmpCommands.Param("capabilities", "array", false)),
                    (c, a) -> run(c, m -> setCapabilities(m, (List<?>) a.get("capabilities")))),
            new QmpCommands.Command("query-migrate-capabilities", List.of(),
                    (c, a) -> CompletableFuture.completedFuture(capabilities(migration(c)))),
            new QmpCommands.Command("query-migrate", List.of(),
                    (c, a) -> CompletableFuture.completedFuture(info(migration(c)))));

    private interface Action {
        void run(Migration m);
    }

    private static CompletableFuture<Object> run(MonitorContext c, Action action) {
        try {
            action.run(migration(c));
        } catch (MigrationException e) {
            throw QmpCommands.QmpError.generic(e.getMessage());
        }
        return CompletableFuture.completedFuture(Map.of());
    }

    static Migration migration(MonitorContext c) {
        if (c.migration() == null) {
            throw QmpCommands.QmpError.generic("this machine cannot be migrated");
        }
        return c.migration();
    }

    static void setCapabilities(Migration m, List<?> caps) {
        for (int i = 0; i < caps.size(); i++) {
            if (!(caps.get(i) instanceof Map<?, ?> e)) {
                throw new MigrationException("Invalid parameter type for 'capabilities[" + i + "]', expected: object");
            }
            Object name = e.get("capability"), state = e.get("state");
            if (!(name instanceof String n)) {
                throw new MigrationException("Parameter 'capabilities[" + i + "].capability' is missing");
            }
            if (!(state instanceof Boolean on)) {
                throw new MigrationException("Parameter 'capabilities[" + i + "].state' is missing");
            }
            if (!CAPABILITIES.contains(n)) {
                throw new MigrationException("Parameter 'capability' does not accept value '" + n + "'");
            }
            if (n.equals("events")) {
                m.setEvents(on);
            } else if (on) {
                throw new MigrationException("jemu does not support the migration capability '" + n + "'");
            }
        }
    }

    private static List<Object> capabilities(Migration m) {
        List<Object> out = new ArrayList<>();
        for (String n : CAPABILITIES) {
            out.add(QmpCommands.ordered("state", n.equals("events") && m.events(), "capability", n));
        }
        return out;
    }

    /** QEMU 7.2's parameter set and order; only max-bandwidth and downtime-limit are jemu's own. */
    static Map<String, Object> parameters(Migration m) {
        return QmpCommands.ordered("cpu-throttle-tailslow", false, "xbzrle-cache-size", 67108864L,
                "cpu-throttle-initial", 20L, "announce-max", 550L, "decompress-threads", 2L, "compress-threads", 8L,
                "compress-level", 1L, "multifd-channels", 2L, "multifd-zstd-level", 1L, "announce-initial", 50L,
                "block-incremental", false, "compress-wait-thread", true, "downtime-limit", m.downtimeLimit(),
                "tls-authz", "", "multifd-compression", "none", "announce-rounds", 5L, "announce-step", 100L,
                "tls-creds", "", "multifd-zlib-level", 1L, "max-cpu-throttle", 99L, "max-postcopy-bandwidth", 0L,
                "tls-hostname", "", "throttle-trigger-threshold", 50L, "max-bandwidth", unsigned(m.maxBandwidth()),
                "x-checkpoint-delay", 20000L, "cpu-throttle-increment", 10L);
    }

    /** A uint64 as QMP shows it (a negative long is above 2^63). */
    static Object unsigned(long v) {
        return v >= 0 ? (Object) v : new java.math.BigInteger(Long.toUnsignedString(v));
    }

    /** query-migrate: by status, the members QEMU 7.2 fills (fill_source_migration_info). */
    static Map<String, Object> info(Migration m) {
        MigrationStatus s = m.status();
        MigrationStats st = m.stats();
        if (m.incomingSide()) { // fill_destination_migration_info: the status, and where it listens
            Map<String, Object> out = QmpCommands.ordered();
            if (s != MigrationStatus.NONE) {
                out.put("status", s.qapiName());
            }
            if (!m.listening().isEmpty()) {
                out.put("socket-address", m.listening().stream().map(QmpMigrationCommands::socketAddress).toList());
            }
            return out;
        }
        if (s == MigrationStatus.NONE) {
            return Map.of();
        }
        // QEMU's members come in its QDict's hash order: expected-downtime before status
        Map<String, Object> out = s == MigrationStatus.ACTIVE || s == MigrationStatus.CANCELLING
                ? QmpCommands.ordered("expected-downtime", st.expectedDowntimeMillis, "status", s.qapiName())
                : QmpCommands.ordered("status", s.qapiName());
        switch (s) {
            case FAILED -> {
                if (m.errorDesc() != null) {
                    out.put("error-desc", m.errorDesc());
                }
            }
            case ACTIVE, CANCELLING, COMPLETED -> {
                if (st.setupMillis >= 0) {
                    out.put("setup-time", st.setupMillis);
                }
                if (s == MigrationStatus.COMPLETED) {
                    out.put("downtime", Math.max(0, st.downtimeMillis));
                    out.put("total-time", Math.max(0, st.totalMillis));
                } else {
                    out.put("total-time", System.currentTimeMillis() - st.startMillis);
                }
                out.put("ram", QmpCommands.ordered("total", st.totalBytes, "postcopy-requests", 0L,
                        "dirty-sync-count", st.dirtySyncCount, "multifd-bytes", 0L, "pages-per-second", st.pagesPerSecond,
                        "downtime-bytes", st.downtimeBytes, "page-size", 4096L, "remaining", st.remainingBytes,
                        "postcopy-bytes", 0L, "mbps", st.mbps, "transferred", st.transferred,
                        "dirty-sync-missed-zero-copy", 0L, "precopy-bytes", st.precopyBytes, "duplicate", st.duplicatePages,
                        "dirty-pages-rate", st.dirtyPagesRate, "skipped", 0L, "normal-bytes", st.normalPages * 4096,
                        "normal", st.normalPages));
            }
            default -> { }
        }
        return out;
    }

    /** A listening address as QEMU's SocketAddress (unix: path; inet: port as a string, ipv4/ipv6, numeric host). */
    static Map<String, Object> socketAddress(SocketAddress a) {
        if (a instanceof InetSocketAddress in) {
            boolean v6 = in.getAddress() instanceof Inet6Address;
            return QmpCommands.ordered("port", Integer.toString(in.getPort()), v6 ? "ipv6" : "ipv4", true,
                    "host", numericHost(in.getAddress()), "type", "inet");
        }
        return QmpCommands.ordered("path", ((UnixDomainSocketAddress) a).getPath().toString(), "type", "unix");
    }

    /** HMP's spelling of a listening address ({@code info migrate}'s socket address list). */
    static String socketUri(SocketAddress a) {
        if (a instanceof InetSocketAddress in) {
            return "tcp:" + numericHost(in.getAddress()) + ":" + in.getPort();
        }
        return "unix:" + ((UnixDomainSocketAddress) a).getPath();
    }

    /**
     * An address as getnameinfo spells it numerically (QEMU's): IPv6 with its longest run of two or more zero
     * groups as {@code ::} (Java writes every group: {@code 0:0:0:0:0:0:0:1}).
     */
    static String numericHost(java.net.InetAddress a) {
        String h = a.getHostAddress();
        if (!(a instanceof Inet6Address)) {
            return h;
        }
        String[] g = h.replaceFirst("%.*", "").split(":");
        int best = -1, bestLen = 1;
        for (int i = 0; i < g.length; i++) {
            int j = i;
            while (j < g.length && g[j].equals("0")) {
                j++;
            }
            if (j - i > bestLen) {
                best = i;
                bestLen = j - i;
            }
        }
        if (best < 0) {
            return String.join(":", g);
        }
        return String.join(":", java.util.Arrays.copyOfRange(g, 0, best)) + "::"
                + String.join(":", java.util.Arrays.copyOfRange(g, best + bestLen, g.length));
    }
}
