package dev.jemu.devices.net.user;

import dev.jemu.core.machine.ConfigException;
import dev.jemu.devices.net.user.wire.Bytes;

/**
 * One {@code hostfwd=[tcp|udp]:[HOSTADDR]:HOSTPORT-[GUESTADDR]:GUESTPORT} rule. An empty host address means every
 * host address; an empty guest address means the first DHCP address; host port 0 takes any free port.
 */
public record HostForward(boolean udp, String hostAddress, int hostPort, int guestIp, int guestPort) {

    /** Parses a rule with QEMU 7.2's error texts; {@code dhcpStart} stands in for an empty guest address. */
    public static HostForward parse(String rule, int dhcpStart) throws ConfigException {
        String rest = rule;
        int colon = rest.indexOf(':');
        if (colon < 0) {
            throw bad(rule, "No : separators");
        }
        String proto = rest.substring(0, colon);
        boolean udp;
        if (proto.isEmpty() || proto.equals("tcp")) {
            udp = false;
        } else if (proto.equals("udp")) {
            udp = true;
        } else {
            throw bad(rule, "Bad protocol name");
        }
        rest = rest.substring(colon + 1);
        colon = rest.indexOf(':');
        if (colon < 0) {
            throw bad(rule, "Missing : separator");
        }
        String hostAddress = rest.substring(0, colon);
        if (!hostAddress.isEmpty()) {
            Integer parsed = Bytes.parseIp(hostAddress);
            if (parsed == null) {
                throw bad(rule, "Bad host address");
            }
            hostAddress = Bytes.ip(parsed); // dotted quad, so that binding never consults a resolver
        }
        rest = rest.substring(colon + 1);
        int dash = rest.indexOf('-');
        if (dash < 0) {
            throw bad(rule, "Bad host port separator");
        }
        int hostPort = port(rest.substring(0, dash), 0);
        if (hostPort < 0) {
            throw bad(rule, "Bad host port");
        }
        rest = rest.substring(dash + 1);
        colon = rest.indexOf(':');
        if (colon < 0) {
            throw bad(rule, "Missing guest address");
        }
        String guestAddress = rest.substring(0, colon);
        Integer guestIp = guestAddress.isEmpty() ? Integer.valueOf(dhcpStart) : Bytes.parseIp(guestAddress);
        if (guestIp == null) {
            throw bad(rule, "Bad guest address");
        }
        int guestPort = port(rest.substring(colon + 1), 1);
        if (guestPort < 0) {
            throw bad(rule, "Bad guest port");
        }
        return new HostForward(udp, hostAddress.isEmpty() ? null : hostAddress, hostPort, guestIp, guestPort);
    }

    private static int port(String s, int min) {
        if (s.isEmpty() || s.length() > 5 || !s.chars().allMatch(Character::isDigit)) {
            return -1;
        }
        int p = Integer.parseInt(s);
        return p < min || p > 65535 ? -1 : p;
    }

    private static ConfigException bad(String rule, String reason) {
        return new ConfigException("Invalid host forwarding rule '" + rule + "' (" + reason + ")");
    }

    @Override
    public String toString() {
        return (udp ? "udp" : "tcp") + ":" + (hostAddress == null ? "" : hostAddress) + ":" + hostPort + "-"
                + Bytes.ip(guestIp) + ":" + guestPort;
    }
}
