package dev.jemu.devices.net.user;

import dev.jemu.devices.net.user.wire.Ipv4;
import dev.jemu.devices.net.user.wire.Tcp;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.channels.SelectionKey;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;

/**
 * TCP NAT: the table of connections between guest ports and host sockets, the {@code hostfwd=tcp:} listeners, and
 * the answers for segments that belong to no connection (RST, as a real stack gives).
 */
final class TcpNat {
    /** A connection as the guest sees it: its own end and the remote end it talks to. */
    record Key(int guestIp, int guestPort, int remoteIp, int remotePort) {
    }

    final UserStack stack;
    final BooleanSupplier backlogged;
    private final Map<Key, TcpConnection> connections = new HashMap<>();
    private final ArrayDeque<TcpConnection> dirty = new ArrayDeque<>();
    private final List<Listener> listeners = new ArrayList<>();

    TcpNat(UserStack stack, BooleanSupplier backlogged) {
        this.stack = stack;
        this.backlogged = backlogged;
    }

    void input(byte[] f, Ipv4 ip, Tcp t) {
        Key key = new Key(ip.source(), t.sourcePort(), ip.destination(), t.destinationPort());
        TcpConnection c = connections.get(key);
        if (c != null) {
            c.segment(f, t);
            markDirty(c);
            return;
        }
        if (t.has(Tcp.RST)) {
            return;
        }
        if (!t.has(Tcp.SYN) || t.has(Tcp.ACK)) {
            reset(key, t);
            return;
        }
        if (stack.config.restrict()) {
            stack.counters.add("restricted.dropped");
            reset(key, t);
            return;
        }
        InetSocketAddress to = stack.hostAddressFor(ip.destination(), t.destinationPort());
        if (to == null || t.destinationPort() == 0) {
            stack.counters.add("tcp.unroutable");
            reset(key, t);
            return;
        }
        try {
            SocketChannel ch = SocketChannel.open();
            try {
                ch.configureBlocking(false);
                ch.setOption(StandardSocketOptions.TCP_NODELAY, true);
                TcpConnection conn = TcpConnection.outbound(this, key, t, ch);
                connections.put(key, conn);
                if (ch.connect(to)) {
                    conn.connected();
                }
            } catch (IOException | RuntimeException e) {
                ch.close();
                connections.remove(key);
                reset(key, t);
            }
        } catch (IOException e) {
            stack.counters.add("tcp.socketFailed");
            reset(key, t);
        }
    }

    /** Answers a segment of no connection with RST (RFC 9293 3.10.7.1). */
    void reset(Key key, Tcp t) {
        int len = t.dataLength() + (t.has(Tcp.SYN) ? 1 : 0) + (t.has(Tcp.FIN) ? 1 : 0);
        int seq = t.has(Tcp.ACK) ? t.acknowledgment() : 0;
        int flags = t.has(Tcp.ACK) ? Tcp.RST : Tcp.RST | Tcp.ACK;
        stack.sendToGuest(key.guestIp(), Tcp.frame(0, stack.hostMac, key.remoteIp(), key.remotePort(), key.guestIp(),
                key.guestPort(), seq, t.sequence() + len, flags, 0, 0, -1, null, 0, 0, stack.nextIpId()));
    }

    void markDirty(TcpConnection c) {
        if (!c.dirty) {
            c.dirty = true;
            dirty.add(c);
        }
    }

    void removed(TcpConnection c) {
        connections.remove(c.key, c);
    }

    void flush() {
        // a connection may mark itself again while it sends (a window update); bounded so that a loop between
        // the two can never hold the selector thread: what is left runs in the next round
        int budget = 2 * dirty.size() + 16;
        TcpConnection c;
        while (budget-- > 0 && (c = dirty.poll()) != null) {
            c.dirty = false;
            c.output();
        }
    }

    boolean hasDirty() {
        return !dirty.isEmpty();
    }

    void resumeOutput() {
        for (TcpConnection c : new ArrayList<>(connections.values())) {
            c.output();
            if (backlogged.getAsBoolean()) {
                return;
            }
        }
    }

    long nextDeadline() {
        long d = Long.MAX_VALUE;
        for (TcpConnection c : connections.values()) {
            d = Math.min(d, c.deadline);
        }
        return d;
    }

    void tick(long now) {
        List<TcpConnection> due = null;
        for (TcpConnection c : connections.values()) {
            if (c.deadline <= now) {
                (due == null ? due = new ArrayList<>() : due).add(c);
            }
        }
        if (due != null) {
            for (TcpConnection c : due) {
                c.timer(now);
            }
        }
    }

    /** Opens a {@code hostfwd=tcp:} rule's listening socket. */
    void forward(HostForward f) throws IOException {
        ServerSocketChannel server = ServerSocketChannel.open();
        try {
            server.configureBlocking(false);
            server.setOption(StandardSocketOptions.SO_REUSEADDR, true);
            server.bind(new InetSocketAddress(f.hostAddress() == null ? "0.0.0.0" : f.hostAddress(), f.hostPort()));
            Listener l = new Listener(f, server);
            server.register(stack.selector, SelectionKey.OP_ACCEPT, l);
            listeners.add(l);
        } catch (IOException e) {
            server.close();
            throw e;
        }
    }

    private final class Listener implements IoHandler {
        final HostForward rule;
        final ServerSocketChannel server;

        Listener(HostForward rule, ServerSocketChannel server) {
            this.rule = rule;
            this.server = server;
        }

        @Override
        public void ready(SelectionKey k) {
            for (int i = 0; i < 16; i++) {
                SocketChannel ch;
                try {
                    ch = server.accept();
                } catch (IOException e) {
                    stack.counters.add("tcp.acceptFailed");
                    return;
                }
                if (ch == null) {
                    return;
                }
                try {
                    ch.configureBlocking(false);
                    ch.setOption(StandardSocketOptions.TCP_NODELAY, true);
                    InetSocketAddress peer = (InetSocketAddress) ch.getRemoteAddress();
                    Key key = new Key(rule.guestIp(), rule.guestPort(), stack.guestAddressFor(peer), peer.getPort());
                    if (connections.containsKey(key)) {
                        ch.close();
                        continue;
                    }
                    connections.put(key, TcpConnection.inbound(TcpNat.this, key, ch));
                } catch (IOException e) {
                    try {
                        ch.close();
                    } catch (IOException ignored) {
                        // already failing
                    }
                }
            }
        }
    }

    /** The host port a forward listens on (for port 0, the one the system chose). */
    int boundPort(HostForward f) throws IOException {
        for (Listener l : listeners) {
            if (l.rule.equals(f)) {
                return ((InetSocketAddress) l.server.getLocalAddress()).getPort();
            }
        }
        return -1;
    }

    void closeAll() {
        for (TcpConnection c : new ArrayList<>(connections.values())) {
            c.closeChannel(true);
        }
        connections.clear();
        for (Listener l : listeners) {
            try {
                l.server.close();
            } catch (IOException e) {
                // closing anyway
            }
        }
        listeners.clear();
    }

    int openChannels() {
        int n = 0;
        for (TcpConnection c : connections.values()) {
            n += c.channelOpen() ? 1 : 0;
        }
        for (Listener l : listeners) {
            n += l.server.isOpen() ? 1 : 0;
        }
        return n;
    }

    int connectionCount() {
        return connections.size();
    }
}
