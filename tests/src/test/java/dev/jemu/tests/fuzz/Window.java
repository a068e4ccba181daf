package dev.jemu.tests.fuzz;

import dev.jemu.core.memory.AddressSpace;
import dev.jemu.core.memory.Region;
import java.util.ArrayList;
import java.util.List;

/**
 * One device register window of a board, as its address space lists it: the unit the fuzzers target. Both
 * the in-process fuzzer and the guest programs take their windows from here, so a device added to any
 * board's memory map (or, {@code port}, to its I/O port space) is fuzzed without new code.
 */
record Window(String name, long base, long size, boolean port) {
    /** "virt" in little-endian ASCII: a virtio-mmio transport's MagicValue. */
    static final int VIRTIO_MAGIC = 0x74726976;

    /** Every MMIO region of {@code bus}, in address order. */
    static List<Window> of(AddressSpace bus) {
        return of(bus, false);
    }

    /** Every device of an I/O port space ({@code Machine.ioPorts()}, x86), in port order; none for null. */
    static List<Window> ports(AddressSpace io) {
        return io == null ? List.of() : of(io, true);
    }

    private static List<Window> of(AddressSpace space, boolean port) {
        List<Window> list = new ArrayList<>();
        for (Region r : space.regions()) {
            if (r.kind() == Region.Kind.MMIO) {
                list.add(new Window(r.name(), r.base(), r.size(), port));
            }
        }
        return list;
    }

    /** The name the report counts operations under: unique even where a board names windows alike (microvm). */
    String label() {
        return (port ? "port " : "") + name + "@" + Long.toHexString(base);
    }

    long end() {
        return base + size;
    }
}
