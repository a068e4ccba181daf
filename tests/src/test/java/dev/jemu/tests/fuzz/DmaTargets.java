package dev.jemu.tests.fuzz;

import dev.jemu.core.memory.AddressSpace;
import dev.jemu.core.memory.Region;
import java.util.List;

/**
 * Guest-physical addresses for rings and buffers: inside RAM (above the part the heartbeat program uses),
 * across the end of RAM, just before it, on other regions, and anywhere at all. {@link #ramWrite} is how
 * the fuzzing driver fills its own structures: only ever in RAM, never into a device or ROM.
 */
final class DmaTargets {
    /** The low part of RAM the guest's heartbeat program lives in; DMA "inside RAM" stays above it. */
    static final long RESERVED = 0x1_0000;

    final AddressSpace bus;
    final long ramBase, ramSize;
    private final long[] others;

    DmaTargets(AddressSpace bus) {
        this.bus = bus;
        Region ram = null;
        for (Region r : bus.regions()) {
            if (r.kind() == Region.Kind.RAM && (ram == null || r.size() > ram.size())) {
                ram = r;
            }
        }
        if (ram == null) {
            throw new IllegalStateException("no RAM region");
        }
        ramBase = ram.base();
        ramSize = ram.size();
        List<Region> rs = bus.regions();
        others = rs.stream().filter(r -> r.kind() != Region.Kind.RAM).mapToLong(Region::base).toArray();
    }

    long ramEnd() {
        return ramBase + ramSize;
    }

    /** An address inside RAM above the reserved part, aligned to {@code align} (a power of two). */
    long inside(Biased b, long align) {
        return ramBase + RESERVED + (b.nextLong(ramSize - 2 * RESERVED) & -align);
    }

    /**
     * {@code v} moved out of the heartbeat program's part of RAM if it (or its low 32 bits, half of a
     * 64-bit address register) points there: the guest's DMA must not overwrite the program that shows the
     * CPU still runs.
     */
    long spare(long v) {
        boolean low = Long.compareUnsigned((v & 0xffff_ffffL) - ramBase, RESERVED) < 0;
        return low || Long.compareUnsigned(v - ramBase, RESERVED) < 0 ? v + RESERVED : v;
    }

    /** Any address, biased to RAM's edges and the other regions, never in the heartbeat's part. */
    long any(Biased b, long align) {
        return spare(anyAddress(b, align));
    }

    private long anyAddress(Biased b, long align) {
        int k = b.nextInt(100);
        if (k < 55) {
            return inside(b, align);
        }
        if (k < 70) {
            return ramEnd() - (b.nextInt(64) & -align); // across the end for most lengths
        }
        if (k < 75) {
            return ramEnd() + (b.nextInt(4096) & -align);
        }
        if (k < 80) {
            return ramBase - (1 + b.nextInt(64)) & -align;
        }
        if (k < 88 && others.length > 0) {
            return others[b.nextInt(others.length)] + (b.nextInt(256) & -align);
        }
        return b.value() & -align;
    }

    /** Whether [addr, addr+len) is RAM. */
    boolean isRam(long addr, long len) {
        Region r = bus.find(addr);
        return r != null && r.kind() == Region.Kind.RAM && len > 0 && r.contains(addr + len - 1);
    }

    /** A write by the fuzzing driver into its own structures: done only where it is RAM, above the heartbeat. */
    void ramWrite(long addr, int size, long value) {
        if (isRam(addr, size) && Long.compareUnsigned(addr - ramBase, RESERVED) >= 0) {
            bus.write(addr, size, value);
        }
    }
}
