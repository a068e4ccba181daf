package dev.jemu.cli.monitor;

import dev.jemu.core.machine.ConfigException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.UnixDomainSocketAddress;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One monitor from the command line: {@code -qmp DEV} (QMP), {@code -monitor DEV} (HMP), or
 * {@code -mon chardev=ID,mode=control|readline} with its {@code -chardev socket|stdio,id=ID,...}. DEV is
 * {@code unix:PATH,server=on,wait=off}, {@code tcp:[HOST]:PORT,server=on,wait=off} (also QEMU's older
 * {@code server,nowait}), {@code stdio} or {@code none}. Only listening sockets: a monitor that connects out
 * (no {@code server}) is refused.
 *
 * @param qmp     QMP (mode=control) rather than HMP (mode=readline)
 * @param address the socket to listen on; null for stdio
 * @param waitForClient wait=on: the machine starts only once a client has connected
 * @param origin  the option as given, for messages
 */
public record MonitorSpec(boolean qmp, SocketAddress address, boolean waitForClient, String origin) {
    public boolean stdio() {
        return address == null;
    }

    /** QEMU's name of the socket in its "waiting for connection" line: {@code unix:PATH,server=on}. */
    String describe() {
        if (address instanceof UnixDomainSocketAddress u) {
            return "unix:" + u.getPath() + ",server=on";
        }
        InetSocketAddress i = (InetSocketAddress) address;
        return "tcp:" + i.getHostString() + ":" + i.getPort() + ",server=on";
    }

    /**
     * Every monitor the options ask for; {@code -monitor none} / {@code -qmp none} add nothing.
     *
     * @param chardevs the {@code -chardev} values; only those a {@code -mon} names are looked at
     */
    public static List<MonitorSpec> parse(List<String> qmp, List<String> monitor, List<String> mon, List<String> chardevs)
            throws ConfigException {
        List<MonitorSpec> out = new ArrayList<>();
        for (String q : qmp) {
            addDevice(out, "-qmp " + q, q, true);
        }
        for (String m : monitor) {
            addDevice(out, "-monitor " + m, m, false);
        }
        for (String m : mon) {
            Map<String, String> o = options("-mon " + m, m, "chardev");
            String id = o.get("chardev");
            if (id == null || id.isEmpty()) {
                throw new ConfigException("-mon " + m + ": Parameter 'chardev' is missing");
            }
            String mode = o.getOrDefault("mode", "readline");
            if (!mode.equals("control") && !mode.equals("readline")) {
                throw new ConfigException("-mon " + m + ": Parameter 'mode' does not accept value '" + mode + "'");
            }
            for (String k : o.keySet()) {
                if (!List.of("chardev", "mode", "pretty").contains(k)) {
                    throw new ConfigException("-mon " + m + ": Invalid parameter '" + k + "'");
                }
            }
            out.add(fromChardev("-mon " + m, find(chardevs, id, m), mode.equals("control")));
        }
        return out;
    }

    private static String find(List<String> chardevs, String id, String mon) throws ConfigException {
        for (String c : chardevs) {
            for (String part : c.split(",")) {
                if (part.equals("id=" + id)) {
                    return c;
                }
            }
        }
        throw new ConfigException("-mon " + mon + ": chardev \"" + id + "\" not found");
    }

    /** {@code -chardev socket,id=ID,path=PATH|host=H,port=P,server=on,wait=off} or {@code -chardev stdio,id=ID}. */
    private static MonitorSpec fromChardev(String origin, String chardev, boolean qmp) throws ConfigException {
        String where = origin + " (-chardev " + chardev + ")";
        int comma = chardev.indexOf(',');
        String backend = comma < 0 ? chardev : chardev.substring(0, comma);
        Map<String, String> o = options(where, comma < 0 ? "" : chardev.substring(comma + 1), null);
        if (backend.equals("stdio")) {
            return new MonitorSpec(qmp, null, false, where);
        }
        if (!backend.equals("socket")) {
            throw new ConfigException(where + ": a monitor's chardev must be socket or stdio");
        }
        boolean wait = serverWait(where, o);
        SocketAddress a;
        if (o.containsKey("path")) {
            a = unix(where, o.get("path"));
        } else if (o.containsKey("port")) {
            a = tcp(where, o.getOrDefault("host", ""), o.get("port"));
        } else {
            throw new ConfigException(where + ": chardev: socket: no host given");
        }
        return new MonitorSpec(qmp, a, wait, where);
    }

    private static void addDevice(List<MonitorSpec> out, String origin, String dev, boolean qmp) throws ConfigException {
        if (dev.equals("none")) {
            return;
        }
        if (dev.equals("stdio")) {
            out.add(new MonitorSpec(qmp, null, false, origin));
            return;
        }
        int comma = dev.indexOf(',');
        String target = comma < 0 ? dev : dev.substring(0, comma);
        if (!target.startsWith("unix:") && !target.startsWith("tcp:")) {
            throw new ConfigException(origin + ": unsupported monitor device (use unix:PATH,server=on,wait=off, "
                    + "tcp:HOST:PORT,server=on,wait=off, stdio or none)");
        }
        Map<String, String> o = options(origin, comma < 0 ? "" : dev.substring(comma + 1), null);
        boolean wait = serverWait(origin, o);
        if (target.startsWith("unix:")) {
            out.add(new MonitorSpec(qmp, unix(origin, target.substring(5)), wait, origin));
        } else if (target.startsWith("tcp:")) {
            String hp = target.substring(4);
            int colon = hp.lastIndexOf(':');
            if (colon < 0) {
                throw new ConfigException(origin + ": tcp: needs HOST:PORT (e.g. tcp:127.0.0.1:4444)");
            }
            out.add(new MonitorSpec(qmp, tcp(origin, hp.substring(0, colon), hp.substring(colon + 1)), wait, origin));
        } else {
            throw new ConfigException(origin + ": unsupported monitor device (use unix:PATH,server=on,wait=off, "
                    + "tcp:HOST:PORT,server=on,wait=off, stdio or none)");
        }
    }

    /** server=on is required; wait defaults to on, as in QEMU. */
    private static boolean serverWait(String origin, Map<String, String> o) throws ConfigException {
        if (!bool(origin, o, "server", false)) {
            throw new ConfigException(origin + ": only listening monitor sockets are supported: add server=on,wait=off");
        }
        boolean wait = bool(origin, o, "wait", true);
        for (String k : o.keySet()) {
            if (!List.of("server", "wait", "path", "host", "port", "id", "ipv4", "ipv6", "telnet").contains(k)) {
                throw new ConfigException(origin + ": Invalid parameter '" + k + "'");
            }
        }
        return wait;
    }

    private static boolean bool(String origin, Map<String, String> o, String key, boolean dflt) throws ConfigException {
        String v = o.get(key);
        if (v == null) {
            return dflt;
        }
        return switch (v) {
            case "on", "yes", "true", "" -> true;
            case "off", "no", "false" -> false;
            default -> throw new ConfigException(origin + ": Parameter '" + key + "' expects 'on' or 'off'");
        };
    }

    /** QEMU's option list: {@code a=1,b,nob}; a bare {@code server} is server=on, {@code nowait} wait=off. */
    private static Map<String, String> options(String origin, String s, String implied) throws ConfigException {
        Map<String, String> o = new LinkedHashMap<>();
        if (s.isEmpty()) {
            return o;
        }
        String[] parts = s.split(",", -1);
        for (int i = 0; i < parts.length; i++) {
            String p = parts[i];
            int eq = p.indexOf('=');
            if (eq >= 0) {
                o.put(p.substring(0, eq), p.substring(eq + 1));
            } else if (i == 0 && implied != null) {
                o.put(implied, p);
            } else if (p.startsWith("no") && p.length() > 2) {
                o.put(p.substring(2), "off");
            } else if (!p.isEmpty()) {
                o.put(p, "on");
            } else {
                throw new ConfigException(origin + ": empty option");
            }
        }
        return o;
    }

    private static SocketAddress unix(String origin, String path) throws ConfigException {
        if (path.isEmpty()) {
            throw new ConfigException(origin + ": unix: needs a path");
        }
        try {
            return UnixDomainSocketAddress.of(path);
        } catch (RuntimeException e) {
            throw new ConfigException(origin + ": invalid socket path '" + path + "'");
        }
    }

    private static SocketAddress tcp(String origin, String host, String port) throws ConfigException {
        int p;
        try {
            p = Integer.parseInt(port);
        } catch (NumberFormatException e) {
            throw new ConfigException(origin + ": invalid port '" + port + "'");
        }
        if (p < 0 || p > 65535) {
            throw new ConfigException(origin + ": invalid port '" + port + "'");
        }
        String h = host.isEmpty() ? "0.0.0.0" : host.startsWith("[") && host.endsWith("]")
                ? host.substring(1, host.length() - 1) : host;
        return new InetSocketAddress(h, p);
    }
}
