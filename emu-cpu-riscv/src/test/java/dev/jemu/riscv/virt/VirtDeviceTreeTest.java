package dev.jemu.riscv.virt;

import static org.junit.jupiter.api.Assertions.*;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.jemu.core.fdt.FdtReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class VirtDeviceTreeTest {
    final byte[] blob = VirtDeviceTree.build(512L << 20,
            new VirtDeviceTree.Chosen("console=ttyS0", 0x88200000L, 0x88400000L));
    final FdtReader.Node root = FdtReader.parse(blob).root();

    static int phandle(FdtReader.Node n) {
        return n.cells("phandle")[0];
    }

    @Test
    void chosenAndMemory() {
        FdtReader.Node chosen = root.at("/chosen");
        assertEquals("console=ttyS0", chosen.string("bootargs"));
        assertArrayEquals(new int[] {0, 0x88200000}, chosen.cells("linux,initrd-start"));
        assertArrayEquals(new int[] {0, 0x88400000}, chosen.cells("linux,initrd-end"));
        assertEquals("/soc/serial@10000000", chosen.string("stdout-path"));
        assertNotNull(root.at(chosen.string("stdout-path")), "stdout-path names a real node");
        assertArrayEquals(new int[] {0, 0x80000000, 0, 0x20000000}, root.at("/memory@80000000").cells("reg"));
    }

    @Test
    void cpuDescribesTheHart() {
        FdtReader.Node cpu = root.at("/cpus/cpu@0");
        assertEquals(10_000_000, root.at("/cpus").cells("timebase-frequency")[0]);
        assertEquals("rv64imafdc_zicntr_zicsr_zifencei_zihintpause_zba_zbb_zbs_sstc", cpu.string("riscv,isa"));
        assertEquals("rv64i", cpu.string("riscv,isa-base"));
        assertEquals(List.of("i", "m", "a", "f", "d", "c", "zicntr", "zicsr", "zifencei", "zihintpause", "zba", "zbb",
                "zbs", "sstc"), cpu.strings("riscv,isa-extensions"));
        assertEquals("riscv,sv57", cpu.string("mmu-type"));
        assertEquals("riscv,cpu-intc", cpu.at("interrupt-controller").string("compatible"));
        assertEquals(phandle(cpu), root.at("/cpus/cpu-map/cluster0/core0").cells("cpu")[0]);
    }

    @Test
    void everyMappedDeviceIsInSocWithItsInterrupt() {
        int plic = phandle(root.at("/soc/plic@c000000"));
        int intc = phandle(root.at("/cpus/cpu@0/interrupt-controller"));
        for (VirtMap m : VirtMap.values()) {
            if (m == VirtMap.MROM || m == VirtMap.DRAM) {
                continue;
            }
            for (int i = 0; i < m.count; i++) {
                FdtReader.Node n = root.at("/soc/" + m.node(i));
                assertNotNull(n, m.node(i));
                int[] reg = n.cells("reg");
                assertEquals(m.base(i), (long) reg[0] << 32 | (reg[1] & 0xffffffffL));
                assertEquals(m.size, (long) reg[2] << 32 | (reg[3] & 0xffffffffL));
                if (m.irq != 0) {
                    assertEquals(m.irq(i), n.cells("interrupts")[0]);
                    assertEquals(plic, n.cells("interrupt-parent")[0]);
                }
            }
        }
        assertEquals(8, root.at("/soc").children().stream().filter(c -> "virtio,mmio".equals(c.string("compatible"))).count());
        assertEquals(10, root.at("/soc/serial@10000000").cells("interrupts")[0]);
        assertEquals(0x384000, root.at("/soc/serial@10000000").cells("clock-frequency")[0]);
        assertEquals("ns16550a", root.at("/soc/serial@10000000").string("compatible"));
        assertEquals(11, root.at("/soc/rtc@101000").cells("interrupts")[0]);
        assertEquals("google,goldfish-rtc", root.at("/soc/rtc@101000").string("compatible"));
        FdtReader.Node p = root.at("/soc/plic@c000000");
        assertEquals(List.of("sifive,plic-1.0.0", "riscv,plic0"), p.strings("compatible"));
        assertEquals(0x5f, p.cells("riscv,ndev")[0]);
        assertArrayEquals(new int[] {intc, 11, intc, 9}, p.cells("interrupts-extended"));
        assertArrayEquals(new int[] {intc, 3, intc, 7}, root.at("/soc/clint@2000000").cells("interrupts-extended"));
        int test = phandle(root.at("/soc/test@100000"));
        assertEquals(List.of("sifive,test1", "sifive,test0", "syscon"), root.at("/soc/test@100000").strings("compatible"));
        assertEquals(test, root.at("/poweroff").cells("regmap")[0]);
        assertEquals(0x5555, root.at("/poweroff").cells("value")[0]);
        assertEquals(0x7777, root.at("/reboot").cells("value")[0]);
    }

    @Test
    void dtcAcceptsIt(@TempDir Path dir) throws Exception {
        assumeTrue(Files.isExecutable(Path.of("/usr/bin/dtc")), "dtc not installed");
        Path dtb = dir.resolve("virt.dtb");
        Files.write(dtb, blob);
        Process p = new ProcessBuilder("dtc", "-I", "dtb", "-O", "dts", dtb.toString()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        assertTrue(p.waitFor(30, TimeUnit.SECONDS));
        assertEquals(0, p.exitValue(), out);
        assertFalse(out.contains("Warning"), out);
        assertTrue(out.contains("compatible = \"sifive,plic-1.0.0\\0riscv,plic0\";"), out);
    }
}
