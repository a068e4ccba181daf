package dev.jemu.cli.monitor;

import dev.jemu.core.machine.ConfigException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.UnixDomainSocketAddress;
import dev.jemu.cli.chardev.ChardevSpec;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * One monitor from the command line: {@code -qmp DEV} (QMP), {@code -monitor DEV} (HMP), or
 * {@code -mon chardev=ID,mode=control|readline} with its {@code -chardev socket|stdio,id=ID,...}. DEV is
 * {@code unix:PATH,server=on,wait=off}, {@code tcp:[HOST]:PORT,server=on,wait=off} (also QEMU's older
 * {@code server,nowait}), {@code stdio} or {@code none}, parsed by {@link ChardevSpec} as {@code -serial}'s
 * are. Only listening sockets: a monitor that connects out (no {@code server}) is refused. A socket monitor
 * keeps its own listener ({@link MonitorServer}), which, unlike a chardev socket, serves several QMP clients
 * at once.
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
     * Every monitor the options ask for; {@code -monitor none} / {@code -qmp none} add nothing. Devices and
     * chardevs are parsed by the one chardev parser ({@link ChardevSpec}), so they take its spellings and errors.
     *
     * @param chardevs the {@code -chardev} values; only those a {@code -mon} names are looked at
     */
    public static List<MonitorSpec> parse(List<String> qmp, List<String> monitor, List<String> mon, List<String> chardevs)
            throws ConfigException {
        List<MonitorSpec> out = new ArrayList<>();
        for (String q : qmp) {
            addDevice(out, "-qmp", q, true);
        }
        for (String m : monitor) {
            addDevice(out, "-monitor", m, false);
        }
        for (String m : mon) {
            String origin = "-mon " + ChardevSpec.shown(m);
            Map<String, String> o = monOptions(origin, m);
            String mode = o.getOrDefault("mode", "readline");
            if (!mode.equals("control") && !mode.equals("readline")) {
                throw new ConfigException(origin + ": Parameter 'mode' does not accept value '" + mode + "'");
            }
            ChardevSpec c = find(chardevs, o.get("chardev"), origin);
            if (c.flag("mux", false)) {
                if (mode.equals("control")) {
                    throw new ConfigException(origin + ": QMP on a multiplexed chardev (mux=on) is not supported; "
                            + "give QMP its own -chardev");
                }
                continue; // HMP behind Ctrl-A c on that mux: see muxChardevs
            }
            out.add(fromChardev(origin, c, mode.equals("control")));
        }
        return out;
    }

    /**
     * The ids of the chardevs {@code -mon} options take over: the monitors serve those, not a device. A
     * {@code mux=on} chardev is not among them: it is opened as usual and its mux carries HMP (see
     * {@link #muxChardevs}).
     */
    public static Set<String> monitorChardevs(List<String> mon, List<String> chardevs) throws ConfigException {
        return monChardevs(mon, chardevs, false);
    }

    /**
     * The ids of the {@code mux=on} chardevs a {@code -mon} names (QEMU's {@code -chardev stdio,mux=on,id=c
     * -serial chardev:c -mon chardev=c}): HMP sits behind Ctrl-A c on their mux.
     */
    public static Set<String> muxChardevs(List<String> mon, List<String> chardevs) throws ConfigException {
        return monChardevs(mon, chardevs, true);
    }

    private static Set<String> monChardevs(List<String> mon, List<String> chardevs, boolean mux) throws ConfigException {
        Set<String> ids = new HashSet<>();
        for (String m : mon) {
            String origin = "-mon " + ChardevSpec.shown(m);
            ChardevSpec c = find(chardevs, monOptions(origin, m).get("chardev"), origin);
            if (c.flag("mux", false) == mux) {
                ids.add(c.id());
            }
        }
        return ids;
    }

    /** {@code -mon [chardev=]ID,mode=control|readline[,pretty=on|off]}. */
    private static Map<String, String> monOptions(String origin, String m) throws ConfigException {
        Map<String, String> o = new LinkedHashMap<>();
        String[] parts = m.split(",", -1);
        for (int i = 0; i < parts.length; i++) {
            String p = parts[i];
            int eq = p.indexOf('=');
            if (eq >= 0) {
                o.put(p.substring(0, eq), p.substring(eq + 1));
            } else if (i == 0) {
                o.put("chardev", p);
            } else {
                throw new ConfigException(origin + ": Invalid parameter '" + p + "'");
            }
        }
        for (String k : o.keySet()) {
            if (!List.of("chardev", "mode", "pretty").contains(k)) {
                throw new ConfigException(origin + ": Invalid parameter '" + k + "'");
            }
        }
        String id = o.get("chardev");
        if (id == null || id.isEmpty()) {
            throw new ConfigException(origin + ": Parameter 'chardev' is missing");
        }
        return o;
    }

    private static ChardevSpec find(List<String> chardevs, String id, String origin) throws ConfigException {
        for (String c : chardevs) {
            ChardevSpec spec = ChardevSpec.parseChardev(c);
            if (spec.id().equals(id)) {
                return spec;
            }
        }
        throw new ConfigException(origin + ": chardev \"" + id + "\" not found");
    }

    /** A monitor on a {@code socket} (listening) or {@code stdio} chardev. */
    private static MonitorSpec fromChardev(String origin, ChardevSpec c, boolean qmp) throws ConfigException {
        String where = c.originFlag().equals(origin) ? origin : origin + " (" + c.originFlag() + ")";
        if (c.backend().equals("stdio")) {
            return new MonitorSpec(qmp, null, false, where);
        }
        if (!c.backend().equals("socket")) {
            throw new ConfigException(where + ": a monitor's character device must be a listening socket "
                    + "(unix:PATH,server=on,wait=off, tcp:HOST:PORT,server=on,wait=off) or stdio");
        }
        boolean wait = c.flag("wait", true);
        SocketAddress a = listenAddress(where, c, "monitor", "server=on,wait=off");
        return new MonitorSpec(qmp, a, wait, where);
    }

    private static void addDevice(List<MonitorSpec> out, String flag, String dev, boolean qmp) throws ConfigException {
        if (dev.equals("none")) {
            return;
        }
        String origin = flag + " " + ChardevSpec.shown(dev);
        if (dev.startsWith("chardev:")) {
            throw new ConfigException(origin + ": use -mon chardev=ID" + (qmp ? ",mode=control" : "")
                    + " for a monitor on a -chardev");
        }
        out.add(fromChardev(origin, ChardevSpec.parseShort(flag, dev, qmp ? "qmp" + out.size()
                : "compat_monitor" + out.size()), qmp));
    }

    /**
     * Where a {@code socket} chardev that must listen (a monitor's, the gdb stub's) binds; a socket that would
     * connect out, or telnet, is refused. {@code what} names the user in messages, {@code hint} the options to add.
     */
    static SocketAddress listenAddress(String where, ChardevSpec c, String what, String hint) throws ConfigException {
        if (!c.flag("server", false)) {
            throw new ConfigException(where + ": only listening " + what + " sockets are supported: add " + hint);
        }
        if (c.flag("telnet", false)) {
            throw new ConfigException(where + ": a " + what + " socket with telnet=on is not supported");
        }
        return c.get("path") != null ? unix(where, c.get("path"))
                : tcp(where, c.get("host") == null ? "" : c.get("host"), c.get("port"));
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
