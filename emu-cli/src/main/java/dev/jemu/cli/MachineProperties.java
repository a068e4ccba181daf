package dev.jemu.cli;

import dev.jemu.core.machine.ConfigException;
import dev.jemu.core.machine.MachineType;
import dev.jemu.core.machine.PropertyInfo;
import dev.jemu.devices.block.DriveOptions;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * {@code -M name,prop=value}: the properties after the board's name, checked against the board's own table
 * ({@link MachineType#properties()}, which {@code -M name,help} prints) and applied as the flags they stand for.
 */
final class MachineProperties {
    private MachineProperties() {
    }

    /** Whether {@code -M} asks for the board's properties ({@code -M virt,help}). */
    static boolean wantsHelp(String opt) {
        return opt != null && DriveOptions.split(opt).stream().skip(1).anyMatch(p -> p.equals("help") || p.equals("?"));
    }

    /** The {@code key=value} parts of {@code -M}, but {@code type=} and QEMU's legacy {@code accel=} (see {@link #accel}). */
    static Map<String, String> of(String opt) {
        Map<String, String> props = new LinkedHashMap<>();
        if (opt == null) {
            return props;
        }
        for (String part : DriveOptions.split(opt)) {
            int eq = part.indexOf('=');
            if (eq > 0 && !part.startsWith("type=") && !part.startsWith("accel=")) {
                props.put(part.substring(0, eq), part.substring(eq + 1));
            }
        }
        return props;
    }

    /** The value of {@code -M ...,accel=NAME} (the last one), or null. */
    static String accel(String opt) {
        String accel = null;
        if (opt != null) {
            for (String part : DriveOptions.split(opt)) {
                if (part.startsWith("accel=")) {
                    accel = part.substring(6);
                }
            }
        }
        return accel;
    }

    /** The properties no flag stands for, which the board reads itself (MachineConfig.boardProperties). */
    static Map<String, String> boardOwn(Map<String, String> props) {
        Map<String, String> own = new LinkedHashMap<>(props);
        own.keySet().removeAll(java.util.Set.of("kernel", "initrd", "append", "dtb", "firmware", "dumpdtb"));
        return own;
    }

    /** Checks each property against {@code type}'s table and sets what it means in {@code o} (flags win). */
    static Path apply(MachineType type, Map<String, String> props, Options o) throws ConfigException {
        Path dump = null;
        for (Map.Entry<String, String> e : props.entrySet()) {
            String v = e.getValue();
            if (type.properties().stream().map(PropertyInfo::name).noneMatch(e.getKey()::equals)) {
                throw new ConfigException("-machine " + o.machine + ": Property '" + type.name() + "-machine."
                        + e.getKey() + "' not found");
            }
            switch (e.getKey()) {
                case "kernel" -> o.kernel = o.kernel != null ? o.kernel : v;
                case "initrd" -> o.initrd = o.initrd != null ? o.initrd : v;
                case "append" -> o.append = o.append != null ? o.append : v;
                case "dtb" -> o.dtb = o.dtb != null ? o.dtb : v;
                case "firmware" -> o.bios = o.bios != null ? o.bios : v;
                case "dumpdtb" -> dump = Path.of(v);
                default -> { } // the board's own: see boardOwn
            }
        }
        return dump;
    }
}
