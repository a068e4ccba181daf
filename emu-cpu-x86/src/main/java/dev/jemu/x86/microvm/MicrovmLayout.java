package dev.jemu.x86.microvm;


/**
 * QEMU 7.2 microvm's memory map, I/O ports and interrupt routing for one set of {@link MicrovmOptions}: what
 * the board wires and what the boot loader describes to the guest (e820, ACPI MADT/DSDT, or
 * {@code virtio_mmio.device=} on the command line). Checked against {@code qemu-system-x86_64 -M microvm
 * -monitor stdio}'s {@code info mtree} (see MicrovmAddressMapTest).
 *
 * <p>RAM starts at 0 and runs to at most 3 GiB below 4 GiB; the rest goes from 4 GiB on, as QEMU.
 * With ACPI, a second IOAPIC (GSIs 24-47) serves 24 virtio-mmio slots; without the second IOAPIC (acpi=on,
 * ioapic2=off) 8 slots take GSIs 16-23; with acpi=off 8 slots take GSIs 5-12, as QEMU's microvm.c sets them.
 */
public record MicrovmLayout(MicrovmOptions options, long ramBytes) {
    public static final long HIGH_RAM_BASE = 0x1_0000_0000L;
    public static final long GED_BASE = 0xfea00000L;
    public static final long IOAPIC_BASE = 0xfec00000L, IOAPIC2_BASE = 0xfec10000L;
    public static final int IOAPIC_PINS = 24;
    public static final long LAPIC_BASE = 0xfee00000L;
    public static final int PIT_GSI = 0;

    public long below4g() {
        return Math.min(ramBytes, LOW_RAM_MAX);
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
        return virtioSlots(options.ioapic2());
    }

    /** The GSI of virtio-mmio slot 0 (slot i uses base + i). */
    public int virtioGsiBase() {
        return virtioGsi(0, options.acpi(), options.ioapic2());
    }

    public long virtioBase(int slot) {
        return VIRTIO_MMIO_BASE + (long) slot * VIRTIO_MMIO_SIZE;
    }

    // ---- the fixed facts as static constants (the boot code's view: ACPI, e820, command line)

    /** RAM below this stays below 4 GiB; the rest goes at {@link #HIGH_RAM_BASE} (QEMU's lowmem: 3 GiB). */
    public static final long LOW_RAM_MAX = 0xc000_0000L;

    /** virtio-mmio transports: slot i at VIRTIO_MMIO_BASE + i * VIRTIO_MMIO_SIZE. */
    public static final long VIRTIO_MMIO_BASE = 0xfeb0_0000L;
    public static final int VIRTIO_MMIO_SIZE = 512;
    /** With the second IOAPIC (ioapic2, QEMU's default with ACPI): 24 slots on GSI 24..47. */
    public static final int VIRTIO_IRQ_BASE_IOAPIC2 = 24, VIRTIO_SLOTS_IOAPIC2 = 24;
    /** Without it: 8 slots on GSI 16..23 with ACPI, on GSI 5..12 with acpi=off. */
    public static final int VIRTIO_IRQ_BASE_ACPI = 16, VIRTIO_IRQ_BASE_NO_ACPI = 5, VIRTIO_SLOTS = 8;

    /** The generic event device (QEMU's acpi-ged): event selector at GED_BASE, the reduced-hardware registers at GED_REGS. */
    public static final long GED_REGS = GED_BASE + 0x200;
    public static final int GED_IRQ = 9;
    /** GED register offsets from GED_REGS (one byte each) and values. */
    public static final int GED_REG_SLEEP_CTL = 0, GED_REG_SLEEP_STS = 1, GED_REG_RESET = 2;
    public static final int GED_RESET_VALUE = 0x42;
    /** SLP_TYP for S5 that the guest writes to SLEEP_CTL ((SLP_TYP << 2) | SLP_EN 0x20) to power off. */
    public static final int GED_SLP_TYP_S5 = 5;
    /** The event selector's power-down bit (ACPI_GED_PWR_DOWN_EVT). */
    public static final int GED_EVT_PWR_DOWN = 2;


    public static final int COM1_PORT = 0x3f8, COM1_IRQ = 4;
    public static final int RTC_PORT = 0x70, RTC_IRQ = 8;

    /** Where an uncompressed kernel, a raw image and PVH kernels normally start: 1 MiB. */
    public static final long HIGH_MEMORY = 0x10_0000L;

    /** How many virtio-mmio slots the board has (QEMU: 24 with ioapic2, else 8). */
    public static int virtioSlots(boolean ioapic2) {
        return ioapic2 ? VIRTIO_SLOTS_IOAPIC2 : VIRTIO_SLOTS;
    }

    /** The GSI of virtio-mmio slot {@code slot}: 24 + slot with ioapic2, 16 + slot with ACPI, else 5 + slot. */
    public static int virtioGsi(int slot, boolean acpi, boolean ioapic2) {
        return slot + (ioapic2 ? VIRTIO_IRQ_BASE_IOAPIC2 : acpi ? VIRTIO_IRQ_BASE_ACPI : VIRTIO_IRQ_BASE_NO_ACPI);
    }

    /** QEMU 7.2's ioapic2=auto: a second IOAPIC exactly when ACPI is on. */
    public static boolean ioapic2Default(boolean acpi) {
        return acpi;
    }
}
