package dev.jemu.core.memory;

/**
 * One decoded window of the physical address space: RAM or ROM backed by {@link GuestRam}, or a device's
 * registers. {@code ram} is non-null for RAM and ROM; {@code device} for MMIO.
 */
public record Region(String name, long base, long size, Kind kind, GuestRam ram, MmioDevice device) {
    public enum Kind { RAM, ROM, MMIO }

    public boolean contains(long addr) {
        return Long.compareUnsigned(addr - base, size) < 0;
    }

    public long end() {
        return base + size;
    }

    public boolean isMemory() {
        return kind != Kind.MMIO;
    }
}
