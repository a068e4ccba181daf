package dev.jemu.core.machine;

import java.util.List;

/**
 * A CPU architecture plug-in (found through {@link java.util.ServiceLoader}): its name ("riscv64") and the
 * models {@code -cpu help} lists. The first model is the default.
 */
public interface CpuArchitecture {
    String name();

    String description();

    List<CpuModel> models();
}
