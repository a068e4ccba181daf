package dev.jemu.arm.cpu;

/**
 * What a {@code -cpu} model reports: MIDR_EL1 and the feature ID registers. Values are those of the real core
 * (and of QEMU 7.2's model of it) restricted to what jemu implements, so software never takes a path that is not
 * there: ARMv8.0 with FP and AdvSIMD, CRC32, A64 only at EL0 and EL1 (no AArch32, no EL2/EL3), no PMU, 4 KiB and
 * 64 KiB granules, 16-bit ASIDs.
 *
 * @param ccsidr CCSIDR_EL1 per CSSELR_EL1 value (Level << 1 | InD), 0 past the end
 */
public record CpuModelInfo(String name, long midr, long idAa64pfr0, long idAa64isar0, long idAa64mmfr0,
        long idAa64mmfr1, long ctr, long revidr, long idAa64dfr0, long clidr, long[] ccsidr) {

    /** PARange of ID_AA64MMFR0_EL1 as a number of physical address bits. */
    public int paBits() {
        return PA_BITS[(int) Math.min(idAa64mmfr0 & 0xf, 6)];
    }

    private static final int[] PA_BITS = {32, 36, 40, 42, 44, 48, 52};

    /** CCSIDR_EL1 for a CSSELR_EL1 value. */
    public long ccsidr(long csselr) {
        int i = (int) (csselr & 0xf);
        return i < ccsidr.length ? ccsidr[i] : 0;
    }
}
