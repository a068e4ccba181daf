package dev.jemu.devices.net.user.wire;

/** A UDP header (RFC 768) checked before use: a length that fits the IP payload and, when present, the checksum. */
public record Udp(int sourcePort, int destinationPort, int dataOffset, int dataLength) {
    public static final int HEADER = 8;

    /** The datagram in an IP payload at {@code off} of {@code len} bytes, or null when malformed. */
    public static Udp parse(byte[] b, int off, int len, int srcIp, int dstIp) {
        if (len < HEADER) {
            return null;
        }
        int length = Bytes.u16(b, off + 4);
        if (length < HEADER || length > len) {
            return null;
        }
        if (Bytes.u16(b, off + 6) != 0
                && Checksum.finish(Checksum.sum(b, off, length, Checksum.pseudoHeader(srcIp, dstIp, Ipv4.UDP, length))) != 0) {
            return null;
        }
        return new Udp(Bytes.u16(b, off), Bytes.u16(b, off + 2), off + HEADER, length - HEADER);
    }

    /** A whole Ethernet/IPv4/UDP frame carrying {@code data[off, off+len)}, checksummed. */
    public static byte[] frame(long dstMac, long srcMac, int srcIp, int srcPort, int dstIp, int dstPort,
                               byte[] data, int off, int len, int identification) {
        byte[] f = Ipv4.frame(dstMac, srcMac, Ipv4.UDP, srcIp, dstIp, HEADER + len, identification);
        int o = Ipv4.FRAME_PAYLOAD;
        Bytes.put16(f, o, srcPort);
        Bytes.put16(f, o + 2, dstPort);
        Bytes.put16(f, o + 4, HEADER + len);
        System.arraycopy(data, off, f, o + HEADER, len);
        int sum = Checksum.finish(Checksum.sum(f, o, HEADER + len, Checksum.pseudoHeader(srcIp, dstIp, Ipv4.UDP, HEADER + len)));
        Bytes.put16(f, o + 6, sum == 0 ? 0xffff : sum);
        return f;
    }
}
