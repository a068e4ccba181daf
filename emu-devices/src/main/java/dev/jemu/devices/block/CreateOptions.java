package dev.jemu.devices.block;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * The `-o key=value` options of `create` and `convert`. A format takes the keys it knows; any key left
 * unused is an error, so a typo never silently creates an image with defaults.
 */
public final class CreateOptions {
    private final Map<String, String> values = new LinkedHashMap<>();
    private final Set<String> used = new TreeSet<>();

    /** Parses "a=1,b=2" (qemu's syntax; ",," is not supported). */
    public static CreateOptions parse(String spec) throws BlockException {
        CreateOptions o = new CreateOptions();
        if (spec == null || spec.isEmpty()) return o;
        for (String part : spec.split(",")) {
            if (part.isEmpty()) continue;
            int eq = part.indexOf('=');
            if (eq <= 0) throw new BlockException("Invalid option '" + part + "' (expected key=value)");
            o.put(part.substring(0, eq).trim(), part.substring(eq + 1).trim());
        }
        return o;
    }

    public CreateOptions put(String key, String value) {
        values.put(key, value);
        return this;
    }

    public String get(String key) {
        used.add(key);
        return values.get(key);
    }

    public boolean has(String key) {
        return values.containsKey(key);
    }

    public boolean getBool(String key, boolean dflt) throws BlockException {
        String v = get(key);
        if (v == null) return dflt;
        return switch (v) {
            case "on", "true", "yes" -> true;
            case "off", "false", "no" -> false;
            default -> throw new BlockException("Parameter '" + key + "' expects 'on' or 'off'");
        };
    }

    public long getSize(String key, long dflt) throws BlockException {
        String v = get(key);
        return v == null ? dflt : Sizes.parse(v);
    }

    /** Fails on the first option nobody asked for. */
    public void checkAllUsed(String format) throws BlockException {
        for (String k : values.keySet()) {
            if (!used.contains(k)) throw new BlockException("Invalid parameter '" + k + "' for format " + format);
        }
    }
}
