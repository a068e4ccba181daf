package dev.jemu.core.fdt;

import static org.junit.jupiter.api.Assertions.*;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FdtChosenTest {
    /** A user's tree with no /chosen: a reservation, a boot CPU id, a phandle reference. */
    static byte[] noChosen() {
        FdtBuilder f = new FdtBuilder().addReservation(0x80000000L, 0x80000).bootCpuId(0);
        f.beginNode("").propU32("#address-cells", 2).propString("model", "user board");
        f.beginNode("cpus").beginNode("cpu@0").beginNode("interrupt-controller").propU32("phandle", 7).endNode()
                .endNode().endNode();
        f.beginNode("plic@c000000").propCells("interrupts-extended", 7, 11).endNode();
        f.endNode();
        return f.finish();
    }

    @Test
    void rewritingAParsedTreeGivesTheSameBytes() {
        byte[] blob = FdtBuilderTest.sample();
        assertArrayEquals(blob, FdtBuilder.of(FdtReader.parse(blob)));
        assertArrayEquals(noChosen(), FdtBuilder.of(FdtReader.parse(noChosen())));
    }

    @Test
    void createsChosenWithBootargsAndInitrd() {
        byte[] out = FdtChosen.patch(noChosen(), "console=ttyS0 root=/dev/vda1", 0x88200000L, 0x1_0000_1234L);
        FdtReader.Tree t = FdtReader.parse(out);
        FdtReader.Node chosen = t.root().at("/chosen");
        assertNotNull(chosen);
        assertEquals("console=ttyS0 root=/dev/vda1", chosen.string("bootargs"));
        assertArrayEquals(new int[] {0, 0x88200000}, chosen.cells("linux,initrd-start"));
        assertArrayEquals(new int[] {1, 0x1234}, chosen.cells("linux,initrd-end"));
        assertNull(chosen.props().get("stdout-path"), "stdout-path only goes into trees QEMU builds");
        // the rest of the tree is untouched
        assertEquals("user board", t.root().string("model"));
        assertArrayEquals(new int[] {7, 11}, t.root().at("/plic@c000000").cells("interrupts-extended"));
        assertArrayEquals(new int[] {7}, t.root().at("/cpus/cpu@0/interrupt-controller").cells("phandle"));
        assertEquals(1, t.reservations().size());
        assertEquals(0x80000, t.reservations().get(0)[1]);
    }

    @Test
    void replacesWhatIsGivenAndKeepsTheRest() {
        FdtBuilder f = new FdtBuilder();
        f.beginNode("").beginNode("chosen").propString("bootargs", "old").propString("stdout-path", "/uart")
                .propU32("linux,initrd-start", 0x1000).propU32("linux,initrd-end", 0x2000).endNode().endNode();
        byte[] blob = f.finish();
        FdtReader.Node c = FdtReader.parse(FdtChosen.patch(blob, "new", 0x9000_0000L, 0x9010_0000L)).root()
                .at("/chosen");
        assertEquals("new", c.string("bootargs"));
        assertEquals("/uart", c.string("stdout-path"));
        assertEquals(8, c.props().get("linux,initrd-start").length, "64-bit, as QEMU writes them");
        assertEquals(0x9010_0000L, ByteBuffer.wrap(c.props().get("linux,initrd-end")).getLong());
        // no command line and no initrd: the tree's own values stay
        c = FdtReader.parse(FdtChosen.patch(blob, "", 0, 0)).root().at("/chosen");
        assertEquals("old", c.string("bootargs"));
        assertArrayEquals(new int[] {0x1000}, c.cells("linux,initrd-start"));
    }

    @Test
    void malformedBlobsAreIllegalArguments() {
        byte[] good = noChosen();
        assertMalformed(new byte[0]);
        assertMalformed(new byte[] {1, 2, 3, 4});
        assertMalformed(Arrays.copyOf(good, good.length - 12));
        for (int cut = 8; cut < good.length; cut += 4) {
            byte[] part = Arrays.copyOf(good, cut);
            ByteBuffer.wrap(part).putInt(4, cut);     // a total size that agrees: the blocks themselves are cut
            assertMalformed(part);
        }
        // a property whose length runs past the blob, a negative one, a block offset outside it
        int structOff = ByteBuffer.wrap(good).getInt(8);
        int firstProp = structOff + 8;     // after FDT_BEGIN_NODE and the root's empty, padded name
        assertEquals(FdtBuilder.FDT_PROP, ByteBuffer.wrap(good).getInt(firstProp));
        assertMalformed(with(good, firstProp + 4, 0x7fff_fff0));
        assertMalformed(with(good, firstProp + 4, -8));
        assertMalformed(with(good, firstProp + 8, 1 << 20));
        assertMalformed(with(good, 8, -4));
        assertMalformed(with(good, 12, good.length + 100));
        // nesting without end
        FdtBuilder deep = new FdtBuilder();
        for (int i = 0; i < FdtReader.MAX_DEPTH + 1; i++) {
            deep.beginNode("n");
        }
        for (int i = 0; i < FdtReader.MAX_DEPTH + 1; i++) {
            deep.endNode();
        }
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> FdtChosen.patch(deep.finish(), "x", 0, 0));
        assertTrue(e.getMessage().contains("nested"), e.getMessage());
    }

    private static byte[] with(byte[] blob, int at, int value) {
        byte[] b = blob.clone();
        ByteBuffer.wrap(b).putInt(at, value);
        return b;
    }

    private static void assertMalformed(byte[] blob) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> FdtChosen.patch(blob, "console=ttyS0", 1, 2));
        assertNotNull(e.getMessage());
        assertFalse(e.getMessage().contains("\n"));
    }

    @Test
    void qemusOwnTreeKeepsEverythingDtcSees(@TempDir Path dir) throws Exception {
        assumeTrue(Files.isExecutable(Path.of("/usr/bin/qemu-system-riscv64")), "qemu-system-riscv64 not installed");
        assumeTrue(Files.isExecutable(Path.of("/usr/bin/dtc")), "dtc not installed");
        Path dtb = dir.resolve("virt.dtb");
        run("qemu-system-riscv64", "-M", "virt,dumpdtb=" + dtb, "-display", "none");
        byte[] patched = FdtChosen.patch(Files.readAllBytes(dtb), "console=ttyS0 jemu", 0x88000000L, 0x88100000L);
        Path out = Files.write(dir.resolve("patched.dtb"), patched);
        String before = run("dtc", "-I", "dtb", "-O", "dts", dtb.toString());
        String after = run("dtc", "-I", "dtb", "-O", "dts", out.toString());
        assertTrue(after.contains("bootargs = \"console=ttyS0 jemu\";"), after);
        assertTrue(after.contains("linux,initrd-start = <0x00 0x88000000>;"), after);
        assertTrue(after.contains("linux,initrd-end = <0x00 0x88100000>;"), after);
        // apart from /chosen's new properties, dtc sees the same tree
        String strip = "(?m)^\\s*(bootargs|linux,initrd-start|linux,initrd-end) = .*\\n";
        assertEquals(before.replaceAll(strip, ""), after.replaceAll(strip, ""));
    }

    private static String run(String... cmd) throws Exception {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        assertEquals(0, p.exitValue(), out);
        return out;
    }
}
