package dev.jemu.cli;

import dev.jemu.core.machine.ConfigException;
import dev.jemu.core.machine.CpuArchitecture;
import dev.jemu.core.machine.CpuModel;
import dev.jemu.core.machine.MachineType;
import dev.jemu.core.machine.Plugins;
import java.io.PrintStream;
import java.util.List;
import java.util.stream.Collectors;

/** Choosing the architecture ({@code -cpu}) and the board ({@code -M}) among the plug-ins on the class path. */
final class Boards {
    static final String DEFAULT_ARCHITECTURE = "riscv64";

    private Boards() {
    }

    /** The architecture that offers CPU {@code cpu}, or the default architecture when {@code cpu} is null. */
    static CpuArchitecture architecture(String cpu) throws ConfigException {
        if (cpu == null) {
            return Plugins.architectures().stream().filter(a -> a.name().equals(DEFAULT_ARCHITECTURE)).findFirst()
                    .orElseThrow(() -> new ConfigException("the default CPU architecture " + DEFAULT_ARCHITECTURE
                            + " is not built in" + builtIn()));
        }
        return Plugins.architectureForCpu(cpu)
                .orElseThrow(() -> new ConfigException("unable to find CPU model '" + cpu + "' (see -cpu help)"));
    }

    /**
     * The architecture for {@code -cpu} and {@code -M} together: a board named by -M picks its own architecture
     * (as each qemu-system binary has one), so {@code -M microvm} needs no -cpu and {@code -M microvm -cpu max} is
     * x86's max, not aarch64's; otherwise (no such board, or a CPU it cannot take) as {@link #architecture(String)}.
     */
    static CpuArchitecture architecture(String cpu, String machine) throws ConfigException {
        if (machine != null) {
            List<String> archs = Plugins.machines().stream().filter(m -> m.name().equals(machine))
                    .map(MachineType::architecture).distinct().toList();
            for (CpuArchitecture a : Plugins.architectures()) {
                boolean takesCpu = cpu == null ? archs.size() == 1 || a.name().equals(DEFAULT_ARCHITECTURE)
                        : a.name().equals(cpu) || a.models().stream().anyMatch(m -> m.matches(cpu));
                if (archs.contains(a.name()) && takesCpu) {
                    return a;
                }
            }
        }
        return architecture(cpu);
    }

    private static String builtIn() {
        List<CpuArchitecture> all = Plugins.architectures();
        return all.isEmpty() ? " (no CPU architecture is on the class path)"
                : " (built in: " + all.stream().map(CpuArchitecture::name).collect(Collectors.joining(", ")) + "; use -cpu)";
    }

    /** The model name to hand the board: the name as given, or the first model when only the architecture was named. */
    static String cpuModel(CpuArchitecture arch, String cpu) {
        if (cpu == null || arch.models().stream().anyMatch(m -> m.matches(cpu)) || arch.models().isEmpty()) {
            return cpu;
        }
        return arch.models().get(0).name();
    }

    /** The board {@code name} of architecture {@code arch}, or its default board when {@code name} is null. */
    static MachineType machine(CpuArchitecture arch, String name) throws ConfigException {
        List<MachineType> boards = Plugins.machines().stream().filter(m -> m.architecture().equals(arch.name())).toList();
        if (name == null) {
            List<MachineType> defaults = boards.stream().filter(MachineType::isDefault).toList();
            if (defaults.size() == 1) {
                return defaults.get(0);
            }
            if (boards.size() == 1) {
                return boards.get(0);
            }
            throw new ConfigException(boards.isEmpty() ? "no board is built in for " + arch.name()
                    : "no default board for " + arch.name() + "; choose one with -M (see -M help)");
        }
        for (MachineType m : boards) {
            if (m.name().equals(name)) {
                return m;
            }
        }
        List<String> others = Plugins.machines().stream().filter(m -> m.name().equals(name))
                .map(MachineType::architecture).toList();
        if (!others.isEmpty()) {
            throw new ConfigException("machine '" + name + "' is a " + String.join("/", others) + " board but the CPU is "
                    + arch.name() + " (choose the CPU with -cpu)");
        }
        throw new ConfigException("unsupported machine type '" + name + "' (see -M help)");
    }

    /** {@code -M help}: the boards, of one architecture when {@code arch} is not null. */
    static void listMachines(PrintStream out, CpuArchitecture arch) {
        out.println("Supported machines are:");
        for (MachineType m : Plugins.machines()) {
            if (arch == null || m.architecture().equals(arch.name())) {
                out.printf("%-20s %s [%s]%s%n", m.name(), m.description(), m.architecture(), m.isDefault() ? " (default)" : "");
            }
        }
    }

    /** {@code -cpu help}: the models of each architecture; the first one is the default. */
    static void listCpus(PrintStream out) {
        out.println("Available CPUs:");
        for (CpuArchitecture a : Plugins.architectures()) {
            out.printf("%s: %s%n", a.name(), a.description());
            boolean first = true;
            for (CpuModel m : a.models()) {
                String aliases = m.aliases().isEmpty() ? "" : " (also " + String.join(", ", m.aliases()) + ")";
                out.printf("  %-18s %s%s%s%n", m.name(), m.description(), aliases, first ? " [default]" : "");
                first = false;
            }
        }
    }
}
