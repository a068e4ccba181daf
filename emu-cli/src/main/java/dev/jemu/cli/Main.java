package dev.jemu.cli;

import dev.jemu.cli.chardev.StdioBackend;
import dev.jemu.cli.chardev.UserQuit;
import dev.jemu.cli.monitor.MonitorSpec;
import dev.jemu.cli.monitor.Monitors;
import dev.jemu.core.chardev.CharBackend;
import dev.jemu.core.log.DebugLog;
import dev.jemu.core.machine.ConfigException;
import dev.jemu.core.machine.CpuArchitecture;
import dev.jemu.core.machine.Machine;
import dev.jemu.core.machine.MachineConfig;
import dev.jemu.core.machine.MachineType;
import java.io.BufferedOutputStream;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Set;

/**
 * The {@code jemu} command: QEMU's flags with QEMU's meanings. Every user error is one line
 * {@code jemu: <message>} on stderr and exit status 1; the status of a run is the guest's.
 */
public final class Main {
    private Main() {
    }

    public static void main(String[] args) {
        int status = run(args, HostIo.system());
        System.out.flush();
        System.err.flush();
        System.exit(status);
    }

    /** Runs the command with the process's streams; returns the exit status and never calls System.exit. */
    public static int run(String[] args) {
        return run(args, HostIo.system());
    }

    /** Runs the command with the given streams; returns the exit status and never calls System.exit. */
    public static int run(String[] args, HostIo io) {
        PrintStream err = io.err();
        boolean trace = "1".equals(System.getenv("JEMU_DEBUG"));
        try {
            Options o = Flags.parse(args);
            trace |= !o.debug.isEmpty();
            return run(o, io);
        } catch (ConfigException e) {
            err.println("jemu: " + e.getMessage());
            return 1;
        } catch (Throwable t) {
            err.println("jemu: internal error: " + t);
            if (trace) {
                t.printStackTrace(err);
            }
            return 1;
        }
    }

    private static int run(Options o, HostIo io) throws ConfigException {
        PrintStream out = new PrintStream(io.out(), true, StandardCharsets.UTF_8);
        if (o.help) {
            Flags.usage(out);
            return 0;
        }
        if (o.version) {
            out.println("jemu version " + version());
            out.println("Java " + Runtime.version() + " (" + System.getProperty("java.vm.name") + ")");
            return 0;
        }
        if ("help".equals(o.machine) || "?".equals(o.machine)) {
            Boards.listMachines(out, o.cpu == null || o.cpu.equals("help") ? null : Boards.architecture(cpuName(o.cpu)));
            return 0;
        }
        if ("help".equals(o.cpu) || "?".equals(o.cpu)) {
            Boards.listCpus(out);
            return 0;
        }
        if (o.debug.contains("help") || o.debug.contains("?")) {
            out.println("Log items (comma separated):");
            for (DebugLog.Category c : DebugLog.Category.values()) {
                out.printf("%-15s %s%n", c.flag, c.help);
            }
            return 0;
        }
        Set<DebugLog.Category> categories = ConfigBuilder.debugCategories(o.debug);
        if (o.cpu != null && o.cpu.contains(",")) {
            throw new ConfigException("-cpu " + o.cpu + ": CPU properties are not supported yet");
        }
        CpuArchitecture arch = Boards.architecture(o.cpu);
        MachineConfig config = new MachineConfig();
        config.cpu = Boards.cpuModel(arch, o.cpu);
        PrintStream debugFile = null;
        try {
            List<MonitorSpec> monitors = monitorSpecs(o);
            ConfigBuilder.fill(o, io, config);
            MachineType type = Boards.machine(arch, config.machine);
            config.machine = type.name();
            if (o.debugFile != null) {
                try {
                    debugFile = new PrintStream(new BufferedOutputStream(new FileOutputStream(o.debugFile)), false,
                            StandardCharsets.UTF_8);
                } catch (IOException e) {
                    throw new ConfigException("-D " + o.debugFile + ": cannot open: " + e.getMessage());
                }
                DebugLog.setOutput(debugFile);
            }
            DebugLog.enable(categories);
            return runMachine(type, config, io, monitors, arch.name());
        } finally {
            closeAll(config);
            if (debugFile != null) {
                debugFile.flush();
                DebugLog.setOutput(System.err);
                debugFile.close();
            }
            DebugLog.enable(Set.of());
        }
    }

    /** The monitors asked for ({@code -qmp}, {@code -monitor}, {@code -mon}); stdio may serve only one of them. */
    private static List<MonitorSpec> monitorSpecs(Options o) throws ConfigException {
        List<MonitorSpec> specs = MonitorSpec.parse(o.qmp, o.monitor, o.mon, o.chardevs);
        long onStdio = specs.stream().filter(MonitorSpec::stdio).count();
        boolean serialStdio = o.serials.stream().anyMatch(s -> s.equals("stdio") || s.equals("mon:stdio"))
                || (o.serials.isEmpty() && (o.nographic || o.display == null));
        if (onStdio > 1 || (onStdio == 1 && serialStdio)) {
            throw new ConfigException("cannot use stdio by multiple character devices");
        }
        return specs;
    }

    private static int runMachine(MachineType type, MachineConfig config, HostIo io, List<MonitorSpec> specs,
                                  String arch) throws ConfigException {
        int status;
        try (Machine machine = type.create(config);
             Monitors monitors = Monitors.start(specs, machine, "jemu " + version(), config.name, config.machine, arch,
                     io.in(), io.out(), specs.stream().anyMatch(MonitorSpec::stdio) && io.terminal(), consoleMux(config),
                     io.err())) {
            status = machine.run();
        } catch (RuntimeException e) {
            if (!isQuit(e)) {
                throw e;
            }
            closeAll(config);   // flush the guest's last output and give the terminal back first
            io.err().println("jemu: terminated");
            return 0;
        }
        return status;
    }

    /** The serial backend on {@code mon:stdio}, which carries HMP behind Ctrl-A c; null if there is none. */
    private static StdioBackend consoleMux(MachineConfig config) {
        for (CharBackend b : config.serials) {
            if (b instanceof StdioBackend s && s.isMux()) {
                return s;
            }
        }
        return null;
    }

    private static boolean isQuit(Throwable t) {
        for (; t != null; t = t.getCause()) {
            if (t instanceof UserQuit) {
                return true;
            }
        }
        return false;
    }

    private static void closeAll(MachineConfig config) {
        for (CharBackend b : config.serials) {
            try {
                b.close();
            } catch (RuntimeException e) {
                // closing is best effort; the run's status is what matters
            }
        }
    }

    /** The model part of {@code -cpu name,prop=...}. */
    private static String cpuName(String cpu) {
        int comma = cpu.indexOf(',');
        return comma < 0 ? cpu : cpu.substring(0, comma);
    }

    static String version() {
        try (InputStream in = Main.class.getResourceAsStream("version.txt")) {
            return in == null ? "unknown" : new String(in.readAllBytes(), StandardCharsets.UTF_8).trim();
        } catch (IOException e) {
            return "unknown";
        }
    }
}
