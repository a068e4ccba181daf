package dev.jemu.core.machine;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.ServiceLoader;

/** What the class path provides: CPU architectures and boards, found through {@link ServiceLoader}. */
public final class Plugins {
    private Plugins() {
    }

    public static List<CpuArchitecture> architectures() {
        List<CpuArchitecture> list = new ArrayList<>();
        ServiceLoader.load(CpuArchitecture.class).forEach(list::add);
        list.sort(Comparator.comparing(CpuArchitecture::name));
        return list;
    }

    public static List<MachineType> machines() {
        List<MachineType> list = new ArrayList<>();
        ServiceLoader.load(MachineType.class).forEach(list::add);
        list.sort(Comparator.comparing(MachineType::architecture).thenComparing(MachineType::name));
        return list;
    }

    /** The architecture offering CPU model {@code cpu} (a model name, an alias, or the architecture's name). */
    public static Optional<CpuArchitecture> architectureForCpu(String cpu) {
        for (CpuArchitecture a : architectures()) {
            if (a.name().equals(cpu) || a.models().stream().anyMatch(m -> m.matches(cpu))) {
                return Optional.of(a);
            }
        }
        return Optional.empty();
    }
}
