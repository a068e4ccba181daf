package dev.jemu.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * Live migration driven over QMP, each session run twice, between two QEMU 7.2 processes and between two jemu
 * processes, both on the heartbeat guest (64 MiB) with the {@code events} capability on: every reply must be the
 * same (the run's paths and ports masked; of query-migrate at completion, whose figures differ, its keys and
 * their order), and so must each end's events, MIGRATION's statuses exactly, MIGRATION_PASS by presence (its
 * count depends on timing). On both emulators the guest's beats, read across the two processes' consoles, count
 * on without one lost or repeated: the destination runs on from the source's state.
 */
class QmpMigrationQemuTest {
    private static final Pattern KEY = Pattern.compile("\"([a-z-]+)\": ");
    private static final Pattern BEAT = Pattern.compile("beat ([0-9a-f]{16})");
    private static final String MAX_BANDWIDTH = "{\"execute\": \"migrate-set-parameters\", \"arguments\": "
            + "{\"max-bandwidth\": %d}}";
    private static final String INCOMING = "{\"execute\": \"migrate-incoming\", \"arguments\": {\"uri\": \"%s\"}}";

    /** A session's transcript, each end's event shape, and text to compare beside them. */
    private record Run(List<String> transcript, Map<String, List<String>> events, List<String> text) {
    }

    /**
     * Over a unix socket: the parameters and capabilities, with the errors in setting them (QMP and HMP), the
     * errors before a migration (migrate_cancel with none running, migrate-incoming without
     * -incoming or after it, migrate on the destination, a bogus URI, a closed port), a migration held back by a
     * low max-bandwidth (migrate again while it runs, query-migrate and info migrate, migrate_cancel: the source
     * runs on, that destination exits 1), the parameters, the migration, and both ends' query-status,
     * query-migrate and info migrate after it.
     */
    @Test
    void aMigrationSessionAnswersAsQemuDoes() throws Exception {
        Run jemu = sameAsQemu(QmpMigrationQemuTest::session);
        assertEquals(List.of("MIGRATION setup", "MIGRATION failed", "MIGRATION setup", "MIGRATION failed",
                "MIGRATION setup", "MIGRATION failed", "MIGRATION setup", "MIGRATION failed", "MIGRATION setup", "MIGRATION_PASS", "MIGRATION active", "MIGRATION cancelling", "MIGRATION cancelled",
                "MIGRATION setup", "MIGRATION_PASS", "MIGRATION active", "STOP", "MIGRATION_PASS", "MIGRATION completed"),
                jemu.events().get("src"));
        assertEquals(List.of("MIGRATION active", "RESUME", "MIGRATION completed"), jemu.events().get("dst"));
    }

    private static Run session(boolean jemu) throws Exception {
        Path dir = MonitorVm.tempDir("qmig");
        List<String> t = new ArrayList<>();
        Path mig = dir.resolve("mig.sock");
        try (MigrationVm src = new MigrationVm(jemu, "src", dir, t);
             MigrationVm dst = new MigrationVm(jemu, "dst", dir, t, "-incoming", "unix:" + mig)) {
            src.migrationEvents();
            dst.migrationEvents();
            src.exec("query-migrate-parameters");
            src.exec("query-migrate-capabilities");
            // parameters and capabilities refused (out of range, of the wrong type, unknown, malformed), and a
            // max-bandwidth of -1, which QEMU takes modulo 2^64
            for (String args : List.of("{\"downtime-limit\": 3000000}", "{\"downtime-limit\": \"x\"}",
                    "{\"max-bandwidth\": \"x\"}", "{\"bogus\": 1}", "{\"max-bandwidth\": -1}")) {
                src.ask("{\"execute\": \"migrate-set-parameters\", \"arguments\": " + args + "}");
            }
            src.exec("query-migrate-parameters");
            for (String cap : List.of("{\"capability\": \"bogus\", \"state\": true}", "{\"capability\": \"events\"}",
                    "{\"state\": true}", "\"events\"")) {
                src.ask("{\"execute\": \"migrate-set-capabilities\", \"arguments\": {\"capabilities\": [" + cap + "]}}");
            }
            List<String> text = new ArrayList<>();
            for (String line : List.of("info migrate_capabilities", "info migrate_parameters", "migrate_set_parameter bogus 1",
                    "migrate_set_parameter downtime-limit x", "migrate_set_parameter downtime-limit 3000",
                    "migrate_set_parameter downtime-limit 300", "migrate_set_capability bogus on",
                    "migrate_set_capability events of", "migrate_set_capability events on")) {
                text.add(line + ": " + src.hmp(line));
            }
            src.exec("query-migrate");
            src.exec("migrate_cancel");
            src.ask(INCOMING.formatted("tcp:127.0.0.1:" + MonitorVm.freePort()));
            dst.exec("query-status");
            dst.exec("query-migrate");
            dst.ask(INCOMING.formatted("unix:" + dir.resolve("other.sock")));
            dst.migrate("unix:" + dir.resolve("other.sock"));
            for (String bad : List.of("bogus:x", "tcp:127.0.0.1", "unix:")) { // no protocol, no port, no path
                src.migrate(bad);
                src.exec("query-migrate");
            }
            src.migrate("tcp:127.0.0.1:" + MonitorVm.freePort());
            t.add("src: " + src.awaitMigration("failed"));
            src.exec("query-status");
            // one held back by a low max-bandwidth: migrate again while it runs, query it, cancel it (which fails
            // that destination); then the migration
            try (MigrationVm d2 = new MigrationVm(jemu, "d2", dir, t, "-incoming", "unix:" + dir.resolve("mig2.sock"))) {
                src.ask(MAX_BANDWIDTH.formatted(1000));
                src.migrate("unix:" + dir.resolve("mig2.sock"));
                src.awaitEvent("\"status\": \"active\"");
                src.migrate("unix:" + mig);
                String active = src.send("{\"execute\": \"query-migrate\"}");
                t.add("src: query-migrate keys " + keys(active));
                text.add(infoShape(src.hmp("info migrate"), active));
                src.exec("migrate_cancel");
                src.awaitEvent("\"status\": \"cancelled\"");
                src.exec("query-migrate");
                src.exec("query-status");
                t.add("d2: exit status " + d2.vm.awaitExit(MonitorVm.seconds(30)));
            }
            src.ask(MAX_BANDWIDTH.formatted(128L << 20));
            src.migrate("unix:" + mig);
            String done = src.awaitMigration("completed");
            t.add("src: query-migrate keys " + keys(done));
            src.exec("query-status");
            dst.awaitMigration("completed");
            dst.exec("query-migrate");
            dst.exec("query-status");
            src.exec("migrate_cancel");
            src.exec("query-migrate-parameters");
            dst.awaitEvent("\"status\": \"completed\"");
            text.add(infoShape(src.hmp("info migrate"), done));
            text.add(infoShape(dst.hmp("info migrate"), done));
            assertBeatsOn(src, dst);
            return new Run(t, events(src, dst), text);
        }
    }

    /**
     * {@code -incoming exec:CMD}: the source writes the stream to a file through {@code exec:cat > FILE} (after
     * two commands that fail), the destination reads it with {@code exec:cat FILE}.
     */
    @Test
    void execIncomingAnswersAsQemuDoes() throws Exception {
        sameAsQemu(QmpMigrationQemuTest::exec);
    }

    private static Run exec(boolean jemu) throws Exception {
        Path dir = MonitorVm.tempDir("qmigx");
        List<String> t = new ArrayList<>();
        Path file = dir.resolve("state.mig");
        try (MigrationVm src = new MigrationVm(jemu, "src", dir, t)) {
            src.migrationEvents();
            // a command that cannot write the file, one that drops the stream and fails: the source runs on (how
            // soon each is noticed, and so the error, depends on the pipe's buffer)
            for (String bad : List.of("exec:cat > " + dir.resolve("no/such/dir"), "exec:sleep 0.5; exit 3")) {
                src.migrate(bad);
                src.awaitMigration("failed");
                src.exec("query-status");
            }
            src.clearEvents(); // how far each got before it failed is a race
            src.migrate("exec:cat > " + file);
            completed(src, t);
            src.exec("query-status");
            try (MigrationVm dst = new MigrationVm(jemu, "dst", dir, t, "-incoming", "exec:cat " + file)) {
                dst.awaitMigration("completed");
                dst.exec("query-migrate");
                dst.exec("query-status");
                assertBeatsOn(src, dst);
                // the destination's events: the load may be over before its QMP client is there
                return new Run(t, Map.of("src", events(src, dst).get("src")), List.of());
            }
        }
    }

    /**
     * {@code -incoming defer} and {@code -S}: migrate-incoming (a bogus URI first, then tcp on any address, then
     * once more), the destination ends {@code paused} without a beat, and {@code cont} runs it on.
     */
    @Test
    void deferredIncomingWithDashSAnswersAsQemuDoes() throws Exception {
        sameAsQemu(QmpMigrationQemuTest::deferred);
    }

    private static Run deferred(boolean jemu) throws Exception {
        Path dir = MonitorVm.tempDir("qmigd");
        List<String> t = new ArrayList<>();
        int port = MonitorVm.freePort();
        try (MigrationVm dst = new MigrationVm(jemu, "dst", dir, t, "-incoming", "defer", "-S")) {
            dst.migrationEvents();
            dst.exec("query-status");
            dst.exec("query-migrate");
            dst.ask(INCOMING.formatted("bogus:x"));
            dst.exec("query-migrate");
            dst.ask(INCOMING.formatted("tcp::" + port)); // any address: QEMU listens on :: and 0.0.0.0
            dst.exec("query-migrate");
            dst.ask(INCOMING.formatted("tcp::" + port));
            try (MigrationVm src = new MigrationVm(jemu, "src", dir, t)) {
                src.migrationEvents();
                src.migrate("tcp:127.0.0.1:" + port);
                completed(src, t);
                dst.awaitMigration("completed");
                dst.exec("query-migrate");
                dst.exec("query-status");
                assertNoBeat(dst);
                dst.exec("cont");
                dst.exec("query-status");
                assertBeatsOn(src, dst);
                return new Run(t, events(src, dst), List.of());
            }
        }
    }

    /** A source stopped before the migration: the destination (without -S) takes its run state and ends paused. */
    @Test
    void aStoppedSourceArrivesPausedAsInQemu() throws Exception {
        sameAsQemu(QmpMigrationQemuTest::stopped);
    }

    private static Run stopped(boolean jemu) throws Exception {
        Path dir = MonitorVm.tempDir("qmigs");
        List<String> t = new ArrayList<>();
        Path mig = dir.resolve("mig.sock");
        try (MigrationVm src = new MigrationVm(jemu, "src", dir, t);
             MigrationVm dst = new MigrationVm(jemu, "dst", dir, t, "-incoming", "unix:" + mig)) {
            src.migrationEvents();
            dst.migrationEvents();
            src.exec("stop");
            src.migrate("unix:" + mig);
            completed(src, t);
            src.exec("query-status");
            dst.awaitMigration("completed");
            dst.exec("query-status");
            assertNoBeat(dst);
            dst.exec("cont");
            dst.exec("query-status");
            assertBeatsOn(src, dst);
            return new Run(t, events(src, dst), List.of());
        }
    }

    // --- what is compared ---

    private interface Session {
        Run run(boolean jemu) throws Exception;
    }

    /** Runs {@code session} on QEMU, then on jemu; the transcripts, events and texts must be equal. */
    private static Run sameAsQemu(Session session) throws Exception {
        MonitorVm.need(MonitorVm.QEMU);
        Run qemu = session.run(false);
        Run jemu = session.run(true);
        assertEquals(qemu.transcript(), jemu.transcript());
        assertEquals(qemu.events(), jemu.events());
        assertEquals(qemu.text(), jemu.text(), "info migrate");
        return jemu;
    }

    /** Waits for the source's migration to complete; its query-migrate keys go to the transcript. */
    private static void completed(MigrationVm src, List<String> t) throws Exception {
        t.add("src: query-migrate keys " + keys(src.awaitMigration("completed")));
    }

    /** A paused destination prints no beat (in two beats' time). */
    private static void assertNoBeat(MigrationVm dst) throws InterruptedException {
        Thread.sleep(300);
        assertTrue(BEAT.matcher(dst.vm.out()).results().findAny().isEmpty(), dst.vm::describe);
    }

    /** The member names of a reply, in order (values left out). */
    private static List<String> keys(String reply) {
        List<String> k = new ArrayList<>();
        Matcher m = KEY.matcher(reply);
        while (m.find()) {
            k.add(m.group(1));
        }
        return k;
    }

    /**
     * Each end's event shape; the pre-copy passes between active and the stop-and-copy's STOP left out (whether
     * there are any depends on how soon the rest fits the downtime limit).
     */
    private static Map<String, List<String>> events(MigrationVm src, MigrationVm dst) {
        Map<String, List<String>> e = new LinkedHashMap<>();
        e.put("src", removeRun(src.eventShape(), "MIGRATION_PASS", "STOP"));
        e.put("dst", dst.eventShape());
        return e;
    }

    /** {@code list} without {@code item} where it comes right before {@code before}. */
    private static List<String> removeRun(List<String> list, String item, String before) {
        List<String> out = new ArrayList<>(list);
        for (int i = out.size() - 2; i >= 0; i--) {
            if (out.get(i).equals(item) && out.get(i + 1).equals(before)) {
                out.remove(i);
            }
        }
        return out;
    }

    /**
     * info migrate, figures masked: QEMU's leading "globals:" block (its migration object's properties, which
     * jemu does not have) left out; the lines QEMU prints only for a non-zero figure (dirty pages rate, precopy
     * ram, downtime ram) checked against that run's query-migrate and then left out.
     */
    private static String infoShape(String text, String queryMigrate) {
        List<String> lines = new ArrayList<>(text.lines().toList());
        if (!lines.isEmpty() && lines.getFirst().equals("globals:")) {
            lines.subList(0, 7).clear();
        }
        boolean destination = !text.contains("transferred ram:");
        if (!destination) {
            optional(lines, "dirty pages rate: ", queryMigrate, "dirty-pages-rate");
            optional(lines, "precopy ram: ", queryMigrate, "precopy-bytes");
            optional(lines, "downtime ram: ", queryMigrate, "downtime-bytes");
        }
        return String.join("\n", lines).replaceAll("\\d+(\\.\\d+)?", "N");
    }

    private static void optional(List<String> lines, String label, String queryMigrate, String key) {
        Matcher m = Pattern.compile("\"" + key + "\": (\\d+)").matcher(queryMigrate);
        assertTrue(m.find(), queryMigrate);
        boolean present = lines.removeIf(l -> l.startsWith(label));
        assertEquals(Long.parseLong(m.group(1)) != 0, present, label + "in info migrate vs " + queryMigrate);
    }

    /**
     * The beats printed by the source and then by the destination (its console continues the source's, a line
     * cut in two by the switch-over included) count 1, 2, 3, ... without a gap or a repeat, and the destination
     * beats three times more.
     */
    private static void assertBeatsOn(MigrationVm src, MigrationVm dst) throws InterruptedException {
        long last = src.lastBeat();
        dst.awaitBeat(last + 3);
        Matcher m = BEAT.matcher(src.vm.out() + dst.vm.out());
        long expect = 1;
        while (m.find()) {
            assertEquals(expect++, Long.parseLong(m.group(1), 16), () -> "source: " + src.vm.describe()
                    + "\ndestination: " + dst.vm.describe());
        }
    }
}
