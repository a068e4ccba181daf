package dev.jemu.devices.net.link;

import dev.jemu.core.machine.ConfigException;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.net.StandardProtocolFamily;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.channels.SelectionKey;
import java.util.Collections;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * QEMU's datagram links: one frame per UDP datagram, no header. {@code mcast=}: every VM on the group hears every
 * frame (multicast loop on, so VMs on one host meet); {@code udp=} / dgram unicast: frames go to one peer.
 * Sending is a non-blocking {@code send} straight from the NIC's thread (a datagram socket is thread-safe);
 * a frame the socket buffer cannot take, or the NIC cannot take, is dropped, as QEMU drops it.
 * <p>
 * On a multicast group a VM hears its own frames back. QEMU hands them to its guest; jemu drops frames whose
 * source MAC it sent itself, so the guest never sees itself on the wire.
 */
public final class DatagramBackend extends SelectorBackend {
    private final String type;
    private final DatagramChannel channel;
    private final InetSocketAddress remote;
    private final boolean multicast;
    private final String info;
    private final ByteBuffer in = ByteBuffer.allocateDirect(65536 + 4096);
    private final Set<Long> ownMacs = Collections.newSetFromMap(new ConcurrentHashMap<>());
    private final AtomicLong txDropped = new AtomicLong();

    private DatagramBackend(String id, String type, DatagramChannel channel, InetSocketAddress remote, boolean multicast,
            String info) throws IOException {
        super(id);
        this.type = type;
        this.channel = channel;
        this.remote = remote;
        this.multicast = multicast;
        this.info = info;
        channel.configureBlocking(false);
        channel.register(selector, SelectionKey.OP_READ);
    }

    /** {@code mcast=GROUP:PORT[,localaddr=ADDR]}: joins the group on the interface of {@code localAddr}. */
    public static DatagramBackend multicast(String id, String type, InetSocketAddress group, InetAddress localAddr,
            String opt, String info) throws ConfigException {
        if (!group.getAddress().isMulticastAddress()) {
            throw new ConfigException(opt + ": multicast address '" + group.getAddress().getHostAddress()
                    + "' is not multicast");
        }
        DatagramChannel c = null;
        try {
            c = DatagramChannel.open(StandardProtocolFamily.INET);
            c.setOption(StandardSocketOptions.SO_REUSEADDR, true);
            c.bind(new InetSocketAddress(group.getPort()));
            NetworkInterface nif = localAddr != null ? NetworkInterface.getByInetAddress(localAddr) : routeInterface(group);
            if (nif == null) {
                throw new SocketException("no interface has address " + localAddr.getHostAddress());
            }
            c.setOption(StandardSocketOptions.IP_MULTICAST_IF, nif);
            c.setOption(StandardSocketOptions.IP_MULTICAST_LOOP, true);
            c.setOption(StandardSocketOptions.IP_MULTICAST_TTL, 1);
            c.join(group.getAddress(), nif);
            return new DatagramBackend(id, type, c, group, true, info);
        } catch (IOException | RuntimeException e) {
            StreamBackend.closeQuietly(c);
            throw new ConfigException(opt + ": can't join multicast group " + group.getAddress().getHostAddress()
                    + ": " + LinkErrors.reason(e));
        }
    }

    /** {@code udp=REMOTE,localaddr=LOCAL} / dgram unicast: bound to {@code local}, sending to {@code remote}
     *  (null: receive only). */
    public static DatagramBackend unicast(String id, String type, InetSocketAddress local, InetSocketAddress remote,
            String opt, String info) throws ConfigException {
        DatagramChannel c = null;
        try {
            c = DatagramChannel.open(StandardProtocolFamily.INET);
            c.setOption(StandardSocketOptions.SO_REUSEADDR, true);
            c.bind(local);
            return new DatagramBackend(id, type, c, remote, false, info);
        } catch (IOException | RuntimeException e) {
            StreamBackend.closeQuietly(c);
            throw new ConfigException(opt + ": can't bind ip=" + local.getHostString() + " to socket: "
                    + LinkErrors.reason(e));
        }
    }

    /**
     * The interface multicast goes out on when no {@code localaddr=} says: the one the kernel routes the group through,
     * as QEMU gets by joining on INADDR_ANY. Picking "the first interface up" instead is a race: a tap another VM has
     * just brought up lists first, and two VMs that joined on different interfaces never hear each other.
     * No route at all (no default route, no multicast route): the loopback interface, so VMs on this host still meet.
     */
    static NetworkInterface routeInterface(InetSocketAddress group) throws SocketException {
        try (DatagramChannel probe = DatagramChannel.open(StandardProtocolFamily.INET)) {
            probe.connect(group); // a UDP connect sends nothing: it only asks the routing table
            InetAddress source = ((InetSocketAddress) probe.getLocalAddress()).getAddress();
            NetworkInterface routed = NetworkInterface.getByInetAddress(source);
            if (routed != null) {
                return routed;
            }
        } catch (IOException e) {
            // unreachable: fall through to loopback
        }
        return NetworkInterface.getByInetAddress(InetAddress.getLoopbackAddress());
    }

    @Override
    public String describe() {
        return id + ": index=0,type=" + type + "," + info;
    }

    @Override
    public void send(ByteBuffer frame) {
        if (remote == null) {
            txDropped.incrementAndGet();
            return;
        }
        if (multicast && frame.remaining() >= 12) {
            ownMacs.add(mac(frame, frame.position() + 6));
        }
        try {
            if (channel.send(frame.duplicate(), remote) == 0) {
                txDropped.incrementAndGet();
            }
        } catch (IOException e) {
            txDropped.incrementAndGet(); // e.g. no route yet: a lost datagram
        }
    }

    private static long mac(ByteBuffer b, int at) {
        return (b.getInt(at) & 0xffff_ffffL) << 16 | (b.getShort(at + 4) & 0xffffL);
    }

    @Override
    protected void ready(SelectionKey key) throws IOException {
        while (true) {
            in.clear();
            if (channel.receive(in) == null) {
                return;
            }
            in.flip();
            if (multicast && in.remaining() >= 12 && ownMacs.contains(mac(in, 6))) {
                continue; // our own frame, looped back by the group
            }
            if (!sink.deliver(in)) {
                rxDropped.incrementAndGet();
            }
        }
    }

    @Override
    protected void flush() {
    }

    @Override
    protected void closeChannels() {
        StreamBackend.closeQuietly(channel);
    }

    public long txDropped() {
        return txDropped.get();
    }
}
