package dev.jemu.arm.cpu;

import java.util.Map;

/**
 * The {@code -cpu} models' identification (see {@link CpuModelInfo}): MIDR, CTR, CLIDR/CCSIDR and the debug
 * features as QEMU 7.2's models report them; the feature fields cut down to what jemu implements.
 */
public final class CpuModels {
    /** EL0 and EL1 AArch64 only, FP and AdvSIMD implemented (fields 0), no EL2/EL3, GIC field set by the board. */
    static final long PFR0 = 0x0000_0011L;
    /** The crypto extension as QEMU's a57 (AES with PMULL, SHA1, SHA256) and CRC32; no v8.1 atomics. */
    static final long ISAR0 = 0x0001_1120L;
    /** MMFR0 without PARange: 16-bit ASIDs, 4 KiB and 64 KiB granules (fields 0), no 16 KiB (0), little-endian only. */
    static final long MMFR0_BASE = 0x0000_0020L;
    /**
     * QEMU's cortex-a5x DFR0 (v8 debug, 6 breakpoints, 4 watchpoints, 2 context comparators) without the PMU
     * (PMUVer 0): jemu has no performance counters.
     */
    static final long DFR0 = 0x1030_5006L;
    static final long CLIDR = 0x0a20_0023L;

    private static final Map<String, CpuModelInfo> MODELS = Map.of(
            "cortex-a57", new CpuModelInfo("cortex-a57", 0x411fd070L, PFR0, ISAR0, MMFR0_BASE | 4, 0,
                    0x8444c004L, 0, DFR0, CLIDR, new long[] {0x701fe00aL, 0x201fe012L, 0x70ffe07aL}),
            "cortex-a53", new CpuModelInfo("cortex-a53", 0x410fd034L, PFR0, ISAR0, MMFR0_BASE | 2, 0,
                    0x84448004L, 0, DFR0, CLIDR, new long[] {0x700fe01aL, 0x201fe00aL, 0x707fe07aL}),
            "cortex-a72", new CpuModelInfo("cortex-a72", 0x410fd083L, PFR0, ISAR0, MMFR0_BASE | 4, 0,
                    0x8444c004L, 0, DFR0, CLIDR, new long[] {0x701fe00aL, 0x201fe012L, 0x707fe07aL}),
            // the a57 with what jemu implements beyond it: a 48-bit physical address space
            "max", new CpuModelInfo("max", 0x411fd070L, PFR0, ISAR0, MMFR0_BASE | 5, 0,
                    0x8444c004L, 0, DFR0, CLIDR, new long[] {0x701fe00aL, 0x201fe012L, 0x70ffe07aL}));

    private CpuModels() {
    }

    /** The model named {@code name} (as {@code -cpu} spells it), or null. */
    public static CpuModelInfo byName(String name) {
        return MODELS.get(name);
    }
}
