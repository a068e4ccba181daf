package dev.jemu.devices.net.user.wire;

/**
 * A TCP header (RFC 9293) checked before use: data offset inside the segment, well-formed options, the checksum.
 * {@code mss} is 0 and {@code windowScale} -1 when the segment does not carry those options.
 */
public record Tcp(int sourcePort, int destinationPort, int sequence, int acknowledgment, int flags, int window,
                  int dataOffset, int dataLength, int mss, int windowScale) {
    public static final int HEADER = 20;
    public static final int FIN = 0x01;
    public static final int SYN = 0x02;
    public static final int RST = 0x04;
    public static final int PSH = 0x08;
    public static final int ACK = 0x10;

    public boolean has(int flag) {
        return (flags & flag) != 0;
    }

    /** The segment in an IP payload at {@code off} of {@code len} bytes, or null when malformed. */
    public static Tcp parse(byte[] b, int off, int len, int srcIp, int dstIp) {
        if (len < HEADER) {
            return null;
        }
        int headerLength = (Bytes.u8(b, off + 12) >>> 4) * 4;
        if (headerLength < HEADER || headerLength > len
                || Checksum.finish(Checksum.sum(b, off, len, Checksum.pseudoHeader(srcIp, dstIp, Ipv4.TCP, len))) != 0) {
            return null;
        }
        int mss = 0;
        int scale = -1;
        int o = off + HEADER;
        int end = off + headerLength;
        while (o < end) {
            int kind = Bytes.u8(b, o);
            if (kind == 0) {
                break;
            }
            if (kind == 1) {
                o++;
                continue;
            }
            if (o + 1 >= end) {
                return null;
            }
            int optLen = Bytes.u8(b, o + 1);
            if (optLen < 2 || o + optLen > end) {
                return null;
            }
            if (kind == 2 && optLen == 4) {
                mss = Bytes.u16(b, o + 2);
            } else if (kind == 3 && optLen == 3) {
                scale = Math.min(14, Bytes.u8(b, o + 2));
            }
            o += optLen;
        }
        return new Tcp(Bytes.u16(b, off), Bytes.u16(b, off + 2), Bytes.i32(b, off + 4), Bytes.i32(b, off + 8),
                Bytes.u8(b, off + 13), Bytes.u16(b, off + 14), off + headerLength, len - headerLength, mss, scale);
    }

    /**
     * A whole Ethernet/IPv4/TCP frame, checksummed; {@code mss} > 0 and {@code windowScale} >= 0 add those
     * options (for a SYN).
     */
    public static byte[] frame(long dstMac, long srcMac, int srcIp, int srcPort, int dstIp, int dstPort, int seq,
                               int ack, int flags, int window, int mss, int windowScale, byte[] data, int off, int len,
                               int identification) {
        int options = (mss > 0 ? 4 : 0) + (windowScale >= 0 ? 4 : 0);
        int headerLength = HEADER + options;
        byte[] f = Ipv4.frame(dstMac, srcMac, Ipv4.TCP, srcIp, dstIp, headerLength + len, identification);
        int o = Ipv4.FRAME_PAYLOAD;
        Bytes.put16(f, o, srcPort);
        Bytes.put16(f, o + 2, dstPort);
        Bytes.put32(f, o + 4, seq);
        Bytes.put32(f, o + 8, ack);
        f[o + 12] = (byte) ((headerLength / 4) << 4);
        f[o + 13] = (byte) flags;
        Bytes.put16(f, o + 14, window);
        int p = o + HEADER;
        if (mss > 0) {
            f[p] = 2;
            f[p + 1] = 4;
            Bytes.put16(f, p + 2, mss);
            p += 4;
        }
        if (windowScale >= 0) {
            f[p] = 1;
            f[p + 1] = 3;
            f[p + 2] = 3;
            f[p + 3] = (byte) windowScale;
        }
        if (len > 0) {
            System.arraycopy(data, off, f, o + headerLength, len);
        }
        int segment = headerLength + len;
        Bytes.put16(f, o + 16, Checksum.finish(Checksum.sum(f, o, segment, Checksum.pseudoHeader(srcIp, dstIp, Ipv4.TCP, segment))));
        return f;
    }
}
