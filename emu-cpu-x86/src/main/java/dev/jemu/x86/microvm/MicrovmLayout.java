package dev.jemu.x86.microvm;

import java.util.ArrayList;
import java.util.List;

/**
 * QEMU 7.2 microvm's memory map, I/O ports and interrupt routing for one set of {@link MicrovmOptions}: what
 * the board wires and what the boot loader describes to the guest (e820, ACPI MADT/DSDT, or
 * {@code virtio_mmio.device=} on the command line). Checked against {@code qemu-system-x86_64 -M microvm
 * -monitor stdio}'s {@code info mtree} (see MicrovmAddressMapTest).
 *
 * <p>RAM starts at 0 and runs to at most 3 GiB below 4 GiB; the rest would go above 4 GiB, as QEMU.
 * With ACPI, a second IOAPIC (GSIs 24-47) serves 24 virtio-mmio slots; without the second IOAPIC (acpi=on,
 * ioapic2=off) 8 slots take GSIs 16-23; with acpi=off 8 slots take GSIs 5-12, as QEMU's microvm.c sets them.
 */
public record MicrovmLayout(MicrovmOptions options, long ramBytes) {
    public static final long BELOW_4G_MAX = 0xc0000000L, HIGH_RAM_BASE = 0x1_0000_0000L;
    public static final long GED_BASE = 0xfea00000L, GED_REGS_BASE = 0xfea00200L;
    public static final int GED_GSI = 9;
    public static final long VIRTIO_BASE = 0xfeb00000L, VIRTIO_SIZE = 0x200;
    public static final long IOAPIC_BASE = 0xfec00000L, IOAPIC2_BASE = 0xfec10000L;
    public static final int IOAPIC_PINS = 24;
    public static final long LAPIC_BASE = 0xfee00000L;
    public static final int SERIAL_PORT = 0x3f8, SERIAL_GSI = 4, RTC_GSI = 8, PIT_GSI = 0;

    public long below4g() {
        return Math.min(ramBytes, BELOW_4G_MAX);
    }

    public long above4g() {
        return ramBytes - below4g();
    }

    public int ioapics() {
        return options.ioapic2() ? 2 : 1;
    }

    public int gsis() {
        return ioapics() * IOAPIC_PINS;
    }

    public int virtioSlots() {
        return options.ioapic2() ? IOAPIC_PINS : 8;
    }

    /** The GSI of virtio-mmio slot 0 (slot i uses base + i). */
    public int virtioGsiBase() {
        if (options.ioapic2()) {
            return IOAPIC_PINS;
        }
        return options.acpi() ? 16 : 5;
    }

    public long virtioBase(int slot) {
        return VIRTIO_BASE + slot * VIRTIO_SIZE;
    }

    /** One e820 entry (type 1 = usable RAM). */
    public record E820(long base, long size, int type) {
        public static final int RAM = 1, RESERVED = 2;
    }

    /** The e820 map QEMU's microvm gives a directly booted kernel: RAM below 4 GiB and the rest above it. */
    public List<E820> e820() {
        List<E820> map = new ArrayList<>();
        map.add(new E820(0, below4g(), E820.RAM));
        if (above4g() > 0) {
            map.add(new E820(HIGH_RAM_BASE, above4g(), E820.RAM));
        }
        return map;
    }

    /**
     * What QEMU's {@code auto-kernel-cmdline} appends without ACPI: a {@code virtio_mmio.device=512@BASE:GSI}
     * for every slot that holds a device ({@code used}, slot indices), so that Linux finds them.
     */
    public String virtioCmdline(List<Integer> used) {
        if (options.acpi() || !options.autoKernelCmdline()) {
            return "";
        }
        StringBuilder s = new StringBuilder();
        for (int i : used) {
            s.append(" virtio_mmio.device=512@0x").append(Long.toHexString(virtioBase(i))).append(':')
                    .append(virtioGsiBase() + i);
        }
        return s.toString();
    }
}
