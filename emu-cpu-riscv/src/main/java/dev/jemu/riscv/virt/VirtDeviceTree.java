package dev.jemu.riscv.virt;

import dev.jemu.core.fdt.FdtBuilder;
import dev.jemu.devices.SifiveTest;
import java.security.SecureRandom;

/**
 * The virt board's device tree, built from {@link VirtMap} in QEMU's shape: {@code cpus} with each hart's
 * ISA and QEMU's {@code cpu-map} (one socket: {@code cluster0} with {@code core0..coreN-1}, whatever the
 * {@code -smp} topology, as QEMU 7.2 lays it out without NUMA), {@code memory}, {@code chosen}, the syscon poweroff/reboot nodes, and a {@code soc} simple-bus with
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

    /** The tree for one hart. */
    public static byte[] build(long ramBytes, Chosen chosen) {
        return build(ramBytes, 1, chosen);
    }

    /** The tree for {@code harts} harts (ids 0..harts-1). */
    public static byte[] build(long ramBytes, int harts, Chosen chosen) {
        FdtBuilder f = new FdtBuilder();
        // QEMU numbers the phandles from the last hart down (cpu, then its interrupt controller), then the PLIC
        int[] cpuPh = new int[harts], intcPh = new int[harts];
        for (int i = harts - 1; i >= 0; i--) {
            cpuPh[i] = f.allocPhandle();
            intcPh[i] = f.allocPhandle();
        }
        int plicPh = f.allocPhandle(), testPh = f.allocPhandle();

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
        for (int i = 0; i < harts; i++) {
            f.beginNode("cpu@" + i).propU32("phandle", cpuPh[i]).propString("device_type", "cpu").propU32("reg", i)
                    .propString("status", "okay").propString("compatible", "riscv").propString("riscv,isa", ISA)
                    .propString("riscv,isa-base", "rv64i").propStrings("riscv,isa-extensions", ISA_EXTENSIONS)
                    .propString("mmu-type", MMU_TYPE);
            f.beginNode("interrupt-controller").propU32("#address-cells", 0).propU32("#interrupt-cells", 1).propEmpty("interrupt-controller")
                    .propString("compatible", "riscv,cpu-intc").propU32("phandle", intcPh[i]).endNode();
            f.endNode();
        }
        f.beginNode("cpu-map").beginNode("cluster0");
        for (int i = 0; i < harts; i++) {
            f.beginNode("core" + i).propU32("cpu", cpuPh[i]).endNode();
        }
        f.endNode().endNode();
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

    /**
     * Each hart's two lines on its {@code intc}, in hart order ({@code <intc0 a intc0 b intc1 a ...>}): MSIP and
     * MTIP for the CLINT, the M then the S context (MEIP, SEIP) for the PLIC.
     */
    private static int[] perHart(int[] intcPh, int a, int b) {
        int[] cells = new int[4 * intcPh.length];
        for (int i = 0; i < intcPh.length; i++) {
            cells[4 * i] = intcPh[i];
            cells[4 * i + 1] = a;
            cells[4 * i + 2] = intcPh[i];
            cells[4 * i + 3] = b;
        }
        return cells;
    }

    private static void socDevice(FdtBuilder f, VirtMap m, int i, int[] intcPh, int plicPh, int testPh) {
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
                    .propCells("interrupts-extended", perHart(intcPh, 3, 7));
            case PLIC -> f.propU32("phandle", plicPh).propU32("riscv,ndev", PLIC_NDEV)
                    .propCells("interrupts-extended", perHart(intcPh, 11, 9)).propEmpty("interrupt-controller")
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
