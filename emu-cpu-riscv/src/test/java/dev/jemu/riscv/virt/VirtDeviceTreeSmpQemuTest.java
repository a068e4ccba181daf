package dev.jemu.riscv.virt;

import static org.junit.jupiter.api.Assertions.*;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.jemu.core.fdt.FdtReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * What depends on the number of harts in the riscv64 virt tree, against QEMU 7.2's
 * ({@code qemu-system-riscv64 -M virt,dumpdtb= -smp ...}): the cpu nodes (names, order, reg, status, phandles),
 * their interrupt controllers, the {@code cpu-map}, the CLINT's and the PLIC's {@code interrupts-extended} (each
 * hart's lines, QEMU's phandle numbering) and the PLIC phandle every device points at. The ISA strings and
 * the devices jemu leaves out differ by design (VirtDeviceTreeTest covers those).
 */
@Timeout(60)
class VirtDeviceTreeSmpQemuTest {
    @TempDir
    Path dir;

    static boolean haveQemu() {
        try {
            return new ProcessBuilder("qemu-system-riscv64", "--version").redirectErrorStream(true).start()
                    .waitFor(20, TimeUnit.SECONDS);
        } catch (Exception e) {
            return false;
        }
    }

    FdtReader.Node qemu(String smp) throws Exception {
        Path out = dir.resolve("qemu.dtb");
        Process p = new ProcessBuilder("qemu-system-riscv64", "-M", "virt,dumpdtb=" + out, "-smp", smp, "-m", "256M",
                "-display", "none").redirectErrorStream(true).start();
        String log = new String(p.getInputStream().readAllBytes());
        assertTrue(p.waitFor(30, TimeUnit.SECONDS));
        assertEquals(0, p.exitValue(), log);
        return FdtReader.parse(Files.readAllBytes(out)).root();
    }

    /**
     * {@code harts}: what jemu's -smp parser makes of {@code smp} (SmpOptionTest checks that side). The rows with
     * sockets and threads show that QEMU 7.2's riscv virt does not follow the -smp topology in its cpu-map (one
     * {@code clusterN} per NUMA node, here one), unlike its arm virt (socketN/clusterN/coreN[/threadN]).
     */
    @ParameterizedTest
    @CsvSource(delimiter = ';', value = {"1; 1", "2; 2", "4; 4", "sockets=2,cores=2; 4", "4,threads=2; 4", "8; 8",
        "8,sockets=2,cores=2,threads=2; 8"})
    void hartDependentNodesAsQemu(String smp, int harts) throws Exception {
        assumeTrue(haveQemu(), "qemu-system-riscv64 is not installed");
        FdtReader.Node q = qemu(smp);
        FdtReader.Node j = FdtReader.parse(VirtDeviceTree.build(256L << 20, harts,
                new VirtDeviceTree.Chosen("", 0, 0))).root();
        List<String> names = q.at("/cpus").children().stream().map(FdtReader.Node::name).toList();
        assertEquals(names, j.at("/cpus").children().stream().map(FdtReader.Node::name).toList(), smp);
        assertEquals(harts + 1, names.size(), "cpu@0.." + (harts - 1) + " and cpu-map");
        for (int i = 0; i < harts; i++) {
            String cpu = "/cpus/cpu@" + i;
            for (String prop : List.of("phandle", "device_type", "reg", "status", "compatible")) {
                same(q, j, cpu, prop);
            }
            for (String prop : List.of("phandle", "compatible", "#interrupt-cells", "interrupt-controller")) {
                same(q, j, cpu + "/interrupt-controller", prop);
            }
        }
        assertTree(q.at("/cpus/cpu-map"), j.at("/cpus/cpu-map"), "/cpus/cpu-map");
        same(q, j, "/soc/clint@2000000", "interrupts-extended");
        same(q, j, "/soc/plic@c000000", "interrupts-extended");
        same(q, j, "/soc/plic@c000000", "phandle");
        same(q, j, "/soc/serial@10000000", "interrupt-parent");
        same(q, j, "/poweroff", "regmap");
    }

    private static void same(FdtReader.Node q, FdtReader.Node j, String path, String prop) {
        byte[] qv = q.at(path).props().get(prop), jv = j.at(path).props().get(prop);
        assertNotNull(qv, "QEMU " + path + " " + prop);
        assertNotNull(jv, "jemu " + path + " " + prop);
        assertEquals(HexFormat.of().formatHex(qv), HexFormat.of().formatHex(jv), path + " " + prop);
    }

    /** The whole subtree: node names in order, and every property byte for byte. */
    private static void assertTree(FdtReader.Node q, FdtReader.Node j, String path) {
        assertEquals(q.props().keySet(), j.props().keySet(), path);
        q.props().forEach((k, v) -> assertEquals(HexFormat.of().formatHex(v),
                HexFormat.of().formatHex(j.props().get(k)), path + " " + k));
        assertEquals(q.children().stream().map(FdtReader.Node::name).toList(),
                j.children().stream().map(FdtReader.Node::name).toList(), path);
        for (FdtReader.Node c : q.children()) {
            assertTree(c, j.child(c.name()), path + "/" + c.name());
        }
    }
}
