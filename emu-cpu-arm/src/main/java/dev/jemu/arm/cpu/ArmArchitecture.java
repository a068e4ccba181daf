package dev.jemu.arm.cpu;

import dev.jemu.core.machine.CpuArchitecture;
import dev.jemu.core.machine.CpuModel;
import java.util.List;

/** The aarch64 CPU plug-in: ARMv8.0-A cores running A64 at EL0 and EL1 (no AArch32). */
public final class ArmArchitecture implements CpuArchitecture {
    public static final String NAME = "aarch64";

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public String description() {
        return "64-bit Arm (A64 at EL0/EL1; no AArch32, no EL2/EL3)";
    }

    @Override
    public List<CpuModel> models() {
        return List.of(
                new CpuModel("cortex-a57", "Cortex-A57 r1p0: ARMv8.0-A, A64 only (no AArch32 at EL0)", List.of()),
                new CpuModel("cortex-a53", "Cortex-A53 r0p4: ARMv8.0-A, A64 only (no AArch32 at EL0)", List.of()),
                new CpuModel("cortex-a72", "Cortex-A72 r0p3: ARMv8.0-A, A64 only (no AArch32 at EL0)", List.of()),
                new CpuModel("max", "every feature jemu implements (ARMv8.0-A today), A64 only", List.of()));
    }
}
