package dev.jemu.core.fdt;

import static org.junit.jupiter.api.Assertions.*;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FdtBuilderTest {
    static byte[] sample() {
        FdtBuilder f = new FdtBuilder();
        int intc = f.allocPhandle();
        f.addReservation(0x80000000L, 0x40000);
        f.beginNode("");
        f.propU32("#address-cells", 2).propU32("#size-cells", 2).propString("compatible", "riscv-virtio");
        f.beginNode("chosen").propString("bootargs", "console=ttyS0").propU64("linux,initrd-start", 0x9fe00000L)
                .endNode();
        f.beginNode("cpus").propU32("timebase-frequency", 10_000_000);
        f.beginNode("cpu@0").propStrings("riscv,isa-extensions", "i", "m", "a");
        f.beginNode("interrupt-controller").propEmpty("interrupt-controller").propU32("phandle", intc).endNode();
        f.endNode().endNode();
        f.beginNode("memory@80000000").propString("device_type", "memory").propU64s("reg", 0x80000000L, 0x8000000L)
                .endNode();
        f.beginNode("plic@c000000").propCells("interrupts-extended", intc, 11, intc, 9)
                .propBytes("raw", new byte[] {1, 2, 3}).endNode();
        f.endNode();
        return f.finish();
    }

    @Test
    void parsesItsOwnOutput() {
        byte[] blob = sample();
        assertEquals(0, blob.length % 4);
        FdtReader.Tree t = FdtReader.parse(blob);
        assertEquals(1, t.reservations().size());
        assertEquals(0x80000000L, t.reservations().get(0)[0]);
        assertEquals("riscv-virtio", t.root().string("compatible"));
        assertEquals("console=ttyS0", t.root().at("/chosen").string("bootargs"));
        assertArrayEquals(new int[] {0, 0x9fe00000}, t.root().at("/chosen").cells("linux,initrd-start"));
        assertEquals(List.of("i", "m", "a"), t.root().at("/cpus/cpu@0").strings("riscv,isa-extensions"));
        assertArrayEquals(new int[] {1}, t.root().at("/cpus/cpu@0/interrupt-controller").cells("phandle"));
        assertArrayEquals(new int[] {0, 0x80000000, 0, 0x8000000}, t.root().at("/memory@80000000").cells("reg"));
        assertArrayEquals(new int[] {1, 11, 1, 9}, t.root().at("/plic@c000000").cells("interrupts-extended"));
        assertArrayEquals(new byte[] {1, 2, 3}, t.root().at("/plic@c000000").props().get("raw"));
        assertEquals(0, t.root().at("/cpus/cpu@0/interrupt-controller").props().get("interrupt-controller").length);
    }

    @Test
    void misuseIsRejected() {
        FdtBuilder f = new FdtBuilder();
        assertThrows(IllegalStateException.class, () -> f.propU32("x", 1));
        f.beginNode("");
        assertThrows(IllegalStateException.class, f::finish);
        assertThrows(IllegalArgumentException.class, () -> FdtReader.parse(new byte[] {1, 2, 3, 4}));
        byte[] blob = sample();
        assertThrows(IllegalArgumentException.class,
                () -> FdtReader.parse(java.util.Arrays.copyOf(blob, blob.length - 20)));
    }

    @Test
    void dtcDecompilesIt(@TempDir Path dir) throws Exception {
        assumeTrue(Files.isExecutable(Path.of("/usr/bin/dtc")), "dtc not installed");
        Path dtb = dir.resolve("t.dtb");
        Files.write(dtb, sample());
        Process p = new ProcessBuilder("dtc", "-I", "dtb", "-O", "dts", dtb.toString()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        assertTrue(p.waitFor(30, TimeUnit.SECONDS));
        assertEquals(0, p.exitValue(), out);
        assertTrue(out.contains("/memreserve/\t0x0000000080000000 0x0000000000040000;"), out);
        assertTrue(out.contains("bootargs = \"console=ttyS0\";"), out);
        assertTrue(out.contains("riscv,isa-extensions = \"i\\0m\\0a\";"), out);
        assertTrue(out.contains("interrupts-extended = <0x01 0x0b 0x01 0x09>;"), out);
        assertTrue(out.contains("reg = <0x00 0x80000000 0x00 0x8000000>;"), out);
    }
}
