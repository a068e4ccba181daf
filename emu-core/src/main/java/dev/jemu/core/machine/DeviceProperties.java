package dev.jemu.core.machine;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A {@code -device}'s properties checked against its {@link DeviceInfo}, with {@code -global} defaults under
 * them, in QEMU's words when one does not exist.
 */
public final class DeviceProperties {
    private DeviceProperties() {
    }

    /**
     * The properties {@code given} (of the {@code -device spec}, without {@code driver}/{@code id}) over the
     * {@code globals} ({@code DRIVER.PROP=VALUE}) for this device; a later global wins over an earlier one.
     */
    public static Map<String, String> apply(DeviceInfo device, List<String> globals, Map<String, String> given,
                                            String spec) throws ConfigException {
        Map<String, String> out = new LinkedHashMap<>();
        String prefix = device.name() + ".";
        for (String g : globals) {
            if (!g.startsWith(prefix)) {
                continue;
            }
            int eq = g.indexOf('=');
            String prop = g.substring(prefix.length(), eq);
            if (device.property(prop).isEmpty()) {
                throw new ConfigException("-device " + spec + ": can't apply global " + g + ": Property '"
                        + device.name() + "." + prop + "' not found");
            }
            out.put(prop, g.substring(eq + 1));
        }
        for (Map.Entry<String, String> e : given.entrySet()) {
            if (device.property(e.getKey()).isEmpty()) {
                throw new ConfigException("-device " + spec + ": Property '" + device.name() + "." + e.getKey()
                        + "' not found");
            }
            out.put(e.getKey(), e.getValue());
        }
        return out;
    }
}
