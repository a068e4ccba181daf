package dev.jemu.devices.net.link;

import dev.jemu.core.machine.ConfigException;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.StandardProtocolFamily;
import java.net.StandardSocketOptions;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;

/**
 * QEMU's stream link to another VM ({@code -netdev socket,listen=|connect=} and {@code -netdev stream}): each
 * frame on the wire is a 4-byte big-endian length and the frame, so a QEMU VM can be the peer. A listening end
 * takes one connection at a time and listens again when it closes (as QEMU); a connecting end connects once,
 * when the netdev is made. A frame the NIC cannot take stops reading until it has room (TCP then slows the
 * peer); a length beyond {@link #MAX_WIRE_FRAME} means the stream lost its framing: the connection is closed.
 */
public final class StreamBackend extends SelectorBackend {
    /** QEMU's NET_BUFSIZE: the largest frame its socket backend reads. */
    public static final int MAX_WIRE_FRAME = 4096 + 65536;

    private final String type;
    private final ServerSocketChannel server;
    private SocketChannel conn;
    private final ByteBuffer in = ByteBuffer.allocate(4 + MAX_WIRE_FRAME);
    private final SendQueue out = new SendQueue(4);
    private boolean held;
    private volatile String info;
    private final SocketAddress address;

    private StreamBackend(String id, String type, ServerSocketChannel server, SocketChannel conn, SocketAddress address)
            throws IOException {
        super(id);
        this.type = type;
        this.server = server;
        this.conn = conn;
        this.address = address;
        if (server != null) {
            server.configureBlocking(false);
            server.register(selector, SelectionKey.OP_ACCEPT);
            info = type.equals("stream") ? "listening" : "";
        } else {
            conn.configureBlocking(false);
            conn.register(selector, SelectionKey.OP_READ);
            info = type.equals("stream") ? "connected to " + text(address) : "socket: connect to " + text(address);
        }
    }

    /** A listening end ({@code type}: "socket" or "stream", for {@code info network}). */
    public static StreamBackend listen(String id, String type, SocketAddress at, String opt) throws ConfigException {
        ServerSocketChannel s = null;
        try {
            if (at instanceof UnixDomainSocketAddress u) {
                Files.deleteIfExists(u.getPath()); // a stale socket file from an earlier run, as QEMU unlinks it
                s = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
            } else {
                s = ServerSocketChannel.open();
                s.setOption(StandardSocketOptions.SO_REUSEADDR, true);
            }
            s.bind(at, 1);
            return new StreamBackend(id, type, s, null, at);
        } catch (IOException e) {
            closeQuietly(s);
            throw new ConfigException(opt + ": can't bind " + (at instanceof InetSocketAddress i ? "ip="
                    + i.getHostString() + " to socket" : "socket " + at) + ": " + LinkErrors.reason(e));
        }
    }

    /** A connecting end: connects now, so a missing peer fails before the machine starts (as QEMU). */
    public static StreamBackend connect(String id, String type, SocketAddress to, String opt) throws ConfigException {
        SocketChannel c = null;
        try {
            c = SocketChannel.open(to instanceof UnixDomainSocketAddress ? StandardProtocolFamily.UNIX
                    : ((InetSocketAddress) to).getAddress() instanceof java.net.Inet6Address ? StandardProtocolFamily.INET6
                    : StandardProtocolFamily.INET);
            c.connect(to);
            if (to instanceof InetSocketAddress) {
                c.setOption(StandardSocketOptions.TCP_NODELAY, true);
            }
            return new StreamBackend(id, type, null, c, to);
        } catch (IOException | RuntimeException e) {
            closeQuietly(c);
            throw new ConfigException(opt + ": can't connect socket: " + LinkErrors.reason(e));
        }
    }

    private static String text(SocketAddress a) {
        return a instanceof InetSocketAddress i ? i.getAddress().getHostAddress() + ":" + i.getPort() : a.toString();
    }

    @Override
    public String describe() {
        return id + ": index=0,type=" + type + "," + info;
    }

    @Override
    public void send(java.nio.ByteBuffer frame) {
        if (out.add(frame)) {
            wakeup();
        }
    }

    @Override
    protected void ready(SelectionKey key) throws IOException {
        if (key.isAcceptable()) {
            SocketChannel c = server.accept();
            if (c == null) {
                return;
            }
            c.configureBlocking(false);
            if (c.getRemoteAddress() instanceof InetSocketAddress) {
                c.setOption(StandardSocketOptions.TCP_NODELAY, true);
            }
            conn = c;
            c.register(selector, SelectionKey.OP_READ);
            key.interestOps(0); // one peer at a time; the next waits in the backlog
            SocketAddress peer = c.getRemoteAddress();
            info = (type.equals("stream") ? "connection from " : "socket: connection from ") + text(peer);
            return;
        }
        if (key.isReadable()) {
            int n;
            try {
                n = conn.read(in);
            } catch (IOException e) {
                n = -1;
            }
            if (n < 0) {
                disconnect();
                return;
            }
            deliverFrames();
        }
        if (key.isValid() && key.isWritable()) {
            flush();
        }
    }

    /** Hands every whole frame in the input buffer to the NIC, until it refuses one. */
    private void deliverFrames() throws IOException {
        in.flip();
        while (in.remaining() >= 4) {
            int p = in.position();
            int len = in.getInt(p);
            if (len < 0 || len > MAX_WIRE_FRAME) {
                rxDropped.incrementAndGet();
                System.err.println("jemu: netdev " + id + ": oversized packet received (" + Integer.toUnsignedString(len)
                        + " bytes), connection terminated");
                in.clear();
                disconnect();
                return;
            }
            if (in.remaining() < 4 + len) {
                break;
            }
            if (!sink.deliver(in.slice(p + 4, len))) {
                held = true;
                break;
            }
            in.position(p + 4 + len);
        }
        in.compact();
        SelectionKey k = conn == null ? null : conn.keyFor(selector);
        if (k != null && k.isValid()) {
            k.interestOps(held ? k.interestOps() & ~SelectionKey.OP_READ : k.interestOps() | SelectionKey.OP_READ);
        }
    }

    @Override
    protected void retryHeld() throws IOException {
        if (held && conn != null) {
            held = false;
            deliverFrames();
        }
    }

    @Override
    protected void flush() throws IOException {
        if (conn == null) {
            out.clear(); // no peer: frames fall on the floor, as on an unplugged cable
            return;
        }
        ByteBuffer b;
        try {
            while ((b = out.peek()) != null) {
                conn.write(b);
                if (b.hasRemaining()) {
                    break;
                }
                out.remove();
            }
        } catch (IOException e) {
            disconnect();
            return;
        }
        SelectionKey k = conn.keyFor(selector);
        if (k != null && k.isValid()) {
            k.interestOps(out.isEmpty() ? k.interestOps() & ~SelectionKey.OP_WRITE : k.interestOps() | SelectionKey.OP_WRITE);
        }
    }

    /** The peer went away: a listening end listens again; a connecting end stays unplugged (QEMU 7.2). */
    private void disconnect() {
        closeQuietly(conn);
        conn = null;
        held = false;
        in.clear();
        out.clear();
        if (server != null) {
            SelectionKey k = server.keyFor(selector);
            if (k != null && k.isValid()) {
                k.interestOps(SelectionKey.OP_ACCEPT);
            }
            info = type.equals("stream") ? "listening" : "";
        } else {
            info = type.equals("stream") ? "disconnected" : info;
        }
    }

    @Override
    protected void closeChannels() {
        closeQuietly(conn);
        closeQuietly(server);
        if (server != null && address instanceof UnixDomainSocketAddress u) {
            try {
                Files.deleteIfExists(u.getPath());
            } catch (IOException e) {
                // left behind
            }
        }
    }

    static void closeQuietly(java.io.Closeable c) {
        if (c != null) {
            try {
                c.close();
            } catch (IOException e) {
                // nothing to lose
            }
        }
    }
}
