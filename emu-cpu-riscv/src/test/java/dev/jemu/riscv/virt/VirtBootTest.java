package dev.jemu.riscv.virt;

import static org.junit.jupiter.api.Assertions.*;

import dev.jemu.core.fdt.FdtBuilder;
import dev.jemu.core.fdt.FdtReader;
import dev.jemu.core.loader.LinuxImage;
import dev.jemu.core.machine.ConfigException;
import dev.jemu.core.machine.MachineConfig;
import dev.jemu.core.memory.AddressSpace;
import dev.jemu.core.memory.GuestRam;
import dev.jemu.devices.fs.DiskBoot;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class VirtBootTest {
    static final long RAM = 0x80000000L, MiB = 1 << 20;
    @TempDir
    Path dir;

    AddressSpace bus(long ramBytes, GuestRam[] out) {
        AddressSpace bus = new AddressSpace();
        out[0] = new GuestRam(ramBytes);
        bus.addRam("ram", RAM, out[0]);
        return bus;
    }

    Path linuxImage(long imageSize) throws Exception {
        ByteBuffer b = ByteBuffer.allocate(4096).order(ByteOrder.LITTLE_ENDIAN);
        b.putInt(0, 0x12345678).putLong(0x10, imageSize).putLong(0x30, LinuxImage.MAGIC).putInt(0x38, LinuxImage.MAGIC2);
        return Files.write(dir.resolve("Image"), b.array());
    }

    static byte[] fdtAt(GuestRam ram, long addr) {
        byte[] head = new byte[8];
        ram.copyOut(addr - RAM, head, 0, 8);
        int size = ByteBuffer.wrap(head).getInt(4);
        byte[] fdt = new byte[size];
        ram.copyOut(addr - RAM, fdt, 0, size);
        return fdt;
    }

    @Test
    void builtinSbiLayoutLikeQemu() throws Exception {
        MachineConfig c = new MachineConfig();
        c.ramBytes = 512 * MiB;
        c.kernel = linuxImage(40 * MiB);
        c.initrd = Files.write(dir.resolve("initrd"), new byte[3 * 1024 * 1024 + 5]);
        c.append = "console=ttyS0";
        GuestRam[] ram = new GuestRam[1];
        VirtBoot.Plan p = VirtBoot.load(c, bus(c.ramBytes, ram), c.ramBytes);
        assertEquals(VirtBoot.Mode.BUILTIN_SBI, p.mode());
        assertEquals(RAM + 2 * MiB, p.kernelEntry());
        assertEquals(0x12345678, ram[0].readInt(2 * MiB));
        assertEquals(RAM + 2 * MiB + 128 * MiB, p.initrdStart(), "QEMU: entry + min(RAM/2, 128 MiB)");
        assertEquals(p.initrdStart() + 3 * 1024 * 1024 + 5, p.initrdEnd());
        assertEquals(RAM + 512 * MiB - 2 * MiB, p.fdtAddr(), "top of RAM, 2 MiB aligned");
        FdtReader.Node chosen = FdtReader.parse(fdtAt(ram[0], p.fdtAddr())).root().at("/chosen");
        assertEquals("console=ttyS0", chosen.string("bootargs"));
        assertEquals(p.initrdStart(), chosen.cells("linux,initrd-start")[1] & 0xffffffffL);
        assertEquals(p.initrdEnd(), chosen.cells("linux,initrd-end")[1] & 0xffffffffL);
    }

    @Test
    void firmwareThenKernelOnTheNext2MiB() throws Exception {
        MachineConfig c = new MachineConfig();
        c.bios = Files.write(dir.resolve("fw_jump.bin"), new byte[300 * 1024]).toString();
        c.kernel = linuxImage(20 * MiB);
        GuestRam[] ram = new GuestRam[1];
        VirtBoot.Plan p = VirtBoot.load(c, bus(c.ramBytes, ram), c.ramBytes);
        assertEquals(VirtBoot.Mode.FIRMWARE, p.mode());
        assertEquals(RAM, p.startPc());
        assertEquals(RAM + 2 * MiB, p.kernelEntry());
        assertEquals(0, p.initrdEnd());
    }

    @Test
    void biosNoneRunsTheKernelFromRamBase() throws Exception {
        MachineConfig c = new MachineConfig();
        c.bios = "none";
        c.kernel = Files.write(dir.resolve("test.bin"), new byte[] {0x73, 0, 0x50, 0x10});
        GuestRam[] ram = new GuestRam[1];
        VirtBoot.Plan p = VirtBoot.load(c, bus(c.ramBytes, ram), c.ramBytes);
        assertEquals(RAM, p.startPc());
        assertEquals(0x10500073, ram[0].readInt(0));
    }

    @Test
    void smallInitrdRoomAndMissingPiecesAreClearErrors() throws Exception {
        MachineConfig c = new MachineConfig();
        c.ramBytes = 32 * MiB;
        c.kernel = linuxImage(20 * MiB);
        c.initrd = Files.write(dir.resolve("big.cpio"), new byte[12 * 1024 * 1024]);
        ConfigException e = assertThrows(ConfigException.class,
                () -> VirtBoot.load(c, bus(c.ramBytes, new GuestRam[1]), c.ramBytes));
        assertTrue(e.getMessage().startsWith(c.initrd + ": initrd"), e.getMessage());
        MachineConfig d = new MachineConfig();
        e = assertThrows(ConfigException.class, () -> VirtBoot.load(d, bus(d.ramBytes, new GuestRam[1]), d.ramBytes));
        assertTrue(e.getMessage().contains("no -kernel"), e.getMessage());
        d.kernel = dir.resolve("missing");
        e = assertThrows(ConfigException.class, () -> VirtBoot.load(d, bus(d.ramBytes, new GuestRam[1]), d.ramBytes));
        assertEquals(d.kernel + ": no such file", e.getMessage());
    }

    @Test
    void userDtbGetsChosenPatchedAsQemuDoes() throws Exception {
        FdtBuilder f = new FdtBuilder();
        f.beginNode("").propString("model", "my board").propU32("#address-cells", 2);
        f.beginNode("memory@80000000").propString("device_type", "memory").propU64s("reg", RAM, 64 * MiB).endNode();
        f.endNode();
        MachineConfig c = new MachineConfig();
        c.ramBytes = 256 * MiB;
        c.kernel = linuxImage(20 * MiB);
        c.initrd = Files.write(dir.resolve("initrd"), new byte[100_000]);
        c.append = "console=ttyS0 root=/dev/vda1";
        c.dtb = Files.write(dir.resolve("my.dtb"), f.finish());
        GuestRam[] ram = new GuestRam[1];
        VirtBoot.Plan p = VirtBoot.load(c, bus(c.ramBytes, ram), c.ramBytes);
        FdtReader.Node root = FdtReader.parse(fdtAt(ram[0], p.fdtAddr())).root();
        assertEquals("my board", root.string("model"), "the user's tree, not the board's");
        assertArrayEquals(new int[] {0, (int) RAM, 0, 64 * (int) MiB}, root.at("/memory@80000000").cells("reg"));
        assertNull(root.at("/soc"));
        FdtReader.Node chosen = root.at("/chosen");
        assertNotNull(chosen, "created when the tree has none");
        assertEquals("console=ttyS0 root=/dev/vda1", chosen.string("bootargs"));
        assertTrue(p.initrdEnd() > p.initrdStart());
        assertArrayEquals(new int[] {(int) (p.initrdStart() >>> 32), (int) p.initrdStart()},
                chosen.cells("linux,initrd-start"));
        assertArrayEquals(new int[] {(int) (p.initrdEnd() >>> 32), (int) p.initrdEnd()},
                chosen.cells("linux,initrd-end"));
        assertNull(chosen.props().get("stdout-path"));
        assertTrue(p.initrdEnd() <= p.fdtAddr());

        Files.write(c.dtb, new byte[] {(byte) 0xd0, 0x0d, (byte) 0xfe, (byte) 0xed, 0, 0, 0, 1});
        ConfigException e = assertThrows(ConfigException.class,
                () -> VirtBoot.load(c, bus(c.ramBytes, new GuestRam[1]), c.ramBytes));
        assertTrue(e.getMessage().startsWith(c.dtb + ": device tree blob truncated"), e.getMessage());
        assertFalse(e.getMessage().contains("\n"));
    }

    @Test
    void aDisksFdtGetsTheExtlinuxCommandLineAndInitrd() throws Exception {
        FdtBuilder f = new FdtBuilder();
        f.beginNode("").beginNode("chosen").propString("bootargs", "from the dtb").propString("stdout-path", "/u")
                .endNode().endNode();
        MachineConfig c = new MachineConfig();
        c.append = "quiet";
        byte[] kernel = Files.readAllBytes(linuxImage(20 * MiB));
        DiskBoot.Boot disk = new DiskBoot.Boot(kernel, new byte[5000], "root=/dev/vda1", f.finish(), "disk.img");
        GuestRam[] ram = new GuestRam[1];
        VirtBoot.Plan p = VirtBoot.load(c, bus(c.ramBytes, ram), c.ramBytes, disk);
        FdtReader.Node chosen = FdtReader.parse(fdtAt(ram[0], p.fdtAddr())).root().at("/chosen");
        assertEquals("root=/dev/vda1 quiet", chosen.string("bootargs"));
        assertEquals("/u", chosen.string("stdout-path"));
        assertEquals(p.initrdStart(), java.nio.ByteBuffer.wrap(chosen.props().get("linux,initrd-start")).getLong());
        assertEquals(p.initrdStart() + 5000, p.initrdEnd());
    }

    @Test
    void initrdOverTheKernelIsRefusedAsQemuDoes() throws Exception {
        // QEMU puts the initrd at entry + min(RAM/2, 128 MiB) and refuses when that overlaps the kernel ("Some ROM
        // regions are overlapping"); placing it higher would leave the kernel too little RAM to boot, silently
        MachineConfig c = new MachineConfig();
        c.ramBytes = 128 * MiB;  // initrd would go at entry + 64 MiB, inside a 80 MiB kernel
        c.kernel = linuxImage(80 * MiB);
        c.initrd = Files.write(dir.resolve("initrd"), new byte[4 * 1024 * 1024]);
        ConfigException e = assertThrows(ConfigException.class,
                () -> VirtBoot.load(c, bus(c.ramBytes, new GuestRam[1]), c.ramBytes));
        assertEquals(c.initrd + ": initrd at 0x84200000 (kernel + min(RAM/2, 128 MiB)) overlaps the kernel " + c.kernel
                + " (0x80200000..0x85200000): 128 MiB of RAM is too small for both; try a larger -m", e.getMessage());
        c.ramBytes = 256 * MiB;  // entry + 128 MiB: clear of the kernel
        VirtBoot.Plan p = VirtBoot.load(c, bus(c.ramBytes, new GuestRam[1]), c.ramBytes);
        assertEquals(RAM + 2 * MiB + 128 * MiB, p.initrdStart());
    }

    @Test
    void anEmptyKernelIsRefused() throws Exception {
        MachineConfig c = new MachineConfig();
        c.kernel = Files.write(dir.resolve("empty"), new byte[0]);
        ConfigException e = assertThrows(ConfigException.class,
                () -> VirtBoot.load(c, bus(c.ramBytes, new GuestRam[1]), c.ramBytes));
        assertEquals("could not load kernel '" + c.kernel + "': the file is empty", e.getMessage());
    }
}
