package dev.jemu.cli.chardev;

import dev.jemu.core.machine.ConfigException;
import dev.jemu.devices.block.DriveOptions;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * One character device as the command line describes it: QEMU's {@code -chardev BACKEND,id=ID,key=value,...}
 * (a bare {@code key} is {@code key=on}, {@code nokey} is {@code key=off}, {@code ,,} is a literal comma), or
 * the short forms of {@code -serial}/{@code -parallel} ({@code tcp:HOST:PORT,server=on}, {@code unix:PATH},
 * {@code telnet:}, {@code file:PATH}, {@code pty}, {@code /dev/ttyS0}, the {@code mon:} prefix, ...), which
 * are turned into the same form. {@code origin} is the option as given, for error lines.
 */
public record ChardevSpec(String backend, String id, Map<String, String> props, String origin) {
    static final Set<String> COMMON = Set.of("id", "mux", "logfile", "logappend");
    static final Map<String, Set<String>> KEYS = Map.of(
            "null", Set.of(),
            "stdio", Set.of("signal"),
            "file", Set.of("path", "append"),
            "pty", Set.of(),
            "serial", Set.of("path"),
            "tty", Set.of("path"),
            "socket", Set.of("host", "port", "path", "server", "wait", "nodelay", "telnet", "ipv4", "ipv6", "to",
                    "reconnect"));
    /** QEMU drivers jemu does not have, for a clearer line than "not a valid char driver name". */
    static final Set<String> NOT_YET = Set.of("udp", "pipe", "vc", "ringbuf", "memory", "msmouse", "braille",
            "testdev", "spicevmc", "spiceport", "qemu-vdagent", "parallel", "parport", "wctablet", "dbus", "mux");
    private static final Set<String> BOOLEANS = Set.of("mux", "logappend", "signal", "append", "server", "wait",
            "nodelay", "telnet", "ipv4", "ipv6");

    /** The option as the user wrote it, with its flag: {@code -serial tcp::4444,server=on}. */
    public String originFlag() {
        return origin;
    }

    public String get(String key) {
        return props.get(key);
    }

    /** A boolean property: QEMU's on/off (yes/no, true/false, y/n too), else {@code dflt}. */
    public boolean flag(String key, boolean dflt) {
        String v = props.get(key);
        return v == null ? dflt : v.equals("on") || v.equals("yes") || v.equals("true") || v.equals("y");
    }

    /** {@code -chardev OPTS}. */
    public static ChardevSpec parseChardev(String opts) throws ConfigException {
        String where = "-chardev " + shown(opts);
        List<String> parts = DriveOptions.split(opts);
        if (parts.isEmpty() || parts.get(0).isEmpty() || parts.get(0).contains("=")) {
            if (!parts.isEmpty() && parts.get(0).startsWith("backend=")) {
                parts.set(0, parts.get(0).substring(8));
            } else {
                throw new ConfigException(where + ": chardev: no backend given (e.g. socket, pty, file, stdio, null)");
            }
        }
        Map<String, String> props = props(where, parts.subList(1, parts.size()));
        return check(where, parts.get(0), props, where);
    }

    /**
     * {@code -serial SPEC} / {@code -parallel SPEC} short forms ({@code chardev:ID} is the caller's); {@code id}
     * names the anonymous chardev (serial0, parallel0). {@code flag} is "-serial" or "-parallel".
     */
    public static ChardevSpec parseShort(String flag, String spec, String id) throws ConfigException {
        String where = flag + " " + shown(spec);
        String rest = spec;
        Map<String, String> props = new LinkedHashMap<>();
        if (rest.startsWith("mon:")) {
            rest = rest.substring(4);
            props.put("mux", "on");
            if (rest.equals("stdio")) {
                props.put("signal", "off");   // QEMU: Ctrl-C goes to the guest on mon:stdio
            }
        }
        String backend;
        if (rest.equals("null") || rest.equals("stdio") || rest.equals("pty")) {
            backend = rest;
        } else if (rest.startsWith("file:")) {
            backend = "file";
            props.put("path", nonEmpty(where, rest.substring(5), "file name"));
        } else if (rest.startsWith("/dev/")) {
            backend = "serial";
            props.put("path", rest);
        } else if (rest.startsWith("tcp:") || rest.startsWith("telnet:")) {
            backend = "socket";
            int colon = rest.indexOf(':');
            if (rest.startsWith("telnet:")) {
                props.put("telnet", "on");
            }
            String addr = rest.substring(colon + 1);
            int comma = commaAt(addr);
            String hostPort = comma < 0 ? addr : addr.substring(0, comma);
            int sep = hostPort.lastIndexOf(':');
            if (sep < 0) {
                throw new ConfigException(where + ": expected HOST:PORT after '" + rest.substring(0, colon + 1) + "'");
            }
            String host = hostPort.substring(0, sep);
            if (host.startsWith("[") && host.endsWith("]")) {
                host = host.substring(1, host.length() - 1);
            }
            props.put("host", host);
            props.put("port", hostPort.substring(sep + 1));
            if (comma >= 0) {
                props.putAll(props(where, DriveOptions.split(addr.substring(comma + 1))));
            }
        } else if (rest.startsWith("unix:")) {
            backend = "socket";
            String addr = rest.substring(5);
            int comma = commaAt(addr);
            props.put("path", nonEmpty(where, comma < 0 ? addr : addr.substring(0, comma), "socket path"));
            if (comma >= 0) {
                props.putAll(props(where, DriveOptions.split(addr.substring(comma + 1))));
            }
        } else if (rest.equals("vc") || rest.startsWith("vc:")) {
            throw new ConfigException(where + ": jemu has no display for a 'vc' console; use stdio, pty, "
                    + "tcp:HOST:PORT,server=on,wait=off or file:PATH");
        } else {
            String name = rest.contains(":") ? rest.substring(0, rest.indexOf(':')) : rest;
            if (NOT_YET.contains(name)) {
                throw new ConfigException(where + ": char driver '" + name + "' is not supported yet");
            }
            throw new ConfigException(where + ": '" + rest + "' is not a valid char driver");
        }
        props.put("id", id);
        return check(where, backend, props, where);
    }

    /** An option as error lines show it: control characters as '?', so an error is always one line. */
    public static String shown(String opt) {
        StringBuilder sb = new StringBuilder(opt.length());
        opt.codePoints().forEach(c -> sb.appendCodePoint(Character.isISOControl(c) ? '?' : c));
        return sb.toString();
    }

    private static String nonEmpty(String where, String v, String what) throws ConfigException {
        if (v.isEmpty()) {
            throw new ConfigException(where + ": no " + what + " given");
        }
        return v;
    }

    /** The first comma that is not part of a doubled ",," (QEMU's escape). */
    private static int commaAt(String s) {
        for (int i = 0; i < s.length(); i++) {
            if (s.charAt(i) == ',') {
                if (i + 1 < s.length() && s.charAt(i + 1) == ',') {
                    i++;
                    continue;
                }
                return i;
            }
        }
        return -1;
    }

    private static Map<String, String> props(String where, List<String> parts) throws ConfigException {
        Map<String, String> m = new LinkedHashMap<>();
        for (String p : parts) {
            int eq = p.indexOf('=');
            String key, value;
            if (eq >= 0) {
                key = p.substring(0, eq);
                value = p.substring(eq + 1);
            } else if (p.equals("nowait")) { // QEMU's old short forms
                key = "wait";
                value = "off";
            } else if (p.startsWith("no") && BOOLEANS.contains(p.substring(2))) {
                key = p.substring(2);
                value = "off";
            } else {
                key = p;
                value = "on";
            }
            if (key.isEmpty()) {
                throw new ConfigException(where + ": Invalid parameter ''");
            }
            m.put(key, value);
        }
        return m;
    }

    private static ChardevSpec check(String where, String backend, Map<String, String> props, String origin)
            throws ConfigException {
        if (backend.equals("tty")) {
            backend = "serial";
        }
        Set<String> keys = KEYS.get(backend);
        if (keys == null) {
            if (NOT_YET.contains(backend)) {
                throw new ConfigException(where + ": char driver '" + backend + "' is not supported yet");
            }
            throw new ConfigException(where + ": '" + backend + "' is not a valid char driver name");
        }
        for (Map.Entry<String, String> e : props.entrySet()) {
            String k = e.getKey();
            if (!COMMON.contains(k) && !keys.contains(k)) {
                throw new ConfigException(where + ": Invalid parameter '" + k + "'");
            }
            if (BOOLEANS.contains(k) && !Set.of("on", "off", "yes", "no", "true", "false", "y", "n")
                    .contains(e.getValue())) {
                throw new ConfigException(where + ": Parameter '" + k + "' expects 'on' or 'off'");
            }
        }
        String id = props.get("id");
        if (id == null) {
            throw new ConfigException(where + ": chardev: no id specified");
        }
        if (!id.matches("[A-Za-z][A-Za-z0-9._-]*")) {
            throw new ConfigException(where + ": Parameter 'id' expects an identifier (letters, digits, '-', '.', "
                    + "'_', starting with a letter)");
        }
        switch (backend) {
            case "file", "serial" -> {
                String path = props.get("path");
                if (path == null || path.isEmpty()) {
                    throw new ConfigException(where + ": chardev: " + backend + ": no filename given");
                }
            }
            case "socket" -> checkSocket(where, props);
            default -> { }
        }
        if (props.containsKey("logfile") && props.get("logfile").isEmpty()) {
            throw new ConfigException(where + ": logfile: no filename given");
        }
        return new ChardevSpec(backend, id, Map.copyOf(props), origin);
    }

    private static void checkSocket(String where, Map<String, String> props) throws ConfigException {
        String reconnect = props.get("reconnect");
        if (reconnect != null) {
            if (!reconnect.matches("\\d{1,9}")) {
                throw new ConfigException(where + ": Parameter 'reconnect' expects a number");
            }
            if (props.containsKey("server") && props.get("server").matches("on|yes|true|y")) {
                throw new ConfigException(where + ": 'reconnect' option is incompatible with socket in server listen mode");
            }
        }
        String path = props.get("path"), host = props.get("host"), port = props.get("port");
        if (path != null) {
            if (path.isEmpty()) {
                throw new ConfigException(where + ": chardev: socket: empty path");
            }
            if (host != null || port != null) {
                throw new ConfigException(where + ": chardev: socket: give either path= or host= and port=, "
                        + "not both");
            }
            if (props.containsKey("telnet") && !props.get("telnet").matches("off|no|false|n")) {
                throw new ConfigException(where + ": chardev: socket: telnet needs a TCP socket");
            }
            return;
        }
        if (port == null) {
            throw new ConfigException(where + ": chardev: socket: " + (host == null ? "no path, nor host and port, "
                    + "given" : "no port given"));
        }
        int p;
        try {
            p = Integer.parseInt(port);
        } catch (NumberFormatException e) {
            p = -1;
        }
        if (p < 0 || p > 65535) {
            throw new ConfigException(where + ": Parameter 'port' expects a port number (0 to 65535)");
        }
    }
}
