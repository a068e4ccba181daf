package dev.jemu.arm.virt;

import static org.junit.jupiter.api.Assertions.*;

import dev.jemu.core.fdt.FdtReader;
import dev.jemu.core.machine.ConfigException;
import dev.jemu.core.machine.MachineConfig;
import dev.jemu.core.time.VirtualClock;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Where the aarch64 virt board puts kernel, initrd and device tree, and how the CPU starts (QEMU's hw/arm/boot.c). */
@Timeout(30)
class VirtBootTest {
    static final long RAM = 0x40000000L, MiB = 1 << 20;

    @TempDir
    Path dir;

    MachineConfig config() {
        MachineConfig c = new MachineConfig();
        c.cpu = "cortex-a57";
        c.clock = VirtualClock.instructionCount(0);
        c.ramBytes = 512 * MiB;
        return c;
    }

    /** An arm64 Image: branch at 0, the header fields, magic at 56, then a body of {@code size - 64} bytes. */
    static byte[] image(long textOffset, long imageSize, long flags, int size) {
        ByteBuffer b = ByteBuffer.allocate(size).order(ByteOrder.LITTLE_ENDIAN);
        b.putInt(0, 0x14000010); // b +64
        b.putLong(8, textOffset).putLong(16, imageSize).putLong(24, flags);
        b.putInt(56, Arm64Image.MAGIC);
        for (int i = 64; i < size; i++) {
            b.put(i, (byte) i);
        }
        return b.array();
    }

    VirtMachine boot(MachineConfig c) throws ConfigException {
        return (VirtMachine) new VirtMachineType().create(c);
    }

    static byte[] readBack(VirtMachine m, long addr, int n) {
        byte[] out = new byte[n];
        m.addressSpace().copyOut(addr, out, 0, n);
        return out;
    }

    @Test
    void imageWithZeroTextOffsetGoesTwoMiBInWithX0TheTree() throws Exception {
        MachineConfig c = config();
        byte[] img = image(0, 3 * MiB, 0b1010, 4096);
        c.kernel = Files.write(dir.resolve("Image"), img);
        c.append = "console=ttyAMA0";
        try (VirtMachine m = boot(c)) {
            long entry = RAM + 2 * MiB; // QEMU moves an offset below 4 KiB off its boot stub at RAM start
            assertEquals(entry, m.cpu().pc());
            assertArrayEquals(img, readBack(m, entry, img.length));
            long fdt = RAM + 128 * MiB; // initrd slot (none) = min(RAM/2, 128 MiB), 2 MiB aligned
            assertEquals(fdt, m.cpu().reg(0));
            for (int r = 1; r <= 3; r++) {
                assertEquals(0, m.cpu().reg(r));
            }
            assertEquals(1, m.cpu().el);
            assertEquals(0xf, m.cpu().daif, "DAIF masked");
            assertTrue(m.cpu().spsel, "EL1h");
            FdtReader.Node root = FdtReader.parse(readBack(m, fdt, m.plan().fdt().length)).root();
            assertEquals("console=ttyAMA0", root.at("/chosen").string("bootargs"));
            assertEquals("/pl011@9000000", root.at("/chosen").string("stdout-path"));
        }
    }

    @Test
    void imageTextOffsetIsHonouredAndGzipIsUnpacked() throws Exception {
        MachineConfig c = config();
        byte[] img = image(0x80000, 2 * MiB, 0, 8192);
        ByteArrayOutputStream gz = new ByteArrayOutputStream();
        try (GZIPOutputStream o = new GZIPOutputStream(gz)) {
            o.write(img);
        }
        c.kernel = Files.write(dir.resolve("Image.gz"), gz.toByteArray());
        try (VirtMachine m = boot(c)) {
            assertEquals(RAM + 0x80000, m.cpu().pc());
            assertArrayEquals(img, readBack(m, RAM + 0x80000, img.length));
        }
    }

    @Test
    void initrdAtHalfRamOrAbove128MiBAndTreeAfterIt() throws Exception {
        MachineConfig c = config();
        c.ramBytes = 128 * MiB;
        c.kernel = Files.write(dir.resolve("Image"), image(0, 4 * MiB, 0, 4096));
        byte[] initrd = new byte[3 * 4096 + 5];
        initrd[0] = 0x42;
        c.initrd = Files.write(dir.resolve("initrd"), initrd);
        try (VirtMachine m = boot(c)) {
            long start = RAM + 64 * MiB, end = start + initrd.length;
            assertEquals(start, m.plan().initrdStart());
            assertEquals(0x42, readBack(m, start, 1)[0]);
            long fdt = VirtBoot.alignUp(end, 2 * MiB);
            assertEquals(fdt, m.cpu().reg(0));
            FdtReader.Node chosen = FdtReader.parse(readBack(m, fdt, m.plan().fdt().length)).root().at("/chosen");
            assertArrayEquals(ByteBuffer.allocate(8).putLong(start).array(), chosen.props().get("linux,initrd-start"));
            assertArrayEquals(ByteBuffer.allocate(8).putLong(end).array(), chosen.props().get("linux,initrd-end"));
        }
    }

    @Test
    void rawFileGoesAt0x80000AndBiosNoneRunsItFromRamStart() throws Exception {
        byte[] raw = {(byte) 0x1f, 0x20, 0x03, (byte) 0xd5}; // nop
        MachineConfig c = config();
        c.kernel = Files.write(dir.resolve("raw.bin"), raw);
        try (VirtMachine m = boot(c)) {
            assertEquals(RAM + 0x80000, m.cpu().pc());
        }
        c = config();
        c.kernel = dir.resolve("raw.bin");
        c.bios = "none";
        try (VirtMachine m = boot(c)) {
            assertEquals(RAM, m.cpu().pc());
            assertEquals(0, m.cpu().reg(0), "a bare-metal program gets no tree pointer");
            assertArrayEquals(raw, readBack(m, RAM, 4));
        }
    }

    @Test
    void elfIsLoadedWhereItSaysAndEnteredWithoutATreePointer() throws Exception {
        MachineConfig c = config();
        c.kernel = Files.write(dir.resolve("prog.elf"), elf(RAM + 0x1000, new byte[] {(byte) 0x1f, 0x20, 0x03, (byte) 0xd5}));
        try (VirtMachine m = boot(c)) {
            assertEquals(RAM + 0x1000, m.cpu().pc());
            assertEquals(0, m.cpu().reg(0));
            assertEquals((byte) 0xd5, readBack(m, RAM + 0x1003, 1)[0]);
        }
    }

    /** A minimal ELF64 for EM_AARCH64: one PT_LOAD of {@code code} at {@code addr}, entry there. */
    static byte[] elf(long addr, byte[] code) {
        ByteBuffer b = ByteBuffer.allocate(64 + 56 + code.length).order(ByteOrder.LITTLE_ENDIAN);
        b.put(new byte[] {0x7f, 'E', 'L', 'F', 2, 1, 1});
        b.putShort(16, (short) 2).putShort(18, (short) 183).putInt(20, 1).putLong(24, addr).putLong(32, 64)
                .putShort(52, (short) 64).putShort(54, (short) 56).putShort(56, (short) 1);
        b.putInt(64, 1).putInt(68, 5).putLong(72, 120).putLong(80, addr).putLong(88, addr)
                .putLong(96, code.length).putLong(104, code.length).putLong(112, 8);
        b.put(120, code);
        return b.array();
    }

    @Test
    void biosGoesIntoFlashAndStartsAtZeroWithTheTreeAtRamStart() throws Exception {
        MachineConfig c = config();
        byte[] fw = {1, 2, 3, 4, 5};
        c.bios = Files.write(dir.resolve("u-boot.bin"), fw).toString();
        try (VirtMachine m = boot(c)) {
            assertEquals(0, m.cpu().pc());
            assertArrayEquals(fw, readBack(m, 0, fw.length));
            m.addressSpace().write(0, 4, 0); // flash is read-only
            assertArrayEquals(fw, readBack(m, 0, fw.length));
            assertEquals(RAM, m.plan().fdtAddr());
            assertEquals(0xd00dfeedL, ByteBuffer.wrap(readBack(m, RAM, 4)).getInt() & 0xffffffffL);
        }
    }

    String error(MachineConfig c) {
        ConfigException e = assertThrows(ConfigException.class, () -> boot(c).close());
        assertFalse(e.getMessage().contains("\n"), e.getMessage());
        return e.getMessage();
    }

    @Test
    void riscvKernelAndBadHeadersAreOneLineErrors() throws Exception {
        MachineConfig c = config();
        ByteBuffer rv = ByteBuffer.allocate(4096).order(ByteOrder.LITTLE_ENDIAN);
        rv.putLong(48, 0x5643534952L).putInt(56, 0x05435352);
        c.kernel = Files.write(dir.resolve("riscv-Image"), rv.array());
        assertTrue(error(c).contains("not an arm64 Image"));

        c = config();
        c.kernel = Files.write(dir.resolve("be"), image(0, 2 * MiB, 1, 4096));
        assertTrue(error(c).contains("bad arm64 Image header"), error(c));

        c = config();
        c.kernel = Files.write(dir.resolve("small"), image(0, 1024, 0, 4096));
        assertTrue(error(c).contains("image_size"), error(c));

        c = config();
        c.kernel = Files.write(dir.resolve("bad.gz"), new byte[] {0x1f, (byte) 0x8b, 8, 0, 1, 2});
        assertTrue(error(c).contains("gzip"), error(c));
    }

    @Test
    void boardPropertiesAreCheckedAsQemuDoes() throws Exception {
        MachineConfig c = config();
        c.kernel = Files.write(dir.resolve("Image"), image(0, 2 * MiB, 0, 4096));
        c.boardProperties.put("gic-version", "5");
        assertTrue(error(c).startsWith("Invalid gic-version value"));
        c.boardProperties.put("gic-version", "host");
        assertEquals("gic-version=host requires KVM", error(c));
        c.boardProperties.put("gic-version", "max");
        try (VirtMachine m = boot(c)) {
            FdtReader.Node root = FdtReader.parse(m.plan().fdt()).root();
            assertEquals("arm,gic-v3", root.at("/intc@8000000").string("compatible"));
        }
        c.boardProperties.clear();
        c.boardProperties.put("secure", "on");
        assertTrue(error(c).contains("EL3"));
        c.boardProperties.put("secure", "off");
        c.boardProperties.put("virtualization", "on");
        assertTrue(error(c).contains("EL2"));
    }
}
