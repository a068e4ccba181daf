package dev.jemu.arm.virt;

/**
 * QEMU 7.2's aarch64 {@code virt} memory map (hw/arm/virt.c's base_memmap and a15irqmap): the one table from
 * which {@link VirtMachine} builds the bus and {@link VirtDeviceTree} the device tree. {@code count} windows of
 * {@code size} bytes follow each other from {@code base}; window {@code i} interrupts on SPI {@code spi + i}
 * (GIC interrupt ID 32 + that; -1 = no interrupt). Of QEMU's map, jemu leaves out fw_cfg (0x09020000), the
 * GICv2m/ITS MSI frames, the platform bus, PCIe and secure memory.
 */
public enum VirtMap {
    FLASH("flash", 0x0, 0x4000000, -1, 2),
    GIC_DIST("intc", 0x08000000, 0x10000, -1, 1),
    GIC_CPU("gic-cpu", 0x08010000, 0x10000, -1, 1),
    GIC_REDIST("gic-redist", 0x080a0000, 0xf60000, -1, 1),
    UART("pl011", 0x09000000, 0x1000, 1, 1),
    RTC("pl031", 0x09010000, 0x1000, 2, 1),
    GPIO("pl061", 0x09030000, 0x1000, 7, 1),
    VIRTIO("virtio_mmio", 0x0a000000, 0x200, 16, 32),
    RAM("memory", 0x40000000L, 0, -1, 1); // size is -m

    public final String nodeName;
    public final long base;
    public final long size;
    public final int spi;
    public final int count;

    VirtMap(String nodeName, long base, long size, int spi, int count) {
        this.nodeName = nodeName;
        this.base = base;
        this.size = size;
        this.spi = spi;
        this.count = count;
    }

    public long base(int i) {
        return base + i * size;
    }

    /** SPI number of window {@code i} (as the device tree writes it), or -1. */
    public int spi(int i) {
        return spi < 0 ? -1 : spi + i;
    }

    /** The GIC interrupt ID of window {@code i}'s SPI. */
    public int intid(int i) {
        return 32 + spi(i);
    }

    /** The device-tree node name of window {@code i}, e.g. {@code pl011@9000000}. */
    public String node(int i) {
        return nodeName + "@" + Long.toHexString(base(i));
    }

    /** SPIs the GIC has on virt (QEMU's NUM_IRQS). */
    public static final int SPIS = 256;
    /** CNTFRQ_EL0: the system counter's 62.5 MHz (QEMU's GTIMER_SCALE of 16 ns). */
    public static final long COUNTER_HZ = 62_500_000L;
    /** The generic timer's PPIs as the device tree numbers them (interrupt ID - 16): secure, EL1 physical, virtual, EL2. */
    public static final int PPI_SECURE = 13, PPI_PHYS = 14, PPI_VIRT = 11, PPI_HYP = 10;
    /** The apb-pclk fixed clock the PrimeCells name: 24 MHz. */
    public static final int APB_CLOCK_HZ = 24_000_000;
    /** The PL061 line the gpio-keys power key is on, and its Linux key code (KEY_POWER). */
    public static final int POWER_KEY_GPIO = 3, KEY_POWER = 116;
}
