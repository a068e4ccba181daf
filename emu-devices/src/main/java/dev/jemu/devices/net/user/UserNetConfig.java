package dev.jemu.devices.net.user;

import dev.jemu.core.machine.ConfigException;
import dev.jemu.devices.net.user.wire.Bytes;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The options of {@code -netdev user}, checked as QEMU 7.2 checks them (same defaults, same error texts): the
 * virtual network, the addresses of the host (gateway), the DNS proxy and the first DHCP lease, DHCP's names,
 * {@code restrict=} and the port forwards.
 */
public record UserNetConfig(int network, int mask, int host, int dns, int dhcpStart, String hostname,
                            String domainname, List<String> dnsSearch, boolean restrict, List<HostForward> hostForwards,
                            List<String> hostForwardRules) {

    /** Options QEMU 7.2 has that jemu's user networking does not implement: refused with one line. */
    private static final Set<String> UNSUPPORTED = Set.of("tftp", "bootfile", "tftp-server-name", "smb", "smbserver",
            "guestfwd", "ipv6-net", "ipv6-prefix", "ipv6-prefixlen", "ipv6-host", "ipv6-dns");

    public static UserNetConfig parse(List<Map.Entry<String, String>> options) throws ConfigException {
        String net = null;
        String hostText = null;
        String dnsText = null;
        String dhcpText = null;
        String hostname = null;
        String domainname = null;
        List<String> dnsSearch = new ArrayList<>();
        boolean restrict = false;
        boolean ipv4 = true;
        boolean ipv6 = false;
        List<String> forwards = new ArrayList<>();
        for (Map.Entry<String, String> e : options) {
            String v = e.getValue() == null ? "" : e.getValue();
            switch (e.getKey()) {
                case "id", "type" -> {
                }
                case "net" -> net = v;
                case "host" -> hostText = v;
                case "dns" -> dnsText = v;
                case "dhcpstart" -> dhcpText = v;
                case "hostname" -> hostname = v;
                case "domainname" -> domainname = v;
                case "dnssearch" -> dnsSearch.add(v);
                case "restrict" -> restrict = bool("restrict", v);
                case "ipv4" -> ipv4 = bool("ipv4", v);
                case "ipv6" -> ipv6 = bool("ipv6", v);
                case "hostfwd" -> forwards.add(v);
                default -> {
                    if (UNSUPPORTED.contains(e.getKey())) {
                        throw new ConfigException("user networking: '" + e.getKey() + "' is not supported by jemu");
                    }
                    throw new ConfigException("Invalid parameter '" + e.getKey() + "'");
                }
            }
        }
        if (!ipv4 && !ipv6) {
            throw new ConfigException("IPv4 and IPv6 disabled");
        }
        if (ipv6) {
            throw new ConfigException("user networking: ipv6=on is not supported by jemu (IPv4 only; use ipv6=off)");
        }
        if (!ipv4) {
            throw new ConfigException("user networking: ipv4=off is not supported by jemu (it has no IPv6)");
        }
        int network = 0x0a000200;
        int mask = 0xffffff00;
        if (net != null) {
            int slash = net.indexOf('/');
            Integer addr = Bytes.parseIp(slash < 0 ? net : net.substring(0, slash));
            if (addr == null) {
                throw new ConfigException("Failed to parse netmask");
            }
            if (slash < 0) {
                mask = (addr & 0x80000000) == 0 ? 0xff000000 : (addr & 0x40000000) == 0 ? 0xffff0000 : 0xffffff00;
            } else {
                String m = net.substring(slash + 1);
                if (!m.isEmpty() && m.chars().allMatch(Character::isDigit) && m.length() <= 3) {
                    int shift = Integer.parseInt(m);
                    if (shift < 4 || shift > 32) {
                        throw new ConfigException("Invalid netmask provided (must be in range 4-32)");
                    }
                    mask = shift == 32 ? -1 : ~(-1 >>> shift);
                } else {
                    Integer dotted = Bytes.parseIp(m);
                    if (dotted == null) {
                        throw new ConfigException("Failed to parse netmask (trailing chars)");
                    }
                    mask = dotted;
                }
            }
            network = addr & mask;
        }
        int host = network | (0x0202 & ~mask);
        int dhcp = network | (0x020f & ~mask);
        int dns = network | (0x0203 & ~mask);
        if (hostText != null) {
            Integer h = Bytes.parseIp(hostText);
            if (h == null) {
                throw new ConfigException("Failed to parse host");
            }
            host = h;
        }
        if ((host & mask) != network) {
            throw new ConfigException("Host doesn't belong to network");
        }
        if (dnsText != null) {
            Integer d = Bytes.parseIp(dnsText);
            if (d == null) {
                throw new ConfigException("Failed to parse DNS");
            }
            dns = d;
        }
        if (restrict && (dns & mask) != network) {
            throw new ConfigException("DNS doesn't belong to network");
        }
        if (dns == host) {
            throw new ConfigException("DNS must be different from host");
        }
        if (dhcpText != null) {
            Integer d = Bytes.parseIp(dhcpText);
            if (d == null) {
                throw new ConfigException("Failed to parse DHCP start address");
            }
            dhcp = d;
        }
        if ((dhcp & mask) != network) {
            throw new ConfigException("DHCP doesn't belong to network");
        }
        if (dhcp == host || dhcp == dns) {
            throw new ConfigException("DHCP must be different from host and DNS");
        }
        if (hostname != null && hostname.length() > 255) {
            throw new ConfigException("'hostname' parameter cannot exceed 255 bytes");
        }
        if (domainname != null && domainname.isEmpty()) {
            throw new ConfigException("'domainname' parameter cannot be empty");
        }
        if (domainname != null && domainname.length() > 255) {
            throw new ConfigException("'domainname' parameter cannot exceed 255 bytes");
        }
        for (String d : dnsSearch) {
            if (DnsSearch.encode(List.of(d)) == null) {
                throw new ConfigException("Failed to parse DNS search domains");
            }
        }
        List<HostForward> parsed = new ArrayList<>();
        for (String f : forwards) {
            parsed.add(HostForward.parse(f, dhcp));
        }
        return new UserNetConfig(network, mask, host, dns, dhcp, hostname, domainname, List.copyOf(dnsSearch),
                restrict, List.copyOf(parsed), List.copyOf(forwards));
    }

    /** QEMU's boolean spellings (qapi_bool_parse). */
    private static boolean bool(String name, String v) throws ConfigException {
        return switch (v) {
            case "on", "yes", "true", "y" -> true;
            case "off", "no", "false", "n" -> false;
            default -> throw new ConfigException("Parameter '" + name + "' expects 'on' or 'off'");
        };
    }

    public boolean inNetwork(int ip) {
        return (ip & mask) == network;
    }

    /** The directed broadcast address of the virtual network. */
    public int broadcast() {
        return network | ~mask;
    }
}
