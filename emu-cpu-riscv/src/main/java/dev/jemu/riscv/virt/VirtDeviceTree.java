package dev.jemu.riscv.virt;

import dev.jemu.core.fdt.FdtBuilder;
import dev.jemu.devices.SifiveTest;
import java.security.SecureRandom;

/**
 * The virt board's device tree, built from {@link VirtMap} in QEMU's shape: {@code cpus} with the hart's
 * ISA, {@code memory}, {@code chosen}, the syscon poweroff/reboot nodes, and a {@code soc} simple-bus with
 * every device. Property values follow QEMU's virt so Linux binds the same drivers.
 */
public final class VirtDeviceTree {
    /** Exactly what the hart implements. */
    public static final String ISA = "rv64imafdc_zicntr_zicsr_zifencei_zihintpause_zba_zbb_zbs_sstc";
    public static final String[] ISA_EXTENSIONS = {"i", "m", "a", "f", "d", "c", "zicntr", "zicsr", "zifencei",
        "zihintpause", "zba", "zbb", "zbs", "sstc"};
    public static final String MMU_TYPE = "riscv,sv57";
    /** PLIC {@code riscv,ndev}: sources 1..95. */
    public static final int PLIC_NDEV = VirtMap.PLIC_SOURCES - 1;

    private VirtDeviceTree() {
    }

    /** What goes into {@code /chosen}; initrd bounds are ignored when {@code initrdEnd == 0}. */
    public record Chosen(String bootargs, long initrdStart, long initrdEnd) {
    }

    public static byte[] build(long ramBytes, Chosen chosen) {
        FdtBuilder f = new FdtBuilder();
        int cpuPh = f.allocPhandle(), intcPh = f.allocPhandle(), plicPh = f.allocPhandle(), testPh = f.allocPhandle();

        f.beginNode("");
        f.propU32("#address-cells", 2).propU32("#size-cells", 2);
        f.propString("compatible", "riscv-virtio").propString("model", "riscv-virtio,qemu");

        f.beginNode("chosen");
        if (chosen.bootargs() != null && !chosen.bootargs().isEmpty()) {
            f.propString("bootargs", chosen.bootargs());
        }
        if (chosen.initrdEnd() != 0) {
            f.propU64("linux,initrd-start", chosen.initrdStart()).propU64("linux,initrd-end", chosen.initrdEnd());
        }
        f.propString("stdout-path", "/soc/" + VirtMap.UART0.node(0));
        byte[] seed = new byte[32];
        new SecureRandom().nextBytes(seed); // seeds the guest's RNG at once, as QEMU does
        f.propBytes("rng-seed", seed);
        f.endNode();

        f.beginNode("poweroff").propString("compatible", "syscon-poweroff").propU32("regmap", testPh)
                .propU32("offset", 0).propU32("value", SifiveTest.PASS).endNode();
        f.beginNode("reboot").propString("compatible", "syscon-reboot").propU32("regmap", testPh)
                .propU32("offset", 0).propU32("value", SifiveTest.RESET).endNode();

        f.beginNode(VirtMap.DRAM.node(0)).propString("device_type", "memory")
                .propU64s("reg", VirtMap.DRAM.base, ramBytes).endNode();

        f.beginNode("cpus").propU32("#address-cells", 1).propU32("#size-cells", 0)
                .propU32("timebase-frequency", (int) VirtMap.TIMEBASE_HZ);
        f.beginNode("cpu@0").propU32("phandle", cpuPh).propString("device_type", "cpu").propU32("reg", 0)
                .propString("status", "okay").propString("compatible", "riscv").propString("riscv,isa", ISA)
                .propString("riscv,isa-base", "rv64i").propStrings("riscv,isa-extensions", ISA_EXTENSIONS)
                .propString("mmu-type", MMU_TYPE);
        f.beginNode("interrupt-controller").propU32("#address-cells", 0).propU32("#interrupt-cells", 1).propEmpty("interrupt-controller")
                .propString("compatible", "riscv,cpu-intc").propU32("phandle", intcPh).endNode();
        f.endNode();
        f.beginNode("cpu-map").beginNode("cluster0").beginNode("core0").propU32("cpu", cpuPh).endNode().endNode()
                .endNode();
        f.endNode();

        f.beginNode("soc").propU32("#address-cells", 2).propU32("#size-cells", 2)
                .propString("compatible", "simple-bus").propEmpty("ranges");
        for (VirtMap m : VirtMap.values()) {
            for (int j = 0; j < m.count; j++) {
                // virtio-mmio slots highest address first, as QEMU lists them: Linux probes in this order
                int i = m == VirtMap.VIRTIO ? m.count - 1 - j : j;
                socDevice(f, m, i, intcPh, plicPh, testPh);
            }
        }
        f.endNode();

        f.endNode();
        return f.finish();
    }

    private static void socDevice(FdtBuilder f, VirtMap m, int i, int intcPh, int plicPh, int testPh) {
        switch (m) {
            case MROM, DRAM -> {
                return; // not soc devices
            }
            default -> { }
        }
        f.beginNode(m.node(i));
        switch (m) {
            case TEST -> f.propU32("phandle", testPh).propStrings("compatible", "sifive,test1", "sifive,test0", "syscon");
            case RTC -> f.propString("compatible", "google,goldfish-rtc");
            case UART0 -> f.propString("compatible", "ns16550a").propU32("clock-frequency", VirtMap.UART_CLOCK_HZ);
            case VIRTIO -> f.propString("compatible", "virtio,mmio");
            case CLINT -> f.propStrings("compatible", "sifive,clint0", "riscv,clint0")
                    .propCells("interrupts-extended", intcPh, 3, intcPh, 7);
            case PLIC -> f.propU32("phandle", plicPh).propU32("riscv,ndev", PLIC_NDEV)
                    .propCells("interrupts-extended", intcPh, 11, intcPh, 9).propEmpty("interrupt-controller")
                    .propStrings("compatible", "sifive,plic-1.0.0", "riscv,plic0").propU32("#address-cells", 0)
                    .propU32("#interrupt-cells", 1);
            default -> throw new IllegalStateException(m.name());
        }
        f.propU64s("reg", m.base(i), m.size);
        if (m.irq(i) != 0) {
            f.propU32("interrupts", m.irq(i)).propU32("interrupt-parent", plicPh);
        }
        f.endNode();
    }
}
