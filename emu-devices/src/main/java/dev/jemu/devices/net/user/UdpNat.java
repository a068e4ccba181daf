package dev.jemu.devices.net.user;

import dev.jemu.devices.net.user.wire.Ipv4;
import dev.jemu.devices.net.user.wire.Udp;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.channels.SelectionKey;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;

/**
 * UDP NAT: every guest (address, port) that sends gets one unconnected host {@link DatagramChannel}; datagrams
 * coming back to it go to that guest port with the sender's address as the guest sees it (loopback as the
 * gateway, the resolver as the DNS proxy). A flow closes after 240 s idle, or 10 s when it only carried DNS, as
 * libslirp's. {@code hostfwd=udp:...} flows are permanent and bound to their host port.
 */
final class UdpNat {
    static final long IDLE_NS = 240_000_000_000L;
    static final long DNS_IDLE_NS = 10_000_000_000L;
    private static final int MAX_DATAGRAM = 65507;
    private final UserStack stack;
    private final Map<Long, Flow> flows = new HashMap<>();
    private final ByteBuffer receive = ByteBuffer.allocate(MAX_DATAGRAM);
    /** The idle times in use (tests shorten them). */
    long idleNs = IDLE_NS;
    long dnsIdleNs = DNS_IDLE_NS;

    UdpNat(UserStack stack) {
        this.stack = stack;
    }

    private final class Flow implements IoHandler {
        final long key;
        final int guestIp;
        final int guestPort;
        final DatagramChannel channel;
        final boolean permanent;
        boolean onlyDns = true;
        long lastUsed = System.nanoTime();

        Flow(long key, int guestIp, int guestPort, DatagramChannel channel, boolean permanent) {
            this.key = key;
            this.guestIp = guestIp;
            this.guestPort = guestPort;
            this.channel = channel;
            this.permanent = permanent;
        }

        @Override
        public void ready(SelectionKey k) {
            for (int i = 0; i < 64; i++) {
                receive.clear();
                InetSocketAddress from;
                try {
                    from = (InetSocketAddress) channel.receive(receive);
                } catch (IOException e) {
                    stack.counters.add("udp.hostError");
                    return;
                }
                if (from == null) {
                    return;
                }
                lastUsed = System.nanoTime();
                int src = stack.guestAddressFor(from);
                byte[] data = receive.array();
                int len = receive.position(); // larger than the MTU: fragmented on the way to the guest
                int srcPort = from.equals(stack.nameserver) ? 53 : from.getPort();
                stack.sendToGuest(guestIp, Udp.frame(0, stack.hostMac, src, srcPort, guestIp, guestPort,
                        data, 0, len, stack.nextIpId()));
            }
        }

        void close() {
            try {
                channel.close();
            } catch (IOException e) {
                // closing: nothing to do
            }
        }
    }

    private static long key(int ip, int port) {
        return ((ip & 0xffffffffL) << 16) | port;
    }

    void input(byte[] f, Ipv4 ip, Udp udp) {
        long key = key(ip.source(), udp.sourcePort());
        Flow flow = flows.get(key);
        boolean dns = ip.destination() == stack.config.dns() && udp.destinationPort() == 53;
        if (stack.config.restrict() && (flow == null || !flow.permanent)) {
            stack.counters.add("restricted.dropped");
            return;
        }
        InetSocketAddress to = stack.hostAddressFor(ip.destination(), udp.destinationPort());
        if (to == null || udp.destinationPort() == 0) {
            stack.counters.add("udp.unroutable");
            return;
        }
        if (flow == null) {
            try {
                DatagramChannel ch = DatagramChannel.open(StandardProtocolFamily.INET);
                ch.configureBlocking(false);
                ch.bind(new InetSocketAddress(0));
                flow = new Flow(key, ip.source(), udp.sourcePort(), ch, false);
                ch.register(stack.selector, SelectionKey.OP_READ, flow);
                flows.put(key, flow);
            } catch (IOException e) {
                stack.counters.add("udp.socketFailed");
                return;
            }
        }
        flow.onlyDns &= dns;
        flow.lastUsed = System.nanoTime();
        try {
            flow.channel.send(ByteBuffer.wrap(f, udp.dataOffset(), udp.dataLength()), to);
        } catch (IOException e) {
            stack.counters.add("udp.sendFailed");
        }
    }

    /** Opens a {@code hostfwd=udp:} rule's host socket. */
    void forward(HostForward f) throws IOException {
        DatagramChannel ch = DatagramChannel.open(StandardProtocolFamily.INET);
        try {
            ch.configureBlocking(false);
            ch.bind(new InetSocketAddress(f.hostAddress() == null ? "0.0.0.0" : f.hostAddress(), f.hostPort()));
            long key = key(f.guestIp(), f.guestPort());
            Flow flow = new Flow(key, f.guestIp(), f.guestPort(), ch, true);
            ch.register(stack.selector, SelectionKey.OP_READ, flow);
            flows.put(key, flow);
        } catch (IOException e) {
            ch.close();
            throw e;
        }
    }

    long nextDeadline() {
        return Long.MAX_VALUE; // idle flows are swept on every tick; nothing here needs an earlier wakeup
    }

    void tick(long now) {
        for (Iterator<Flow> it = flows.values().iterator(); it.hasNext(); ) {
            Flow flow = it.next();
            if (!flow.permanent && now - flow.lastUsed > (flow.onlyDns ? dnsIdleNs : idleNs)) {
                flow.close();
                it.remove();
            }
        }
    }

    void closeAll() {
        flows.values().forEach(Flow::close);
        flows.clear();
    }

    int openChannels() {
        int n = 0;
        for (Flow f : flows.values()) {
            n += f.channel.isOpen() ? 1 : 0;
        }
        return n;
    }

    /** The host port of a {@code hostfwd=udp:} rule (for port 0, the one the system chose). */
    int boundPort(HostForward f) throws IOException {
        Flow flow = flows.get(key(f.guestIp(), f.guestPort()));
        return flow == null ? -1 : ((InetSocketAddress) flow.channel.getLocalAddress()).getPort();
    }
}
