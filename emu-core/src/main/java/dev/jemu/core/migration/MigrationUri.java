package dev.jemu.core.migration;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.Channels;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * A migration URI as QEMU 7.2 spells it: {@code tcp:HOST:PORT} (HOST may be empty or {@code [v6]}),
 * {@code unix:PATH}, {@code exec:CMD} (the stream is the command's stdin or stdout, run by {@code /bin/sh -c}).
 * Sockets also carry the destination's answers back ({@link MigrationStream}); exec has no way back.
 */
public record MigrationUri(String kind, String host, int port, String path) {
    /** One end of a migration: the stream, and the way back (null for exec). */
    public interface Connection extends AutoCloseable {
        InputStream in();

        OutputStream out();

        /** Whether {@link #in} carries the peer's answers (sockets) rather than nothing / the stream. */
        boolean twoWay();

        /**
         * The source's stream is complete: for a command (which has no way to answer), its stdin is closed and
         * it must exit with status 0, or the migration fails (a command that dropped the stream must not leave
         * the source stopped with its guest nowhere).
         */
        default void finish() throws IOException {
        }

        @Override
        void close();
    }

    /** Parses {@code uri}; an unknown protocol is an {@link IllegalArgumentException} with the uri. */
    public static MigrationUri parse(String uri) {
        if (uri.startsWith("tcp:")) {
            String hp = uri.substring(4);
            int colon = hp.lastIndexOf(':');
            if (colon < 0) {
                throw new IllegalArgumentException("error parsing address '" + hp + "'");
            }
            String host = hp.substring(0, colon);
            if (host.startsWith("[") && host.endsWith("]")) {
                host = host.substring(1, host.length() - 1);
            }
            int port;
            try {
                port = Integer.parseInt(hp.substring(colon + 1));
            } catch (NumberFormatException e) {
                port = -1;
            }
            if (port < 0 || port > 65535) {
                throw new IllegalArgumentException("error parsing port in address '" + hp + "'");
            }
            return new MigrationUri("tcp", host, port, null);
        }
        if (uri.startsWith("unix:")) {
            if (uri.length() == 5) {
                throw new IllegalArgumentException("invalid Unix socket address");
            }
            return new MigrationUri("unix", null, 0, uri.substring(5));
        }
        if (uri.startsWith("exec:")) { // an empty command too, as QEMU (it fails writing)
            return new MigrationUri("exec", null, 0, uri.substring(5));
        }
        throw new UnknownProtocol(uri);
    }

    /** A URI of no protocol jemu knows (QEMU's migrate and migrate-incoming word it differently). */
    public static final class UnknownProtocol extends IllegalArgumentException {
        UnknownProtocol(String uri) {
            super("unknown migration protocol: " + uri);
        }
    }

    private SocketAddress address() {
        return kind.equals("unix") ? UnixDomainSocketAddress.of(path)
                : new InetSocketAddress(host.isEmpty() ? "0.0.0.0" : host, port);
    }

    /** The source's end: connects the socket or starts the command. */
    public Connection connect() throws IOException {
        if (kind.equals("exec")) {
            Process p = new ProcessBuilder("/bin/sh", "-c", path).redirectOutput(ProcessBuilder.Redirect.INHERIT)
                    .redirectError(ProcessBuilder.Redirect.INHERIT).start();
            return process(p, commandInput(p.getOutputStream()));
        }
        InetSocketAddress inet = kind.equals("unix") ? null : new InetSocketAddress(host.isEmpty() ? "localhost" : host, port);
        if (inet != null && inet.isUnresolved()) {
            throw new IOException("address resolution failed for " + host + ":" + port + ": Name or service not known");
        }
        SocketAddress a = inet == null ? address() : inet;
        SocketChannel ch;
        try {
            ch = SocketChannel.open(a);
        } catch (IOException e) {
            String where = kind.equals("unix") ? path : host + ":" + port;
            throw new IOException("Failed to connect to '" + where + "': " + reason(e));
        }
        return socket(ch);
    }

    /** The destination's end, listening now (so the port is taken at start-up, as QEMU does). */
    public Listener listen() throws IOException {
        if (kind.equals("exec")) {
            return () -> {
                Process p = new ProcessBuilder("/bin/sh", "-c", path).redirectInput(ProcessBuilder.Redirect.INHERIT)
                        .redirectError(ProcessBuilder.Redirect.INHERIT).start();
                return process(p, p.getInputStream());
            };
        }
        ServerSocketChannel server;
        if (kind.equals("unix")) {
            Files.deleteIfExists(Path.of(path));
            server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        } else {
            server = ServerSocketChannel.open();
            server.socket().setReuseAddress(true);
        }
        try {
            if (kind.equals("unix")) {
                // bound under a temporary name and renamed into place: the path appears only once it listens
                Path tmp = Path.of(path + ".jemu-" + ProcessHandle.current().pid());
                Files.deleteIfExists(tmp);
                server.bind(UnixDomainSocketAddress.of(tmp));
                Files.move(tmp, Path.of(path), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            } else {
                server.bind(address());
            }
        } catch (IOException e) {
            server.close();
            throw new IOException("Failed to bind socket: " + reason(e));
        }
        List<SocketAddress> bound = listening(server);
        return new Listener() {
            @Override
            public List<SocketAddress> addresses() {
                return bound;
            }

            @Override
            public Connection accept() throws IOException {
                try {
                    return socket(server.accept());
                } finally {
                    close();
                }
            }

            @Override
            public void close() {
                try {
                    server.close();
                    if (kind.equals("unix")) {
                        Files.deleteIfExists(Path.of(path));
                    }
                } catch (IOException e) {
                    // nothing left to release
                }
            }
        };
    }

    /**
     * Where a listening socket accepts, as QEMU reports it: the address asked for (a name resolved) with the
     * port bound; an empty host is QEMU's two sockets, {@code ::} and {@code 0.0.0.0} (jemu's one dual-stack
     * socket accepts both).
     */
    private List<SocketAddress> listening(ServerSocketChannel server) throws IOException {
        if (kind.equals("unix")) {
            return List.of(UnixDomainSocketAddress.of(path));
        }
        int port = ((InetSocketAddress) server.getLocalAddress()).getPort();
        if (host.isEmpty()) {
            return List.of(new InetSocketAddress(InetAddress.getByName("::"), port),
                    new InetSocketAddress(InetAddress.getByName("0.0.0.0"), port));
        }
        return List.of(new InetSocketAddress(((InetSocketAddress) address()).getAddress(), port));
    }

    /** A destination waiting for its one source. */
    public interface Listener extends AutoCloseable {
        Connection accept() throws IOException;

        /** Where it listens (what query-migrate reports as socket-address): none for exec. */
        default List<SocketAddress> addresses() {
            return List.of();
        }

        @Override
        default void close() {
        }
    }

    private static String reason(IOException e) {
        String m = e.getMessage();
        return m == null ? e.getClass().getSimpleName() : m;
    }

    private static Connection socket(SocketChannel ch) throws IOException {
        if (ch.getRemoteAddress() instanceof InetSocketAddress) {
            ch.socket().setTcpNoDelay(true);
        }
        InputStream in = Channels.newInputStream(ch);
        OutputStream out = Channels.newOutputStream(ch);
        return new Connection() {
            public InputStream in() {
                return in;
            }

            public OutputStream out() {
                return out;
            }

            public boolean twoWay() {
                return true;
            }

            public void close() {
                try {
                    ch.close();
                } catch (IOException e) {
                    // closed anyway
                }
            }
        };
    }

    /** A command's stdin; a write that fails is QEMU's "Unable to write to command" (it has exited: broken pipe). */
    private static OutputStream commandInput(OutputStream stdin) {
        return new java.io.FilterOutputStream(stdin) {
            @Override
            public void write(int b) throws IOException {
                try {
                    out.write(b);
                } catch (IOException e) {
                    throw unableToWrite(e);
                }
            }

            @Override
            public void write(byte[] b, int off, int len) throws IOException {
                try {
                    out.write(b, off, len);
                } catch (IOException e) {
                    throw unableToWrite(e);
                }
            }

            @Override
            public void flush() throws IOException {
                try {
                    out.flush();
                } catch (IOException e) {
                    throw unableToWrite(e);
                }
            }
        };
    }

    private static IOException unableToWrite(IOException e) {
        String why = reason(e);
        return new IOException("Unable to write to command: " + (why.equals("Stream closed") ? "Broken pipe" : why), e);
    }

    private static Connection process(Process p, Object stream) {
        return new Connection() {
            public InputStream in() {
                return stream instanceof InputStream i ? i : InputStream.nullInputStream();
            }

            public OutputStream out() {
                return stream instanceof OutputStream o ? o : OutputStream.nullOutputStream();
            }

            public boolean twoWay() {
                return false;
            }

            public void finish() throws IOException {
                out().close();
                try {
                    if (!p.waitFor(60, java.util.concurrent.TimeUnit.SECONDS)) {
                        throw new IOException("the command did not exit after its stream ended");
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IOException("interrupted");
                }
                if (p.exitValue() != 0) {
                    throw new IOException("the command exited with status " + p.exitValue());
                }
            }

            public void close() {
                try {
                    p.getOutputStream().close();
                } catch (IOException e) {
                    // the command has gone
                }
                try {
                    p.waitFor(5, java.util.concurrent.TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                p.destroy();
            }
        };
    }
}
