package dev.jemu.cli.monitor;

import dev.jemu.core.control.ControlledBoard;
import dev.jemu.cli.img.SnapshotTable;
import dev.jemu.core.control.RunState;
import dev.jemu.devices.snapshot.SnapshotMachine;
import dev.jemu.devices.snapshot.VmSnapshots;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

/**
 * HMP, QEMU's human monitor: the command table, the parsing of one command line and its output text (with
 * {@code \n} line ends; a terminal session turns them into {@code \r\n}). Commands that touch the machine go
 * through the control API and complete when the machine thread has answered. One instance per session: it
 * remembers the last {@code x} format, as QEMU's monitor does.
 */
final class Hmp {
    private record Command(String names, String args, String help, Handler handler) {
        boolean is(String name) {
            for (String n : names.split("\\|")) {
                if (n.equals(name)) {
                    return true;
                }
            }
            return false;
        }

        String helpLine(String prefix) {
            return prefix + names + " " + args + " -- " + help + "\n";
        }
    }

    private interface Handler {
        CompletableFuture<String> run(Hmp hmp, String name, String rest);
    }

    private static final List<Command> COMMANDS = List.of(
            new Command("cont|c", "", "resume emulation", (h, n, r) -> h.noArgs(n, r, "cont|c", () -> h.ctx.control().cont())),
            new Command("cpu", "index", "set the default CPU", (h, n, r) -> h.selectCpu(r.strip())),
            new Command("gdbserver", "[device]", "start gdbserver on given device (default 'tcp::1234'), stop with 'none'",
                    (h, n, r) -> done(h.gdbserver(r.strip()))),
            new Command("help|?", "[cmd]", "show the help", (h, n, r) -> done(h.help(r.trim()))),
            new Command("delvm", "tag", "delete a VM snapshot from its tag", (h, n, r) -> h.snapshot(n, r, RunState.SAVE_VM)),
            new Command("info", "[subcommand]", "show various information about the system state", (h, n, r) -> h.info(r.trim())),
            new Command("loadvm", "tag", "restore a VM snapshot from its tag", (h, n, r) -> h.snapshot(n, r, RunState.RESTORE_VM)),
            new Command("migrate", "[-d] uri", "migrate to URI (using -d to not wait for completion)",
                    (h, n, r) -> HmpMigration.migrate(h.ctx, r)),
            new Command("migrate_cancel", "", "cancel the current VM migration",
                    (h, n, r) -> h.noArgs(n, r, "migrate_cancel", () -> HmpMigration.cancel(h.ctx).thenApply(x -> null))),
            new Command("migrate_incoming", "uri", "Continue an incoming migration from an -incoming defer",
                    (h, n, r) -> HmpMigration.incoming(h.ctx, r)),
            new Command("migrate_set_capability", "capability state",
                    "Enable/Disable the usage of a capability for migration",
                    (h, n, r) -> HmpMigration.setCapability(h.ctx, r)),
            new Command("migrate_set_parameter", "parameter value", "Set the parameter for migration",
                    (h, n, r) -> HmpMigration.setParameter(h.ctx, r)),
            new Command("quit|q", "", "quit the emulator", (h, n, r) -> h.noArgs(n, r, "quit|q", () -> h.ctx.control().quit(0))),
            new Command("savevm", "[tag]", "save a VM snapshot. If no tag is provided, a new snapshot is created",
                    (h, n, r) -> h.snapshot(n, r, RunState.SAVE_VM)),
            new Command("set_link", "name on|off", "change the link status of a network adapter",
                    (h, n, r) -> h.setLink(r.trim())),
            new Command("stop|s", "", "stop emulation", (h, n, r) -> h.noArgs(n, r, "stop|s", () -> h.ctx.control().stop())),
            new Command("system_powerdown", "", "send system power down event",
                    (h, n, r) -> h.noArgs(n, r, "system_powerdown", () -> h.ctx.control().powerdown())),
            new Command("system_reset", "", "reset the system",
                    (h, n, r) -> h.noArgs(n, r, "system_reset", () -> h.ctx.control().systemReset())),
            new Command("x", "/fmt addr", "virtual memory dump starting at 'addr'", (h, n, r) -> h.dump("x", r, false)),
            new Command("xp", "/fmt addr", "physical memory dump starting at 'addr'", (h, n, r) -> h.dump("xp", r, true)));

    private static final List<Command> INFO = List.of(
            new Command("block", "", "show info of one block device or all block devices", (h, n, r) -> h.infoBlock()),
            new Command("cpus", "", "show infos for each CPU", (h, n, r) -> h.infoCpus()),
            new Command("migrate", "", "show migration status", (h, n, r) -> HmpMigration.info(h.ctx)),
            new Command("migrate_capabilities", "", "show current migration capabilities",
                    (h, n, r) -> HmpMigration.capabilities(h.ctx)),
            new Command("migrate_parameters", "", "show current migration parameters",
                    (h, n, r) -> HmpMigration.parameters(h.ctx)),
            new Command("name", "", "show the current VM name", (h, n, r) -> done(h.ctx.vmName() == null ? "" : h.ctx.vmName() + "\n")),
            new Command("network", "", "show the network state", (h, n, r) -> h.ctx.control().query(ControlledBoard::networkInfo)),
            new Command("registers", "[-a|vcpu]", "show the cpu registers (-a: show register info for all cpus; "
                    + "vcpu: specific vCPU to query; show the current CPU's registers if no argument is specified)",
                    (h, n, r) -> h.infoRegisters(r.strip())),
            new Command("snapshots", "", "show the currently saved VM snapshots", (h, n, r) -> h.infoSnapshots()),
            new Command("status", "", "show the current VM status (running|paused)", (h, n, r) -> done(h.status())),
            new Command("version", "", "show the version of QEMU",
                    (h, n, r) -> done(MonitorContext.qemuVersion() + " (" + h.ctx.packageName() + ")\n")));

    static final String BANNER_FORMAT = "QEMU %s monitor - type 'help' for more information\n";
    static final String PROMPT = "(qemu) ";

    private final MonitorContext ctx;
    private final MemoryDump.Defaults dumpDefaults = new MemoryDump.Defaults();
    /** The monitor's current CPU ({@code cpu N}): what {@code info registers}, {@code x} and {@code $reg} use. */
    private int cpu;

    Hmp(MonitorContext ctx) {
        this.ctx = ctx;
    }

    /** The greeting a new HMP session prints (QEMU's, with jemu's version beside QEMU's). */
    static String banner(MonitorContext ctx) {
        return String.format(BANNER_FORMAT, MonitorContext.qemuVersion() + " (" + ctx.packageName() + ")");
    }

    /** Whether {@code line} is {@code quit} / {@code q}. */
    static boolean isQuit(String line) {
        String l = line.strip();
        return l.equals("q") || l.equals("quit");
    }

    /** Runs one command line; the future holds its output (possibly empty), never fails. */
    CompletableFuture<String> execute(String line) {
        String l = line.strip();
        if (l.isEmpty()) {
            return done("");
        }
        int end = 0;
        while (end < l.length() && !Character.isWhitespace(l.charAt(end)) && l.charAt(end) != '/') {
            end++;
        }
        String name = l.substring(0, end);
        String rest = l.substring(end);
        for (Command c : COMMANDS) {
            if (c.is(name)) {
                try {
                    return c.handler().run(this, name, rest).exceptionally(Hmp::error);
                } catch (RuntimeException e) {
                    return done(error(e));
                }
            }
        }
        return done("unknown command: '" + name + "'\n");
    }

    private static String error(Throwable t) {
        Throwable c = t instanceof CompletionException && t.getCause() != null ? t.getCause() : t;
        return "Error: " + c.getMessage() + "\n";
    }

    private static CompletableFuture<String> done(String text) {
        return CompletableFuture.completedFuture(text);
    }

    private CompletableFuture<String> noArgs(String name, String rest, String names,
                                             java.util.function.Supplier<CompletableFuture<Void>> action) {
        if (!rest.isBlank()) {
            return done(extraneous(names, name));
        }
        return action.get().thenApply(v -> "");
    }

    private static String extraneous(String names, String helpName) {
        return names + ": extraneous characters at the end of line\nTry \"help " + helpName + "\" for more information\n";
    }

    private String help(String what) {
        StringBuilder s = new StringBuilder();
        if (what.isEmpty()) {
            for (Command c : COMMANDS) {
                s.append(c.helpLine(""));
            }
            return s.toString();
        }
        String[] words = what.split("\\s+");
        for (Command c : COMMANDS) {
            if (c.is(words[0])) {
                if (c.names().equals("info")) {
                    for (Command i : INFO) {
                        if (words.length == 1 || i.is(words[1])) {
                            s.append(i.helpLine("info "));
                        }
                    }
                    return s.length() > 0 ? s.toString() : "unknown command: 'info " + words[1] + "'\n";
                }
                return c.helpLine("");
            }
        }
        return "unknown command: '" + words[0] + "'\n";
    }

    private CompletableFuture<String> info(String what) {
        if (what.isEmpty()) {
            StringBuilder s = new StringBuilder();
            for (Command i : INFO) {
                s.append(i.helpLine("info "));
            }
            return done(s.toString());
        }
        String[] words = what.split("\\s+", 2);
        for (Command i : INFO) {
            if (i.is(words[0])) {
                if (words.length > 1 && i.args().isEmpty()) {
                    return done(extraneous(i.names(), "info " + i.names()));
                }
                return i.handler().run(this, words[0], words.length > 1 ? words[1] : "");
            }
        }
        return done("unknown command: 'info " + words[0] + "'\n");
    }

    /**
     * savevm / loadvm / delvm: on the machine thread with the CPUs stopped (QEMU's save-vm / restore-vm run
     * states), then running again if they were. Output only on error, as QEMU's.
     */
    private CompletableFuture<String> snapshot(String command, String rest, RunState during) {
        String tag = rest.strip();
        if (tag.contains(" ")) {
            return done(extraneous(command, command));
        }
        if (tag.isEmpty() && !command.equals("savevm")) {
            return done("set_link: string expected\nTry \"help set_link\" for more information\n");
        }
        SnapshotMachine m = ctx.snapshots();
        if (m == null) {
            return done("Error: this machine cannot save its state\n");
        }
        String name = tag.isEmpty() ? "vm-" + java.time.LocalDateTime.now()
                .format(java.time.format.DateTimeFormatter.ofPattern("yyyyMMddHHmmss")) : tag;
        return ctx.control().whilePaused(during, () -> {
            switch (command) {
                case "savevm" -> VmSnapshots.save(m, name);
                case "loadvm" -> VmSnapshots.load(m, name);
                default -> VmSnapshots.delete(m, name);
            }
            return "";
        });
    }

    /** {@code set_link NAME on|off}: output only on error, as QEMU's. */
    private CompletableFuture<String> setLink(String args) {
        String[] w = args.isEmpty() ? new String[0] : args.split("\\s+");
        if (w.length < 1) {
            return done("set_link: string expected\nTry \"help set_link\" for more information\n");
        }
        if (w.length > 2) {
            return done(extraneous("set_link", "set_link"));
        }
        if (w.length < 2 || !w[1].equals("on") && !w[1].equals("off")) {
            return done("Expected 'on' or 'off'\nTry \"help set_link\" for more information\n");
        }
        return ctx.control().query(b -> b.setLink(w[0], w[1].equals("on")))
                .thenApply(found -> found ? "" : "Error: Device '" + w[0] + "' not found\n");
    }

    /** {@code gdbserver [DEVICE|none]}: (re)starts or stops the gdb stub; QEMU's messages. */
    private String gdbserver(String device) {
        String dev = device.isEmpty() ? GdbServers.DEFAULT_DEVICE : device;
        try {
            ctx.gdb().start(dev, "gdbserver " + dev);
        } catch (dev.jemu.core.machine.ConfigException | RuntimeException e) {
            return "Could not open gdbserver on device '" + dev + "'\n";
        }
        return dev.equals("none") ? "Disabled gdbserver\n" : "Waiting for gdb connection on device '" + dev + "'\n";
    }

    private CompletableFuture<String> infoSnapshots() {
        SnapshotMachine m = ctx.snapshots();
        if (m == null) {
            return done("There is no suitable snapshot available\n");
        }
        return ctx.control().query(b -> VmSnapshots.list(m)).thenApply(list -> list.isEmpty()
                ? "There is no snapshot available.\n"
                : "List of snapshots present on all disks:\n" + SnapshotTable.format(list, true))
                .exceptionally(t -> { // QEMU reports this one without "Error: "
                    Throwable c = t instanceof CompletionException && t.getCause() != null ? t.getCause() : t;
                    return (c.getMessage().equals(VmSnapshots.NO_VM_STATE_DEVICE) ? "" : "Error: ") + c.getMessage() + "\n";
                });
    }

    private String status() {
        RunState s = ctx.control().state();
        if (s == RunState.RUNNING) {
            return "VM status: running\n";
        }
        return "VM status: paused" + (s == RunState.PAUSED ? "" : " (" + s.qapiName() + ")") + "\n";
    }

    /** {@code cpu N}: QEMU's answer to an index no CPU has is "invalid CPU index". */
    private CompletableFuture<String> selectCpu(String index) {
        Integer n = cpuNumber(index);
        return (n == null ? CompletableFuture.completedFuture(false) : useCpu(n))
                .thenApply(ok -> ok ? "" : "invalid CPU index\n");
    }

    /** Runs the next commands on CPU {@code index} (QMP's human-monitor-command cpu-index); false if none has it. */
    CompletableFuture<Boolean> useCpu(long index) {
        return ctx.control().query(ControlledBoard::cpus).thenApply(cpus -> {
            if (index < 0 || index >= cpus.size()) {
                return false;
            }
            cpu = (int) index;
            return true;
        });
    }

    private static Integer cpuNumber(String s) {
        try {
            return Integer.decode(s);
        } catch (NumberFormatException e) {
            return null;
        }
    }

    /** {@code info registers}: the current CPU's, {@code -a} every CPU's, {@code N} CPU N's (QEMU's lines). */
    private CompletableFuture<String> infoRegisters(String arg) {
        return ctx.control().query(board -> {
            int count = board.cpus().size();
            if (arg.equals("-a")) {
                StringBuilder s = new StringBuilder();
                for (int i = 0; i < count; i++) {
                    s.append(board.registerDump(i));
                }
                return s.toString();
            }
            if (arg.isEmpty()) {
                return board.registerDump(cpu);
            }
            Integer n = cpuNumber(arg);
            if (n == null) {
                return "invalid char in expression\nTry \"help info registers\" for more information\n";
            }
            return n >= 0 && n < count ? board.registerDump(n) : "CPU#" + n + " not available\n";
        });
    }

    private CompletableFuture<String> infoCpus() {
        return ctx.control().query(ControlledBoard::cpus).thenApply(cpus -> {
            StringBuilder s = new StringBuilder();
            for (ControlledBoard.CpuInfo c : cpus) {
                s.append(c.index() == cpu ? "* " : "  ").append("CPU #").append(c.index()).append(": thread_id=")
                        .append(c.threadId()).append('\n');
            }
            return s.toString();
        });
    }

    private CompletableFuture<String> infoBlock() {
        return ctx.control().query(ControlledBoard::blocks).thenApply(blocks -> {
            StringBuilder s = new StringBuilder();
            String sep = "";
            for (ControlledBoard.BlockInfo b : blocks) {
                s.append(sep).append(b.device()).append(": ").append(b.file()).append(" (").append(b.format())
                        .append(b.readOnly() ? ", read-only" : "").append(")\n");
                s.append("    Attached to:      ").append(b.attachedTo()).append('\n');
                s.append("    Cache mode:       ").append(cacheMode(b.cacheMode())).append('\n');
                sep = "\n";
            }
            return s.toString();
        });
    }

    /** QEMU's wording of a cache mode in {@code info block}. */
    static String cacheMode(String mode) {
        return switch (mode.toLowerCase(Locale.ROOT)) {
            case "none" -> "writeback, direct";
            case "writethrough" -> "writethrough";
            case "directsync" -> "writethrough, direct";
            case "unsafe" -> "writeback, ignore flushes";
            default -> "writeback";
        };
    }

    /** {@code x /fmt addr} and {@code xp /fmt addr}. */
    private CompletableFuture<String> dump(String name, String rest, boolean physical) {
        String r = rest.strip();
        String fmt = "";
        if (r.startsWith("/")) {
            int end = 1;
            while (end < r.length() && !Character.isWhitespace(r.charAt(end))) {
                end++;
            }
            fmt = r.substring(1, end);
            r = r.substring(end).strip();
        }
        String tryHelp = "Try \"help " + name + "\" for more information\n";
        MemoryDump.Format f;
        try {
            f = MemoryDump.parse(fmt, dumpDefaults);
        } catch (MemoryDump.FormatException e) {
            return done(e.getMessage() + "\n" + tryHelp);
        }
        if (r.isEmpty()) {
            return done("unexpected end of expression\n" + tryHelp);
        }
        String expr = r;
        return ctx.control().query(board -> {
            long addr;
            try {
                addr = HmpExpression.evaluate(expr, reg -> board.register(cpu, reg));
            } catch (HmpExpression.ExpressionException e) {
                return e.getMessage() + "\n" + tryHelp;
            }
            long len = MemoryDump.length(f);
            if (len > (1 << 20)) {
                return "dump too large (at most 1 MiB at a time)\n";
            }
            byte[] data = new byte[(int) len];
            int n = board.readMemory(cpu, addr, data, physical);
            return MemoryDump.render(f, addr, data, n);
        });
    }
}
