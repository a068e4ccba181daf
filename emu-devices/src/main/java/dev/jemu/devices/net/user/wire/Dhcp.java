package dev.jemu.devices.net.user.wire;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/**
 * A BOOTP/DHCP client message (RFC 2131/2132) as the server needs it: transaction id, flags, the client's
 * address and hardware address, and the options a server acts on. {@code messageType} is 0 for plain BOOTP;
 * {@code requestedIp} and {@code serverId} are 0 when absent.
 */
public record Dhcp(int xid, int flags, int clientIp, long clientMac, int messageType, int requestedIp, int serverId) {
    public static final int SERVER_PORT = 67;
    public static final int CLIENT_PORT = 68;
    public static final int DISCOVER = 1;
    public static final int OFFER = 2;
    public static final int REQUEST = 3;
    public static final int DECLINE = 4;
    public static final int ACK = 5;
    public static final int NAK = 6;
    public static final int RELEASE = 7;
    public static final int INFORM = 8;
    private static final int FIXED = 236;
    private static final int COOKIE = 0x63825363;

    /** A client request in a UDP payload, or null when it is not a well-formed Ethernet BOOTREQUEST. */
    public static Dhcp parse(byte[] b, int off, int len) {
        if (len < FIXED + 4 || Bytes.u8(b, off) != 1 || Bytes.u8(b, off + 1) != 1 || Bytes.u8(b, off + 2) != 6
                || Bytes.i32(b, off + FIXED) != COOKIE) {
            return null;
        }
        int type = 0;
        int requested = 0;
        int server = 0;
        int o = off + FIXED + 4;
        int end = off + len;
        while (o < end) {
            int code = Bytes.u8(b, o);
            if (code == 255) {
                break;
            }
            if (code == 0) {
                o++;
                continue;
            }
            if (o + 1 >= end || o + 2 + Bytes.u8(b, o + 1) > end) {
                return null;
            }
            int optLen = Bytes.u8(b, o + 1);
            if (code == 53 && optLen == 1) {
                type = Bytes.u8(b, o + 2);
            } else if (code == 50 && optLen == 4) {
                requested = Bytes.i32(b, o + 2);
            } else if (code == 54 && optLen == 4) {
                server = Bytes.i32(b, o + 2);
            }
            o += 2 + optLen;
        }
        return new Dhcp(Bytes.i32(b, off + 4), Bytes.u16(b, off + 10), Bytes.i32(b, off + 12), Bytes.u48(b, off + 28),
                type, requested, server);
    }

    /** Builds a server reply (BOOTREPLY): fixed part, then options added in order, then the end option. */
    public static final class Reply {
        private final ByteArrayOutputStream out = new ByteArrayOutputStream(300);

        public Reply(int xid, int flags, int yourIp, int serverIp, long clientMac) {
            byte[] fixed = new byte[FIXED + 4];
            fixed[0] = 2;
            fixed[1] = 1;
            fixed[2] = 6;
            Bytes.put32(fixed, 4, xid);
            Bytes.put16(fixed, 10, flags);
            Bytes.put32(fixed, 16, yourIp);
            Bytes.put32(fixed, 20, serverIp);
            Bytes.put48(fixed, 28, clientMac);
            Bytes.put32(fixed, FIXED, COOKIE);
            out.writeBytes(fixed);
        }

        public Reply option(int code, byte[] value) {
            for (int i = 0; i < value.length; i += 255) {
                int n = Math.min(255, value.length - i);
                out.write(code);
                out.write(n);
                out.write(value, i, n);
            }
            return this;
        }

        public Reply byteOption(int code, int value) {
            return option(code, new byte[] {(byte) value});
        }

        public Reply intOption(int code, int value) {
            byte[] v = new byte[4];
            Bytes.put32(v, 0, value);
            return option(code, v);
        }

        public Reply textOption(int code, String value) {
            return option(code, value.getBytes(StandardCharsets.US_ASCII));
        }

        /** The UDP payload: the message padded to BOOTP's minimum of 300 bytes. */
        public byte[] bytes() {
            out.write(255);
            while (out.size() < 300) {
                out.write(0);
            }
            return out.toByteArray();
        }
    }
}
