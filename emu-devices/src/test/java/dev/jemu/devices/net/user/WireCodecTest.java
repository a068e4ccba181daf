package dev.jemu.devices.net.user;

import static org.junit.jupiter.api.Assertions.*;

import dev.jemu.devices.net.user.wire.Arp;
import dev.jemu.devices.net.user.wire.Bytes;
import dev.jemu.devices.net.user.wire.Checksum;
import dev.jemu.devices.net.user.wire.Dhcp;
import dev.jemu.devices.net.user.wire.Ethernet;
import dev.jemu.devices.net.user.wire.Icmp;
import dev.jemu.devices.net.user.wire.Ipv4;
import dev.jemu.devices.net.user.wire.Tcp;
import dev.jemu.devices.net.user.wire.Udp;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;

/** The per-protocol codecs: known vectors, round trips, and rejection of every kind of malformed input. */
class WireCodecTest {
    static final HexFormat HEX = HexFormat.of();

    @Test
    void checksumMatchesRfc1071sExample() {
        byte[] b = HEX.parseHex("0001f203f4f5f6f7");
        assertEquals(0x220d, Checksum.of(b, 0, b.length));
        byte[] odd = HEX.parseHex("0001f203f4f5f6");
        assertEquals(Checksum.finish(0x0001 + 0xf203 + 0xf4f5 + 0xf600), Checksum.of(odd, 0, odd.length));
    }

    @Test
    void ipv4HeaderOfAKnownPacketParsesAndItsChecksumIsReproduced() {
        // a captured header: 192.168.0.1 -> 192.168.0.199, UDP, checksum b861
        byte[] h = HEX.parseHex("450000730000400040110000c0a80001c0a800c7");
        byte[] pkt = new byte[0x73];
        System.arraycopy(h, 0, pkt, 0, 20);
        Bytes.put16(pkt, 10, Checksum.of(pkt, 0, 20));
        assertEquals(0xb861, Bytes.u16(pkt, 10));
        Ipv4 ip = Ipv4.parse(pkt, 0, pkt.length);
        assertNotNull(ip);
        assertEquals(Ipv4.UDP, ip.protocol());
        assertEquals(0xc0a80001, ip.source());
        assertEquals(0xc0a800c7, ip.destination());
        assertEquals(0x73 - 20, ip.payloadLength());
        assertFalse(ip.fragment());
    }

    @Test
    void ipv4RejectsBadVersionLengthsChecksumAndFlagsFragments() {
        byte[] f = Ipv4.frame(1, 2, Ipv4.UDP, 0x0a00020f, 0x0a000202, 8, 5);
        int o = Ethernet.HEADER;
        assertNotNull(Ipv4.parse(f, o, f.length - o));
        assertNull(Ipv4.parse(f, o, 19), "shorter than a header");
        assertNull(Ipv4.parse(f, o, f.length - o - 1), "total length beyond the frame");
        byte[] bad = f.clone();
        bad[o + 8]--;
        assertNull(Ipv4.parse(bad, o, bad.length - o), "checksum");
        bad = f.clone();
        bad[o] = 0x65;
        assertNull(Ipv4.parse(bad, o, bad.length - o), "version 6");
        bad = f.clone();
        bad[o] = 0x44;
        assertNull(Ipv4.parse(bad, o, bad.length - o), "header length 16");
        byte[] frag = f.clone();
        Bytes.put16(frag, o + 6, 0x2000);
        Bytes.put16(frag, o + 10, 0);
        Bytes.put16(frag, o + 10, Checksum.of(frag, o, 20));
        assertTrue(Ipv4.parse(frag, o, frag.length - o).fragment(), "more fragments");
    }

    @Test
    void udpRoundTripAndRejections() {
        byte[] data = "payload".getBytes();
        byte[] f = Udp.frame(1, 2, 0x0a00020f, 1234, 0x0a000202, 53, data, 0, data.length, 9);
        Ipv4 ip = Ipv4.parse(f, Ethernet.HEADER, f.length - Ethernet.HEADER);
        Udp u = Udp.parse(f, ip.payloadOffset(), ip.payloadLength(), ip.source(), ip.destination());
        assertEquals(1234, u.sourcePort());
        assertEquals(53, u.destinationPort());
        assertEquals("payload", new String(f, u.dataOffset(), u.dataLength()));
        assertNull(Udp.parse(f, ip.payloadOffset(), 7, ip.source(), ip.destination()), "short");
        assertNull(Udp.parse(f, ip.payloadOffset(), ip.payloadLength(), ip.source() + 1, ip.destination()), "checksum");
        byte[] noSum = f.clone();
        Bytes.put16(noSum, ip.payloadOffset() + 6, 0);
        assertNotNull(Udp.parse(noSum, ip.payloadOffset(), ip.payloadLength(), 0, 0), "checksum 0 means none");
        Bytes.put16(noSum, ip.payloadOffset() + 4, 100);
        assertNull(Udp.parse(noSum, ip.payloadOffset(), ip.payloadLength(), 0, 0), "length beyond the IP payload");
    }

    @Test
    void tcpRoundTripWithOptionsAndRejections() {
        byte[] data = new byte[100];
        byte[] f = Tcp.frame(1, 2, 0x0a00020f, 40000, 0x0a000202, 80, 0x12345678, 0x9abcdef0, Tcp.SYN | Tcp.ACK, 29200,
                1460, 7, data, 0, data.length, 3);
        Ipv4 ip = Ipv4.parse(f, Ethernet.HEADER, f.length - Ethernet.HEADER);
        Tcp t = Tcp.parse(f, ip.payloadOffset(), ip.payloadLength(), ip.source(), ip.destination());
        assertEquals(40000, t.sourcePort());
        assertEquals(80, t.destinationPort());
        assertEquals(0x12345678, t.sequence());
        assertEquals(0x9abcdef0, t.acknowledgment());
        assertTrue(t.has(Tcp.SYN) && t.has(Tcp.ACK) && !t.has(Tcp.FIN));
        assertEquals(29200, t.window());
        assertEquals(1460, t.mss());
        assertEquals(7, t.windowScale());
        assertEquals(100, t.dataLength());
        assertNull(Tcp.parse(f, ip.payloadOffset(), 19, ip.source(), ip.destination()), "short");
        assertNull(Tcp.parse(f, ip.payloadOffset(), ip.payloadLength(), ip.source(), ip.destination() ^ 1), "checksum");
        byte[] bad = f.clone();
        bad[ip.payloadOffset() + 12] = (byte) 0xf0; // a 60-byte header...
        bad[ip.payloadOffset() + 21] = (byte) 45; // ...whose first option claims to run to byte 65
        fixTcp(bad, ip);
        assertNull(Tcp.parse(bad, ip.payloadOffset(), ip.payloadLength(), ip.source(), ip.destination()), "option length");
        bad = f.clone();
        bad[ip.payloadOffset() + 12] = (byte) 0x40; // header length 16
        fixTcp(bad, ip);
        assertNull(Tcp.parse(bad, ip.payloadOffset(), ip.payloadLength(), ip.source(), ip.destination()), "header 16");
    }

    private static void fixTcp(byte[] f, Ipv4 ip) {
        Bytes.put16(f, ip.payloadOffset() + 16, 0);
        Bytes.put16(f, ip.payloadOffset() + 16, Checksum.finish(Checksum.sum(f, ip.payloadOffset(), ip.payloadLength(),
                Checksum.pseudoHeader(ip.source(), ip.destination(), Ipv4.TCP, ip.payloadLength()))));
    }

    @Test
    void icmpEchoRoundTripAndChecksum() {
        byte[] data = {1, 2, 3, 4, 5};
        byte[] f = Icmp.echoFrame(1, 2, 3, 4, Icmp.ECHO_REQUEST, 0x1111, 7, data, 0, data.length, 1);
        Ipv4 ip = Ipv4.parse(f, Ethernet.HEADER, f.length - Ethernet.HEADER);
        Icmp i = Icmp.parse(f, ip.payloadOffset(), ip.payloadLength());
        assertEquals(Icmp.ECHO_REQUEST, i.type());
        assertEquals(0x1111, i.identifier());
        assertEquals(7, i.sequence());
        assertEquals(5, i.dataLength());
        f[f.length - 1] ^= 1;
        assertNull(Icmp.parse(f, ip.payloadOffset(), ip.payloadLength()));
        assertNull(Icmp.parse(f, ip.payloadOffset(), 7));
    }

    @Test
    void arpRoundTripAndRejections() {
        byte[] f = new Arp(Arp.REQUEST, 0x5254_0012_3456L, 0x0a00020f, 0, 0x0a000202).toFrame();
        assertEquals(Ethernet.BROADCAST, Ethernet.destination(f));
        assertEquals(Ethernet.TYPE_ARP, Ethernet.type(f));
        Arp a = Arp.parse(f, Ethernet.HEADER, f.length - Ethernet.HEADER);
        assertEquals(new Arp(Arp.REQUEST, 0x5254_0012_3456L, 0x0a00020f, 0, 0x0a000202), a);
        assertNull(Arp.parse(f, Ethernet.HEADER, 27));
        byte[] bad = f.clone();
        bad[Ethernet.HEADER + 4] = 8; // hardware length
        assertNull(Arp.parse(bad, Ethernet.HEADER, bad.length - Ethernet.HEADER));
        bad = f.clone();
        bad[Ethernet.HEADER + 7] = 3; // RARP
        assertNull(Arp.parse(bad, Ethernet.HEADER, bad.length - Ethernet.HEADER));
    }

    @Test
    void dhcpParsesTheServersFieldsAndRejectsBadOptions() {
        byte[] m = new Dhcp.Reply(0xcafe, 0x8000, 0, 0, 0x5254_0012_3456L).byteOption(53, Dhcp.REQUEST)
                .intOption(50, 0x0a00020f).intOption(54, 0x0a000202).bytes();
        m[0] = 1; // as a client's request
        Dhcp d = Dhcp.parse(m, 0, m.length);
        assertEquals(new Dhcp(0xcafe, 0x8000, 0, 0x5254_0012_3456L, Dhcp.REQUEST, 0x0a00020f, 0x0a000202), d);
        assertEquals(300, m.length, "padded to BOOTP's minimum");
        assertNull(Dhcp.parse(m, 0, 239), "no room for the cookie");
        byte[] bad = m.clone();
        bad[236] = 0;
        assertNull(Dhcp.parse(bad, 0, bad.length), "cookie");
        bad = m.clone();
        bad[241] = (byte) 200; // the first option runs past the end
        assertNull(Dhcp.parse(bad, 0, 250), "option length");
        bad = m.clone();
        bad[0] = 2;
        assertNull(Dhcp.parse(bad, 0, bad.length), "a reply is not a request");
    }

    @Test
    void addressesPrintAndParse() {
        assertEquals("10.0.2.15", Bytes.ip(0x0a00020f));
        assertEquals("52:54:00:12:34:56", Bytes.mac(0x5254_0012_3456L));
        assertEquals(0x0a00020f, Bytes.parseIp("10.0.2.15"));
        assertEquals(0x0a000002, Bytes.parseIp("10.0.2"), "inet_aton: the last part fills the rest");
        assertEquals(0x0a00020f, Bytes.parseIp("0x0a.0.02.017"), "hex and octal parts");
        assertEquals(0x7f000001, Bytes.parseIp("2130706433"));
        assertNull(Bytes.parseIp("10.0.2.256"));
        assertNull(Bytes.parseIp("10.0.2.3.4"));
        assertNull(Bytes.parseIp("08.0.0.1"), "8 is no octal digit");
        assertNull(Bytes.parseIp("10.0.2.x"));
        assertNull(Bytes.parseIp("10..2.1"));
    }
}
