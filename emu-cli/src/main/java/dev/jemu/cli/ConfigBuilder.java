package dev.jemu.cli;

import dev.jemu.core.log.DebugLog;
import dev.jemu.core.machine.ConfigException;
import dev.jemu.core.machine.MachineConfig;
import dev.jemu.core.time.VirtualClock;
import dev.jemu.devices.block.DriveOptions;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

/** Turns the parsed flags into a {@link MachineConfig}, checking each value the way QEMU does. */
final class ConfigBuilder {
    private ConfigBuilder() {
    }

    /** Fills {@code config} from {@code o}; serial backends are created here (and must be closed by the caller). */
    static void fill(Options o, HostIo io, MachineConfig config) throws ConfigException {
        config.machine = machineName(o.machine);
        if (o.memory != null) {
            config.ramBytes = Sizes.ramSize(o.memory);
        }
        if (o.smp != null) {
            SmpOption.Topology smp = SmpOption.parse(o.smp, w -> io.err().println(dev.jemu.core.log.Messages.line("jemu: " + w)));
            config.smp = smp.cpus();
            config.sockets = smp.sockets();
            config.cores = smp.cores();
            config.threads = smp.threads();
            config.maxCpus = smp.maxCpus();
        }
        AccelOption.Accel accel = AccelOption.parse(o.accel, MachineProperties.accel(o.machine), o.enableKvm);
        config.accel = accel.name();
        config.tcgMultiThread = accel.tcgMultiThread();
        if (o.display != null && !o.display.equals("none")) {
            throw new ConfigException("-display " + o.display + ": jemu has no display; use -display none or -nographic");
        }
        if (o.bios != null) {
            config.bios = switch (o.bios) {
                case "none" -> "none";
                case "default" -> null;
                default -> existing("-bios", o.bios).toString();
            };
        }
        config.kernel = o.kernel == null ? null : existing("-kernel", o.kernel);
        config.initrd = o.initrd == null ? null : existing("-initrd", o.initrd);
        config.dtb = o.dtb == null ? null : existing("-dtb", o.dtb);
        if (o.append != null) {
            config.append = o.append;
        }
        config.noReboot = o.noReboot;
        config.snapshot = o.snapshot;
        config.loadvm = o.loadvm;
        config.incoming = o.incoming;
        config.drives.addAll(o.drives);
        if (!o.positional.isEmpty()) {
            config.drives.add(o.drivesBeforePositional, bareImageDrive(o.positional));
        }
        config.devices.addAll(o.devices);
        config.objects.addAll(o.objects);
        config.fsdevs.addAll(o.fsdevs);
        config.virtfs.addAll(o.virtfs);
        config.netdevs.addAll(o.netdevs);
        config.nics.addAll(o.nics);
        config.nets.addAll(o.nets);
        if (o.icount != null) {
            config.clock = VirtualClock.instructionCount(icountShift(o.icount));
            if (Boolean.TRUE.equals(config.tcgMultiThread)) { // smpcore: as QEMU, no MTTCG with -icount
                throw new ConfigException("-accel " + o.accel + ": No MTTCG when icount is enabled");
            }
        }
        scripting(o, config);
        config.noShutdown = o.noShutdown;
        config.startPaused = o.startPaused;
        config.name = o.name == null ? null : ScriptingOptions.guestName(o.name);
        serials(o, io, config);
    }

    /** {@code -vga}, {@code -rtc}, {@code -boot}, {@code -global}, {@code -blockdev}; -msg is Main's. */
    private static void scripting(Options o, MachineConfig config) throws ConfigException {
        if (o.vga != null) {
            ScriptingOptions.vga(o.vga);
        }
        if (o.rtc != null) {
            config.rtc = ScriptingOptions.rtc(o.rtc, java.time.Instant.now());
        }
        if (o.boot != null) {
            ScriptingOptions.boot(o.boot);
        }
        for (String g : o.globals) {
            config.globals.add(ScriptingOptions.global(g));
        }
        config.blockdevs.addAll(o.blockdevs);
    }

    /**
     * QEMU's bare argument {@code jemu disk.img}: {@code -drive file=disk.img,index=0,media=disk} at its place
     * among the {@code -drive} options. Only one: a second would want unit 0 too.
     */
    static String bareImageDrive(List<String> positional) throws ConfigException {
        String file = positional.get(0);
        if (file.equals("-")) {
            throw new ConfigException("-: invalid option");
        }
        if (positional.size() > 1) {
            String second = positional.get(1);
            throw new ConfigException(second + ": only one disk image may be given as an argument (use -drive file="
                    + second + " for more)");
        }
        Path p;
        try {
            p = Path.of(file);
        } catch (InvalidPathException e) {
            throw new ConfigException(file + ": invalid file name");
        }
        if (!Files.exists(p)) {
            throw new ConfigException(file + ": Could not open '" + file + "': No such file or directory");
        }
        if (Files.isDirectory(p) || !Files.isReadable(p)) {
            // a host block device is an image too, so only directories and unreadable files are refused here
            throw new ConfigException(file + ": Could not open '" + file + "': "
                    + (Files.isDirectory(p) ? "Is a directory" : "Permission denied"));
        }
        return DriveOptions.bareImage(file);
    }

    /** {@code -M virt}, {@code -M type=virt}, {@code -M virt,accel=tcg}. */
    /**
     * A repeated {@code -machine} adds to the earlier ones as in QEMU ({@code -M virt -machine dumpdtb=x}); a
     * board name in a later one replaces the earlier name (written as {@code type=}).
     */
    static String mergeMachine(String earlier, String v) {
        if (earlier == null) {
            return v;
        }
        String first = v.split(",", -1)[0];
        boolean bareName = !first.contains("=") && !first.equals("help") && !first.equals("?") && !first.isEmpty();
        return earlier + "," + (bareName ? "type=" + v : v);
    }

    static String machineName(String opt) throws ConfigException {
        if (opt == null) {
            return null;
        }
        String name = null;
        for (String part : opt.split(",", -1)) {
            if (part.startsWith("type=")) {
                name = part.substring(5);
            } else if (!part.contains("=") && name == null) {
                name = part;
            } else if (part.contains("=") || part.equals("help") || part.equals("?")) {
                continue; // board properties, checked against the board's table by MachineProperties
            } else {
                throw new ConfigException("-machine " + opt + ": property '" + part + "' is not supported");
            }
        }
        if (name == null || name.isEmpty()) {
            throw new ConfigException("-machine " + opt + ": no machine type given (see -M help)");
        }
        return name;
    }

    /** {@code -icount N} or {@code -icount shift=N[,align=off][,sleep=on|off]}. */
    static int icountShift(String opt) throws ConfigException {
        Integer shift = null;
        for (String part : opt.split(",", -1)) {
            if (part.startsWith("shift=") || (!part.contains("=") && shift == null)) {
                String v = part.startsWith("shift=") ? part.substring(6) : part;
                if (v.equals("auto")) {
                    throw new ConfigException("-icount " + opt + ": shift=auto is not supported; give shift=N (0..10)");
                }
                try {
                    shift = Integer.parseInt(v);
                } catch (NumberFormatException e) {
                    throw new ConfigException("-icount " + opt + ": shift must be a number 0..10");
                }
            } else if (!part.equals("align=off") && !part.startsWith("sleep=")) {
                throw new ConfigException("-icount " + opt + ": invalid parameter '" + part + "'");
            }
        }
        if (shift == null || shift < 0 || shift > 10) {
            throw new ConfigException("-icount " + opt + ": shift must be a number 0..10");
        }
        return shift;
    }

    /** {@code -d a,b}: the debug log categories; "help" is handled by the caller. */
    static Set<DebugLog.Category> debugCategories(List<String> opts) throws ConfigException {
        Set<DebugLog.Category> set = EnumSet.noneOf(DebugLog.Category.class);
        for (String opt : opts) {
            for (String item : opt.split(",")) {
                if (item.isEmpty()) {
                    continue;
                }
                DebugLog.Category found = null;
                for (DebugLog.Category c : DebugLog.Category.values()) {
                    if (c.flag.equals(item)) {
                        found = c;
                    }
                }
                if (found == null) {
                    throw new ConfigException("-d " + opt + ": unknown log item '" + item + "' (see -d help)");
                }
                set.add(found);
            }
        }
        return set;
    }

    private static Path existing(String flag, String file) throws ConfigException {
        Path p;
        try {
            p = Path.of(file);
        } catch (InvalidPathException e) {
            throw new ConfigException(flag + " " + file + ": invalid file name");
        }
        if (!Files.exists(p)) {
            throw new ConfigException(flag + " " + file + ": No such file or directory");
        }
        if (!Files.isRegularFile(p) || !Files.isReadable(p)) {
            throw new ConfigException(flag + " " + file + ": not a readable file");
        }
        return p;
    }

    /**
     * The serial ports: each {@code -serial} in order; with none given, {@code -nographic} (or no display
     * option at all: jemu has no graphics) makes serial0 {@code mon:stdio}, and {@code -display none} leaves
     * the ports unconnected, as QEMU does; so does {@code -nodefaults} (no default serial: no console).
     */
    private static void serials(Options o, HostIo io, MachineConfig config) throws ConfigException {
        List<String> specs = o.serials;
        if (specs.isEmpty() && !o.nodefaults && (o.nographic || o.display == null)) {
            // QEMU: the monitor shares the console only while no -monitor/-qmp/-mon was given
            specs = List.of(o.monitor.isEmpty() && o.qmp.isEmpty() && o.mon.isEmpty() ? "mon:stdio" : "stdio");
        }
        CharDevices.build(o, io, specs, config);
    }
}
