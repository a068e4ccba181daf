package dev.jemu.devices;

import dev.jemu.core.machine.ConfigException;
import dev.jemu.devices.block.DriveOptions;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** QEMU's {@code first,key=value,...} option strings ({@code -device}, {@code -object}, {@code -fsdev}...). */
public final class QemuOptions {
    private QemuOptions() {
    }

    /**
     * The options of {@code spec} given to {@code flag}, in order; a first element without '=' is the value of
     * {@code firstKey} (the device model, the object type...), which must be there, else {@code missingFirst}.
     */
    public static Map<String, String> parse(String flag, String spec, String firstKey, String missingFirst)
            throws ConfigException {
        Map<String, String> p = new LinkedHashMap<>();
        List<String> parts = DriveOptions.split(spec);
        for (int i = 0; i < parts.size(); i++) {
            String s = parts.get(i);
            int eq = s.indexOf('=');
            if (eq < 0 && i == 0) {
                p.put(firstKey, s);
            } else if (eq > 0) {
                p.put(s.substring(0, eq), s.substring(eq + 1));
            } else {
                throw new ConfigException(flag + " " + spec + ": Invalid parameter '" + s + "'");
            }
        }
        if (p.get(firstKey) == null || p.get(firstKey).isEmpty()) {
            throw new ConfigException(flag + " " + spec + ": " + missingFirst);
        }
        return p;
    }
}
