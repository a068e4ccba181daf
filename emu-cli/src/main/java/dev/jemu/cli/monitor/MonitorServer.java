package dev.jemu.cli.monitor;

import java.io.IOException;
import java.net.SocketAddress;
import java.net.StandardProtocolFamily;
import dev.jemu.cli.chardev.UnixListen;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedSelectorException;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.slf4j.LoggerFactory;

/**
 * The monitors' sockets: every listening socket (unix or tcp, QMP or HMP) and every client on one
 * non-blocking selector thread. Several clients may be connected to one socket at once, each with its own
 * session. A session never blocks this thread: machine requests complete on the machine thread, which queues
 * the answer here. A client that stops reading is dropped once 16 MiB wait for it; a client that goes away
 * mid-command just loses its answer.
 */
final class MonitorServer implements AutoCloseable {
    private static final int MAX_QUEUED = 16 << 20;

    private final Selector selector;
    private final List<Listener> listeners = new ArrayList<>();
    private final Set<Connection> connections = ConcurrentHashMap.newKeySet();
    private final Set<Connection> wantWrite = ConcurrentHashMap.newKeySet();
    private Thread thread;
    private volatile boolean closing;

    private record Listener(ServerSocketChannel channel, Path unixPath, Function<MonitorSession.Channel, MonitorSession> sessions,
                            CountDownLatch firstClient) {
    }

    MonitorServer() throws IOException {
        selector = Selector.open();
    }

    /**
     * Listens on {@code address} (a unix path is replaced if it exists, and removed at close, as QEMU does);
     * each client gets a session from {@code sessions}. Returns a latch counted down when the first client
     * connects (for {@code wait=on}).
     */
    CountDownLatch listen(SocketAddress address, Function<MonitorSession.Channel, MonitorSession> sessions) throws IOException {
        ServerSocketChannel ch;
        Path unixPath = null;
        if (address instanceof UnixDomainSocketAddress u) {
            unixPath = u.getPath();
            Files.deleteIfExists(unixPath);
            ch = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        } else {
            ch = ServerSocketChannel.open();
            ch.setOption(java.net.StandardSocketOptions.SO_REUSEADDR, true);
        }
        try {
            if (unixPath != null) {
                UnixListen.bind(ch, unixPath, 0);
            } else {
                ch.bind(address);
            }
            ch.configureBlocking(false);
        } catch (IOException e) {
            ch.close();
            throw e;
        }
        Listener l = new Listener(ch, unixPath, sessions, new CountDownLatch(1));
        listeners.add(l);
        ch.register(selector, SelectionKey.OP_ACCEPT, l);
        return l.firstClient();
    }

    void start() {
        if (thread == null) {
            thread = Thread.ofPlatform().name("jemu-monitor").daemon().start(this::loop);
        }
    }

    private void loop() {
        try {
            while (!closing) {
                selector.select(500);
                for (Connection c : wantWrite) {
                    wantWrite.remove(c);
                    if (c.key.isValid()) {
                        c.key.interestOps(SelectionKey.OP_READ | SelectionKey.OP_WRITE);
                    }
                }
                for (SelectionKey k : selector.selectedKeys()) {
                    try {
                        if (k.attachment() instanceof Listener l && k.isValid() && k.isAcceptable()) {
                            accept(l);
                        } else if (k.attachment() instanceof Connection c) {
                            if (k.isValid() && k.isReadable()) {
                                c.read();
                            }
                            if (k.isValid() && k.isWritable()) {
                                c.flush();
                            }
                        }
                    } catch (IOException e) {
                        if (k.attachment() instanceof Connection c) {
                            c.drop();
                        }
                    }
                }
                selector.selectedKeys().clear();
            }
        } catch (IOException | ClosedSelectorException e) {
            if (!closing) {
                LoggerFactory.getLogger(MonitorServer.class).warn("monitor: {}", e.toString());
            }
        }
    }

    private void accept(Listener l) throws IOException {
        SocketChannel s = l.channel().accept();
        if (s == null) {
            return;
        }
        s.configureBlocking(false);
        Connection c = new Connection(s);
        c.key = s.register(selector, SelectionKey.OP_READ, c);
        c.session = l.sessions().apply(c);
        connections.add(c);
        c.session.opened();
        l.firstClient().countDown();
    }

    /** One client socket; {@link #send} is safe from any thread. */
    private final class Connection implements MonitorSession.Channel {
        private final SocketChannel socket;
        private final ByteBuffer in = ByteBuffer.allocate(64 << 10);
        private final ArrayDeque<ByteBuffer> out = new ArrayDeque<>();
        private long queued;
        private boolean closeAfterFlush;
        SelectionKey key;
        MonitorSession session;

        Connection(SocketChannel socket) {
            this.socket = socket;
        }

        void read() throws IOException {
            in.clear();
            int n = socket.read(in);
            if (n < 0) {
                drop();
                return;
            }
            if (n > 0) {
                session.input(in.array(), 0, n);
            }
        }

        @Override
        public void send(byte[] data) {
            synchronized (this) {
                if (!socket.isOpen()) {
                    return;
                }
                queued += data.length;
                out.add(ByteBuffer.wrap(data));
                if (queued > MAX_QUEUED) {
                    out.clear();
                    closeAfterFlush = true; // a client that never reads
                }
            }
            wantWrite.add(this);
            selector.wakeup();
        }

        @Override
        public void close() {
            synchronized (this) {
                closeAfterFlush = true;
            }
            wantWrite.add(this);
            selector.wakeup();
        }

        /** Writes what the socket takes now; selector thread (or the closing thread, in blocking fashion). */
        void flush() throws IOException {
            boolean close;
            synchronized (this) {
                while (!out.isEmpty()) {
                    ByteBuffer b = out.peek();
                    int n = socket.write(b);
                    queued -= n;
                    if (b.hasRemaining()) {
                        return;
                    }
                    out.poll();
                }
                if (key.isValid()) {
                    key.interestOps(SelectionKey.OP_READ);
                }
                close = closeAfterFlush;
            }
            if (close) {
                drop();
            }
        }

        synchronized boolean idle() {
            return out.isEmpty();
        }

        void drop() {
            if (connections.remove(this)) {
                key.cancel();
                try {
                    socket.close();
                } catch (IOException e) {
                    // gone already
                }
                session.closed();
            }
        }
    }

    /** Writes what is still queued for the clients (for up to a second), then closes every socket. */
    @Override
    public void close() {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(1);
        while (System.nanoTime() < deadline && connections.stream().anyMatch(c -> !c.idle())) {
            selector.wakeup();
            try {
                Thread.sleep(5);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        closing = true;
        selector.wakeup();
        if (thread != null) {
            try {
                thread.join(1000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        for (Connection c : List.copyOf(connections)) {
            c.drop();
        }
        for (Listener l : listeners) {
            try {
                l.channel().close();
                if (l.unixPath() != null) {
                    Files.deleteIfExists(l.unixPath());
                }
            } catch (IOException e) {
                // best effort at exit
            }
        }
        try {
            selector.close();
        } catch (IOException e) {
            // best effort at exit
        }
    }
}
