package dev.jemu.cli.chardev;

import dev.jemu.core.chardev.CharBackend;
import dev.jemu.core.chardev.CharReceiver;
import dev.jemu.core.machine.ConfigException;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.StandardProtocolFamily;
import java.net.StandardSocketOptions;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.Consumer;

/**
 * {@code -chardev socket} and {@code -serial tcp:/unix:/telnet:}: a TCP or Unix-domain stream, as a server
 * (one client at a time; when it leaves, the next one is accepted) or as a client. {@code wait=on} holds
 * the start-up until the first client connects, as QEMU does. The guest's output while no client is
 * connected is dropped, and a client that stops reading loses output instead of stalling the machine
 * (a lossy {@link OutputBuffer}); what a client sends reaches the UART with the guest's flow control.
 */
public final class SocketBackend implements CharBackend {
    /** A TCP host and port (host "" is every address for a server, localhost for a client) or a Unix path. */
    public record Address(String host, int port, String path) {
        boolean unix() {
            return path != null;
        }

        SocketAddress socketAddress(boolean server) {
            if (unix()) {
                return UnixDomainSocketAddress.of(path);
            }
            if (host.isEmpty()) {
                return server ? new InetSocketAddress(port) : new InetSocketAddress("localhost", port);
            }
            return new InetSocketAddress(host, port);
        }

        /** QEMU's words for the address: {@code tcp:0.0.0.0:4444} or {@code unix:/tmp/s}. */
        String describe(boolean server) {
            if (unix()) {
                return "unix:" + path;
            }
            return "tcp:" + (host.isEmpty() ? (server ? "0.0.0.0" : "localhost") : host) + ":" + port;
        }
    }

    private final String label;
    private final Address address;
    private final boolean nodelay;
    private final boolean telnet;
    private final ServerSocketChannel server;
    private final int reconnectSeconds;   // a client's QEMU reconnect=N: retry every N s; 0: never
    private volatile SocketChannel first;   // the client of wait=on or of client mode, served on connect
    private volatile Connection conn;
    private volatile boolean closed;
    private InputPump pump;
    private Thread thread;

    private record Connection(SocketChannel channel, OutputBuffer out) {
    }

    private SocketBackend(String label, Address address, boolean nodelay, boolean telnet, ServerSocketChannel server,
                          SocketChannel first, int reconnectSeconds) {
        this.reconnectSeconds = reconnectSeconds;
        this.label = label;
        this.address = address;
        this.nodelay = nodelay;
        this.telnet = telnet;
        this.server = server;
        this.first = first;
    }

    /**
     * Listens ({@code server}) or connects. {@code what} prefixes the info line printed while waiting,
     * e.g. {@code jemu: -serial tcp::4444,server=on}.
     */
    public static SocketBackend open(String label, Address a, boolean server, boolean wait, boolean nodelay,
                                     boolean telnet, PrintStream err, String what) throws ConfigException {
        return open(label, a, server, wait, nodelay, telnet, 0, err, what);
    }

    /**
     * As above; a client with {@code reconnect} seconds above 0 does not fail when the server is not there:
     * it says so (QEMU's line) and tries again every {@code reconnect} seconds, also after a disconnect.
     */
    public static SocketBackend open(String label, Address a, boolean server, boolean wait, boolean nodelay,
                                     boolean telnet, int reconnect, PrintStream err, String what)
            throws ConfigException {
        if (!server) {
            try {
                return new SocketBackend(label, a, nodelay, telnet, null, connect(a), reconnect);
            } catch (ConfigException e) {
                if (reconnect <= 0) {
                    throw e;
                }
                err.println("jemu: Unable to connect character device " + label + ": " + e.getMessage());
                return new SocketBackend(label, a, nodelay, telnet, null, null, reconnect);
            }
        }
        ServerSocketChannel ss = null;
        try {
            if (a.unix()) {
                Files.deleteIfExists(Path.of(a.path()));   // a stale socket of an earlier run, as QEMU does
                ss = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
            } else {
                ss = ServerSocketChannel.open();
                ss.setOption(StandardSocketOptions.SO_REUSEADDR, true);
            }
            if (a.unix()) {
                UnixListen.bind(ss, Path.of(a.path()), 1);
            } else {
                ss.bind(a.socketAddress(true), 1);
            }
        } catch (IOException | RuntimeException e) {
            closeQuietly(ss);
            throw new ConfigException((a.unix() ? "Failed to bind socket to " + a.path() : "Failed to bind socket to "
                    + hostPort(a)) + ": " + reason(e));
        }
        SocketChannel client = null;
        if (wait) {
            String shown = a.describe(true);
            err.println(what + ": info: waiting for connection on: disconnected:"
                    + (telnet ? shown.replaceFirst("^tcp:", "telnet:") : shown) + ",server=on");
            err.flush();
            try {
                client = ss.accept();
            } catch (IOException e) {
                closeQuietly(ss);
                throw new ConfigException("Failed to accept a connection on " + a.describe(true) + ": " + reason(e));
            }
        }
        return new SocketBackend(label, a, nodelay, telnet, ss, client, 0);
    }

    private static SocketChannel connect(Address a) throws ConfigException {
        try {
            return SocketChannel.open(a.socketAddress(false));
        } catch (IOException | RuntimeException e) {
            throw new ConfigException("Failed to connect to '" + (a.unix() ? a.path() : hostPort(a)) + "': "
                    + reason(e));
        }
    }

    private static String hostPort(Address a) {
        return (a.host().isEmpty() ? "localhost" : a.host()) + ":" + a.port();
    }

    private static String reason(Exception e) {
        String m = e.getMessage();
        return m == null || m.isEmpty() ? e.getClass().getSimpleName() : m;
    }

    /** Where a server listens (the real port when 0 was asked for); null for a client. */
    public SocketAddress localAddress() {
        try {
            return server == null ? null : server.getLocalAddress();
        } catch (IOException e) {
            return null;
        }
    }

    @Override
    public void write(byte[] data, int offset, int length) {
        Connection c = conn;
        if (c == null) {
            return; // no client: dropped, as QEMU does
        }
        if (telnet) {
            byte[] e = TelnetFilter.escape(data, offset, length);
            c.out().write(e, 0, e.length);
        } else {
            c.out().write(data, offset, length);
        }
    }

    @Override
    public void connect(CharReceiver receiver, Consumer<Runnable> poster) {
        if (pump != null) {
            throw new IllegalStateException(label + " is already connected");
        }
        pump = new InputPump(receiver, poster);
        thread = Thread.ofPlatform().name("jemu-chardev-" + label).daemon().start(this::serveLoop);
    }

    private void serveLoop() {
        try {
            SocketChannel c = first;
            first = null;
            if (c != null) {
                serve(c);
            }
            while (server != null && !closed) {
                serve(server.accept());
            }
            while (server == null && reconnectSeconds > 0 && !closed) {
                Thread.sleep(reconnectSeconds * 1000L);
                try {
                    serve(connect(address));
                } catch (ConfigException e) {
                    // not there yet: the next try
                }
            }
        } catch (IOException e) {
            // the server socket was closed: jemu is ending
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** One client, until it disconnects. */
    private void serve(SocketChannel ch) throws InterruptedException {
        OutputBuffer out = new OutputBuffer(new ChannelOutput(ch), "jemu-chardev-" + label + "-out", true);
        TelnetFilter filter = telnet ? new TelnetFilter() : null;
        try {
            if (!address.unix() && nodelay) {
                ch.setOption(StandardSocketOptions.TCP_NODELAY, true);
            }
            if (telnet) {
                out.write(TelnetFilter.GREETING, 0, TelnetFilter.GREETING.length);
            }
            conn = new Connection(ch, out);
            ByteBuffer buf = ByteBuffer.allocate(4096);
            while (!closed) {
                buf.clear();
                int n = ch.read(buf);
                if (n < 0) {
                    break;
                }
                if (filter == null) {
                    pump.offer(java.util.Arrays.copyOf(buf.array(), n));
                } else {
                    TelnetFilter.Result r = filter.filter(buf.array(), n);
                    pump.offer(r.data());
                    for (int i = 0; i < r.breaks(); i++) {
                        pump.offerBreak();
                    }
                }
            }
        } catch (IOException e) {
            // the client went away (reset) or jemu is closing
        } finally {
            conn = null;
            closeConnection(ch, out);
        }
    }

    /** Sends what is buffered (waiting at most a second for a client that does not read), then closes. */
    private static void closeConnection(SocketChannel ch, OutputBuffer out) {
        out.flush(1000);
        closeQuietly(ch);
        out.close();
    }

    private static void closeQuietly(java.io.Closeable c) {
        if (c != null) {
            try {
                c.close();
            } catch (IOException e) {
                // closing: nothing left to do
            }
        }
    }

    @Override
    public void receiverReady() {
        InputPump.push(pump);
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        Connection c = conn;
        if (c != null) {
            closeConnection(c.channel(), c.out());
        }
        closeQuietly(first);
        closeQuietly(server);
        if (thread != null) {
            try {
                thread.join(1000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        if (server != null && address.unix()) {
            try {
                Files.deleteIfExists(Path.of(address.path()));
            } catch (IOException e) {
                // best effort, as QEMU
            }
        }
    }

    /** A blocking write of the whole buffer to the channel (the OutputBuffer's writer thread calls it). */
    private static final class ChannelOutput extends OutputStream {
        private final SocketChannel ch;

        ChannelOutput(SocketChannel ch) {
            this.ch = ch;
        }

        @Override
        public void write(int b) throws IOException {
            write(new byte[] {(byte) b}, 0, 1);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            ByteBuffer bb = ByteBuffer.wrap(b, off, len);
            while (bb.hasRemaining()) {
                ch.write(bb);
            }
        }

        @Override
        public void close() {
            // the backend closes the channel
        }
    }
}
