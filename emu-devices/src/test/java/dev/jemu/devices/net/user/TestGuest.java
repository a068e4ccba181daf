package dev.jemu.devices.net.user;

import dev.jemu.devices.net.FrameSink;
import dev.jemu.devices.net.user.wire.Arp;
import dev.jemu.devices.net.user.wire.Bytes;
import dev.jemu.devices.net.user.wire.Ethernet;
import dev.jemu.devices.net.user.wire.Icmp;
import dev.jemu.devices.net.user.wire.Ipv4;
import dev.jemu.devices.net.user.wire.Tcp;
import dev.jemu.devices.net.user.wire.Udp;
import java.nio.ByteBuffer;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * A pretend guest on the other side of a {@link UserNetBackend}: builds frames, sends them, collects what the
 * stack delivers (answering ARP requests for its own address by itself), and can refuse delivery to test the
 * backend's queueing.
 */
final class TestGuest implements FrameSink {
    static final long MAC = 0x5254_0012_3456L;
    static final int GATEWAY = 0x0a000202;
    static final int DNS = 0x0a000203;
    static final int IP = 0x0a00020f;

    final UserNetBackend net;
    final LinkedBlockingQueue<byte[]> frames = new LinkedBlockingQueue<>();
    volatile boolean refuse;
    volatile int refused;
    /** When > 0, every n-th offered frame is refused, and the NIC says it has room again a moment later. */
    volatile int refuseEvery;
    private int offered;
    int ip = IP;

    TestGuest(UserNetBackend net) {
        this.net = net;
        net.start(this);
    }

    @Override
    public boolean deliver(ByteBuffer frame) {
        if (refuse) {
            refused++;
            return false;
        }
        if (refuseEvery > 0 && ++offered % refuseEvery == 0) {
            refused++;
            Thread.ofVirtual().start(() -> {
                try {
                    Thread.sleep(1);
                } catch (InterruptedException e) {
                    return;
                }
                net.receiveReady();
            });
            return false;
        }
        byte[] f = new byte[frame.remaining()];
        frame.duplicate().get(f);
        if (Ethernet.type(f) == Ethernet.TYPE_ARP) {
            Arp a = Arp.parse(f, Ethernet.HEADER, f.length - Ethernet.HEADER);
            if (a != null && a.operation() == Arp.REQUEST && a.targetIp() == ip) {
                send(new Arp(Arp.REPLY, MAC, ip, a.senderMac(), a.senderIp()).toFrame());
                return true;
            }
        }
        frames.add(f);
        return true;
    }

    void send(byte[] frame) {
        net.send(ByteBuffer.wrap(frame));
    }

    /** The next delivered frame that matches, within the timeout (others are dropped); null if none came. */
    byte[] next(Predicate<byte[]> match, long timeoutMs) throws InterruptedException {
        long end = System.nanoTime() + timeoutMs * 1_000_000;
        while (true) {
            long left = end - System.nanoTime();
            if (left <= 0) {
                return null;
            }
            byte[] f = frames.poll(left, TimeUnit.NANOSECONDS);
            if (f == null) {
                return null;
            }
            if (match.test(f)) {
                return f;
            }
        }
    }

    static byte[] udpFrame(int srcIp, int srcPort, int dstIp, int dstPort, byte[] data) {
        byte[] f = Udp.frame(UserStack.SPECIAL_MAC_PREFIX | (GATEWAY & 0xffffffffL), MAC, srcIp, srcPort, dstIp, dstPort,
                data, 0, data.length, 1);
        return f;
    }

    byte[] udp(int srcPort, int dstIp, int dstPort, byte[] data) {
        return udpFrame(ip, srcPort, dstIp, dstPort, data);
    }

    byte[] tcp(int srcPort, int dstIp, int dstPort, int seq, int ack, int flags, int window, int mss, int scale,
               byte[] data, int off, int len) {
        return Tcp.frame(UserStack.SPECIAL_MAC_PREFIX | (GATEWAY & 0xffffffffL), MAC, ip, srcPort, dstIp, dstPort, seq,
                ack, flags, window, mss, scale, data, off, len, 1);
    }

    byte[] ping(int dstIp, int id, int seq, byte[] data) {
        return Icmp.echoFrame(UserStack.SPECIAL_MAC_PREFIX | (GATEWAY & 0xffffffffL), MAC, ip, dstIp,
                Icmp.ECHO_REQUEST, id, seq, data, 0, data.length, 1);
    }

    /** The IPv4 header of a frame, or null if it is not IPv4. */
    static Ipv4 ipOf(byte[] f) {
        return Ethernet.type(f) == Ethernet.TYPE_IPV4 ? Ipv4.parse(f, Ethernet.HEADER, f.length - Ethernet.HEADER) : null;
    }

    static Udp udpOf(byte[] f) {
        Ipv4 ip = ipOf(f);
        return ip == null || ip.protocol() != Ipv4.UDP ? null
                : Udp.parse(f, ip.payloadOffset(), ip.payloadLength(), ip.source(), ip.destination());
    }

    static Tcp tcpOf(byte[] f) {
        Ipv4 ip = ipOf(f);
        return ip == null || ip.protocol() != Ipv4.TCP ? null
                : Tcp.parse(f, ip.payloadOffset(), ip.payloadLength(), ip.source(), ip.destination());
    }

    static Icmp icmpOf(byte[] f) {
        Ipv4 ip = ipOf(f);
        return ip == null || ip.protocol() != Ipv4.ICMP ? null : Icmp.parse(f, ip.payloadOffset(), ip.payloadLength());
    }

    static String ip(int a) {
        return Bytes.ip(a);
    }
}
