package dev.jemu.arm.cpu;

import java.util.Map;

/** The {@code -cpu} models' identification (see {@link CpuModelInfo}); ID register values filled by the system work. */
public final class CpuModels {
    private static final Map<String, CpuModelInfo> MODELS = Map.of(
            "cortex-a57", new CpuModelInfo("cortex-a57", 0x411fd070L, 0, 0, 0, 0, 0, 0),
            "cortex-a53", new CpuModelInfo("cortex-a53", 0x410fd034L, 0, 0, 0, 0, 0, 0),
            "cortex-a72", new CpuModelInfo("cortex-a72", 0x410fd083L, 0, 0, 0, 0, 0, 0),
            "max", new CpuModelInfo("max", 0x411fd070L, 0, 0, 0, 0, 0, 0));

    private CpuModels() {
    }

    /** The model named {@code name} (as {@code -cpu} spells it), or null. */
    public static CpuModelInfo byName(String name) {
        return MODELS.get(name);
    }
}
