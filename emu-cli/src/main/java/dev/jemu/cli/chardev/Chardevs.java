package dev.jemu.cli.chardev;

import dev.jemu.core.chardev.CharBackend;
import dev.jemu.core.chardev.NullCharBackend;
import dev.jemu.core.machine.ConfigException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.BooleanSupplier;

/**
 * The character devices of one run, by id: those {@code -chardev} defines and the anonymous ones that
 * {@code -serial}/{@code -parallel} short forms create (ids serial0, parallel0, ...). Creates each backend
 * from its {@link ChardevSpec}, with {@code logfile=} and {@code mux=on} layered on top, and checks the
 * rules QEMU checks: unique ids, one stdio, no stdio when daemonizing, one frontend per chardev unless mux.
 */
public final class Chardevs {
    /** The host side: the process's standard streams (stdio), and stdout for the pty lines. */
    public record Host(InputStream in, OutputStream out, BooleanSupplier terminal, PrintStream stdout,
                       PrintStream err, boolean daemonize) {
    }

    private final Host host;
    private final Map<String, CharBackend> byId = new LinkedHashMap<>();
    private final Set<String> inUse = new HashSet<>();
    private boolean stdioUsed;

    public Chardevs(Host host) {
        this.host = host;
    }

    /** {@code -chardev OPTS}. */
    public void define(String opts) throws ConfigException {
        ChardevSpec spec = ChardevSpec.parseChardev(opts);
        if (byId.containsKey(spec.id())) {
            throw new ConfigException("-chardev " + ChardevSpec.shown(opts) + ": Duplicate ID '" + spec.id() + "' for chardev");
        }
        add(spec, "-chardev " + ChardevSpec.shown(opts));
    }

    /**
     * The backend for a device's {@code flag SPEC} ({@code -serial chardev:ID}, or a short form that
     * creates a chardev named {@code id}).
     */
    public CharBackend frontend(String flag, String spec, String id) throws ConfigException {
        String where = flag + " " + ChardevSpec.shown(spec);
        if (spec.startsWith("chardev:")) {
            String ref = spec.substring(8);
            CharBackend b = byId.get(ref);
            if (b == null) {
                throw new ConfigException(where + ": chardev '" + ref + "' not found (define it with -chardev ...,id="
                        + ref + ")");
            }
            if (inUse.contains(ref)) {
                throw new ConfigException(where + ": chardev '" + ref + "' is already in use by another device");
            }
            inUse.add(ref);
            return b;
        }
        if (byId.containsKey(id)) {
            throw new ConfigException(where + ": Duplicate ID '" + id + "' for chardev");
        }
        CharBackend b = add(ChardevSpec.parseShort(flag, spec, id), where);
        inUse.add(id);
        return b;
    }

    /** The backend defined as {@code id}, or null. */
    public CharBackend byId(String id) {
        return byId.get(id);
    }

        /** Every backend created so far, in order (for closing). */
    public List<CharBackend> all() {
        return new ArrayList<>(byId.values());
    }

    /** Closes every backend (after a failed set-up). */
    public void closeAll() {
        for (CharBackend b : byId.values()) {
            try {
                b.close();
            } catch (RuntimeException e) {
                // best effort
            }
        }
        byId.clear();
    }

    private CharBackend add(ChardevSpec spec, String where) throws ConfigException {
        CharBackend b;
        try {
            b = create(spec);
            if (spec.get("logfile") != null) {
                b = new LogfileBackend(b, spec.get("logfile"), spec.flag("logappend", false));
            }
        } catch (ConfigException e) {
            throw new ConfigException(where + ": " + e.getMessage());
        }
        boolean mux = spec.flag("mux", false);
        if (mux) {
            b = new MuxBackend(b);
        }
        byId.put(spec.id(), b);
        return b;
    }

    private CharBackend create(ChardevSpec spec) throws ConfigException {
        return switch (spec.backend()) {
            case "null" -> new NullCharBackend();
            case "stdio" -> {
                if (host.daemonize()) {
                    throw new ConfigException("cannot use stdio with -daemonize");
                }
                if (stdioUsed) {
                    throw new ConfigException("cannot use stdio by multiple character devices");
                }
                stdioUsed = true;
                yield new StdioBackend(host.in(), host.out(), host.terminal().getAsBoolean(),
                        spec.flag("signal", true));
            }
            case "file" -> new FileBackend(path(spec.get("path")), spec.flag("append", false));
            case "pty" -> PtyBackend.open(spec.id(), host.stdout());
            case "serial" -> TtyBackend.open(spec.get("path"), spec.id());
            case "socket" -> socket(spec);
            default -> throw new ConfigException("'" + spec.backend() + "' is not a valid char driver name");
        };
    }

    private CharBackend socket(ChardevSpec spec) throws ConfigException {
        SocketBackend.Address a = spec.get("path") != null
                ? new SocketBackend.Address(null, 0, spec.get("path"))
                : new SocketBackend.Address(spec.get("host") == null ? "" : spec.get("host"),
                        Integer.parseInt(spec.get("port")), null);
        boolean server = spec.flag("server", false);
        return SocketBackend.open(spec.id(), a, server, server && spec.flag("wait", true), spec.flag("nodelay", false),
                spec.flag("telnet", false), Integer.parseInt(spec.props().getOrDefault("reconnect", "0")), host.err(),
                "jemu: " + spec.originFlag());
    }

    private static Path path(String p) throws ConfigException {
        try {
            return Path.of(p);
        } catch (InvalidPathException e) {
            throw new ConfigException("invalid file name '" + p + "'");
        }
    }
}
