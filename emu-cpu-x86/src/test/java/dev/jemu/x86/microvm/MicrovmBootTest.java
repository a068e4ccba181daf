package dev.jemu.x86.microvm;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jemu.core.machine.ConfigException;
import dev.jemu.core.machine.MachineConfig;
import dev.jemu.core.memory.AddressSpace;
import dev.jemu.core.memory.GuestRam;
import dev.jemu.devices.fs.DiskBoot;
import dev.jemu.x86.cpu.BootState;
import dev.jemu.x86.cpu.Segment;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MicrovmBootTest {
    static final long RAM = 512L << 20;
    final GuestRam ram = new GuestRam(RAM);
    final AddressSpace bus = new AddressSpace();

    @TempDir
    Path tmp;

    MicrovmBootTest() {
        bus.addRam("ram", 0, ram);
    }

    @AfterEach
    void close() {
        ram.close();
    }

    /** A minimal bzImage: protocol 2.15, 64-bit, setup_sects 4, a protected-mode part of {@code kernel} bytes. */
    static byte[] bzImage(int version, int kernelBytes) {
        ByteBuffer b = ByteBuffer.allocate(5 * 512 + kernelBytes).order(ByteOrder.LITTLE_ENDIAN);
        b.put(0x1f1, (byte) 4).putInt(0x1f4, kernelBytes / 16).putShort(0x1fe, (short) 0xaa55);
        b.put(0x200, (byte) 0xeb).put(0x201, (byte) 0x6a).putInt(0x202, 0x53726448).putShort(0x206, (short) version);
        b.put(0x211, (byte) 1).putInt(0x214, 0x100000).putInt(0x22c, 0x7fffffff).putInt(0x230, 0x200000)
                .put(0x234, (byte) 1).putShort(0x236, (short) 0x7f).putInt(0x238, 0x7ff)
                .putLong(0x258, 0x1000000).putInt(0x260, 0x2000000);
        for (int i = 0; i < kernelBytes; i++) {
            b.put(5 * 512 + i, (byte) (i * 7));
        }
        return b.array();
    }

    Path file(String name, byte[] data) throws Exception {
        Path p = tmp.resolve(name);
        Files.write(p, data);
        return p;
    }

    MachineConfig config(Path kernel, Path initrd, String append) {
        MachineConfig c = new MachineConfig();
        c.ramBytes = RAM;
        c.kernel = kernel;
        c.initrd = initrd;
        c.append = append;
        return c;
    }

    long r64(long a) {
        return bus.read(a, 8);
    }

    long r32(long a) {
        return bus.read(a, 4) & 0xffffffffL;
    }

    String cString(long a) {
        StringBuilder sb = new StringBuilder();
        for (int c; (c = (int) bus.read(a++, 1)) != 0; ) {
            sb.append((char) c);
        }
        return sb.toString();
    }

    @Test
    void bzImageStartsThroughThe64BitEntryWithBootParams() throws Exception {
        byte[] k = bzImage(0x20f, 0x4000);
        byte[] initrd = new byte[100_000];
        initrd[0] = 0x42;
        MicrovmBoot.Loaded l = MicrovmBoot.load(config(file("bz", k), file("initrd", initrd), "console=ttyS0"), bus,
                MicrovmBoot.Platform.defaults(RAM, List.of(23)), null);
        assertEquals(MicrovmBoot.Kind.LINUX64, l.kind());
        BootState s = l.state();
        assertEquals(0x100200, s.rip(), "startup_64: load address + 0x200");
        assertEquals(0x7000, s.regs()[6], "RSI = boot_params");
        assertEquals(0x80000011L, s.cr0(), "PG | ET | PE");
        assertEquals(0x20, s.cr4(), "PAE");
        assertEquals(0x500, s.efer(), "LME | LMA");
        assertEquals(0, s.rflags() & 0x200, "interrupts off");
        Segment cs = s.segs()[1];
        assertEquals(0x10, cs.selector);
        assertTrue(cs.longMode() && cs.code() && cs.present());
        assertEquals(0x18, s.segs()[0].selector);
        assertEquals(0x18, s.segs()[2].selector);
        // the GDT entries the selectors name hold what the hidden parts say
        assertEquals(0x00af9b000000ffffL, r64(s.gdtBase() + 0x10));
        assertEquals(0x00cf93000000ffffL, r64(s.gdtBase() + 0x18));
        // identity map of 4 GiB: PML4[0] -> PDPT, PDPT[3] -> PD 3, last 2 MiB page of 4 GiB
        assertEquals(0xa003, r64(s.cr3()));
        assertEquals(0xe003, r64(0xa000 + 3 * 8));
        assertEquals(0xffe00083L, r64(0xe000 + 511 * 8));
        // the protected-mode kernel at 1 MiB
        byte[] got = new byte[0x4000];
        bus.copyOut(0x100000, got, 0, got.length);
        assertArrayEquals(java.util.Arrays.copyOfRange(k, 5 * 512, k.length), got);
        // boot_params: the setup header copied, then the loader's fields
        long bp = 0x7000;
        assertEquals(0x53726448, r32(bp + 0x202));
        assertEquals(0x20f, bus.read(bp + 0x206, 2));
        assertEquals(0xb0, bus.read(bp + 0x210, 1), "type_of_loader: QEMU's");
        assertEquals(0x20000, r32(bp + 0x228));
        assertEquals("console=ttyS0", cString(0x20000));
        long rd = r32(bp + 0x218);
        assertEquals((RAM - 1 - initrd.length) & ~0xfffL, rd, "initrd at the top of low RAM, as QEMU");
        assertEquals(initrd.length, r32(bp + 0x21c));
        assertEquals(0x42, bus.read(rd, 1));
        assertEquals(0xf0000, r64(bp + 0x70), "acpi_rsdp_addr");
        assertEquals("RSD PTR ", new String(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN)
                .putLong(r64(0xf0000)).array(), StandardCharsets.US_ASCII));
        // e820: QEMU 7.2 microvm's map under its firmware for 512 MiB
        long[][] want = {{0, 0x9fc00, 1}, {0x9fc00, 0x400, 2}, {0xd0000, 0x20000, 4}, {0xf0000, 0x10000, 2},
                {0x100000, RAM - 0x100000, 1}};
        assertEquals(want.length, bus.read(bp + 0x1e8, 1));
        for (int i = 0; i < want.length; i++) {
            long e = bp + 0x2d0 + 20L * i;
            assertArrayEquals(want[i], new long[] {r64(e), r64(e + 8), r32(e + 16)}, "e820 entry " + i);
        }
    }

    /** jemu's interpreter takes the entry states as the modes they are meant to be. */
    @Test
    void theCpuRunsTheEntryStatesInTheirModes() throws Exception {
        dev.jemu.x86.cpu.X86Cpu cpu = new dev.jemu.x86.cpu.X86Cpu(0, bus, new AddressSpace(),
                new dev.jemu.core.machine.MachineLoop(dev.jemu.core.time.VirtualClock.realtime()),
                new dev.jemu.core.time.Timebase(dev.jemu.core.time.VirtualClock.realtime(), 1_000_000_000L));
        cpu.load(EntryState.longMode(bus, 0x100200, 0x7000));
        assertTrue(cpu.is64(), "64-bit mode");
        assertEquals(0x7000, cpu.linear(dev.jemu.x86.cpu.X86Cpu.DS, 0x7000));
        cpu.load(EntryState.protectedMode(bus, 0x100000, 0x6000));
        assertTrue(!cpu.is64(), "32-bit protected mode");
        assertEquals(0xfffff000L, cpu.linear(dev.jemu.x86.cpu.X86Cpu.DS, 0xfffff000L));
    }

    @Test
    void acpiOffPutsTheVirtioSlotsOnTheCommandLineAsQemu() throws Exception {
        MicrovmBoot.Platform p = new MicrovmBoot.Platform(RAM, false, false, List.of(6, 7), true, true, true);
        MicrovmBoot.Loaded l = MicrovmBoot.load(config(file("bz", bzImage(0x20f, 0x1000)), null, "console=ttyS0"),
                bus, p, null);
        assertEquals("console=ttyS0 virtio_mmio.device=512@0xfeb00e00:12 virtio_mmio.device=512@0xfeb00c00:11",
                cString(0x20000));
        assertEquals(0, l.rsdp());
        assertEquals(0, r64(0x7000 + 0x70), "no RSDP without ACPI");
        assertEquals(0, r64(0xf0000), "no tables either");
    }

    @Test
    void aboveThreeGiBTheRamContinuesAt4GiB() {
        List<E820.Entry> m = E820.map(4L << 30);
        assertEquals(new E820.Entry(0x100000, 0xc0000000L - 0x100000, E820.RAM), m.get(4));
        assertEquals(new E820.Entry(1L << 32, 1L << 30, E820.RAM), m.get(5));
    }

    @Test
    void diskBootUsesTheExtlinuxEntry() throws Exception {
        DiskBoot.Boot disk = new DiskBoot.Boot(bzImage(0x20f, 0x1000), new byte[4096], "root=/dev/vda1 rw", null,
                "partition 1 /boot/extlinux/extlinux.conf (l0)");
        MicrovmBoot.Loaded l = MicrovmBoot.load(config(null, null, "jemu.x"), bus,
                MicrovmBoot.Platform.defaults(RAM, List.of()), disk);
        assertEquals(MicrovmBoot.Kind.LINUX64, l.kind());
        assertEquals("root=/dev/vda1 rw jemu.x", cString(0x20000));
        assertEquals(4096, r32(0x7000 + 0x21c));
    }

    /** An ELF32 for i386 with one PT_LOAD at 1 MiB and a Xen PHYS32_ENTRY note pointing 0x10 into it. */
    static byte[] pvhElf32() {
        ByteBuffer b = ByteBuffer.allocate(0x200).order(ByteOrder.LITTLE_ENDIAN);
        b.put(new byte[] {0x7f, 'E', 'L', 'F', 1, 1, 1}).putShort(16, (short) 2).putShort(18, (short) 3)
                .putInt(20, 1).putInt(24, 0x100000).putInt(28, 52).putShort(40, (short) 52).putShort(42, (short) 32)
                .putShort(44, (short) 2);
        b.putInt(52, 1).putInt(56, 0x100).putInt(60, 0x100000).putInt(64, 0x100000).putInt(68, 0x40)
                .putInt(72, 0x80).putInt(76, 5);
        b.putInt(84, 4).putInt(88, 0x180).putInt(104, 0);
        b.putInt(100, 20); // note filesz
        for (int i = 0; i < 0x40; i++) {
            b.put(0x100 + i, (byte) 0x90);
        }
        b.putInt(0x180, 4).putInt(0x184, 4).putInt(0x188, 18).put(0x18c, (byte) 'X').put(0x18d, (byte) 'e')
                .put(0x18e, (byte) 'n').putInt(0x190, 0x100010);
        return b.array();
    }

    @Test
    void pvhElfStartsIn32BitProtectedModeWithStartInfo() throws Exception {
        MicrovmBoot.Loaded l = MicrovmBoot.load(config(file("pvh.elf", pvhElf32()), file("rd", new byte[8192]),
                "hello"), bus, MicrovmBoot.Platform.defaults(RAM, List.of()), null);
        assertEquals(MicrovmBoot.Kind.PVH, l.kind());
        BootState s = l.state();
        assertEquals(0x100010, s.rip());
        assertEquals(0x6000, s.regs()[3], "EBX = hvm_start_info");
        assertEquals(0x11, s.cr0(), "PE, paging off");
        assertEquals(0, s.efer());
        assertTrue(s.segs()[1].big() && !s.segs()[1].longMode(), "32-bit code segment");
        assertEquals(0xffffffffL, s.segs()[3].limit);
        assertEquals(0x90, bus.read(0x100000, 1));
        assertEquals(0, bus.read(0x100040, 1), "bss zeroed");
        assertEquals(0x336ec578, r32(0x6000), "start_info magic");
        assertEquals(1, r32(0x6004), "version 1: with the memory map");
        assertEquals(1, r32(0x600c), "one module: the initrd");
        assertEquals(8192, r64(r64(0x6010) + 8));
        assertEquals("hello", cString(r64(0x6018)));
        assertEquals(0xf0000, r64(0x6020), "rsdp_paddr");
        assertEquals(5, r32(0x6030), "memory map entries");
        assertEquals(0x100000, r64(r64(0x6028) + 4 * 24));
    }

    @Test
    void biosNoneRunsARawImageAt1MiB() throws Exception {
        MachineConfig c = config(file("raw", new byte[] {(byte) 0xf4}), null, "");
        c.bios = "none";
        MicrovmBoot.Loaded l = MicrovmBoot.load(c, bus, MicrovmBoot.Platform.defaults(RAM, List.of()), null);
        assertEquals(MicrovmBoot.Kind.RAW, l.kind());
        assertEquals(0x100000, l.state().rip());
        assertEquals(0xf4, bus.read(0x100000, 1));
    }

    String error(byte[] kernel) throws Exception {
        Path k = file("k", kernel);
        return assertThrows(ConfigException.class, () -> MicrovmBoot.load(config(k, null, ""), bus,
                MicrovmBoot.Platform.defaults(RAM, List.of()), null)).getMessage();
    }

    @Test
    void badKernelsAreOneLine() throws Exception {
        byte[] bz = bzImage(0x20f, 0x4000);
        assertTrue(error(java.util.Arrays.copyOf(bz, 4000)).contains("truncated bzImage: the setup header says "
                + (5 * 512 + 0x4000) + " bytes"));
        byte[] arm = new byte[4096];
        ByteBuffer.wrap(arm).order(ByteOrder.LITTLE_ENDIAN).putInt(56, 0x644d5241);
        assertTrue(error(arm).contains("not an x86 kernel: it is an arm64 Linux Image"), error(arm));
        byte[] rv = new byte[4096];
        ByteBuffer.wrap(rv).order(ByteOrder.LITTLE_ENDIAN).putInt(0x38, 0x05435352);
        assertTrue(error(rv).contains("it is a riscv64 Linux Image"), error(rv));
        assertTrue(error(bzImage(0x20a, 0x1000)).contains("boot protocol 2.10 is too old"));
        byte[] i386 = bzImage(0x20f, 0x1000);
        i386[0x236] = 0;
        assertTrue(error(i386).contains("not a 64-bit kernel"));
        assertTrue(error(new byte[] {1, 2, 3}).contains("too short"));
        byte[] aarch64Elf = pvhElf32();
        aarch64Elf[4] = 2;
        ByteBuffer.wrap(aarch64Elf).order(ByteOrder.LITTLE_ENDIAN).putShort(18, (short) 183);
        assertTrue(error(aarch64Elf).contains("machine 183 (aarch64"), error(aarch64Elf));
        for (String m : new String[] {error(arm), error(bz.length > 0 ? java.util.Arrays.copyOf(bz, 4000) : bz)}) {
            assertTrue(!m.contains("\n"), "one line: " + m);
        }
    }

    @Test
    void tooLittleRamForTheKernelSaysSo() throws Exception {
        MachineConfig c = config(file("bz", bzImage(0x20f, 0x1000)), null, "");
        String m = assertThrows(ConfigException.class, () -> MicrovmBoot.load(c, bus,
                MicrovmBoot.Platform.defaults(16L << 20, List.of()), null)).getMessage();
        assertTrue(m.contains("try a larger -m"), m);
    }

    @Test
    void debiansKernelHeaderParses() throws Exception {
        Path k = Path.of(System.getProperty("user.home"), ".cache/jemu/kit/amd64/bzImage");
        org.junit.jupiter.api.Assumptions.assumeTrue(Files.isRegularFile(k), "no amd64 kit");
        BzImage h = BzImage.parse(k.toString(), Files.readAllBytes(k));
        assertTrue(h.version() >= 0x20c && h.relocatable() && h.kernelAlignment() == 0x200000, h.toString());
        long covered = h.kernelOffset() + h.kernelSize();
        assertTrue(covered <= Files.size(k) && covered > Files.size(k) - 4096, "setup + syssize cover the file "
                + "but its signature: " + covered + " of " + Files.size(k));
    }
}
