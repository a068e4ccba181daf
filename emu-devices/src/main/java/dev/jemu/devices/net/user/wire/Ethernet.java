package dev.jemu.devices.net.user.wire;

/** Ethernet II framing (no preamble, no FCS): destination MAC, source MAC, EtherType. */
public final class Ethernet {
    public static final int HEADER = 14;
    public static final int TYPE_IPV4 = 0x0800;
    public static final int TYPE_ARP = 0x0806;
    public static final int TYPE_IPV6 = 0x86dd;
    public static final long BROADCAST = 0xffff_ffff_ffffL;
    /** The largest frame the stack takes or makes: a 1500-byte MTU plus the header (VLAN tags are not used). */
    public static final int MAX_FRAME = 1514;

    private Ethernet() {
    }

    /** A frame long enough for its header and no longer than the MTU allows. */
    public static boolean valid(byte[] f, int len) {
        return len >= HEADER && len <= MAX_FRAME;
    }

    public static long destination(byte[] f) {
        return Bytes.u48(f, 0);
    }

    public static long source(byte[] f) {
        return Bytes.u48(f, 6);
    }

    public static int type(byte[] f) {
        return Bytes.u16(f, 12);
    }

    public static void writeHeader(byte[] f, long destination, long source, int type) {
        Bytes.put48(f, 0, destination);
        Bytes.put48(f, 6, source);
        Bytes.put16(f, 12, type);
    }

    /** A group (multicast or broadcast) address. */
    public static boolean isGroup(long mac) {
        return ((mac >>> 40) & 1) != 0;
    }
}
