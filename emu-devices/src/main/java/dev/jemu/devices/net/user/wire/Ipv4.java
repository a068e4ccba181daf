package dev.jemu.devices.net.user.wire;

/**
 * An IPv4 header (RFC 791) checked before use: version 4, a header length of at least 20 bytes, a total length
 * that fits the frame, a correct header checksum. {@code payloadOffset}/{@code payloadLength} bound the payload
 * (Ethernet padding after the total length is not part of it). Fragments are recognised, not reassembled.
 */
public record Ipv4(int headerLength, int totalLength, int identification, boolean fragment, int ttl, int protocol,
                   int source, int destination, int payloadOffset, int payloadLength) {
    public static final int MIN_HEADER = 20;
    public static final int ICMP = 1;
    public static final int TCP = 6;
    public static final int UDP = 17;
    public static final int BROADCAST = 0xffffffff;

    /** The header at {@code off} with {@code len} bytes of frame after it, or null when malformed. */
    public static Ipv4 parse(byte[] b, int off, int len) {
        if (len < MIN_HEADER || (b[off] & 0xf0) != 0x40) {
            return null;
        }
        int ihl = (b[off] & 0x0f) * 4;
        int total = Bytes.u16(b, off + 2);
        if (ihl < MIN_HEADER || total < ihl || total > len || Checksum.of(b, off, ihl) != 0) {
            return null;
        }
        int flagsFragment = Bytes.u16(b, off + 6);
        boolean fragment = (flagsFragment & 0x2000) != 0 || (flagsFragment & 0x1fff) != 0;
        return new Ipv4(ihl, total, Bytes.u16(b, off + 4), fragment, Bytes.u8(b, off + 8), Bytes.u8(b, off + 9),
                Bytes.i32(b, off + 12), Bytes.i32(b, off + 16), off + ihl, total - ihl);
    }

    /** Writes a 20-byte header (don't-fragment set, TTL 64) with its checksum at {@code off}. */
    public static void writeHeader(byte[] b, int off, int protocol, int source, int destination, int payloadLength,
                                   int identification) {
        b[off] = 0x45;
        b[off + 1] = 0;
        Bytes.put16(b, off + 2, MIN_HEADER + payloadLength);
        Bytes.put16(b, off + 4, identification);
        Bytes.put16(b, off + 6, 0x4000);
        b[off + 8] = 64;
        b[off + 9] = (byte) protocol;
        Bytes.put16(b, off + 10, 0);
        Bytes.put32(b, off + 12, source);
        Bytes.put32(b, off + 16, destination);
        Bytes.put16(b, off + 10, Checksum.of(b, off, MIN_HEADER));
    }

    /** A new frame with Ethernet and IPv4 headers written and room for {@code payloadLength} bytes after them. */
    public static byte[] frame(long dstMac, long srcMac, int protocol, int source, int destination, int payloadLength,
                               int identification) {
        byte[] f = new byte[Ethernet.HEADER + MIN_HEADER + payloadLength];
        Ethernet.writeHeader(f, dstMac, srcMac, Ethernet.TYPE_IPV4);
        writeHeader(f, Ethernet.HEADER, protocol, source, destination, payloadLength, identification);
        return f;
    }

    /**
     * Splits a frame made by {@link #frame} whose IP packet is larger than {@code mtu} into fragments of at most
     * {@code mtu} bytes (RFC 791: payload in multiples of 8 bytes, more-fragments on all but the last).
     */
    public static java.util.List<byte[]> fragments(byte[] frame, int mtu) {
        int payload = frame.length - FRAME_PAYLOAD;
        int chunk = (mtu - MIN_HEADER) & ~7;
        java.util.List<byte[]> out = new java.util.ArrayList<>();
        int protocol = Bytes.u8(frame, Ethernet.HEADER + 9);
        int id = Bytes.u16(frame, Ethernet.HEADER + 4);
        int src = Bytes.i32(frame, Ethernet.HEADER + 12);
        int dst = Bytes.i32(frame, Ethernet.HEADER + 16);
        for (int off = 0; off < payload; off += chunk) {
            int n = Math.min(chunk, payload - off);
            byte[] f = frame(Ethernet.destination(frame), Ethernet.source(frame), protocol, src, dst, n, id);
            boolean more = off + n < payload;
            Bytes.put16(f, Ethernet.HEADER + 6, (more ? 0x2000 : 0) | (off >>> 3));
            Bytes.put16(f, Ethernet.HEADER + 10, 0);
            Bytes.put16(f, Ethernet.HEADER + 10, Checksum.of(f, Ethernet.HEADER, MIN_HEADER));
            System.arraycopy(frame, FRAME_PAYLOAD + off, f, FRAME_PAYLOAD, n);
            out.add(f);
        }
        return out;
    }

    /** Where a payload starts in a frame made by {@link #frame}. */
    public static final int FRAME_PAYLOAD = Ethernet.HEADER + MIN_HEADER;
}
