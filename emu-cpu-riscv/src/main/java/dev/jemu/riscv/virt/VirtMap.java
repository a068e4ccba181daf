package dev.jemu.riscv.virt;

/**
 * QEMU's riscv {@code virt} memory map: the one table from which {@link VirtMachine} builds the bus and
 * {@link VirtDeviceTree} builds the device tree. {@code count} windows of {@code size} bytes follow each
 * other from {@code base}; window {@code i} has PLIC source {@code irq + i} (0 = no interrupt).
 */
public enum VirtMap {
    MROM("mrom", 0x1000, 0xf000, 0, 1),
    TEST("test", 0x100000, 0x1000, 0, 1),
    RTC("rtc", 0x101000, 0x1000, 11, 1),
    CLINT("clint", 0x2000000, 0x10000, 0, 1),
    PLIC("plic", 0xc000000, 0x600000, 0, 1),
    UART0("serial", 0x10000000, 0x100, 10, 1),
    VIRTIO("virtio_mmio", 0x10001000, 0x1000, 1, 8),
    DRAM("memory", 0x80000000L, 0, 0, 1); // size is -m

    public final String nodeName;
    public final long base;
    public final long size;
    public final int irq;
    public final int count;

    VirtMap(String nodeName, long base, long size, int irq, int count) {
        this.nodeName = nodeName;
        this.base = base;
        this.size = size;
        this.irq = irq;
        this.count = count;
    }

    public long base(int i) {
        return base + i * size;
    }

    public int irq(int i) {
        return irq == 0 ? 0 : irq + i;
    }

    /** The device-tree node name of window {@code i}, e.g. {@code serial@10000000}. */
    public String node(int i) {
        return nodeName + "@" + Long.toHexString(base(i));
    }

    /** PLIC sources on virt (QEMU's VIRT_IRQCHIP_NUM_SOURCES): 1..95 usable. */
    public static final int PLIC_SOURCES = 96;
    /** PLIC contexts per hart: M-mode then S-mode (context 2i is hart i's M-mode, 2i+1 its S-mode). */
    public static final int PLIC_CONTEXTS_PER_HART = 2;
    /**
     * The most harts the board takes (QEMU's VIRT_CPUS_MAX): also what the windows hold, 1024 PLIC contexts of
     * 4 KiB from 0x200000 in 0x600000, and 512 MSIP words and mtimecmp registers in the ACLINT's 64 KiB.
     */
    public static final int MAX_HARTS = 512;
    /** mtime / the time CSR tick rate. */
    public static final long TIMEBASE_HZ = 10_000_000L;
    /** The UART's input clock: 3.6864 MHz, so 115200 baud is divisor 2 (QEMU's figure). */
    public static final int UART_CLOCK_HZ = 0x384000;
}
