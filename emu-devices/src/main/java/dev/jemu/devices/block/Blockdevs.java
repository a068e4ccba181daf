package dev.jemu.devices.block;

import dev.jemu.core.machine.ConfigException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * {@code -blockdev}, QEMU's modern spelling of a drive: a graph of named nodes, a format node
 * ({@code driver=qcow2|raw|vmdk|vdi}) over a protocol node ({@code driver=file|host_device}) given inline
 * ({@code file.driver=file,file.filename=X}) or by name ({@code file=NODE}, another {@code -blockdev}), in the
 * key=value or the JSON form. Each root node becomes the {@link DriveOptions} of an {@code if=none} drive
 * whose id is its {@code node-name}, so {@code -device virtio-blk-device,drive=NODE} finds it; a protocol node
 * used directly is a raw disk, as in QEMU.
 */
public final class Blockdevs {
    private static final Set<String> FORMATS = Set.of("qcow2", "raw", "vmdk", "vdi");
    private static final Set<String> PROTOCOLS = Set.of("file", "host_device");

    /** One parsed node: its options and the {@code -blockdev} text for messages. */
    private record Node(String spec, Map<String, String> opts) {
    }

    private Blockdevs() {
    }

    /** The drives the {@code -blockdev} options define, in order, every file checked to exist. */
    public static List<DriveOptions> resolve(List<String> specs) throws ConfigException {
        Map<String, Node> byName = new LinkedHashMap<>();
        for (String spec : specs) {
            Map<String, String> o = options(spec);
            String name = o.get("node-name");
            if (name == null) {
                throw error(spec, "'node-name' must be specified for the root node");
            }
            if (byName.put(name, new Node(spec, o)) != null) {
                throw error(spec, "Duplicate nodes with node-name='" + name + "'");
            }
        }
        Set<String> referenced = new HashSet<>();
        for (Node n : byName.values()) {
            String ref = n.opts().get("file");
            if (ref != null) {
                if (!byName.containsKey(ref)) {
                    throw error(n.spec(), "Cannot find device='" + ref + "' nor node-name='" + ref + "'");
                }
                referenced.add(ref);
            }
        }
        List<DriveOptions> out = new ArrayList<>();
        for (Map.Entry<String, Node> e : byName.entrySet()) {
            if (!referenced.contains(e.getKey())) {
                out.add(drive(e.getValue(), byName));
            }
        }
        return out;
    }

    private static Map<String, String> options(String spec) throws ConfigException {
        Map<String, String> o = new LinkedHashMap<>();
        if (spec.trim().startsWith("{")) {
            try {
                o.putAll(FlatJson.parse(spec));
            } catch (IllegalArgumentException e) {
                throw error(spec, e.getMessage());
            }
        } else {
            for (String part : DriveOptions.split(spec)) {
                int eq = part.indexOf('=');
                if (eq <= 0) {
                    throw error(spec, "Invalid parameter '" + part + "'");
                }
                if (o.put(part.substring(0, eq), part.substring(eq + 1)) != null) {
                    throw error(spec, "Parameter '" + part.substring(0, eq) + "' given twice");
                }
            }
        }
        String driver = o.get("driver");
        if (driver == null) {
            throw error(spec, "Parameter 'driver' is missing");
        }
        if (!FORMATS.contains(driver) && !PROTOCOLS.contains(driver)) {
            throw error(spec, "Parameter 'driver' does not accept value '" + driver + "'");
        }
        for (String key : o.keySet()) {
            if (!known(key, PROTOCOLS.contains(driver))) {
                throw error(spec, "Parameter '" + key + "' is unexpected");
            }
        }
        return o;
    }

    /** The options jemu's block layer has a meaning for; on a format node, {@code file.*} are its protocol's. */
    private static boolean known(String key, boolean protocol) {
        String k = !protocol && key.startsWith("file.") ? key.substring(5) : key;
        boolean inner = k != key;
        return switch (k) {
            case "driver", "read-only", "auto-read-only", "cache.direct", "cache.no-flush", "discard",
                 "detect-zeroes", "force-share" -> true;
            case "node-name" -> true;
            case "filename", "locking", "aio" -> protocol || inner;
            case "file" -> !protocol && !inner;
            default -> false;
        };
    }

    private static DriveOptions drive(Node n, Map<String, Node> byName) throws ConfigException {
        Map<String, String> o = n.opts();
        String driver = o.get("driver");
        String format = PROTOCOLS.contains(driver) ? "raw" : driver;
        Map<String, String> proto = new LinkedHashMap<>();
        if (PROTOCOLS.contains(driver)) {
            proto.putAll(o);
        } else if (o.containsKey("file")) {
            proto.putAll(byName.get(o.get("file")).opts());
            if (!PROTOCOLS.contains(proto.get("driver"))) {
                throw error(n.spec(), "node '" + o.get("file") + "' is a " + proto.get("driver")
                        + " node; jemu stacks a format only on a file or host_device node");
            }
        } else {
            for (Map.Entry<String, String> e : o.entrySet()) {
                if (e.getKey().startsWith("file.")) {
                    proto.put(e.getKey().substring(5), e.getValue());
                }
            }
            if (proto.isEmpty()) {
                throw error(n.spec(), "Parameter 'file' is missing");
            }
            if (!proto.containsKey("driver")) {
                throw error(n.spec(), "Parameter 'file.driver' is missing");
            }
            if (!PROTOCOLS.contains(proto.get("driver"))) {
                throw error(n.spec(), "Parameter 'file.driver' does not accept value '" + proto.get("driver") + "'");
            }
        }
        String filename = proto.get("filename");
        if (filename == null) {
            throw error(n.spec(), "Parameter '" + (PROTOCOLS.contains(driver) ? "" : "file.") + "filename' is missing");
        }
        if (!Files.exists(Path.of(filename))) {
            throw error(n.spec(), "Could not open '" + filename + "': No such file or directory");
        }
        boolean readOnly = on(n.spec(), o, "read-only") || on(n.spec(), proto, "read-only");
        boolean direct = on(n.spec(), o, "cache.direct") || on(n.spec(), proto, "cache.direct");
        boolean noFlush = on(n.spec(), o, "cache.no-flush") || on(n.spec(), proto, "cache.no-flush");
        String discard = o.getOrDefault("discard", proto.getOrDefault("discard", "ignore"));
        StringBuilder d = new StringBuilder("file=").append(filename.replace(",", ",,"))
                .append(",format=").append(format).append(",if=none,id=").append(o.get("node-name"))
                .append(",cache=").append(noFlush ? "unsafe" : direct ? "none" : "writeback")
                .append(",discard=").append(discard);
        if (readOnly) {
            d.append(",readonly=on");
        }
        if (proto.containsKey("locking")) {
            d.append(",file.locking=").append(proto.get("locking"));
        }
        try {
            return DriveOptions.parse(d.toString());
        } catch (ConfigException e) {
            String msg = e.getMessage();
            throw error(n.spec(), msg.substring(msg.indexOf(": ", msg.indexOf(d.toString())) + 2));
        }
    }

    private static boolean on(String spec, Map<String, String> o, String key) throws ConfigException {
        String v = o.get(key);
        if (v == null) {
            return false;
        }
        return switch (v) {
            case "on", "true", "yes" -> true;
            case "off", "false", "no" -> false;
            default -> throw error(spec, "Parameter '" + key + "' expects 'on' or 'off'");
        };
    }

    private static ConfigException error(String spec, String msg) {
        return new ConfigException("-blockdev " + spec + ": " + msg);
    }
}
