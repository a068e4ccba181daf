package dev.jemu.cli;

import dev.jemu.core.machine.ConfigException;
import dev.jemu.core.machine.DeviceInfo;
import dev.jemu.core.machine.MachineType;
import dev.jemu.core.machine.PropertyInfo;
import dev.jemu.devices.block.DriveOptions;
import java.io.PrintStream;
import java.util.Comparator;
import java.util.List;

/**
 * {@code -device help}, {@code -device NAME,help} and {@code -M NAME,help}, in QEMU's layout, printed from the
 * tables the board and its devices declare (the same ones the parsers check against).
 */
final class Discovery {
    private Discovery() {
    }

    /** Whether a {@code -device} option asks for help ({@code help}, {@code ?} or {@code NAME,help}). */
    static boolean wantsDeviceHelp(List<String> devices) {
        return devices.stream().anyMatch(Discovery::isHelp);
    }

    private static boolean isHelp(String spec) {
        List<String> parts = DriveOptions.split(spec);
        return parts.contains("help") || parts.contains("?");
    }

    /** Prints the help the first {@code -device ...help} asks for. */
    static void deviceHelp(MachineType board, List<String> devices, PrintStream out) throws ConfigException {
        String spec = devices.stream().filter(Discovery::isHelp).findFirst().orElseThrow();
        String name = DriveOptions.split(spec).get(0);
        if (name.startsWith("driver=")) {
            name = name.substring(7);
        }
        if (name.equals("help") || name.equals("?")) {
            listDevices(board, out);
            return;
        }
        String wanted = name;
        DeviceInfo d = board.devices().stream().filter(x -> x.name().equals(wanted)).findFirst()
                .orElseThrow(() -> new ConfigException("-device " + spec + ": Device '" + wanted + "' not found"));
        if (d.properties().isEmpty()) {
            out.println("There are no options for " + d.name() + ".");
            return;
        }
        out.println(d.name() + " options:");
        d.properties().stream().sorted(Comparator.comparing(PropertyInfo::name))
                .forEach(p -> out.println(p.helpLine()));
    }

    /** QEMU's list: each category with devices, its heading, the devices by name, a blank line. */
    static void listDevices(MachineType board, PrintStream out) {
        for (DeviceInfo.Category c : DeviceInfo.Category.values()) {
            List<DeviceInfo> in = board.devices().stream().filter(d -> d.category() == c)
                    .sorted(Comparator.comparing(DeviceInfo::name)).toList();
            if (in.isEmpty()) {
                continue;
            }
            out.println(c.heading + ":");
            in.forEach(d -> out.println(d.listLine()));
            out.println();
        }
    }

    /** {@code -M NAME,help}: the board's properties. */
    static void machineHelp(MachineType board, PrintStream out) {
        out.println(board.name() + "-machine options:");
        board.properties().stream().sorted(Comparator.comparing(PropertyInfo::name))
                .forEach(p -> out.println(p.helpLine()));
    }

    /** QEMU's warning for a {@code -global} whose driver is no device of this board. */
    static void checkGlobalDrivers(MachineType board, List<String> globals, PrintStream err) {
        for (String g : globals) {
            String driver = g.substring(0, g.indexOf('.'));
            if (board.devices().stream().noneMatch(d -> d.name().equals(driver))) {
                err.println(dev.jemu.core.log.Messages.line("jemu: warning: global " + g.substring(0, g.indexOf('='))
                        + " has invalid class name"));
            }
        }
    }
}
