package dev.jemu.devices.net.user.wire;

/** An ICMP message (RFC 792) with a correct checksum; echo request/reply carry an identifier and sequence. */
public record Icmp(int type, int code, int identifier, int sequence, int dataOffset, int dataLength) {
    public static final int HEADER = 8;
    public static final int ECHO_REPLY = 0;
    public static final int DEST_UNREACHABLE = 3;
    public static final int ECHO_REQUEST = 8;

    /** The message in an IP payload at {@code off} of {@code len} bytes, or null when short or its checksum is wrong. */
    public static Icmp parse(byte[] b, int off, int len) {
        if (len < HEADER || Checksum.of(b, off, len) != 0) {
            return null;
        }
        return new Icmp(Bytes.u8(b, off), Bytes.u8(b, off + 1), Bytes.u16(b, off + 4), Bytes.u16(b, off + 6),
                off + HEADER, len - HEADER);
    }

    /** A whole frame with an echo message (request or reply) carrying {@code data[off, off+len)}. */
    public static byte[] echoFrame(long dstMac, long srcMac, int srcIp, int dstIp, int type, int identifier,
                                   int sequence, byte[] data, int off, int len, int ipIdentification) {
        byte[] f = Ipv4.frame(dstMac, srcMac, Ipv4.ICMP, srcIp, dstIp, HEADER + len, ipIdentification);
        int o = Ipv4.FRAME_PAYLOAD;
        f[o] = (byte) type;
        Bytes.put16(f, o + 4, identifier);
        Bytes.put16(f, o + 6, sequence);
        System.arraycopy(data, off, f, o + HEADER, len);
        Bytes.put16(f, o + 2, Checksum.of(f, o, HEADER + len));
        return f;
    }
}
