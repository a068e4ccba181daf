package dev.jemu.devices.net.user;

import static org.junit.jupiter.api.Assertions.*;

import dev.jemu.core.machine.ConfigException;
import dev.jemu.devices.net.user.wire.Arp;
import dev.jemu.devices.net.user.wire.Bytes;
import dev.jemu.devices.net.user.wire.Dhcp;
import dev.jemu.devices.net.user.wire.Ethernet;
import dev.jemu.devices.net.user.wire.Icmp;
import dev.jemu.devices.net.user.wire.Ipv4;
import dev.jemu.devices.net.user.wire.Tcp;
import dev.jemu.devices.net.user.wire.Udp;
import java.io.IOException;
import java.io.InputStream;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.AbstractMap;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class UserNetBackendTest {
    private final List<AutoCloseable> cleanup = new ArrayList<>();

    @AfterEach
    void close() throws Exception {
        for (AutoCloseable c : cleanup) {
            c.close();
        }
    }

    private UserNetBackend open(String... options) throws ConfigException {
        return open(null, options);
    }

    private UserNetBackend open(InetSocketAddress nameserver, String... options) throws ConfigException {
        List<Map.Entry<String, String>> list = new ArrayList<>();
        for (String o : options) {
            int eq = o.indexOf('=');
            list.add(new AbstractMap.SimpleEntry<>(o.substring(0, eq), o.substring(eq + 1)));
        }
        UserNetBackend n = UserNetBackend.open("net0", UserNetConfig.parse(list), nameserver);
        cleanup.add(n);
        return n;
    }

    // ---- DHCP ----

    private static byte[] dhcpRequest(int type, int xid, int requested) {
        byte[] m = new byte[300];
        m[0] = 1;
        m[1] = 1;
        m[2] = 6;
        Bytes.put32(m, 4, xid);
        Bytes.put16(m, 10, 0x8000);
        Bytes.put48(m, 28, TestGuest.MAC);
        Bytes.put32(m, 236, 0x63825363);
        int o = 240;
        m[o++] = 53;
        m[o++] = 1;
        m[o++] = (byte) type;
        if (requested != 0) {
            m[o++] = 50;
            m[o++] = 4;
            Bytes.put32(m, o, requested);
            o += 4;
            m[o++] = 54;
            m[o++] = 4;
            Bytes.put32(m, o, TestGuest.GATEWAY);
            o += 4;
        }
        m[o] = (byte) 255;
        byte[] f = Udp.frame(Ethernet.BROADCAST, TestGuest.MAC, 0, 68, Ipv4.BROADCAST, 67, m, 0, m.length, 1);
        return f;
    }

    /** The options of a DHCP reply, by code. */
    private static Map<Integer, byte[]> dhcpOptions(byte[] f, Udp u) {
        Map<Integer, byte[]> opts = new HashMap<>();
        int o = u.dataOffset() + 240;
        int end = u.dataOffset() + u.dataLength();
        while (o < end && (f[o] & 0xff) != 255) {
            if (f[o] == 0) {
                o++;
                continue;
            }
            int len = f[o + 1] & 0xff;
            opts.put(f[o] & 0xff, Arrays.copyOfRange(f, o + 2, o + 2 + len));
            o += 2 + len;
        }
        return opts;
    }

    private static int int32(byte[] b) {
        return Bytes.i32(b, 0);
    }

    private byte[] dhcpReply(TestGuest g, int xid) throws InterruptedException {
        return g.next(f -> {
            Udp u = TestGuest.udpOf(f);
            return u != null && u.sourcePort() == 67 && u.destinationPort() == 68 && Bytes.i32(f, u.dataOffset() + 4) == xid;
        }, 5000);
    }

    @Test
    void dhcpDiscoverOfferRequestAckGivesTheFirstAddressWithQemusOptions() throws Exception {
        TestGuest g = new TestGuest(open("hostname=guest1", "domainname=example.org", "dnssearch=a.example"));
        g.send(dhcpRequest(Dhcp.DISCOVER, 0x1234, 0));
        byte[] offer = dhcpReply(g, 0x1234);
        assertNotNull(offer, "OFFER");
        Udp u = TestGuest.udpOf(offer);
        assertEquals(TestGuest.MAC, Ethernet.destination(offer));
        assertEquals(0x5255_0a00_0202L, Ethernet.source(offer));
        assertEquals(TestGuest.IP, Bytes.i32(offer, u.dataOffset() + 16), "yiaddr");
        assertEquals(TestGuest.GATEWAY, Bytes.i32(offer, u.dataOffset() + 20), "siaddr");
        Map<Integer, byte[]> o = dhcpOptions(offer, u);
        assertEquals(Dhcp.OFFER, o.get(53)[0]);
        assertEquals(TestGuest.GATEWAY, int32(o.get(54)));
        assertEquals(86400, int32(o.get(51)));
        assertEquals(0xffffff00, int32(o.get(1)));
        assertEquals(TestGuest.GATEWAY, int32(o.get(3)));
        assertEquals(TestGuest.DNS, int32(o.get(6)));
        assertEquals("guest1", new String(o.get(12), StandardCharsets.US_ASCII));
        assertEquals("example.org", new String(o.get(15), StandardCharsets.US_ASCII));
        assertArrayEquals(new byte[] {1, 'a', 7, 'e', 'x', 'a', 'm', 'p', 'l', 'e', 0}, o.get(119));

        g.send(dhcpRequest(Dhcp.REQUEST, 0x1235, TestGuest.IP));
        byte[] ack = dhcpReply(g, 0x1235);
        assertNotNull(ack, "ACK");
        Udp ua = TestGuest.udpOf(ack);
        assertEquals(Dhcp.ACK, dhcpOptions(ack, ua).get(53)[0]);
        assertEquals(TestGuest.IP, Bytes.i32(ack, ua.dataOffset() + 16));

        g.send(dhcpRequest(Dhcp.REQUEST, 0x1236, 0x0a000263));
        byte[] nak = dhcpReply(g, 0x1236);
        Map<Integer, byte[]> n = dhcpOptions(nak, TestGuest.udpOf(nak));
        assertEquals(Dhcp.NAK, n.get(53)[0], "an address outside the pool");
        assertEquals("requested address not available", new String(n.get(56), StandardCharsets.US_ASCII));
        assertEquals(Ipv4.BROADCAST, TestGuest.ipOf(nak).destination());
    }

    @Test
    void dhcpHonoursNetAndDhcpstartAndRestrictLeavesOutRouterAndDns() throws Exception {
        TestGuest g = new TestGuest(open("net=192.168.76.0/24", "dhcpstart=192.168.76.9", "restrict=on"));
        g.send(dhcpRequest(Dhcp.DISCOVER, 7, 0));
        byte[] offer = dhcpReply(g, 7);
        Udp u = TestGuest.udpOf(offer);
        assertEquals(0xc0a84c09, Bytes.i32(offer, u.dataOffset() + 16));
        Map<Integer, byte[]> o = dhcpOptions(offer, u);
        assertEquals(0xc0a84c02, int32(o.get(54)));
        assertNull(o.get(3));
        assertNull(o.get(6));
    }

    // ---- ARP, ICMP ----

    @Test
    void arpForTheGatewayAndDnsIsAnsweredWithSlirpsMacs() throws Exception {
        TestGuest g = new TestGuest(open());
        for (int target : new int[] {TestGuest.GATEWAY, TestGuest.DNS}) {
            g.send(new Arp(Arp.REQUEST, TestGuest.MAC, TestGuest.IP, 0, target).toFrame());
            byte[] f = g.next(x -> Ethernet.type(x) == Ethernet.TYPE_ARP, 5000);
            assertNotNull(f);
            Arp a = Arp.parse(f, Ethernet.HEADER, f.length - Ethernet.HEADER);
            assertEquals(Arp.REPLY, a.operation());
            assertEquals(target, a.senderIp());
            assertEquals(0x5255_0000_0000L | target, a.senderMac());
            assertEquals(TestGuest.MAC, a.targetMac());
        }
        g.send(new Arp(Arp.REQUEST, TestGuest.MAC, TestGuest.IP, 0, 0x0a000209).toFrame());
        assertNull(g.next(x -> Ethernet.type(x) == Ethernet.TYPE_ARP, 300), "no answer for other addresses");
    }

    @Test
    void pingTheGatewayIsAnswered() throws Exception {
        TestGuest g = new TestGuest(open());
        byte[] payload = "abcdefgh-ping-payload".getBytes(StandardCharsets.US_ASCII);
        for (int seq = 1; seq <= 3; seq++) {
            g.send(g.ping(TestGuest.GATEWAY, 0x77, seq, payload));
            int s = seq;
            byte[] f = g.next(x -> {
                Icmp i = TestGuest.icmpOf(x);
                return i != null && i.sequence() == s;
            }, 5000);
            assertNotNull(f, "echo reply " + seq);
            Icmp i = TestGuest.icmpOf(f);
            assertEquals(Icmp.ECHO_REPLY, i.type());
            assertEquals(0x77, i.identifier());
            assertArrayEquals(payload, Arrays.copyOfRange(f, i.dataOffset(), i.dataOffset() + i.dataLength()));
            assertEquals(TestGuest.GATEWAY, TestGuest.ipOf(f).source());
        }
    }

    // ---- UDP, DNS ----

    @Test
    void udpReachesAHostEchoSocketThroughTheGatewayAndBack() throws Exception {
        DatagramSocket echo = new DatagramSocket(0, InetAddress.getLoopbackAddress());
        cleanup.add(echo);
        Thread t = Thread.ofVirtual().start(() -> {
            byte[] b = new byte[2000];
            try {
                for (int i = 0; i < 3; i++) {
                    DatagramPacket p = new DatagramPacket(b, b.length);
                    echo.receive(p);
                    echo.send(new DatagramPacket(b, p.getLength(), p.getSocketAddress()));
                }
            } catch (IOException e) {
                // closed
            }
        });
        TestGuest g = new TestGuest(open());
        for (int i = 0; i < 3; i++) {
            byte[] data = ("hello udp " + i).getBytes(StandardCharsets.US_ASCII);
            g.send(g.udp(40000, TestGuest.GATEWAY, echo.getLocalPort(), data));
            byte[] f = g.next(x -> TestGuest.udpOf(x) != null && TestGuest.udpOf(x).destinationPort() == 40000, 5000);
            assertNotNull(f, "echo " + i);
            Udp u = TestGuest.udpOf(f);
            assertEquals(TestGuest.GATEWAY, TestGuest.ipOf(f).source());
            assertEquals(echo.getLocalPort(), u.sourcePort());
            assertArrayEquals(data, Arrays.copyOfRange(f, u.dataOffset(), u.dataOffset() + u.dataLength()));
        }
        t.join(2000);
    }

    @Test
    void aLargeHostDatagramReachesTheGuestInFragments() throws Exception {
        DatagramSocket peer = new DatagramSocket(0, InetAddress.getLoopbackAddress());
        cleanup.add(peer);
        TestGuest g = new TestGuest(open());
        g.send(g.udp(40100, TestGuest.GATEWAY, peer.getLocalPort(), new byte[] {1}));
        DatagramPacket p = new DatagramPacket(new byte[10], 10);
        peer.receive(p);
        byte[] big = random(4000, 16);
        peer.send(new DatagramPacket(big, big.length, p.getSocketAddress()));
        java.io.ByteArrayOutputStream ip = new java.io.ByteArrayOutputStream();
        int id = -1;
        for (int i = 0; ; i++) {
            byte[] f = g.next(x -> TestGuest.ipOf(x) != null && TestGuest.ipOf(x).protocol() == Ipv4.UDP, 5000);
            assertNotNull(f, "fragment " + i);
            assertTrue(f.length <= Ethernet.MAX_FRAME);
            Ipv4 h = TestGuest.ipOf(f);
            assertTrue(id == -1 || id == h.identification());
            id = h.identification();
            assertEquals(ip.size(), (Bytes.u16(f, Ethernet.HEADER + 6) & 0x1fff) * 8, "offset");
            ip.write(f, h.payloadOffset(), h.payloadLength());
            if ((Bytes.u16(f, Ethernet.HEADER + 6) & 0x2000) == 0) {
                break;
            }
        }
        byte[] datagram = ip.toByteArray();
        assertEquals(8 + big.length, datagram.length);
        assertArrayEquals(big, Arrays.copyOfRange(datagram, 8, datagram.length));
    }

    @Test
    void udpFlowsCloseWhenIdle() throws Exception {
        UserNetBackend net = open();
        net.udpIdle(1_000_000_000L);
        TestGuest g = new TestGuest(net);
        for (int i = 0; i < 3; i++) {
            g.send(g.udp(47000 + i, TestGuest.GATEWAY, 9, new byte[] {1}));
        }
        waitFor(() -> net.openChannels() == 3, "three flows");
        waitFor(() -> net.openChannels() == 0, "flows closed after 1 s idle");
    }

    private static byte[] dnsQuery(int id, String name) {
        java.io.ByteArrayOutputStream q = new java.io.ByteArrayOutputStream();
        q.write(id >>> 8);
        q.write(id);
        q.writeBytes(new byte[] {1, 0, 0, 1, 0, 0, 0, 0, 0, 0});
        for (String label : name.split("\\.")) {
            q.write(label.length());
            q.writeBytes(label.getBytes(StandardCharsets.US_ASCII));
        }
        q.writeBytes(new byte[] {0, 0, 1, 0, 1});
        return q.toByteArray();
    }

    @Test
    void dnsAtTheProxyAddressIsForwardedToTheResolverAndAnsweredFromIt() throws Exception {
        DatagramSocket resolver = new DatagramSocket(0, InetAddress.getLoopbackAddress());
        cleanup.add(resolver);
        Thread.ofVirtual().start(() -> {
            byte[] b = new byte[512];
            try {
                DatagramPacket p = new DatagramPacket(b, b.length);
                resolver.receive(p);
                b[2] |= (byte) 0x80; // a response: QR set, same id and question
                resolver.send(new DatagramPacket(b, p.getLength(), p.getSocketAddress()));
            } catch (IOException e) {
                // closed
            }
        });
        TestGuest g = new TestGuest(open(new InetSocketAddress(InetAddress.getLoopbackAddress(), resolver.getLocalPort())));
        g.send(g.udp(5353, TestGuest.DNS, 53, dnsQuery(0xbeef, "localhost")));
        byte[] f = g.next(x -> TestGuest.udpOf(x) != null && TestGuest.udpOf(x).destinationPort() == 5353, 5000);
        assertNotNull(f);
        Udp u = TestGuest.udpOf(f);
        assertEquals(TestGuest.DNS, TestGuest.ipOf(f).source());
        assertEquals(53, u.sourcePort());
        assertEquals(0xbeef, Bytes.u16(f, u.dataOffset()));
        assertTrue((f[u.dataOffset() + 2] & 0x80) != 0);
    }

    @Test
    void dnsThroughTheHostsOwnResolver() throws Exception {
        InetSocketAddress ns = HostResolver.fromSystem();
        org.junit.jupiter.api.Assumptions.assumeTrue(ns != null, "no nameserver in /etc/resolv.conf");
        try (DatagramSocket probe = new DatagramSocket()) {
            probe.setSoTimeout(2000);
            byte[] q = dnsQuery(1, "localhost");
            probe.send(new DatagramPacket(q, q.length, ns));
            probe.receive(new DatagramPacket(new byte[512], 512));
        } catch (IOException e) {
            org.junit.jupiter.api.Assumptions.abort("the host's resolver does not answer: " + e);
        }
        TestGuest g = new TestGuest(open(ns));
        g.send(g.udp(5354, TestGuest.DNS, 53, dnsQuery(0x4242, "localhost")));
        byte[] f = g.next(x -> TestGuest.udpOf(x) != null && TestGuest.udpOf(x).destinationPort() == 5354, 5000);
        assertNotNull(f, "answer from " + ns);
        Udp u = TestGuest.udpOf(f);
        assertEquals(TestGuest.DNS, TestGuest.ipOf(f).source());
        assertEquals(0x4242, Bytes.u16(f, u.dataOffset()));
    }

    // ---- TCP ----

    /** A listening socket on the host's loopback, closed after the test. */
    private ServerSocket hostServer() throws IOException {
        ServerSocket server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        cleanup.add(server);
        return server;
    }

    /**
     * The host side of one connection: writes {@code send} and then its FIN, while reading everything the guest
     * sends until the guest's FIN; completes with what it read.
     */
    private static CompletableFuture<byte[]> serveOnce(ServerSocket server, byte[] send) {
        CompletableFuture<byte[]> got = new CompletableFuture<>();
        Thread.ofVirtual().start(() -> {
            try (Socket s = server.accept()) {
                Thread writer = Thread.ofVirtual().start(() -> {
                    try {
                        s.getOutputStream().write(send);
                        s.shutdownOutput();
                    } catch (IOException e) {
                        got.completeExceptionally(e);
                    }
                });
                got.complete(s.getInputStream().readAllBytes());
                writer.join();
            } catch (Exception e) {
                got.completeExceptionally(e);
            }
        });
        return got;
    }

    private static byte[] random(int n, long seed) {
        byte[] b = new byte[n];
        new Random(seed).nextBytes(b);
        return b;
    }

    private static byte[] sha(byte[] b) throws Exception {
        return MessageDigest.getInstance("SHA-256").digest(b);
    }

    @Test
    void tcpToAHostServerMovesOneMebibyteEachWayWithASmallGuestWindowAndClosesFromTheGuest() throws Exception {
        ServerSocket server = hostServer();
        byte[] up = random(1 << 20, 1);
        byte[] down = random(1 << 20, 2);
        CompletableFuture<byte[]> hostGot = serveOnce(server, down);
        UserNetBackend net = open();
        TestGuest g = new TestGuest(net);
        GuestTcp c = GuestTcp.connect(g, 41000, TestGuest.GATEWAY, server.getLocalPort(), 4096);
        assertFalse(c.reset);
        c.write(up);
        c.close();
        assertTrue(c.runUntil(() -> c.finAcked && c.received.size() == down.length && c.finReceived, 60_000),
                "sent " + (c.sndUna - c.dataStart) + " received " + c.received.size());
        assertArrayEquals(sha(up), sha(hostGot.get(10, TimeUnit.SECONDS)));
        assertArrayEquals(sha(down), sha(c.received.toByteArray()));
        assertEquals(0, c.windowViolations, "the stack kept to the guest's 4096-byte window");
        waitFor(() -> net.tcpConnections() == 0, "connection gone");
        assertEquals(0, net.openChannels(), "no host socket left open");
    }

    @Test
    void tcpWithWindowScalingMovesDataBothWaysWithinTheScaledWindow() throws Exception {
        ServerSocket server = hostServer();
        byte[] up = random(3 << 20, 11);
        byte[] down = random(3 << 20, 12);
        CompletableFuture<byte[]> hostGot = serveOnce(server, down);
        UserNetBackend net = open();
        TestGuest g = new TestGuest(net);
        GuestTcp c = GuestTcp.connect(g, 41020, TestGuest.GATEWAY, server.getLocalPort(), 256 * 1024, 4);
        assertEquals(TcpConnection.OUR_SCALE, c.peerScale, "the stack answers the scale option with its own");
        c.write(up);
        c.close();
        assertTrue(c.runUntil(() -> c.finAcked && c.finReceived, 60_000), c.state());
        assertArrayEquals(sha(up), sha(hostGot.get(10, TimeUnit.SECONDS)));
        assertArrayEquals(sha(down), sha(c.received.toByteArray()));
        assertEquals(0, c.windowViolations);
        waitFor(() -> net.tcpConnections() == 0, "connection gone");
    }

    @Test
    void tcpZeroWindowFromTheGuestIsProbedAndReopened() throws Exception {
        ServerSocket server = hostServer();
        byte[] down = random(64 * 1024, 13);
        serveOnce(server, down);
        UserNetBackend net = open();
        TestGuest g = new TestGuest(net);
        GuestTcp c = GuestTcp.connect(g, 41021, TestGuest.GATEWAY, server.getLocalPort(), 4096);
        assertTrue(c.runUntil(() -> c.received.size() > 0, 10_000));
        c.window = 0; // the guest's application stops reading
        c.runUntil(() -> false, 300);
        int stalled = c.received.size();
        c.runUntil(() -> false, 500);
        assertEquals(stalled, c.received.size(), "nothing sent into a closed window");
        c.window = 4096; // reading again, without telling: only the stack's window probe finds out
        assertTrue(c.runUntil(() -> c.finReceived, 30_000), c.state() + net.counters().snapshot());
        assertArrayEquals(sha(down), sha(c.received.toByteArray()));
        assertEquals(0, c.windowViolations);
        assertTrue(c.duplicates > 0, "the probe was an old sequence number");
    }

    @Test
    void tcpAHostThatDoesNotReadClosesTheWindowToTheGuestAndReopensIt() throws Exception {
        ServerSocket server = new ServerSocket();
        cleanup.add(server);
        server.setReceiveBufferSize(64 * 1024); // set before listening: the accepted socket's buffer stays small
        server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        byte[] up = random(24 << 20, 14);
        CompletableFuture<byte[]> hostGot = new CompletableFuture<>();
        Thread.ofVirtual().start(() -> {
            try (Socket s = server.accept()) {
                Thread.sleep(1500); // not reading: the kernel's buffers, then the stack's, fill up
                hostGot.complete(s.getInputStream().readAllBytes());
            } catch (Exception e) {
                hostGot.completeExceptionally(e);
            }
        });
        UserNetBackend net = open();
        TestGuest g = new TestGuest(net);
        GuestTcp c = GuestTcp.connect(g, 41022, TestGuest.GATEWAY, server.getLocalPort(), 65535);
        c.write(up);
        c.close();
        assertTrue(c.runUntil(() -> c.finAcked, 60_000), c.state());
        assertEquals(0, c.minPeerWindow, "the stack closed its window while the host did not read");
        assertArrayEquals(sha(up), sha(hostGot.get(10, TimeUnit.SECONDS)));
    }

    @Test
    void tcpHostClosesFirstHalfCloseKeepsTheGuestSending() throws Exception {
        ServerSocket server = hostServer();
        byte[] down = random(200_000, 3);
        byte[] up = random(300_000, 4);
        CompletableFuture<byte[]> hostGot = serveOnce(server, down); // the host sends its FIN first
        UserNetBackend net = open();
        TestGuest g = new TestGuest(net);
        GuestTcp c = GuestTcp.connect(g, 41001, TestGuest.GATEWAY, server.getLocalPort(), 16384);
        assertTrue(c.runUntil(() -> c.finReceived, 30_000), c.state() + net.counters().snapshot());
        assertArrayEquals(sha(down), sha(c.received.toByteArray()));
        c.write(up); // after the host's FIN the guest still sends
        c.close();
        assertTrue(c.runUntil(() -> c.finAcked, 30_000));
        assertArrayEquals(sha(up), sha(hostGot.get(10, TimeUnit.SECONDS)));
        waitFor(() -> net.tcpConnections() == 0, "connection gone");
        assertEquals(0, net.openChannels());
    }

    @Test
    void tcpConnectRefusedByTheHostIsAResetToTheGuest() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        UserNetBackend net = open();
        TestGuest g = new TestGuest(net);
        GuestTcp c = GuestTcp.connect(g, 41002, TestGuest.GATEWAY, port, 4096);
        assertTrue(c.reset, "RST for a refused connect");
        waitFor(() -> net.tcpConnections() == 0, "connection gone");
        assertEquals(0, net.openChannels());
    }

    @Test
    void tcpGuestResetClosesTheHostSocket() throws Exception {
        ServerSocket server = hostServer();
        CompletableFuture<Integer> hostRead = new CompletableFuture<>();
        Thread.ofVirtual().start(() -> {
            try (Socket s = server.accept()) {
                hostRead.complete(s.getInputStream().read());
            } catch (IOException e) {
                hostRead.complete(-2); // reset
            }
        });
        UserNetBackend net = open();
        TestGuest g = new TestGuest(net);
        GuestTcp c = GuestTcp.connect(g, 41003, TestGuest.GATEWAY, server.getLocalPort(), 4096);
        c.runUntil(() -> false, 200);
        c.abort();
        assertTrue(hostRead.get(10, TimeUnit.SECONDS) < 0, "the host sees the connection end");
        waitFor(() -> net.tcpConnections() == 0, "connection gone");
        assertEquals(0, net.openChannels());
    }

    @Test
    void tcpHostResetReachesTheGuestAsReset() throws Exception {
        ServerSocket server = hostServer();
        CompletableFuture<Void> resetDone = new CompletableFuture<>();
        Thread.ofVirtual().start(() -> {
            try (Socket s = server.accept()) {
                s.getInputStream().read(); // the guest's first byte, then a hard close
                s.setSoLinger(true, 0);
            } catch (IOException e) {
                // test ends
            }
            resetDone.complete(null);
        });
        UserNetBackend net = open();
        TestGuest g = new TestGuest(net);
        GuestTcp c = GuestTcp.connect(g, 41040, TestGuest.GATEWAY, server.getLocalPort(), 8192);
        c.write(random(1 << 20, 17));
        assertTrue(c.runUntil(() -> c.reset, 10_000), "RST to the guest: " + c.state());
        assertTrue(resetDone.isDone());
        waitFor(() -> net.tcpConnections() == 0, "connection gone");
        assertEquals(0, net.openChannels());
    }

    @Test
    void tcpAGuestKeepaliveIsAnswered() throws Exception {
        ServerSocket server = hostServer();
        Thread.ofVirtual().start(() -> {
            try (Socket s = server.accept()) {
                s.getInputStream().readAllBytes();
            } catch (IOException e) {
                // test ends
            }
        });
        TestGuest g = new TestGuest(open());
        GuestTcp c = GuestTcp.connect(g, 41041, TestGuest.GATEWAY, server.getLocalPort(), 8192);
        g.frames.clear();
        c.send(Tcp.ACK, c.sndNxt - 1, null, 0, 0, 0); // Linux's keepalive: one byte before what it sent
        byte[] f = g.next(c::mine, 5000);
        assertNotNull(f, "keepalive answered");
        assertEquals(c.sndNxt, TestGuest.tcpOf(f).acknowledgment());
    }

    @Test
    void tcpRetransmitsASegmentTheGuestDropped() throws Exception {
        ServerSocket server = hostServer();
        byte[] down = random(100_000, 5);
        serveOnce(server, down);
        UserNetBackend net = open();
        TestGuest g = new TestGuest(net);
        GuestTcp c = GuestTcp.connect(g, 41004, TestGuest.GATEWAY, server.getLocalPort(), 8192);
        c.dropData = 3;
        assertTrue(c.runUntil(() -> c.finReceived, 30_000), c.state() + net.counters().snapshot());
        assertEquals(3, c.dropped);
        assertArrayEquals(sha(down), sha(c.received.toByteArray()));
        assertTrue(net.counters().get("tcp.retransmit") + net.counters().get("tcp.fastRetransmit") >= 1,
                net.counters().snapshot().toString());
        c.close();
        assertTrue(c.runUntil(() -> c.finAcked, 10_000));
        waitFor(() -> net.tcpConnections() == 0, "connection gone");
    }

    @Test
    void tcpToAnAddressInsideTheNetworkIsReset() throws Exception {
        TestGuest g = new TestGuest(open());
        GuestTcp c = GuestTcp.connect(g, 41005, 0x0a000209, 80, 4096);
        assertTrue(c.reset);
    }

    @Test
    void guestFramesKeptWhileTheNicIsFullAndDeliveredOnReceiveReady() throws Exception {
        UserNetBackend net = open();
        TestGuest g = new TestGuest(net);
        g.refuse = true;
        byte[] payload = new byte[8];
        for (int seq = 0; seq < 5; seq++) {
            g.send(g.ping(TestGuest.GATEWAY, 1, seq, payload));
        }
        waitFor(() -> g.refused > 0, "delivery tried");
        assertNull(g.next(f -> true, 200));
        g.refuse = false;
        net.receiveReady();
        for (int seq = 0; seq < 5; seq++) {
            byte[] f = g.next(x -> TestGuest.icmpOf(x) != null, 5000);
            assertNotNull(f);
            assertEquals(seq, TestGuest.icmpOf(f).sequence(), "in order");
        }
    }

    @Test
    void tcpThroughANicThatIsOftenFullLosesNothing() throws Exception {
        ServerSocket server = hostServer();
        byte[] down = random(4 << 20, 15);
        serveOnce(server, down);
        UserNetBackend net = open();
        TestGuest g = new TestGuest(net);
        g.refuseEvery = 7;
        GuestTcp c = GuestTcp.connect(g, 41030, TestGuest.GATEWAY, server.getLocalPort(), 256 * 1024, 2);
        assertTrue(c.runUntil(() -> c.finReceived, 60_000), c.state() + net.counters().snapshot());
        assertArrayEquals(sha(down), sha(c.received.toByteArray()));
        assertTrue(g.refused > 100, "the NIC refused " + g.refused + " frames");
        assertEquals(0, net.counters().get("toGuest.queueFull"), "kept, not dropped");
        assertEquals(0, c.windowViolations);
    }

    // ---- hostfwd, restrict ----

    @Test
    void hostfwdReachesAGuestListenerAndWorksUnderRestrict() throws Exception {
        UserNetBackend net = open("restrict=on", "hostfwd=tcp:127.0.0.1:0-:2222");
        HostForward rule = net.config().hostForwards().get(0);
        int port = net.forwardedPort(rule);
        assertTrue(port > 0);
        TestGuest g = new TestGuest(net);
        byte[] up = random(300_000, 6);
        byte[] down = random(300_000, 7);
        CompletableFuture<byte[]> hostGot = new CompletableFuture<>();
        Thread.ofVirtual().start(() -> {
            try (Socket s = new Socket(InetAddress.getLoopbackAddress(), port)) {
                Thread w = Thread.ofVirtual().start(() -> {
                    try {
                        s.getOutputStream().write(up);
                        s.shutdownOutput();
                    } catch (IOException e) {
                        hostGot.completeExceptionally(e);
                    }
                });
                hostGot.complete(s.getInputStream().readAllBytes());
                w.join();
            } catch (Exception e) {
                hostGot.completeExceptionally(e);
            }
        });
        GuestTcp c = GuestTcp.accept(g, 2222, 8192);
        assertEquals(TestGuest.GATEWAY, c.remoteIp, "a loopback client appears as the gateway");
        c.write(down);
        c.close();
        assertTrue(c.runUntil(() -> c.finReceived && c.finAcked, 30_000));
        assertArrayEquals(sha(up), sha(c.received.toByteArray()));
        assertArrayEquals(sha(down), sha(hostGot.get(10, TimeUnit.SECONDS)));
        waitFor(() -> net.tcpConnections() == 0, "connection gone");
        assertEquals(1, net.openChannels(), "only the forward's listening socket");
    }

    @Test
    void hostfwdUdpReachesTheGuestAndItsReplyComesBack() throws Exception {
        UserNetBackend net = open("hostfwd=udp:127.0.0.1:0-:5555");
        int port = net.forwardedPort(net.config().hostForwards().get(0));
        TestGuest g = new TestGuest(net);
        try (DatagramSocket client = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
            client.setSoTimeout(5000);
            byte[] q = "question".getBytes(StandardCharsets.US_ASCII);
            client.send(new DatagramPacket(q, q.length, InetAddress.getLoopbackAddress(), port));
            byte[] f = g.next(x -> TestGuest.udpOf(x) != null && TestGuest.udpOf(x).destinationPort() == 5555, 5000);
            assertNotNull(f);
            Udp u = TestGuest.udpOf(f);
            assertEquals(client.getLocalPort(), u.sourcePort());
            byte[] a = "answer".getBytes(StandardCharsets.US_ASCII);
            g.send(g.udp(5555, TestGuest.ipOf(f).source(), u.sourcePort(), a));
            DatagramPacket p = new DatagramPacket(new byte[100], 100);
            client.receive(p);
            assertEquals("answer", new String(p.getData(), 0, p.getLength(), StandardCharsets.US_ASCII));
        }
    }

    @Test
    void restrictOnBlocksEverythingLeavingButForwards() throws Exception {
        ServerSocket server = hostServer();
        server.setSoTimeout(500);
        DatagramSocket udp = new DatagramSocket(0, InetAddress.getLoopbackAddress());
        cleanup.add(udp);
        udp.setSoTimeout(500);
        UserNetBackend net = open("restrict=on");
        TestGuest g = new TestGuest(net);
        GuestTcp c = GuestTcp.connect(g, 41010, TestGuest.GATEWAY, server.getLocalPort(), 4096);
        assertTrue(c.reset, "TCP out is reset");
        assertThrows(java.net.SocketTimeoutException.class, server::accept);
        g.send(g.udp(40001, TestGuest.GATEWAY, udp.getLocalPort(), new byte[] {1, 2, 3}));
        assertThrows(java.net.SocketTimeoutException.class, () -> udp.receive(new DatagramPacket(new byte[10], 10)));
        assertTrue(net.counters().get("restricted.dropped") >= 2);
        g.send(g.ping(TestGuest.GATEWAY, 1, 1, new byte[4]));
        assertNotNull(g.next(x -> TestGuest.icmpOf(x) != null, 5000), "the gateway still answers pings");
        assertEquals(0, net.openChannels());
    }

    // ---- lifetime ----

    @Test
    void closeStopsTheThreadAndClosesEverySocket() throws Exception {
        ServerSocket server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        cleanup.add(server);
        List<Socket> accepted = new ArrayList<>();
        Thread.ofVirtual().start(() -> {
            try {
                while (true) {
                    Socket s = server.accept();
                    synchronized (accepted) {
                        accepted.add(s);
                    }
                }
            } catch (IOException e) {
                // closed
            }
        });
        UserNetBackend net = open("hostfwd=tcp:127.0.0.1:0-:22", "hostfwd=udp:127.0.0.1:0-:53");
        TestGuest g = new TestGuest(net);
        for (int i = 0; i < 5; i++) {
            GuestTcp c = GuestTcp.connect(g, 42000 + i, TestGuest.GATEWAY, server.getLocalPort(), 4096);
            assertFalse(c.reset);
            g.send(g.udp(43000 + i, TestGuest.GATEWAY, 9, new byte[] {1}));
        }
        waitFor(() -> net.openChannels() == 2 + 5 + 5, "5 TCP, 5 UDP flows, 2 forwards: " + net.openChannels());
        net.close();
        assertFalse(net.running());
        assertEquals(0, net.openChannels());
        for (Thread t : Thread.getAllStackTraces().keySet()) {
            assertFalse(t.getName().equals("user-net net0") && t.isAlive(), "thread left: " + t);
        }
        // every connection of the host server sees the end
        synchronized (accepted) {
            for (Socket s : accepted) {
                s.setSoTimeout(2000);
                InputStream in = s.getInputStream();
                try {
                    assertEquals(-1, in.read());
                } catch (IOException reset) {
                    // a reset is an end too
                }
                s.close();
            }
        }
    }

    @Test
    void manyShortConnectionsLeakNothing() throws Exception {
        ServerSocket server = new ServerSocket(0, 100, InetAddress.getLoopbackAddress());
        cleanup.add(server);
        Thread.ofVirtual().start(() -> UserNetFuzzTest.echoServer(server));
        UserNetBackend net = open();
        TestGuest g = new TestGuest(net);
        for (int i = 0; i < 200; i++) {
            GuestTcp c = GuestTcp.connect(g, 20000 + i, TestGuest.GATEWAY, server.getLocalPort(), 8192);
            c.write(("request " + i).getBytes(StandardCharsets.US_ASCII));
            c.close();
            assertTrue(c.runUntil(() -> c.finReceived && c.finAcked, 10_000), "connection " + i);
            assertEquals("request " + i, c.received.toString(StandardCharsets.US_ASCII));
        }
        waitFor(() -> net.tcpConnections() == 0, "connections gone: " + net.tcpConnections());
        assertEquals(0, net.openChannels());
    }

    private static int openFileDescriptors() {
        String[] fds = new java.io.File("/proc/self/fd").list();
        return fds == null ? -1 : fds.length;
    }

    @Test
    void aThousandShortConnectionsThroughHostfwdLeakNoFileDescriptor() throws Exception {
        org.junit.jupiter.api.Assumptions.assumeTrue(openFileDescriptors() > 0, "needs /proc/self/fd");
        UserNetBackend net = open("hostfwd=tcp:127.0.0.1:0-:7");
        int port = net.forwardedPort(net.config().hostForwards().get(0));
        TestGuest g = new TestGuest(net);
        int before = 0;
        for (int i = 0; i < 1001; i++) {
            if (i == 1) {
                waitFor(() -> net.tcpConnections() == 0, "warm-up connection gone");
                before = openFileDescriptors(); // after one connection has loaded whatever the JDK loads lazily
            }
            String text = "ping " + i;
            CompletableFuture<String> reply = new CompletableFuture<>();
            Thread.ofVirtual().start(() -> {
                try (Socket s = new Socket(InetAddress.getLoopbackAddress(), port)) {
                    s.getOutputStream().write(text.getBytes(StandardCharsets.US_ASCII));
                    s.shutdownOutput();
                    reply.complete(new String(s.getInputStream().readAllBytes(), StandardCharsets.US_ASCII));
                } catch (IOException e) {
                    reply.completeExceptionally(e);
                }
            });
            GuestTcp c = GuestTcp.accept(g, 7, 8192);
            assertTrue(c.runUntil(() -> c.finReceived, 10_000), "request " + i);
            c.write(c.received.toByteArray());
            c.close();
            assertTrue(c.runUntil(() -> c.finAcked, 10_000), "reply " + i);
            assertEquals(text, reply.get(10, TimeUnit.SECONDS));
        }
        waitFor(() -> net.tcpConnections() == 0, "connections gone: " + net.tcpConnections());
        assertEquals(1, net.openChannels(), "the listening socket only");
        // the test's last client socket closes just after its reply completed: give it a moment
        int limit = before;
        waitFor(() -> openFileDescriptors() <= limit, "file descriptors back to " + limit + " after 1000 connections");
    }

    @Test
    void pingToAnOutsideAddressIsAnsweredWhenTheHostReachesIt() throws Exception {
        InetSocketAddress ns = HostResolver.fromSystem();
        org.junit.jupiter.api.Assumptions.assumeTrue(ns != null && ns.getAddress() instanceof java.net.Inet4Address
                && !ns.getAddress().isLoopbackAddress() && ns.getAddress().isReachable(1000), "no reachable outside host");
        TestGuest g = new TestGuest(open());
        int target = Bytes.i32(ns.getAddress().getAddress(), 0);
        g.send(g.ping(target, 5, 1, "outside".getBytes(StandardCharsets.US_ASCII)));
        byte[] f = g.next(x -> TestGuest.icmpOf(x) != null, 5000);
        assertNotNull(f, "echo reply from " + ns.getAddress());
        assertEquals(target, TestGuest.ipOf(f).source());
        assertEquals(Icmp.ECHO_REPLY, TestGuest.icmpOf(f).type());
    }

    static void waitFor(java.util.function.BooleanSupplier cond, String what) throws InterruptedException {
        long end = System.nanoTime() + 10_000_000_000L;
        while (!cond.getAsBoolean()) {
            if (System.nanoTime() > end) {
                fail("timed out waiting: " + what);
            }
            Thread.sleep(5);
        }
    }

    @Test
    void describeIsQemusInfoNetworkLine() throws Exception {
        assertEquals("net0: index=0,type=user,net=10.0.2.0,restrict=off", open().describe());
        assertEquals("net0: index=0,type=user,net=10.1.0.0,restrict=on", open("net=10.1.0.0/16", "restrict=yes").describe());
    }
}
