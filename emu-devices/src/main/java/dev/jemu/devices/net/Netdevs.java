package dev.jemu.devices.net;

import dev.jemu.core.machine.ConfigException;
import dev.jemu.devices.block.DriveOptions;
import dev.jemu.devices.net.link.DatagramBackend;
import dev.jemu.devices.net.link.StreamBackend;
import dev.jemu.devices.net.tap.TapBackend;
import dev.jemu.devices.net.user.UserNetBackend;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.UnixDomainSocketAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The netdev factory: one backend from its type and options (what {@code -netdev}, {@code -nic} and
 * {@code -net} share), with QEMU 7.2's option names and error texts. It removes what it reads from the options;
 * anything left is an invalid parameter.
 */
final class Netdevs {
    static final String IFUP = "/etc/qemu-ifup", IFDOWN = "/etc/qemu-ifdown";

    private Netdevs() {
    }

    /** @param opt the option as given ({@code -netdev socket,id=n0,...}), the prefix of every error */
    static NetBackend open(String opt, String type, String id, Map<String, String> p) throws ConfigException {
        NetBackend b = switch (type) {
            case "socket" -> socket(opt, id, p);
            case "stream" -> stream(opt, id, p);
            case "dgram" -> dgram(opt, id, p);
            case "tap" -> tap(opt, id, p);
            case "user" -> user(opt, id, p);
            case "hubport", "l2tpv3", "vde", "bridge", "vhost-user", "vhost-vdpa" ->
                    throw new ConfigException(opt + ": network backend '" + type + "' is not supported by jemu");
            default -> throw new ConfigException(opt + ": Parameter 'type' does not accept value '" + type + "'");
        };
        if (!p.isEmpty()) {
            b.close();
            throw new ConfigException(opt + ": Invalid parameter '" + p.keySet().iterator().next() + "'");
        }
        return b;
    }

    /**
     * {@code -netdev user}: user-mode networking. Its {@code hostfwd=} and {@code dnssearch=} may be given several
     * times, where the option map kept only the last, so the options come again from the spec, in order.
     */
    private static NetBackend user(String opt, String id, Map<String, String> p) throws ConfigException {
        List<Map.Entry<String, String>> options = new ArrayList<>();
        for (String part : DriveOptions.split(opt.substring(opt.indexOf(' ') + 1))) {
            int eq = part.indexOf('=');
            if (eq > 0 && p.containsKey(part.substring(0, eq))) {
                options.add(Map.entry(part.substring(0, eq), part.substring(eq + 1)));
            }
        }
        p.clear();
        try {
            return UserNetBackend.open(id, options);
        } catch (ConfigException e) {
            throw new ConfigException(opt + ": " + e.getMessage());
        }
    }

    private static NetBackend socket(String opt, String id, Map<String, String> p) throws ConfigException {
        String listen = p.remove("listen"), connect = p.remove("connect"), mcast = p.remove("mcast"),
                udp = p.remove("udp"), fd = p.remove("fd"), localaddr = p.remove("localaddr");
        int given = (listen != null ? 1 : 0) + (connect != null ? 1 : 0) + (mcast != null ? 1 : 0)
                + (udp != null ? 1 : 0) + (fd != null ? 1 : 0);
        if (given != 1) {
            throw new ConfigException(opt + ": exactly one of listen=, connect=, mcast= or udp= is required");
        }
        if (fd != null) {
            throw new ConfigException(opt + ": fd= is not supported by jemu");
        }
        if (localaddr != null && mcast == null && udp == null) {
            throw new ConfigException(opt + ": localaddr= is only valid with mcast= or udp=");
        }
        if (listen != null) {
            return StreamBackend.listen(id, "socket", hostPort(opt, listen), opt);
        }
        if (connect != null) {
            return StreamBackend.connect(id, "socket", hostPort(opt, connect), opt);
        }
        if (mcast != null) {
            InetSocketAddress group = hostPort(opt, mcast);
            if (!group.getAddress().isMulticastAddress()) {
                byte[] a = group.getAddress().getAddress();
                throw new ConfigException(String.format("%s: specified mcastaddr %s (0x%02x%02x%02x%02x) does not "
                        + "contain a multicast address", opt, group.getAddress().getHostAddress(), a[0], a[1], a[2], a[3]));
            }
            InetAddress local = localaddr == null ? null : host(opt, localaddr);
            return DatagramBackend.multicast(id, "socket", group, local, opt,
                    "socket: mcast=" + group.getAddress().getHostAddress() + ":" + group.getPort());
        }
        if (localaddr == null) {
            throw new ConfigException(opt + ": localaddr= is mandatory with udp=");
        }
        InetSocketAddress remote = hostPort(opt, udp);
        return DatagramBackend.unicast(id, "socket", hostPort(opt, localaddr), remote, opt,
                "socket: udp=" + remote.getAddress().getHostAddress() + ":" + remote.getPort());
    }

    /** QEMU 7.2's {@code -netdev stream,server=on|off,addr.type=inet|unix,...}. */
    private static NetBackend stream(String opt, String id, Map<String, String> p) throws ConfigException {
        boolean server = bool(opt, "server", p.remove("server"), false);
        SocketAddress a = address(opt, "addr", p);
        if (a == null) {
            throw new ConfigException(opt + ": Parameter 'addr' is missing");
        }
        return server ? StreamBackend.listen(id, "stream", a, opt) : StreamBackend.connect(id, "stream", a, opt);
    }

    /** QEMU 7.2's {@code -netdev dgram,local.type=...,remote.type=...}: unicast UDP or multicast. */
    private static NetBackend dgram(String opt, String id, Map<String, String> p) throws ConfigException {
        SocketAddress remote = address(opt, "remote", p);
        SocketAddress local = address(opt, "local", p);
        if (remote instanceof InetSocketAddress r && r.getAddress().isMulticastAddress()) {
            InetAddress la = local instanceof InetSocketAddress l ? l.getAddress() : null;
            return DatagramBackend.multicast(id, "dgram", r, la, opt,
                    "mcast=" + r.getAddress().getHostAddress() + ":" + r.getPort());
        }
        if (local == null) {
            throw new ConfigException(opt + ": dgram requires local= parameter");
        }
        if (local instanceof UnixDomainSocketAddress || remote instanceof UnixDomainSocketAddress) {
            throw new ConfigException(opt + ": dgram with type=unix is not supported by jemu (use type=inet)");
        }
        if (remote == null) {
            throw new ConfigException(opt + ": type=inet requires remote parameter");
        }
        InetSocketAddress l = (InetSocketAddress) local, r = (InetSocketAddress) remote;
        return DatagramBackend.unicast(id, "dgram", l, r, opt, "udp=" + l.getAddress().getHostAddress() + ":"
                + l.getPort() + "/" + r.getAddress().getHostAddress() + ":" + r.getPort());
    }

    private static NetBackend tap(String opt, String id, Map<String, String> p) throws ConfigException {
        String ifname = p.remove("ifname");
        String script = p.remove("script"), downscript = p.remove("downscript");
        for (String k : new String[] {"fd", "fds", "helper", "vhostfd", "vhostfds", "br"}) {
            if (p.containsKey(k)) {
                throw new ConfigException(opt + ": " + k + "= is not supported by jemu");
            }
        }
        String vhost = p.remove("vhost");
        if (vhost != null && bool(opt, "vhost", vhost, false)) {
            throw new ConfigException(opt + ": vhost=on is not supported by jemu");
        }
        String queues = p.remove("queues");
        if (queues != null && !queues.equals("1")) {
            throw new ConfigException(opt + ": multiqueue tap (queues=" + queues + ") is not supported by jemu");
        }
        p.remove("vnet_hdr"); // jemu never asks the interface for virtio headers
        p.remove("sndbuf");
        return TapBackend.open(id, ifname, script(script, IFUP), script(downscript, IFDOWN), opt);
    }

    private static String script(String given, String dflt) {
        if (given == null) {
            return dflt;
        }
        return given.isEmpty() || given.equals("no") ? null : given;
    }

    /** {@code PREFIX.type=inet,PREFIX.host=,PREFIX.port=} or {@code PREFIX.type=unix,PREFIX.path=}; null if absent. */
    private static SocketAddress address(String opt, String prefix, Map<String, String> p) throws ConfigException {
        String type = p.remove(prefix + ".type");
        String host = p.remove(prefix + ".host"), port = p.remove(prefix + ".port"), path = p.remove(prefix + ".path");
        for (String k : new String[] {"numeric", "ipv4", "ipv6", "keep-alive", "mptcp", "tight"}) {
            p.remove(prefix + "." + k);
        }
        String to = p.remove(prefix + ".to");
        if (to != null) {
            throw new ConfigException(opt + ": " + prefix + ".to= is not supported by jemu");
        }
        if (type == null) {
            if (host != null || port != null || path != null) {
                throw new ConfigException(opt + ": Parameter '" + prefix + ".type' is missing");
            }
            return null;
        }
        switch (type) {
            case "inet" -> {
                if (host == null) {
                    throw new ConfigException(opt + ": Parameter '" + prefix + ".host' is missing");
                }
                if (port == null) {
                    throw new ConfigException(opt + ": Parameter '" + prefix + ".port' is missing");
                }
                return new InetSocketAddress(host(opt, host), port(opt, host + ":" + port, port));
            }
            case "unix" -> {
                if (path == null) {
                    throw new ConfigException(opt + ": Parameter '" + prefix + ".path' is missing");
                }
                if (bool(opt, prefix + ".abstract", p.remove(prefix + ".abstract"), false)) {
                    throw new ConfigException(opt + ": abstract unix sockets are not supported by jemu");
                }
                return UnixDomainSocketAddress.of(path);
            }
            case "fd" -> throw new ConfigException(opt + ": " + prefix + ".type=fd is not supported by jemu");
            default -> throw new ConfigException(opt + ": Parameter '" + prefix + ".type' does not accept value '"
                    + type + "'");
        }
    }

    /** QEMU's {@code [HOST]:PORT}; an empty host is every address (listen) or this host (connect). */
    static InetSocketAddress hostPort(String opt, String s) throws ConfigException {
        int colon = s.lastIndexOf(':');
        if (colon < 0) {
            throw new ConfigException(opt + ": host address '" + s + "' doesn't contain ':' separating host from port");
        }
        String host = s.substring(0, colon);
        int port = port(opt, s, s.substring(colon + 1));
        if (host.isEmpty()) {
            return new InetSocketAddress(port);
        }
        return new InetSocketAddress(host(opt, host), port);
    }

    private static int port(String opt, String whole, String port) throws ConfigException {
        try {
            int v = Integer.parseInt(port);
            if (v >= 0 && v <= 65535) {
                return v;
            }
        } catch (NumberFormatException e) {
            // below
        }
        throw new ConfigException(opt + ": error parsing port in address '" + whole + "'");
    }

    private static InetAddress host(String opt, String host) throws ConfigException {
        try {
            return InetAddress.getByName(host.startsWith("[") && host.endsWith("]")
                    ? host.substring(1, host.length() - 1) : host);
        } catch (UnknownHostException e) {
            throw new ConfigException(opt + ": can't resolve host address '" + host + "'");
        }
    }

    private static boolean bool(String opt, String key, String v, boolean dflt) throws ConfigException {
        if (v == null) {
            return dflt;
        }
        return switch (v) {
            case "on", "yes", "true" -> true;
            case "off", "no", "false" -> false;
            default -> throw new ConfigException(opt + ": Parameter '" + key + "' expects 'on' or 'off'");
        };
    }
}
