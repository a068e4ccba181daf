package dev.jemu.devices.net.user;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;

/** DHCP option 119, the domain search list (RFC 3397), as uncompressed DNS names. */
final class DnsSearch {
    private DnsSearch() {
    }

    /** The encoded list, or null when a name has an empty or over-long label. */
    static byte[] encode(List<String> domains) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (String d : domains) {
            String name = d.endsWith(".") ? d.substring(0, d.length() - 1) : d;
            if (name.isEmpty() || name.length() > 253) {
                return null;
            }
            for (String label : name.split("\\.", -1)) {
                byte[] l = label.getBytes(StandardCharsets.US_ASCII);
                if (l.length == 0 || l.length > 63) {
                    return null;
                }
                out.write(l.length);
                out.writeBytes(l);
            }
            out.write(0);
        }
        return out.toByteArray();
    }
}
