package dev.jemu.devices.net;

import dev.jemu.core.machine.ConfigException;
import java.util.HexFormat;

/** A 48-bit Ethernet address, written as QEMU writes it: {@code 52:54:00:12:34:56}. */
public record MacAddress(long value) {
    /** QEMU's first default NIC address; each NIC without {@code mac=} gets the next one. */
    public static final MacAddress QEMU_DEFAULT = new MacAddress(0x5254_0012_3456L);

    public MacAddress {
        value &= 0xffff_ffff_ffffL;
    }

    /** {@code 52:54:00:12:34:56} (also with '-'), or an error naming {@code what}. */
    public static MacAddress parse(String s, String what) throws ConfigException {
        String[] p = s.split("[:-]", -1);
        if (p.length == 6) {
            long v = 0;
            boolean ok = true;
            for (String b : p) {
                if (b.isEmpty() || b.length() > 2 || !HexFormat.isHexDigit(b.charAt(0))
                        || (b.length() == 2 && !HexFormat.isHexDigit(b.charAt(1)))) {
                    ok = false;
                    break;
                }
                v = v << 8 | Integer.parseInt(b, 16);
            }
            if (ok) {
                return new MacAddress(v);
            }
        }
        throw new ConfigException(what);
    }

    /** QEMU's {@code qemu_macaddr_default_if_unset}: the {@code n}th NIC without an address (0 first). */
    public static MacAddress qemuDefault(int n) {
        return new MacAddress((QEMU_DEFAULT.value & ~0xffL) | ((0x56 + n) & 0xff));
    }

    public boolean multicast() {
        return (value >>> 40 & 1) != 0;
    }

    public byte[] bytes() {
        byte[] b = new byte[6];
        for (int i = 0; i < 6; i++) {
            b[i] = (byte) (value >>> (40 - 8 * i));
        }
        return b;
    }

    @Override
    public String toString() {
        byte[] b = bytes();
        return String.format("%02x:%02x:%02x:%02x:%02x:%02x", b[0], b[1], b[2], b[3], b[4], b[5]);
    }
}
