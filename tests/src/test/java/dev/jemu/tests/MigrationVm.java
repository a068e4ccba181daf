package dev.jemu.tests;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One end of a migration in the QMP migration tests: the heartbeat guest (64 MiB) on jemu or QEMU 7.2 with a QMP
 * socket, a client that keeps the events it reads (timestamps removed), and a transcript of what was asked and
 * answered, with the run's own paths and ports replaced by {@code DIR} and {@code PORT} so that the jemu and QEMU
 * transcripts compare as they are.
 */
final class MigrationVm implements AutoCloseable {
    private static final Pattern BEAT = Pattern.compile("beat ([0-9a-f]{16})");

    final MonitorVm vm;
    private final String name;
    private final Path dir;
    private final List<String> transcript;
    private SocketChannel channel;
    private BufferedReader in;
    private OutputStream out;
    private final List<String> events = new ArrayList<>();

    /**
     * Starts the heartbeat guest with {@code extra} flags; returns once QMP is negotiated (and, unless it waits for
     * an incoming migration or starts paused, once the guest has beaten twice).
     */
    MigrationVm(boolean jemu, String name, Path dir, List<String> transcript, String... extra)
            throws IOException, InterruptedException {
        this.name = name;
        this.dir = dir;
        this.transcript = transcript;
        Path sock = dir.resolve(name + ".qmp");
        List<String> args = MonitorVm.heartbeatArgs();
        args.set(args.indexOf("128M"), "64M");
        args.addAll(List.of("-serial", "stdio", "-qmp", "unix:" + sock + ",server=on,wait=off"));
        args.addAll(List.of(extra));
        vm = jemu ? MonitorVm.jemu(args) : MonitorVm.qemu(args);
        try {
            if (!args.contains("-incoming") && !args.contains("-S")) {
                vm.awaitOutput("beat 0000000000000002", MonitorVm.seconds(60));
            }
            vm.awaitFile(sock, MonitorVm.seconds(60));
            channel = connect(sock);
            in = new BufferedReader(new InputStreamReader(Channels.newInputStream(channel), StandardCharsets.UTF_8));
            out = Channels.newOutputStream(channel);
            in.readLine();
            ask("{\"execute\": \"qmp_capabilities\"}");
        } catch (IOException | AssertionError | InterruptedException e) {
            close();
            throw e;
        }
    }

    /** Sends one command, writes it and its reply (normalized) to the transcript; returns the reply. */
    String ask(String command) throws IOException {
        String reply = send(command);
        transcript.add(name + ": " + normalize(command) + " -> " + reply);
        return reply;
    }

    /** Sends a command with no arguments through {@link #ask}. */
    String exec(String command) throws IOException {
        return ask("{\"execute\": \"" + command + "\"}");
    }

    /** Sends one command; returns its reply (normalized) without a transcript line. Events read meanwhile are kept. */
    String send(String command) throws IOException {
        out.write((command + "\n").getBytes(StandardCharsets.UTF_8));
        out.flush();
        while (true) {
            String l = line();
            if (!l.startsWith("{\"event\": ")) {
                return l;
            }
        }
    }

    /** The migrate command for {@code uri}, in the transcript. */
    String migrate(String uri) throws IOException {
        return ask("{\"execute\": \"migrate\", \"arguments\": {\"uri\": \"" + uri + "\"}}");
    }

    /** Turns on the {@code events} migration capability (in the transcript). */
    void migrationEvents() throws IOException {
        ask("{\"execute\": \"migrate-set-capabilities\", \"arguments\": {\"capabilities\": "
                + "[{\"capability\": \"events\", \"state\": true}]}}");
    }

    /** An HMP command through human-monitor-command; returns its text (not in the transcript). */
    String hmp(String commandLine) throws IOException {
        String r = send("{\"execute\": \"human-monitor-command\", \"arguments\": {\"command-line\": \"" + commandLine + "\"}}");
        assertTrue(r.startsWith("{\"return\": \""), r);
        return r.substring(12, r.length() - 2).replace("\\r\\n", "\n").replace("\\t", "\t").replace("\\\"", "\"");
    }

    /** Polls query-migrate until its status is {@code status} (within 30 s); returns that reply. */
    String awaitMigration(String status) throws IOException, InterruptedException {
        long end = System.nanoTime() + 30_000_000_000L;
        while (true) {
            String r = send("{\"execute\": \"query-migrate\"}");
            if (r.contains("\"status\": \"" + status + "\"")) {
                return r;
            }
            if (System.nanoTime() > end || r.contains("\"status\": \"failed\"")) {
                fail(name + ": no migration status " + status + ": " + r + "; " + vm.describe());
            }
            Thread.sleep(20);
        }
    }

    /** Asks query-status until an event that contains {@code text} has arrived before a reply (within 30 s). */
    void awaitEvent(String text) throws IOException, InterruptedException {
        long end = System.nanoTime() + 30_000_000_000L;
        while (events.stream().noneMatch(e -> e.contains(text))) {
            if (System.nanoTime() > end) {
                fail(name + ": no event " + text + " in " + events + "; " + vm.describe());
            }
            send("{\"execute\": \"query-status\"}");
            Thread.sleep(20);
        }
    }

    /**
     * The events so far, in order, as {@code NAME} or {@code MIGRATION status}; MIGRATION_PASS events (whose count
     * depends on timing) as one {@code MIGRATION_PASS} per run of them.
     */
    List<String> eventShape() {
        List<String> shape = new ArrayList<>();
        for (String e : events) {
            String n = e.replaceFirst("^\\{\"event\": \"([A-Z_]+)\".*", "$1");
            if (n.equals("MIGRATION")) {
                n += " " + e.replaceFirst(".*\"status\": \"([a-z-]+)\".*", "$1");
            }
            if (!(n.equals("MIGRATION_PASS") && !shape.isEmpty() && shape.getLast().equals(n))) {
                shape.add(n);
            }
        }
        return shape;
    }

    /** Forgets the events read so far. */
    void clearEvents() {
        events.clear();
    }

    /** The number the guest printed last ({@code beat N}), or -1. */
    long lastBeat() {
        Matcher m = BEAT.matcher(vm.out());
        long last = -1;
        while (m.find()) {
            last = Long.parseLong(m.group(1), 16);
        }
        return last;
    }

    /** Waits until the guest has printed beat {@code n} or later. */
    void awaitBeat(long n) throws InterruptedException {
        long end = System.nanoTime() + 30_000_000_000L;
        while (lastBeat() < n) {
            if (System.nanoTime() > end || !vm.process().isAlive()) {
                fail(name + ": no beat " + n + ": " + vm.describe());
            }
            Thread.sleep(20);
        }
    }

    private String line() throws IOException {
        String l = in.readLine();
        if (l == null) {
            fail(name + ": the QMP connection closed; events " + events + "; " + vm.describe());
        }
        l = normalize(l.replaceFirst("^\\{\"timestamp\": \\{[^}]*\\}, ", "{"));
        if (l.startsWith("{\"event\": ")) {
            events.add(l);
        }
        return l;
    }

    /** The run's directory as DIR, its ports as PORT. */
    private String normalize(String text) {
        return text.replace(dir.toString(), "DIR").replaceAll("(127\\.0\\.0\\.1|tcp:):\\d+", "$1:PORT")
                .replaceAll("\"port\": \"\\d+\"", "\"port\": \"PORT\"");
    }

    /** Connects to the QMP socket, again while it is bound but not listening yet (QEMU creates it first). */
    private SocketChannel connect(Path sock) throws IOException, InterruptedException {
        for (int i = 0; ; i++) {
            SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX);
            try {
                ch.connect(UnixDomainSocketAddress.of(sock));
                return ch;
            } catch (java.net.ConnectException e) {
                ch.close();
                if (i == 250) {
                    throw e;
                }
                Thread.sleep(20);
            }
        }
    }

    /** A TCP port on 127.0.0.1 that nothing listens on (bound, then closed). */

    @Override
    public void close() throws InterruptedException {
        try {
            if (channel != null) {
                channel.close();
            }
        } catch (IOException e) {
            // the VM is ending anyway
        }
        vm.close();
    }
}
