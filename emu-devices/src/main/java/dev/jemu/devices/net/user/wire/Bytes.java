package dev.jemu.devices.net.user.wire;

/** Big-endian (network order) field access on byte arrays, and the printing of addresses. */
public final class Bytes {
    private Bytes() {
    }

    public static int u8(byte[] b, int off) {
        return b[off] & 0xff;
    }

    public static int u16(byte[] b, int off) {
        return ((b[off] & 0xff) << 8) | (b[off + 1] & 0xff);
    }

    public static int i32(byte[] b, int off) {
        return ((b[off] & 0xff) << 24) | ((b[off + 1] & 0xff) << 16) | ((b[off + 2] & 0xff) << 8) | (b[off + 3] & 0xff);
    }

    public static long u48(byte[] b, int off) {
        return ((long) u16(b, off) << 32) | (i32(b, off + 2) & 0xffffffffL);
    }

    public static void put16(byte[] b, int off, int v) {
        b[off] = (byte) (v >>> 8);
        b[off + 1] = (byte) v;
    }

    public static void put32(byte[] b, int off, int v) {
        b[off] = (byte) (v >>> 24);
        b[off + 1] = (byte) (v >>> 16);
        b[off + 2] = (byte) (v >>> 8);
        b[off + 3] = (byte) v;
    }

    public static void put48(byte[] b, int off, long v) {
        put16(b, off, (int) (v >>> 32));
        put32(b, off + 2, (int) v);
    }

    /** Dotted quad of an IPv4 address held in an int. */
    public static String ip(int a) {
        return (a >>> 24) + "." + ((a >>> 16) & 0xff) + "." + ((a >>> 8) & 0xff) + "." + (a & 0xff);
    }

    /** Colon-separated MAC address held in the low 48 bits of a long. */
    public static String mac(long m) {
        StringBuilder s = new StringBuilder(17);
        for (int i = 5; i >= 0; i--) {
            s.append(String.format("%02x", (m >>> (8 * i)) & 0xff));
            if (i > 0) {
                s.append(':');
            }
        }
        return s.toString();
    }

    /**
     * Parses an IPv4 address as inet_aton(3) does, which is what QEMU's options take: one to four parts, each
     * decimal, octal (leading 0) or hex (0x), the last part filling the remaining bytes ("10.0.2" is 10.0.0.2).
     * Null when it is not one.
     */
    public static Integer parseIp(String s) {
        String[] p = s.split("\\.", -1);
        if (p.length == 0 || p.length > 4) {
            return null;
        }
        long[] v = new long[p.length];
        for (int i = 0; i < p.length; i++) {
            Long n = inetNumber(p[i]);
            if (n == null) {
                return null;
            }
            v[i] = n;
        }
        long a = 0;
        for (int i = 0; i < p.length - 1; i++) {
            if (v[i] > 255) {
                return null;
            }
            a |= v[i] << (24 - 8 * i);
        }
        long last = v[p.length - 1];
        if (last > (0xffffffffL >>> (8 * (p.length - 1)))) {
            return null;
        }
        return (int) (a | last);
    }

    private static Long inetNumber(String t) {
        int radix = 10;
        String digits = t;
        if (t.startsWith("0x") || t.startsWith("0X")) {
            radix = 16;
            digits = t.substring(2);
        } else if (t.length() > 1 && t.startsWith("0")) {
            radix = 8;
            digits = t.substring(1);
        }
        if (digits.isEmpty() || digits.length() > 11) {
            return radix == 16 || t.isEmpty() ? null : 0L;
        }
        try {
            long n = Long.parseLong(digits, radix);
            return n < 0 || n > 0xffffffffL ? null : n;
        } catch (NumberFormatException e) {
            return null;
        }
    }
}
