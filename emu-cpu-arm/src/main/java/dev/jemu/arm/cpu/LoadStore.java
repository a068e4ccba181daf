package dev.jemu.arm.cpu;

/** Loads and stores of general registers: every addressing mode, literal, pairs, exclusives, load-acquire/store-release, unprivileged, prefetch. Integer work. */
final class LoadStore {
    private LoadStore() {
    }

    /** The op for {@code insn}, or null when the encoding is unallocated (UNDEFINED). */
    static ArmOp decode(int insn) {
        return null;
    }
}
