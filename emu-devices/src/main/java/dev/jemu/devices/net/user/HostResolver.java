package dev.jemu.devices.net.user;

import java.io.IOException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;

/** Where the DNS proxy sends the guest's queries: the first IPv4 {@code nameserver} of the host's /etc/resolv.conf. */
final class HostResolver {
    private HostResolver() {
    }

    /** The host's first nameserver on port 53, or null when there is none (DNS queries are then dropped). */
    static InetSocketAddress fromSystem() {
        try {
            for (String line : Files.readAllLines(Path.of("/etc/resolv.conf"))) {
                String[] w = line.trim().split("\\s+");
                if (w.length >= 2 && w[0].equals("nameserver")) {
                    InetAddress a = InetAddress.ofLiteral(w[1].replaceFirst("%.*$", ""));
                    if (a instanceof Inet4Address) { // the proxy speaks IPv4 to the host too
                        return new InetSocketAddress(a, 53);
                    }
                }
            }
        } catch (IOException | IllegalArgumentException e) {
            // no usable resolv.conf: no DNS proxy
        }
        return null;
    }
}
