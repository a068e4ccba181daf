package dev.jemu.arm.virt;

import dev.jemu.core.fdt.FdtBuilder;
import java.security.SecureRandom;

/**
 * The aarch64 virt board's device tree, built from {@link VirtMap} in the shape, order and phandle numbering
 * (from 0x8000) of QEMU 7.2's, for the nodes jemu implements: psci, memory, the virtio-mmio slots, gpio-keys
 * with the power key, pl061, pl031, pl011, the GIC (v2 or v3), the flash, cpus, the architected timer, the
 * 24 MHz apb-pclk and chosen. Left out as jemu has no such device: fw-cfg, platform-bus, pcie, pmu and the
 * GIC's MSI frame (v2m / ITS).
 */
public final class VirtDeviceTree {
    /** GIC interrupt specifier types and flags (the binding's cells). */
    static final int GIC_SPI = 0, GIC_PPI = 1, IRQ_EDGE_RISING = 1, IRQ_LEVEL_HIGH = 4;

    private VirtDeviceTree() {
    }

    /** What goes into {@code /chosen}; initrd bounds are ignored when {@code initrdEnd == 0}. */
    public record Chosen(String bootargs, long initrdStart, long initrdEnd) {
    }

    /**
     * What shapes the tree besides RAM size: the CPU model's compatible, CPU count and GIC version, and the
     * {@code -smp} topology the cpu-map follows: {@code cores} per socket, {@code threads} per core.
     */
    public record Shape(String cpuCompatible, int cpus, int gicVersion, int cores, int threads) {
        /** One socket of {@code cpus} single-thread cores. */
        public Shape(String cpuCompatible, int cpus, int gicVersion) {
            this(cpuCompatible, cpus, gicVersion, cpus, 1);
        }
    }

    public static byte[] build(long ramBytes, Shape shape, Chosen chosen) {
        FdtBuilder f = new FdtBuilder().phandlesFrom(0x8000);
        int clkPh = f.allocPhandle();
        int[] cpuPh = new int[shape.cpus()];
        for (int i = shape.cpus() - 1; i >= 0; i--) {
            cpuPh[i] = f.allocPhandle(); // QEMU numbers the CPUs from the last
        }
        int gicPh = f.allocPhandle();
        f.allocPhandle(); // QEMU's MSI frame (v2m / ITS), which jemu does not have
        int gpioPh = f.allocPhandle();

        f.beginNode("");
        f.propU32("interrupt-parent", gicPh).propString("model", "linux,dummy-virt")
                .propU32("#size-cells", 2).propU32("#address-cells", 2).propString("compatible", "linux,dummy-virt");

        f.beginNode("psci").propU32("migrate", 0xc4000005).propU32("cpu_on", 0xc4000003)
                .propU32("cpu_off", 0x84000002).propU32("cpu_suspend", 0xc4000001).propString("method", "hvc")
                .propStrings("compatible", "arm,psci-1.0", "arm,psci-0.2", "arm,psci").endNode();

        f.beginNode(VirtMap.RAM.node(0)).propU64s("reg", VirtMap.RAM.base, ramBytes)
                .propString("device_type", "memory").endNode();

        VirtMap v = VirtMap.VIRTIO;
        for (int i = 0; i < v.count; i++) {
            f.beginNode(v.node(i)).propEmpty("dma-coherent").propCells("interrupts", GIC_SPI, v.spi(i), IRQ_EDGE_RISING)
                    .propU64s("reg", v.base(i), v.size).propString("compatible", "virtio,mmio").endNode();
        }

        f.beginNode("gpio-keys").propString("compatible", "gpio-keys");
        f.beginNode("poweroff").propCells("gpios", gpioPh, VirtMap.POWER_KEY_GPIO, 0)
                .propU32("linux,code", VirtMap.KEY_POWER).propString("label", "GPIO Key Poweroff").endNode();
        f.endNode();

        VirtMap g = VirtMap.GPIO;
        f.beginNode(g.node(0)).propU32("phandle", gpioPh).propString("clock-names", "apb_pclk")
                .propU32("clocks", clkPh).propCells("interrupts", GIC_SPI, g.spi(0), IRQ_LEVEL_HIGH)
                .propEmpty("gpio-controller").propU32("#gpio-cells", 2)
                .propStrings("compatible", "arm,pl061", "arm,primecell").propU64s("reg", g.base(0), g.size).endNode();

        VirtMap r = VirtMap.RTC;
        f.beginNode(r.node(0)).propString("clock-names", "apb_pclk").propU32("clocks", clkPh)
                .propCells("interrupts", GIC_SPI, r.spi(0), IRQ_LEVEL_HIGH).propU64s("reg", r.base(0), r.size)
                .propStrings("compatible", "arm,pl031", "arm,primecell").endNode();

        VirtMap u = VirtMap.UART;
        f.beginNode(u.node(0)).propStrings("clock-names", "uartclk", "apb_pclk").propCells("clocks", clkPh, clkPh)
                .propCells("interrupts", GIC_SPI, u.spi(0), IRQ_LEVEL_HIGH).propU64s("reg", u.base(0), u.size)
                .propStrings("compatible", "arm,pl011", "arm,primecell").endNode();

        f.beginNode(VirtMap.GIC_DIST.node(0)).propU32("phandle", gicPh);
        if (shape.gicVersion() == 3) {
            f.propU64s("reg", VirtMap.GIC_DIST.base, VirtMap.GIC_DIST.size, VirtMap.GIC_REDIST.base,
                    VirtMap.GIC_REDIST.size).propU32("#redistributor-regions", 1).propString("compatible", "arm,gic-v3");
        } else {
            f.propU64s("reg", VirtMap.GIC_DIST.base, VirtMap.GIC_DIST.size, VirtMap.GIC_CPU.base, VirtMap.GIC_CPU.size)
                    .propString("compatible", "arm,cortex-a15-gic");
        }
        f.propEmpty("ranges").propU32("#size-cells", 2).propU32("#address-cells", 2).propEmpty("interrupt-controller")
                .propU32("#interrupt-cells", 3).endNode();

        VirtMap fl = VirtMap.FLASH;
        f.beginNode(fl.node(0)).propU32("bank-width", 4).propU64s("reg", fl.base(0), fl.size, fl.base(1), fl.size)
                .propString("compatible", "cfi-flash").endNode();

        f.beginNode("cpus").propU32("#size-cells", 0).propU32("#address-cells", 1);
        cpuMap(f, shape, cpuPh);
        for (int i = 0; i < shape.cpus(); i++) {
            f.beginNode("cpu@" + i).propU32("phandle", cpuPh[i]).propU32("reg", i);
            if (shape.cpus() > 1) {
                f.propString("enable-method", "psci"); // QEMU names PSCI only when there are CPUs to start
            }
            f.propString("compatible", shape.cpuCompatible()).propString("device_type", "cpu").endNode();
        }
        f.endNode();

        // GICv2 PPIs name the CPUs they go to (bits 15:8); GICv3 has no such mask
        int ppiFlags = (shape.gicVersion() == 2 ? ((1 << shape.cpus()) - 1) << 8 : 0) | IRQ_LEVEL_HIGH;
        f.beginNode("timer").propCells("interrupts", GIC_PPI, VirtMap.PPI_SECURE, ppiFlags, GIC_PPI, VirtMap.PPI_PHYS,
                ppiFlags, GIC_PPI, VirtMap.PPI_VIRT, ppiFlags, GIC_PPI, VirtMap.PPI_HYP, ppiFlags)
                .propEmpty("always-on").propStrings("compatible", "arm,armv8-timer", "arm,armv7-timer").endNode();

        f.beginNode("apb-pclk").propU32("phandle", clkPh).propString("clock-output-names", "clk24mhz")
                .propU32("clock-frequency", VirtMap.APB_CLOCK_HZ).propU32("#clock-cells", 0)
                .propString("compatible", "fixed-clock").endNode();

        f.beginNode("chosen").propString("stdout-path", "/" + VirtMap.UART.node(0));
        SecureRandom random = new SecureRandom(); // seeds the guest's RNG and KASLR at once, as QEMU does
        byte[] rngSeed = new byte[32];
        random.nextBytes(rngSeed);
        f.propBytes("rng-seed", rngSeed).propU64("kaslr-seed", random.nextLong());
        if (chosen.bootargs() != null && !chosen.bootargs().isEmpty()) {
            f.propString("bootargs", chosen.bootargs());
        }
        if (chosen.initrdEnd() != 0) {
            f.propU64("linux,initrd-start", chosen.initrdStart()).propU64("linux,initrd-end", chosen.initrdEnd());
        }
        f.endNode();

        f.endNode();
        return f.finish();
    }

    /**
     * QEMU's {@code cpu-map} from the -smp topology: {@code socketS/cluster0/coreC}, with {@code threadT} nodes
     * under each core when cores have several threads (one cluster a socket: jemu's -smp takes no clusters).
     * Nodes in ascending order, as QEMU's dump has them.
     */
    private static void cpuMap(FdtBuilder f, Shape shape, int[] cpuPh) {
        int threads = shape.threads(), perSocket = shape.cores() * threads;
        f.beginNode("cpu-map");
        for (int i = 0; i < shape.cpus(); i++) {
            if (i % perSocket == 0) {
                if (i > 0) {
                    f.endNode().endNode();
                }
                f.beginNode("socket" + i / perSocket).beginNode("cluster0");
            }
            int core = i / threads % shape.cores(), thread = i % threads;
            if (threads == 1) {
                f.beginNode("core" + core).propU32("cpu", cpuPh[i]).endNode();
                continue;
            }
            if (thread == 0) {
                f.beginNode("core" + core);
            }
            f.beginNode("thread" + thread).propU32("cpu", cpuPh[i]).endNode();
            if (thread == threads - 1 || i == shape.cpus() - 1) {
                f.endNode();
            }
        }
        if (shape.cpus() > 0) {
            f.endNode().endNode();
        }
        f.endNode();
    }
}
