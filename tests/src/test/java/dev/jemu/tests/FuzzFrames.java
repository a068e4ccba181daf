package dev.jemu.tests;

import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.Random;

/**
 * Fuzzed Ethernet frames for a VM's network link: well-formed seeds (DHCP discover, DNS query, UDP, TCP SYN and
 * data, ICMP echo, ARP, to the user stack's gateway and to the guest) truncated, padded, oversized, with
 * random bytes flipped, or random garbage. IPv4 destinations stay inside 10.0.2.0/24 so that nothing is sent
 * to the world; half the mutated frames get their IPv4/TCP/UDP/ICMP checksums fixed to reach deeper layers.
 */
final class FuzzFrames {
    private FuzzFrames() {
    }

    static byte[] next(Random r, byte[] self, byte[] guest, byte[] gateway) {
        byte[] seed = seed(r, self, r.nextBoolean() ? guest : gateway);
        byte[] f;
        switch (r.nextInt(10)) {
            case 0 -> { // garbage of any length up to a jumbo frame, or none at all
                f = new byte[r.nextInt(4) == 0 ? r.nextInt(14) : r.nextInt(9000)];
                r.nextBytes(f);
                return f;
            }
            case 1, 2 -> f = Arrays.copyOf(seed, r.nextInt(seed.length + 1)); // truncated at any byte
            case 3 -> f = Arrays.copyOf(seed, seed.length + r.nextInt(r.nextBoolean() ? 100 : 8000)); // padded, oversized
            default -> f = seed;
        }
        int flips = r.nextInt(6);
        for (int i = 0; i < flips && f.length > 0; i++) {
            int at = f.length > 14 && r.nextInt(10) < 7 ? 14 + r.nextInt(Math.min(f.length - 14, 64)) : r.nextInt(f.length);
            f[at] = (byte) switch (r.nextInt(4)) {
                case 0 -> 0;
                case 1 -> 0xff;
                default -> r.nextInt(256);
            };
        }
        if (f.length >= 34 && f[12] == 8 && f[13] == 0) {
            f[30] = 10; // destination 10.0.2.x
            f[31] = 0;
            f[32] = 2;
            if (r.nextBoolean()) {
                fixChecksums(f);
            }
        }
        return f;
    }

    private static byte[] seed(Random r, byte[] self, byte[] to) {
        int closedPort = 9; // discard: nothing listens on the host's loopback there
        return switch (r.nextInt(8)) {
            case 0 -> {
                byte[] dhcp = new byte[300];
                dhcp[0] = 1;
                dhcp[1] = 1;
                dhcp[2] = 6;
                System.arraycopy(self, 0, dhcp, 28, 6);
                ByteBuffer.wrap(dhcp).putInt(236, 0x63825363);
                dhcp[240] = 53;
                dhcp[241] = 1;
                dhcp[242] = 1;
                dhcp[243] = (byte) 255;
                yield ipv4(new byte[] {-1, -1, -1, -1, -1, -1}, self, 0, 0xffffffff, 17, udp(68, 67, dhcp));
            }
            case 1 -> ipv4(to, self, ip(77), ip(3), 17, udp(5353, 53,
                    new byte[] {0x12, 0x34, 1, 0, 0, 1, 0, 0, 0, 0, 0, 0, 3, 'f', 'o', 'o', 0, 0, 1, 0, 1}));
            case 2 -> ipv4(to, self, ip(77), ip(2), 17, udp(40000, closedPort, new byte[r.nextInt(200)]));
            case 3 -> ipv4(to, self, ip(77), ip(2), 6, tcp(30000 + r.nextInt(100), closedPort, 0x02, new byte[0]));
            case 4 -> ipv4(to, self, ip(77), ip(r.nextBoolean() ? 2 : 15), 6,
                    tcp(30000 + r.nextInt(100), 5000, 0x18, new byte[r.nextInt(1400)]));
            case 5 -> ipv4(to, self, ip(77), ip(r.nextBoolean() ? 2 : 15), 1, icmpEcho(new byte[56]));
            case 6 -> {
                ByteBuffer b = ByteBuffer.allocate(42);
                b.put(new byte[] {-1, -1, -1, -1, -1, -1}).put(self).putShort((short) 0x0806);
                b.putShort((short) 1).putShort((short) 0x0800).put((byte) 6).put((byte) 4).putShort((short) 1);
                b.put(self).putInt(ip(77)).put(new byte[6]).putInt(ip(r.nextBoolean() ? 2 : 15));
                yield b.array();
            }
            default -> { // IPv6, which the user stack does not route
                byte[] f = new byte[80];
                System.arraycopy(to, 0, f, 0, 6);
                System.arraycopy(self, 0, f, 6, 6);
                f[12] = (byte) 0x86;
                f[13] = (byte) 0xdd;
                f[14] = 0x60;
                yield f;
            }
        };
    }

    private static int ip(int last) {
        return 0x0a000200 | last;
    }

    private static byte[] ipv4(byte[] dst, byte[] src, int from, int to, int proto, byte[] l4) {
        ByteBuffer b = ByteBuffer.allocate(34 + l4.length);
        b.put(dst).put(src).putShort((short) 0x0800);
        b.put((byte) 0x45).put((byte) 0).putShort((short) (20 + l4.length)).putInt(0).put((byte) 64).put((byte) proto)
                .putShort((short) 0).putInt(from).putInt(to);
        b.put(l4);
        byte[] f = b.array();
        fixChecksums(f);
        return f;
    }

    private static byte[] udp(int sport, int dport, byte[] data) {
        return ByteBuffer.allocate(8 + data.length).putShort((short) sport).putShort((short) dport)
                .putShort((short) (8 + data.length)).putShort((short) 0).put(data).array();
    }

    private static byte[] tcp(int sport, int dport, int flags, byte[] data) {
        return ByteBuffer.allocate(20 + data.length).putShort((short) sport).putShort((short) dport).putInt(1000)
                .putInt(flags == 0x02 ? 0 : 5000).put((byte) 0x50).put((byte) flags).putShort((short) 8192)
                .putInt(0).put(data).array();
    }

    private static byte[] icmpEcho(byte[] data) {
        return ByteBuffer.allocate(8 + data.length).put((byte) 8).put((byte) 0).putShort((short) 0).putInt(0x00090001)
                .put(data).array();
    }

    /** Recomputes the IPv4 header checksum and the TCP/UDP/ICMP one, as far as the frame's bytes go. */
    static void fixChecksums(byte[] f) {
        int ihl = (f[14] & 0x0f) * 4;
        if (ihl < 20 || 14 + ihl > f.length) {
            return;
        }
        put16(f, 24, 0);
        put16(f, 24, checksum(f, 14, ihl, 0));
        int total = Math.min(((f[16] & 0xff) << 8 | (f[17] & 0xff)), f.length - 14);
        int l4 = 14 + ihl, len = total - ihl, proto = f[23] & 0xff;
        int at = switch (proto) {
            case 6 -> 16;
            case 17 -> 6;
            case 1 -> 2;
            default -> -1;
        };
        if (len <= at + 1 || at < 0) {
            return;
        }
        put16(f, l4 + at, 0);
        int pseudo = 0;
        if (proto != 1) {
            pseudo = sum16(f, 26, 8) + proto + len;
        }
        int c = checksum(f, l4, len, pseudo);
        put16(f, l4 + at, proto == 17 && c == 0 ? 0xffff : c);
    }

    private static int sum16(byte[] b, int off, int len) {
        int s = 0;
        for (int i = 0; i < len; i += 2) {
            s += (b[off + i] & 0xff) << 8 | (i + 1 < len ? b[off + i + 1] & 0xff : 0);
        }
        return s;
    }

    private static int checksum(byte[] b, int off, int len, int initial) {
        long s = initial + (long) sum16(b, off, len);
        while ((s >> 16) != 0) {
            s = (s & 0xffff) + (s >> 16);
        }
        return (int) (~s & 0xffff);
    }

    private static void put16(byte[] b, int off, int v) {
        b[off] = (byte) (v >> 8);
        b[off + 1] = (byte) v;
    }
}
