package dev.jemu.devices.net.user;

import dev.jemu.core.log.DebugLog;
import dev.jemu.devices.net.user.wire.Arp;
import dev.jemu.devices.net.user.wire.Bytes;
import dev.jemu.devices.net.user.wire.Ethernet;
import dev.jemu.devices.net.user.wire.Icmp;
import dev.jemu.devices.net.user.wire.Ipv4;
import dev.jemu.devices.net.user.wire.Tcp;
import dev.jemu.devices.net.user.wire.Udp;
import java.io.IOException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.channels.Selector;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;

/**
 * The guest-facing side of user-mode networking: takes the guest's Ethernet frames, checks each layer and hands
 * them to ARP, DHCP, ICMP, UDP or TCP; builds the frames for the guest (addressed through its own ARP table).
 * Runs on the selector thread only. A malformed frame is dropped and counted, never an exception.
 */
final class UserStack {
    /** libslirp's MAC for its own addresses: 52:55 followed by the IPv4 address. */
    static final long SPECIAL_MAC_PREFIX = 0x5255_0000_0000L;
    private static final int MAX_ARP_WAITING = 64;

    final UserNetConfig config;
    final NetCounters counters;
    final Selector selector;
    final long hostMac;
    /** The host's resolver that the DNS proxy forwards to (null: none). */
    final InetSocketAddress nameserver;
    private final Consumer<byte[]> toGuest;
    private final Map<Integer, Long> arpTable = new HashMap<>();
    private final Map<Integer, List<byte[]>> waitingForArp = new HashMap<>();
    private int waitingCount;
    /** When each address in {@link #waitingForArp} was asked for; unanswered ones are given up after a second. */
    private final Map<Integer, Long> askedAt = new HashMap<>();
    private static final long ARP_WAIT_NS = 1_000_000_000L;
    private int ipIdentification;
    final DhcpServer dhcp;
    final UdpNat udp;
    final TcpNat tcp;
    final IcmpEcho icmp;

    UserStack(UserNetConfig config, InetSocketAddress nameserver, NetCounters counters, Selector selector,
              Consumer<byte[]> toGuest, BooleanSupplier backlogged) {
        this.config = config;
        this.nameserver = nameserver;
        this.counters = counters;
        this.selector = selector;
        this.toGuest = toGuest;
        this.hostMac = SPECIAL_MAC_PREFIX | (config.host() & 0xffffffffL);
        this.dhcp = new DhcpServer(this);
        this.udp = new UdpNat(this);
        this.tcp = new TcpNat(this, backlogged);
        this.icmp = new IcmpEcho(this);
    }

    /** One frame from the guest. */
    void input(byte[] f, int len) {
        try {
            dispatch(f, len);
        } catch (RuntimeException e) {
            // A bug, not a guest error: counted (tests fail on it) and the frame dropped, the stack goes on.
            counters.add("stack.bug");
            DebugLog.log(DebugLog.Category.GUEST_ERRORS,
                    "user-net: frame dropped by an internal error: %s", e);
        }
    }

    private void dispatch(byte[] f, int len) {
        if (!Ethernet.valid(f, len)) {
            counters.add("ethernet.malformed");
            return;
        }
        long dst = Ethernet.destination(f);
        if (dst != Ethernet.BROADCAST && dst != hostMac && (dst & 0xffff_0000_0000L) != SPECIAL_MAC_PREFIX
                && !Ethernet.isGroup(dst)) {
            counters.add("ethernet.notForUs");
            return;
        }
        switch (Ethernet.type(f)) {
            case Ethernet.TYPE_ARP -> arp(f, len);
            case Ethernet.TYPE_IPV4 -> ipv4(f, len);
            case Ethernet.TYPE_IPV6 -> counters.add("ipv6.unsupported");
            default -> counters.add("ethernet.unknownType");
        }
    }

    private void arp(byte[] f, int len) {
        Arp a = Arp.parse(f, Ethernet.HEADER, len - Ethernet.HEADER);
        if (a == null) {
            counters.add("arp.malformed");
            return;
        }
        if (a.senderIp() != 0 && config.inNetwork(a.senderIp()) && !isOurs(a.senderIp())) {
            learn(a.senderIp(), a.senderMac());
        }
        if (a.operation() == Arp.REQUEST && isOurs(a.targetIp())) {
            long mac = SPECIAL_MAC_PREFIX | (a.targetIp() & 0xffffffffL);
            toGuest.accept(new Arp(Arp.REPLY, mac, a.targetIp(), a.senderMac(), a.senderIp()).toFrame());
        }
    }

    /** The addresses the stack itself answers for: the host (gateway) and the DNS proxy. */
    boolean isOurs(int ip) {
        return ip == config.host() || ip == config.dns();
    }

    private void ipv4(byte[] f, int len) {
        Ipv4 ip = Ipv4.parse(f, Ethernet.HEADER, len - Ethernet.HEADER);
        if (ip == null) {
            counters.add("ipv4.malformed");
            return;
        }
        if (ip.fragment()) {
            // Fragments are not reassembled: guests send at most the 1500-byte MTU with don't-fragment.
            counters.add("ipv4.fragment");
            return;
        }
        if (ip.source() != 0 && config.inNetwork(ip.source()) && !isOurs(ip.source())) {
            learn(ip.source(), Ethernet.source(f));
        }
        switch (ip.protocol()) {
            case Ipv4.UDP -> {
                Udp u = Udp.parse(f, ip.payloadOffset(), ip.payloadLength(), ip.source(), ip.destination());
                if (u == null) {
                    counters.add("udp.malformed");
                } else if (u.destinationPort() == 67) {
                    dhcp.input(f, ip, u, Ethernet.source(f));
                } else if (!config.inNetwork(ip.source()) || ip.destination() == Ipv4.BROADCAST
                        || ip.destination() == config.broadcast()) {
                    counters.add("udp.unroutable");
                } else {
                    udp.input(f, ip, u);
                }
            }
            case Ipv4.TCP -> {
                Tcp t = Tcp.parse(f, ip.payloadOffset(), ip.payloadLength(), ip.source(), ip.destination());
                if (t == null) {
                    counters.add("tcp.malformed");
                } else if (!config.inNetwork(ip.source()) || isBroadcast(ip.destination())) {
                    counters.add("tcp.unroutable");
                } else {
                    tcp.input(f, ip, t);
                }
            }
            case Ipv4.ICMP -> {
                Icmp i = Icmp.parse(f, ip.payloadOffset(), ip.payloadLength());
                if (i == null) {
                    counters.add("icmp.malformed");
                } else {
                    icmp.input(f, ip, i);
                }
            }
            default -> counters.add("ipv4.unknownProtocol");
        }
    }

    boolean isBroadcast(int ip) {
        return ip == Ipv4.BROADCAST || ip == config.broadcast() || (ip >>> 28) == 0xe;
    }

    private void learn(int ip, long mac) {
        if (Ethernet.isGroup(mac)) {
            return;
        }
        Long old = arpTable.put(ip, mac);
        if (old == null || old != mac) {
            List<byte[]> waiting = waitingForArp.remove(ip);
            askedAt.remove(ip);
            if (waiting != null) {
                waitingCount -= waiting.size();
                for (byte[] frame : waiting) {
                    Bytes.put48(frame, 0, mac);
                    toGuest.accept(frame);
                }
            }
        }
    }

    void learnFromDhcp(int ip, long mac) {
        learn(ip, mac);
    }

    /**
     * Sends an IPv4 frame built with a placeholder destination MAC to guest address {@code ip}: the MAC comes
     * from the ARP table; an unknown guest is asked with an ARP request and the frame waits (a few, bounded).
     */
    void sendToGuest(int ip, byte[] frame) {
        if (frame.length > Ethernet.MAX_FRAME) {
            for (byte[] fragment : Ipv4.fragments(frame, Ethernet.MAX_FRAME - Ethernet.HEADER)) {
                sendToGuest(ip, fragment);
            }
            return;
        }
        if (ip == Ipv4.BROADCAST || ip == config.broadcast()) {
            Bytes.put48(frame, 0, Ethernet.BROADCAST);
            toGuest.accept(frame);
            return;
        }
        Long mac = arpTable.get(ip);
        if (mac != null) {
            Bytes.put48(frame, 0, mac);
            toGuest.accept(frame);
            return;
        }
        if (waitingCount >= MAX_ARP_WAITING) {
            counters.add("arp.waitingFull");
            return;
        }
        List<byte[]> list = waitingForArp.computeIfAbsent(ip, k -> new ArrayList<>());
        list.add(frame);
        waitingCount++;
        if (list.size() == 1) {
            askedAt.put(ip, System.nanoTime());
            toGuest.accept(new Arp(Arp.REQUEST, hostMac, config.host(), 0, ip).toFrame());
        }
    }

    /** Sends a frame already addressed (its destination MAC written). */
    void sendFrame(byte[] frame) {
        toGuest.accept(frame);
    }

    int nextIpId() {
        ipIdentification = (ipIdentification + 1) & 0xffff;
        return ipIdentification;
    }

    /**
     * The host address a guest destination means: the gateway is the host's loopback, the DNS proxy is the host's
     * resolver (port 53 only), other addresses in the virtual network are nowhere (null); the rest are themselves.
     */
    InetSocketAddress hostAddressFor(int guestDst, int port) {
        try {
            if (guestDst == config.host()) {
                return new InetSocketAddress(InetAddress.getLoopbackAddress(), port);
            }
            if (guestDst == config.dns()) {
                return port == 53 ? nameserver : null;
            }
            if (config.inNetwork(guestDst) || isBroadcast(guestDst) || guestDst == 0 || (guestDst >>> 24) == 127) {
                return null;
            }
            byte[] a = new byte[4];
            Bytes.put32(a, 0, guestDst);
            return new InetSocketAddress(InetAddress.getByAddress(a), port);
        } catch (UnknownHostException e) {
            return null;
        }
    }

    /**
     * The address the guest sees for a host peer: loopback appears as the gateway, the resolver as the DNS proxy
     * (for replies from port 53).
     */
    int guestAddressFor(InetSocketAddress peer) {
        if (nameserver != null && peer.equals(nameserver)) {
            return config.dns();
        }
        InetAddress host = peer.getAddress();
        if (!(host instanceof Inet4Address) || host.isLoopbackAddress() || host.isAnyLocalAddress()) {
            return config.host();
        }
        return Bytes.i32(host.getAddress(), 0);
    }

    long nextDeadline() {
        if (tcp.hasDirty()) {
            return 0;
        }
        return Math.min(tcp.nextDeadline(), udp.nextDeadline());
    }

    void tick(long now) {
        if (!askedAt.isEmpty()) {
            askedAt.entrySet().removeIf(e -> {
                if (now - e.getValue() < ARP_WAIT_NS) {
                    return false;
                }
                List<byte[]> dropped = waitingForArp.remove(e.getKey());
                waitingCount -= dropped == null ? 0 : dropped.size();
                counters.add("arp.unanswered");
                return true;
            });
        }
        tcp.tick(now);
        udp.tick(now);
        icmp.poll();
    }

    /** End of a batch of guest frames: acknowledgments and window updates go out once per connection. */
    void flush() {
        tcp.flush();
    }

    void resumeOutput() {
        tcp.resumeOutput();
    }

    void closeAll() {
        tcp.closeAll();
        udp.closeAll();
        icmp.close();
    }

    /** Open host channels (sockets of connections, flows and forwards): 0 after close. */
    int openChannels() {
        return tcp.openChannels() + udp.openChannels();
    }
}
