package dev.jemu.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
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

/**
 * A bare QMP client for tests that need no library: one JSON message per line, replies matched by order,
 * events kept aside until asked for. It negotiates capabilities on connect.
 */
final class QmpLines implements AutoCloseable {
    private final SocketChannel channel;
    private final BufferedReader in;
    private final OutputStream out;
    private final List<String> events = new ArrayList<>();

    QmpLines(Path socket) throws IOException {
        channel = SocketChannel.open(StandardProtocolFamily.UNIX);
        channel.connect(UnixDomainSocketAddress.of(socket));
        in = new BufferedReader(new InputStreamReader(Channels.newInputStream(channel), StandardCharsets.UTF_8));
        out = Channels.newOutputStream(channel);
        String greeting = in.readLine();
        assertTrue(greeting != null && greeting.startsWith("{\"QMP\": "), "no QMP greeting: " + greeting);
        assertEquals("{\"return\": {}}", execute("qmp_capabilities"));
    }

    /** Runs {@code command} (no arguments); returns its reply line. Events that come first are kept. */
    String execute(String command) throws IOException {
        return send("{\"execute\": \"" + command + "\"}");
    }

    /** Runs an HMP command line through human-monitor-command; returns its reply line. */
    String hmp(String commandLine) throws IOException {
        return send("{\"execute\": \"human-monitor-command\", \"arguments\": {\"command-line\": \"" + commandLine + "\"}}");
    }

    String send(String message) throws IOException {
        String command = message;
        out.write((message + "\n").getBytes(StandardCharsets.UTF_8));
        out.flush();
        while (true) {
            String l = in.readLine();
            if (l == null) {
                fail("the QMP connection closed before the reply to " + command + "; events: " + events);
            }
            if (l.contains("\"event\": ")) {
                events.add(l);
            } else {
                return l;
            }
        }
    }

    /** The next event named {@code name} (already received, or read now). */
    String awaitEvent(String name) throws IOException {
        while (true) {
            for (String e : events) {
                if (e.contains("\"event\": \"" + name + "\"")) {
                    events.remove(e);
                    return e;
                }
            }
            String l = in.readLine();
            if (l == null) {
                fail("the QMP connection closed before the " + name + " event; events: " + events);
            }
            events.add(l);
        }
    }

    @Override
    public void close() throws IOException {
        channel.close();
    }
}
