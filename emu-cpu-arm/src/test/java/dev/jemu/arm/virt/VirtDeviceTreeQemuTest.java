package dev.jemu.arm.virt;

import static org.junit.jupiter.api.Assertions.*;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.jemu.core.fdt.FdtReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * jemu's aarch64 virt device tree against QEMU 7.2's ({@code qemu-system-aarch64 -M virt,dumpdtb=}): every
 * node jemu builds exists in QEMU's with the same properties byte for byte (but the random seeds), in the same
 * order; the nodes QEMU has and jemu lacks are exactly the devices jemu does not implement.
 */
@Timeout(60)
class VirtDeviceTreeQemuTest {
    /** QEMU's nodes for devices jemu leaves out (VirtDeviceTree says why). */
    static final Set<String> NOT_IMPLEMENTED = Set.of("/platform-bus@c000000", "/fw-cfg@9020000",
            "/pcie@10000000", "/pmu", "/intc@8000000/v2m@8020000", "/intc@8000000/its@8080000");
    static final Set<String> RANDOM = Set.of("rng-seed", "kaslr-seed");

    @TempDir
    Path dir;

    static boolean haveQemu() {
        try {
            return new ProcessBuilder("qemu-system-aarch64", "--version").redirectErrorStream(true).start()
                    .waitFor(20, TimeUnit.SECONDS);
        } catch (Exception e) {
            return false;
        }
    }

    byte[] qemu(String machine, String smp, String cpu, String mem) throws Exception {
        Path out = dir.resolve("qemu-" + machine.replace(',', '_') + ".dtb");
        Process p = new ProcessBuilder("qemu-system-aarch64", "-M", machine + ",dumpdtb=" + out, "-smp", smp, "-cpu", cpu,
                "-m", mem, "-display", "none").redirectErrorStream(true).start();
        String log = new String(p.getInputStream().readAllBytes());
        assertTrue(p.waitFor(30, TimeUnit.SECONDS));
        assertEquals(0, p.exitValue(), log);
        return Files.readAllBytes(out);
    }

    void compare(String machine, int gic) throws Exception {
        compare(machine, "1", new VirtDeviceTree.Shape("arm,cortex-a57", 1, gic));
    }

    /** QEMU's tree for {@code -M machine -smp smp} against jemu's for {@code shape}. */
    void compare(String machine, String smp, VirtDeviceTree.Shape shape) throws Exception {
        assumeTrue(haveQemu(), "qemu-system-aarch64 is not installed");
        FdtReader.Node q = FdtReader.parse(qemu(machine, smp, "cortex-a57", "512M")).root();
        FdtReader.Node j = FdtReader.parse(VirtDeviceTree.build(512L << 20, shape,
                new VirtDeviceTree.Chosen("", 0, 0))).root();
        List<String> missing = new ArrayList<>();
        compareNode("", q, j, missing);
        missing.removeAll(NOT_IMPLEMENTED);
        assertEquals(List.of(), missing, "QEMU nodes jemu lacks beyond the devices it does not implement");
    }

    private static void compareNode(String path, FdtReader.Node q, FdtReader.Node j, List<String> missing) {
        assertEquals(new ArrayList<>(q.props().keySet()), new ArrayList<>(j.props().keySet()), path + " properties");
        for (Map.Entry<String, byte[]> e : q.props().entrySet()) {
            byte[] jv = j.props().get(e.getKey());
            if (RANDOM.contains(e.getKey())) {
                assertEquals(e.getValue().length, jv.length, path + " " + e.getKey() + " size");
                continue;
            }
            assertTrue(Arrays.equals(e.getValue(), jv), path + " " + e.getKey() + ": QEMU "
                    + HexFormat.of().formatHex(e.getValue()) + ", jemu " + HexFormat.of().formatHex(jv));
        }
        List<String> jemuOrder = j.children().stream().map(FdtReader.Node::name).toList();
        List<String> qemuOrder = new ArrayList<>();
        for (FdtReader.Node qc : q.children()) {
            FdtReader.Node jc = j.child(qc.name());
            if (jc == null) {
                missing.add(path + "/" + qc.name());
            } else {
                qemuOrder.add(qc.name());
                compareNode(path + "/" + qc.name(), qc, jc, missing);
            }
        }
        assertEquals(qemuOrder, jemuOrder, path + ": jemu's nodes, in QEMU's order, and no others");
    }

    @Test
    void gicV2TreeMatchesQemu() throws Exception {
        compare("virt", 2);
    }

    @Test
    void gicV3TreeMatchesQemu() throws Exception {
        compare("virt,gic-version=3", 3);
    }

    /**
     * The cpu-map follows the -smp topology (sockets, cores per socket, threads per core) as QEMU's does; the
     * board runs one CPU, the tree builder any number (the rows with several CPUs check the layout).
     */
    @ParameterizedTest(name = "-smp {0}")
    @CsvSource(delimiter = ';', value = {"1,maxcpus=2,threads=2; 1; 1; 2", "1,maxcpus=4,sockets=2,cores=2; 1; 2; 1",
        "4,sockets=2,cores=2; 4; 2; 1", "8,sockets=2,cores=2,threads=2; 8; 2; 2", "3,sockets=2,cores=1,threads=2,maxcpus=4; 3; 1; 2"})
    void cpuMapFollowsTheTopologyAsQemu(String smp, int cpus, int cores, int threads) throws Exception {
        compare("virt", smp, new VirtDeviceTree.Shape("arm,cortex-a57", cpus, 2, cores, threads));
    }
}
