package dev.jemu.cli.monitor;

import dev.jemu.core.control.ControlledBoard;
import dev.jemu.core.machine.MachineType;
import dev.jemu.core.machine.Plugins;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Stream;

/**
 * The QMP commands jemu has, with their arguments checked the way QEMU's generated marshallers check them
 * (same error texts), and the replies shaped as QEMU 7.2 shapes them (member names, order and types).
 * {@code qmp_capabilities} is handled by the session, which owns the negotiation.
 */
final class QmpCommands {
    /**
     * An argument: its name, its JSON type ("str", "int", "bool"; "uint64" is an integer too, a negative
     * one taken as QEMU 7.2 takes it, modulo 2^64) and whether it may be left out.
     */
    record Param(String name, String type, boolean optional) {
    }

    interface Handler {
        CompletableFuture<Object> run(MonitorContext ctx, Map<String, Object> args);
    }

    record Command(String name, List<Param> params, Handler handler) {
    }

    /** A command's failure as QMP reports it: error class and description. */
    static final class QmpError extends RuntimeException {
        final String errorClass;

        QmpError(String errorClass, String desc) {
            super(desc, null, false, false);
            this.errorClass = errorClass;
        }

        static QmpError generic(String desc) {
            return new QmpError("GenericError", desc);
        }
    }

    /**
     * A reply value with work to start once the reply is sent: a job's command returns before the job's first
     * step, as in QEMU.
     */
    record AfterReply(Object value, Runnable then) {
    }

    static final List<Command> ALL = Stream.concat(Stream.of(
            new Command("qmp_capabilities", List.of(new Param("enable", "array", true)), null),
            new Command("query-version", List.of(), (c, a) -> done(version(c))),
            new Command("query-status", List.of(), (c, a) -> done(status(c))),
            new Command("query-commands", List.of(), (c, a) -> done(commands())),
            new Command("query-name", List.of(), (c, a) -> done(c.vmName() == null ? Map.of() : Map.of("name", c.vmName()))),
            new Command("query-kvm", List.of(), (c, a) -> done(ordered("enabled", false, "present", false))),
            new Command("query-machines", List.of(), (c, a) -> done(machines(c))),
            new Command("query-cpus-fast", List.of(), (c, a) -> c.control().query(ControlledBoard::cpus).thenApply(QmpCommands::cpus)),
            new Command("query-block", List.of(), (c, a) -> c.control().query(ControlledBoard::blocks).thenApply(QmpCommands::blocks)),
            new Command("stop", List.of(), (c, a) -> empty(c.control().stop())),
            new Command("cont", List.of(), (c, a) -> empty(c.control().cont())),
            new Command("system_reset", List.of(), (c, a) -> empty(c.control().systemReset())),
            new Command("system_powerdown", List.of(), (c, a) -> empty(c.control().powerdown())),
            new Command("quit", List.of(), (c, a) -> empty(c.control().quit(0))),
            new Command("set_link", List.of(new Param("name", "str", false), new Param("up", "bool", false)),
                    QmpCommands::setLink),
            new Command("human-monitor-command", List.of(new Param("command-line", "str", false),
                    new Param("cpu-index", "int", true)), QmpCommands::humanMonitorCommand)),
            Stream.concat(QmpSnapshotCommands.ALL.stream(), QmpMigrationCommands.ALL.stream())).toList();

    private QmpCommands() {
    }

    static Command find(String name) {
        for (Command c : ALL) {
            if (c.name().equals(name)) {
                return c;
            }
        }
        return null;
    }

    /** Checks {@code args} against the command's parameters; throws QEMU's error for the first problem. */
    static void check(Command c, Map<String, Object> args) {
        for (String key : args.keySet()) {
            if (c.params().stream().noneMatch(p -> p.name().equals(key))) {
                throw QmpError.generic("Parameter '" + key + "' is unexpected");
            }
        }
        for (Param p : c.params()) {
            if (!args.containsKey(p.name())) {
                if (!p.optional()) {
                    throw QmpError.generic("Parameter '" + p.name() + "' is missing");
                }
                continue;
            }
            Object v = args.get(p.name());
            boolean ok = switch (p.type()) {
                case "str" -> v instanceof String;
                case "int", "uint64" -> v instanceof Long;
                case "bool" -> v instanceof Boolean;
                case "array" -> v instanceof List;
                default -> true;
            };
            if (!ok) {
                String expected = switch (p.type()) {
                    case "str" -> "string";
                    case "int" -> "integer";
                    case "bool" -> "boolean";
                    default -> "array";
                };
                if (p.type().equals("uint64")) { // QEMU's input visitor words these so
                    throw QmpError.generic("Parameter '" + p.name() + "' expects " + p.type());
                }
                throw QmpError.generic("Invalid parameter type for '" + p.name() + "', expected: " + expected);
            }
        }
    }

    private static CompletableFuture<Object> done(Object v) {
        return CompletableFuture.completedFuture(v);
    }

    /** {@code set_link}: a NIC's or netdev's link status; QEMU's DeviceNotFound for an unknown name. */
    private static CompletableFuture<Object> setLink(MonitorContext c, Map<String, Object> a) {
        String name = (String) a.get("name");
        boolean up = (Boolean) a.get("up");
        return c.control().query(b -> b.setLink(name, up)).thenApply(found -> {
            if (!found) {
                throw new QmpError("DeviceNotFound", "Device '" + name + "' not found");
            }
            return Map.of();
        });
    }

    private static CompletableFuture<Object> empty(CompletableFuture<Void> action) {
        return action.thenApply(v -> Map.of());
    }

    /** A map keeping the order given: QMP replies list members as QEMU does. */
    static Map<String, Object> ordered(Object... kv) {
        Map<String, Object> m = new LinkedHashMap<>();
        for (int i = 0; i < kv.length; i += 2) {
            m.put((String) kv[i], kv[i + 1]);
        }
        return m;
    }

    static Map<String, Object> version(MonitorContext c) {
        return ordered("qemu", ordered("micro", (long) MonitorContext.QEMU_MICRO, "minor", (long) MonitorContext.QEMU_MINOR,
                "major", (long) MonitorContext.QEMU_MAJOR), "package", c.packageName());
    }

    private static Map<String, Object> status(MonitorContext c) {
        var s = c.control().state();
        return ordered("status", s.qapiName(), "singlestep", false, "running", s == dev.jemu.core.control.RunState.RUNNING);
    }

    private static List<Object> commands() {
        List<Object> out = new ArrayList<>();
        for (Command c : ALL) {
            out.add(ordered("name", c.name()));
        }
        return out;
    }

    private static List<Object> machines(MonitorContext c) {
        List<Object> out = new ArrayList<>();
        for (MachineType m : Plugins.machines()) {
            if (!m.architecture().equals(c.architecture())) {
                continue;
            }
            Map<String, Object> e = ordered("hotpluggable-cpus", false, "name", m.name(), "numa-mem-supported", false);
            if (m.isDefault()) {
                e.put("is-default", true);
            }
            e.put("cpu-max", 1L);
            e.put("deprecated", false);
            out.add(e);
        }
        return out;
    }

    private static Object cpus(List<ControlledBoard.CpuInfo> cpus) {
        List<Object> out = new ArrayList<>();
        for (ControlledBoard.CpuInfo cpu : cpus) {
            out.add(ordered("thread-id", cpu.threadId(), "props", ordered("core-id", (long) cpu.index()),
                    "qom-path", cpu.qomPath(), "cpu-index", (long) cpu.index(), "target", cpu.target()));
        }
        return out;
    }

    private static Object blocks(List<ControlledBoard.BlockInfo> blocks) {
        List<Object> out = new ArrayList<>();
        for (ControlledBoard.BlockInfo b : blocks) {
            boolean direct = b.cacheMode().equals("none") || b.cacheMode().equals("directsync");
            boolean writeback = !b.cacheMode().equals("writethrough") && !b.cacheMode().equals("directsync");
            Map<String, Object> image = ordered("virtual-size", b.virtualSize(), "filename", b.file(), "format", b.format());
            Map<String, Object> inserted = ordered("image", image, "ro", b.readOnly(), "drv", b.format(),
                    "encrypted", false, "cache", ordered("no-flush", b.cacheMode().equals("unsafe"), "direct", direct,
                            "writeback", writeback), "file", b.file());
            out.add(ordered("io-status", "ok", "device", b.device(), "locked", false, "removable", false,
                    "inserted", inserted, "qdev", b.attachedTo(), "type", "unknown"));
        }
        return out;
    }

    private static CompletableFuture<Object> humanMonitorCommand(MonitorContext c, Map<String, Object> a) {
        Hmp hmp = new Hmp(c);
        CompletableFuture<Boolean> cpu = a.containsKey("cpu-index") ? hmp.useCpu((Long) a.get("cpu-index"))
                : CompletableFuture.completedFuture(true);
        return cpu.thenCompose(ok -> {
            if (!ok) {
                throw QmpError.generic("Parameter 'cpu-index' expects a CPU number");
            }
            return hmp.execute((String) a.get("command-line"));
        }).thenApply(out -> out.replace("\n", "\r\n"));
    }
}
