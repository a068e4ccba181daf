package dev.jemu.devices.net.user;

import static org.junit.jupiter.api.Assertions.*;

import dev.jemu.devices.net.user.wire.Arp;
import dev.jemu.devices.net.user.wire.Bytes;
import dev.jemu.devices.net.user.wire.Checksum;
import dev.jemu.devices.net.user.wire.Ethernet;
import dev.jemu.devices.net.user.wire.Ipv4;
import dev.jemu.devices.net.user.wire.Tcp;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Mutated and random frames from the guest side: none may throw out of {@code send}, none may reach an internal
 * error (the stack counts those as {@code stack.bug}), and the stack answers pings, DHCP and TCP afterwards.
 * Mutated frames get their checksums fixed half of the time so that the deeper layers see them, and their
 * destination forced into the virtual network so that nothing leaves the host.
 */
class UserNetFuzzTest {
    static final int FRAMES = 20_000;

    @Test
    void twentyThousandMutatedFramesNeverBreakTheStack() throws Exception {
        long seed = Long.getLong("jemu.fuzz.seed", System.nanoTime());
        Random rnd = new Random(seed);
        try (ServerSocket server = new ServerSocket(0, 200, InetAddress.getLoopbackAddress());
             UserNetBackend net = UserNetBackend.open("fuzz", UserNetConfig.parse(List.of()),
                     new InetSocketAddress(InetAddress.getLoopbackAddress(), 9))) {
            Thread.ofVirtual().start(() -> echoServer(server));
            TestGuest g = new TestGuest(net);
            // a live connection, so that data segments and FINs land in a connection's state machine
            GuestTcp live = GuestTcp.connect(g, 30000, TestGuest.GATEWAY, server.getLocalPort(), 8192);
            assertFalse(live.reset);
            List<byte[]> seeds = seeds(g, server.getLocalPort(), live);
            for (int i = 0; i < FRAMES; i++) {
                byte[] f = mutate(rnd, seeds.get(rnd.nextInt(seeds.size())));
                net.send(ByteBuffer.wrap(f));
                if ((i & 255) == 0) {
                    g.frames.clear();
                    Thread.sleep(1); // let the selector thread keep up, as a NIC's ring would
                }
            }
            UserNetBackendTest.waitFor(() -> net.tcpConnections() >= 0, "stack answers");
            g.frames.clear();
            String why = "seed " + seed + " " + net.counters().snapshot();
            assertEquals(0, net.counters().get("stack.bug"), why);
            assertTrue(net.running(), why);
            assertTrue(net.counters().sum("") > 1000, "drops are counted: " + why);

            // still working: ping, then a fresh TCP connection that echoes
            g.send(g.ping(TestGuest.GATEWAY, 9, 9, new byte[16]));
            assertNotNull(g.next(x -> TestGuest.icmpOf(x) != null && TestGuest.icmpOf(x).sequence() == 9, 5000), why);
            GuestTcp c = GuestTcp.connect(g, 31000, TestGuest.GATEWAY, server.getLocalPort(), 8192);
            assertFalse(c.reset, why);
            c.write("after the storm".getBytes(StandardCharsets.US_ASCII));
            c.close();
            assertTrue(c.runUntil(() -> c.finReceived && c.finAcked, 10_000), why);
            assertEquals("after the storm", c.received.toString(StandardCharsets.US_ASCII), why);
            System.out.printf("user-net fuzz: %d frames, seed %d, counters %s%n", FRAMES, seed, net.counters().snapshot());
        }
    }

    /** Accepts connections and echoes each one's bytes back until its EOF. */
    static void echoServer(ServerSocket server) {
        try {
            while (true) {
                Socket s = server.accept();
                Thread.ofVirtual().start(() -> {
                    try (s; OutputStream o = s.getOutputStream()) {
                        o.write(s.getInputStream().readAllBytes());
                    } catch (IOException e) {
                        // fuzzed peers end badly
                    }
                });
            }
        } catch (IOException e) {
            // closed
        }
    }

    private static List<byte[]> seeds(TestGuest g, int port, GuestTcp live) {
        List<byte[]> s = new ArrayList<>();
        byte[] dhcp = new byte[300];
        dhcp[0] = 1;
        dhcp[1] = 1;
        dhcp[2] = 6;
        Bytes.put32(dhcp, 236, 0x63825363);
        dhcp[240] = 53;
        dhcp[241] = 1;
        dhcp[242] = 1;
        dhcp[243] = 50;
        dhcp[244] = 4;
        dhcp[249] = (byte) 255;
        s.add(TestGuest.udpFrame(0, 68, Ipv4.BROADCAST, 67, dhcp));
        s.add(new Arp(Arp.REQUEST, TestGuest.MAC, TestGuest.IP, 0, TestGuest.GATEWAY).toFrame());
        s.add(g.ping(TestGuest.GATEWAY, 1, 1, new byte[56]));
        s.add(g.udp(5353, TestGuest.DNS, 53, new byte[] {0x12, 0x34, 1, 0, 0, 1, 0, 0, 0, 0, 0, 0, 1, 'a', 0, 0, 1, 0, 1}));
        s.add(g.udp(40000, TestGuest.GATEWAY, 9, new byte[100]));
        s.add(g.tcp(30001, TestGuest.GATEWAY, port, 1000, 0, Tcp.SYN, 8192, 1460, 7, null, 0, 0));
        byte[] data = new byte[1000];
        s.add(g.tcp(30000, TestGuest.GATEWAY, port, live.sndNxt, live.rcvNxt, Tcp.ACK | Tcp.PSH, 8192, 0, -1, data, 0, 1000));
        s.add(g.tcp(30000, TestGuest.GATEWAY, port, live.sndNxt, live.rcvNxt, Tcp.ACK | Tcp.FIN, 8192, 0, -1, null, 0, 0));
        s.add(g.tcp(30002, TestGuest.GATEWAY, port, 5, 5, Tcp.ACK, 8192, 0, -1, data, 0, 10));
        byte[] v6 = new byte[80];
        Ethernet.writeHeader(v6, UserStack.SPECIAL_MAC_PREFIX, TestGuest.MAC, Ethernet.TYPE_IPV6);
        s.add(v6);
        return s;
    }

    private static byte[] mutate(Random rnd, byte[] seed) {
        byte[] f;
        switch (rnd.nextInt(8)) {
            case 0 -> { // random bytes of random length
                f = new byte[rnd.nextInt(1600)];
                rnd.nextBytes(f);
                return f;
            }
            case 1 -> f = Arrays.copyOf(seed, rnd.nextInt(seed.length + 1)); // truncated
            case 2 -> f = Arrays.copyOf(seed, seed.length + rnd.nextInt(100)); // padded
            default -> f = seed.clone();
        }
        int flips = 1 + rnd.nextInt(6);
        for (int i = 0; i < flips && f.length > 0; i++) {
            int at = rnd.nextInt(10) < 6 && f.length > 14 ? 14 + rnd.nextInt(Math.min(f.length - 14, 60)) : rnd.nextInt(f.length);
            f[at] = switch (rnd.nextInt(4)) {
                case 0 -> (byte) 0;
                case 1 -> (byte) 0xff;
                default -> (byte) rnd.nextInt(256);
            };
        }
        if (f.length >= 34 && Ethernet.type(f) == Ethernet.TYPE_IPV4) {
            confine(f);
            if (rnd.nextBoolean()) {
                fixChecksums(f);
            }
        }
        return f;
    }

    /** Keeps the destination inside the virtual network: fuzzing must not send to the world. */
    private static void confine(byte[] f) {
        int dst = Bytes.i32(f, 14 + 16);
        if ((dst & 0xffffff00) != 0x0a000200) {
            Bytes.put32(f, 14 + 16, 0x0a000200 | (dst & 0xff));
        }
    }

    private static void fixChecksums(byte[] f) {
        int ihl = (f[14] & 0x0f) * 4;
        if (ihl < 20 || 14 + ihl > f.length) {
            return;
        }
        Bytes.put16(f, 24, 0);
        Bytes.put16(f, 24, Checksum.of(f, 14, ihl));
        int total = Math.min(Bytes.u16(f, 16), f.length - 14);
        int l4 = 14 + ihl;
        int len = total - ihl;
        if (len <= 0) {
            return;
        }
        int proto = f[23] & 0xff;
        int src = Bytes.i32(f, 26);
        int dst = Bytes.i32(f, 30);
        int at = switch (proto) {
            case Ipv4.TCP -> 16;
            case Ipv4.UDP -> 6;
            case Ipv4.ICMP -> 2;
            default -> -1;
        };
        if (at < 0 || at + 2 > len) {
            return;
        }
        Bytes.put16(f, l4 + at, 0);
        long acc = proto == Ipv4.ICMP ? 0 : Checksum.pseudoHeader(src, dst, proto, len);
        if (proto == Ipv4.UDP) {
            int udpLen = Bytes.u16(f, l4 + 4);
            if (udpLen < 8 || udpLen > len) {
                return;
            }
            len = udpLen;
            acc = Checksum.pseudoHeader(src, dst, proto, len);
        }
        Bytes.put16(f, l4 + at, Checksum.finish(Checksum.sum(f, l4, len, acc)));
    }
}
