package dev.jemu.x86.microvm;

import java.util.ArrayList;
import java.util.List;

/**
 * The physical memory map the guest is told (the BIOS e820 map): what QEMU 7.2's microvm guest sees with its
 * qboot firmware, so that the kernel's "BIOS-e820" lines read the same: low RAM up to the EBDA at 0x9fc00, the
 * EBDA reserved, 0xd0000-0xeffff as ACPI NVS (the ACPI tables live there), the BIOS area 0xf0000-0xfffff
 * reserved, RAM from 1 MiB to the end of low RAM, and RAM above 4 GiB when there is more than 3 GiB.
 */
public final class E820 {
    public static final int RAM = 1, RESERVED = 2, ACPI = 3, NVS = 4;
    public static final long EBDA = 0x9fc00, NVS_BASE = 0xd0000, BIOS_BASE = 0xf0000;

    public record Entry(long addr, long size, int type) {
    }

    private E820() {
    }

    /** Bytes of RAM below 4 GiB for {@code ramBytes} of RAM. */
    public static long lowRam(long ramBytes) {
        return Math.min(ramBytes, MicrovmLayout.LOW_RAM_MAX);
    }

    /** The map for {@code ramBytes} of RAM (at least 1 MiB). */
    public static List<Entry> map(long ramBytes) {
        long low = lowRam(ramBytes);
        List<Entry> m = new ArrayList<>();
        m.add(new Entry(0, Math.min(EBDA, low), RAM));
        m.add(new Entry(EBDA, 0xa0000 - EBDA, RESERVED));
        m.add(new Entry(NVS_BASE, BIOS_BASE - NVS_BASE, NVS));
        m.add(new Entry(BIOS_BASE, MicrovmLayout.HIGH_MEMORY - BIOS_BASE, RESERVED));
        if (low > MicrovmLayout.HIGH_MEMORY) {
            m.add(new Entry(MicrovmLayout.HIGH_MEMORY, low - MicrovmLayout.HIGH_MEMORY, RAM));
        }
        if (ramBytes > low) {
            m.add(new Entry(MicrovmLayout.HIGH_RAM_BASE, ramBytes - low, RAM));
        }
        return m;
    }
}
