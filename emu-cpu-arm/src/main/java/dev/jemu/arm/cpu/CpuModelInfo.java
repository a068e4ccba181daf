package dev.jemu.arm.cpu;

/**
 * What a {@code -cpu} model reports: MIDR_EL1 and the feature ID registers. Values are those of the real core
 * (and of QEMU's model of it) restricted to what jemu implements, so software never takes a path that is not there.
 */
public record CpuModelInfo(String name, long midr, long idAa64pfr0, long idAa64isar0, long idAa64mmfr0,
        long idAa64mmfr1, long ctr, long revidr) {
}
