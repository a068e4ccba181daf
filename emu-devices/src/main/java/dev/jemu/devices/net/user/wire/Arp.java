package dev.jemu.devices.net.user.wire;

/** An ARP packet for IPv4 over Ethernet (RFC 826), after the Ethernet header. */
public record Arp(int operation, long senderMac, int senderIp, long targetMac, int targetIp) {
    public static final int LENGTH = 28;
    public static final int REQUEST = 1;
    public static final int REPLY = 2;

    /** The packet at {@code off}, or null when it is short or not Ethernet/IPv4 ARP. */
    public static Arp parse(byte[] b, int off, int len) {
        if (len < LENGTH || Bytes.u16(b, off) != 1 || Bytes.u16(b, off + 2) != Ethernet.TYPE_IPV4
                || Bytes.u8(b, off + 4) != 6 || Bytes.u8(b, off + 5) != 4) {
            return null;
        }
        int op = Bytes.u16(b, off + 6);
        if (op != REQUEST && op != REPLY) {
            return null;
        }
        return new Arp(op, Bytes.u48(b, off + 8), Bytes.i32(b, off + 14), Bytes.u48(b, off + 18), Bytes.i32(b, off + 24));
    }

    /** A whole Ethernet frame carrying this packet; requests go to broadcast, replies to the target. */
    public byte[] toFrame() {
        byte[] f = new byte[Ethernet.HEADER + LENGTH];
        Ethernet.writeHeader(f, operation == REQUEST ? Ethernet.BROADCAST : targetMac, senderMac, Ethernet.TYPE_ARP);
        int o = Ethernet.HEADER;
        Bytes.put16(f, o, 1);
        Bytes.put16(f, o + 2, Ethernet.TYPE_IPV4);
        f[o + 4] = 6;
        f[o + 5] = 4;
        Bytes.put16(f, o + 6, operation);
        Bytes.put48(f, o + 8, senderMac);
        Bytes.put32(f, o + 14, senderIp);
        Bytes.put48(f, o + 18, targetMac);
        Bytes.put32(f, o + 24, targetIp);
        return f;
    }
}
