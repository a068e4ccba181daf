package dev.jemu.x86.cpu;

import dev.jemu.core.machine.CpuArchitecture;
import dev.jemu.core.machine.CpuModel;
import java.util.List;

/** The x86-64 CPU plug-in: what {@code -cpu help} lists for x86_64. */
public final class X86Architecture implements CpuArchitecture {
    public static final String NAME = "x86_64";

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public String description() {
        return "x86-64 (long mode, protected and real mode for the boot paths)";
    }

    @Override
    public List<CpuModel> models() {
        return List.of(
                new CpuModel("qemu64", "QEMU Virtual CPU version 2.5+ (x86-64 baseline: SSE2, CX16, LAHF_LM)", List.of()),
                new CpuModel("max", "every feature jemu implements", List.of()));
    }
}
