package dev.jemu.cli;

import dev.jemu.cli.chardev.ChardevSpec;
import dev.jemu.cli.chardev.MuxBackend;
import dev.jemu.cli.chardev.UserQuit;
import dev.jemu.cli.monitor.MonitorSpec;
import dev.jemu.cli.monitor.Monitors;
import dev.jemu.cli.process.Daemon;
import dev.jemu.cli.process.PidFile;
import dev.jemu.cli.process.Signals;
import dev.jemu.cli.process.StartupWarmup;
import dev.jemu.core.chardev.CharBackend;
import dev.jemu.core.log.DebugLog;
import dev.jemu.core.log.Messages;
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
        StartupWarmup.start();
        Signals.install(System.err);
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
            if (o.daemonize && !o.help && !o.version) {
                if (o.nographic) {
                    throw new ConfigException("-nographic cannot be used with -daemonize");
                }
                if (!Daemon.isChild()) {
                    return Daemon.runParent(args, new PrintStream(io.out(), true, StandardCharsets.UTF_8), err);
                }
                Daemon.childStarted();
            }
            return run(o, io);
        } catch (ConfigException e) {
            err.println(Messages.line("jemu: " + e.getMessage()));
            return 1;
        } catch (Throwable t) {
            err.println(Messages.line("jemu: internal error: " + t));
            if (trace) {
                t.printStackTrace(err);
            }
            return 1;
        }
    }

    private static int run(Options o, HostIo io) throws ConfigException {
        PrintStream out = new PrintStream(io.out(), true, StandardCharsets.UTF_8);
        messages(o);
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
        if ("help".equals(o.vga)) {
            out.printf("%-20s %s%n", "none", "no graphic card");
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
        CpuArchitecture arch = Boards.architecture(o.cpu, ConfigBuilder.machineName(o.machine));
        MachineType type = Boards.machine(arch, ConfigBuilder.machineName(o.machine));
        if (MachineProperties.wantsHelp(o.machine)) {
            Discovery.machineHelp(type, out);
            return 0;
        }
        if (Discovery.wantsDeviceHelp(o.devices)) {
            Discovery.deviceHelp(type, o.devices, out);
            return 0;
        }
        MachineConfig config = new MachineConfig();
        config.cpu = Boards.cpuModel(arch, o.cpu);
        config.dumpDtb = MachineProperties.apply(type, MachineProperties.of(o.machine), o);
        config.boardProperties.putAll(MachineProperties.boardOwn(MachineProperties.of(o.machine)));
        PrintStream debugFile = null;
        PidFile pidFile = o.pidfile == null ? null : PidFile.create(o.pidfile);
        try {
            List<MonitorSpec> monitors = monitorSpecs(o);
            ConfigBuilder.fill(o, io, config);
            config.machine = type.name();
            AccelOption.checkBoard(config.accel, type.architecture());
            Discovery.checkGlobalDrivers(type, config.globals, io.err());
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
            return runMachine(type, config, io, o.daemonize && Daemon.isChild(), monitors, arch.name(), o.gdb);
        } finally {
            closeAll(config);
            if (pidFile != null) {
                pidFile.close();
            }
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
        if (onStdio == 0) {
            return specs;
        }
        if (o.daemonize) {
            throw new ConfigException("cannot use stdio with -daemonize");
        }
        Set<String> monitorOwned = MonitorSpec.monitorChardevs(o.mon, o.chardevs);
        boolean otherStdio = o.serials.stream().anyMatch(s -> s.equals("stdio") || s.equals("mon:stdio"))
                || (o.serials.isEmpty() && !o.nodefaults && (o.nographic || o.display == null));
        for (String c : o.chardevs) {
            ChardevSpec spec = ChardevSpec.parseChardev(c);
            otherStdio |= spec.backend().equals("stdio") && !monitorOwned.contains(spec.id());
        }
        if (onStdio > 1 || otherStdio) {
            throw new ConfigException("cannot use stdio by multiple character devices");
        }
        return specs;
    }

    private static int runMachine(MachineType type, MachineConfig config, HostIo io, boolean daemonChild,
                                  List<MonitorSpec> specs, String arch, String gdb) throws ConfigException {
        int status;
        try (Machine machine = type.create(config);
             Monitors monitors = Monitors.start(specs, machine, "jemu " + version(), config.name, config.machine, arch,
                     io.in(), io.out(), specs.stream().anyMatch(MonitorSpec::stdio) && io.terminal(),
                     monitorMuxes(config), io.err(), Migrations.create(machine, config, io.err()))) {
            monitors.startGdb(gdb, "tcp::1234".equals(gdb) ? "-s" : "-gdb " + gdb, io.err());
            java.util.concurrent.atomic.AtomicBoolean userQuit = new java.util.concurrent.atomic.AtomicBoolean();
            for (CharBackend b : config.chardevs) {
                if (b instanceof MuxBackend mux) {
                    mux.onFlushDisks(machine::flushDisks);   // Ctrl-A s
                    mux.onQuit(() -> {                       // Ctrl-A x: QEMU's quit (SHUTDOWN host-qmp-quit)
                        userQuit.set(true);
                        if (machine.control() != null) {
                            machine.control().quit(0);
                        } else {
                            machine.quit(0);
                        }
                    });
                }
            }
            Signals.running(machine);
            if (daemonChild) {
                Daemon.childReady(io.out()); // after the monitors listen: a client may connect once we return
            }
            status = machine.run();
            Signals.running(null);
            if (userQuit.get()) {
                closeAll(config);   // flush the guest's last output and give the terminal back first
                io.err().println(Messages.line("jemu: terminated"));
                return 0;
            }
            if (config.dumpDtb != null) {
                io.err().println(Messages.line("jemu: info: dtb dumped to " + config.dumpDtb + ". Exiting."));
            }
        } catch (RuntimeException e) {
            if (!isQuit(e)) {
                throw e;
            }
            closeAll(config);   // flush the guest's last output and give the terminal back first
            io.err().println(Messages.line("jemu: terminated"));
            return 0;
        }
        return status;
    }

    /** The {@code mon:} serial ports' muxes and the mux chardevs a {@code -mon} names: HMP behind Ctrl-A c. */
    private static List<MuxBackend> monitorMuxes(MachineConfig config) {
        List<MuxBackend> out = new java.util.ArrayList<>();
        for (CharBackend b : config.chardevs) {
            if (b instanceof MuxBackend m && m.wantsMonitor()) {
                out.add(m);
            }
        }
        return out;
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
        Set<CharBackend> all = java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>());
        all.addAll(config.serials);
        all.addAll(config.chardevs);
        for (CharBackend b : all) {
            try {
                b.close();
            } catch (RuntimeException e) {
                // closing is best effort; the run's status is what matters
            }
        }
    }

    /** {@code -msg} and {@code -name}: the prefixes of jemu's own messages from here on. */
    private static void messages(Options o) throws ConfigException {
        Messages.configure(false, null);
        String name = o.name == null ? null : ScriptingOptions.guestName(o.name);
        boolean[] msg = o.msg == null ? new boolean[2] : ScriptingOptions.msg(o.msg);
        Messages.configure(msg[0], msg[1] ? name : null);
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
