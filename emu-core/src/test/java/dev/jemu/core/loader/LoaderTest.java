package dev.jemu.core.loader;

import static org.junit.jupiter.api.Assertions.*;

import dev.jemu.core.machine.ConfigException;
import dev.jemu.core.memory.AddressSpace;
import dev.jemu.core.memory.GuestRam;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LoaderTest {
    static final long RAM = 0x80000000L;
    final AddressSpace bus = new AddressSpace();
    final GuestRam ram = new GuestRam(1 << 20);

    {
        bus.addRam("ram", RAM, ram);
    }

    /** A one-segment ELF64: 8 bytes of code in a 0x20-byte segment (rest .bss), linked at vaddr. */
    static byte[] elf(int elfClass, int machine, long vaddr, long paddr, long entry) {
        ByteBuffer b = ByteBuffer.allocate(0x100).order(ByteOrder.LITTLE_ENDIAN);
        b.put(new byte[] {0x7f, 'E', 'L', 'F', (byte) elfClass, 1, 1});
        b.putShort(16, (short) 2).putShort(18, (short) machine).putInt(20, 1).putLong(24, entry).putLong(32, 64)
                .putShort(52, (short) 64).putShort(54, (short) 56).putShort(56, (short) 1);
        b.putInt(64, 1).putInt(68, 5).putLong(72, 0xf0).putLong(80, vaddr).putLong(88, paddr).putLong(96, 8)
                .putLong(104, 0x20).putLong(112, 0x1000);
        b.putLong(0xf0, 0x1122334455667788L);
        return b.array();
    }

    @Test
    void loadsSegmentsZeroesBssAndTranslatesEntry(@TempDir Path dir) throws Exception {
        ram.writeLong(0x1008, -1L);
        Path f = dir.resolve("k.elf");
        Files.write(f, elf(2, 243, 0xffffffff80001000L, RAM + 0x1000, 0xffffffff80001004L));
        ElfLoader.Loaded l = ElfLoader.load(f, bus, ElfLoader.EM_RISCV);
        assertEquals(RAM + 0x1004, l.entry());
        assertEquals(RAM + 0x1000, l.low());
        assertEquals(RAM + 0x1020, l.high());
        assertEquals(0x1122334455667788L, ram.readLong(0x1000));
        assertEquals(0, ram.readLong(0x1008), ".bss zeroed");
    }

    @Test
    void positionIndependentElfGoesAtTheGivenBase(@TempDir Path dir) throws Exception {
        byte[] pie = elf(2, 243, 0x40, 0x40, 0x44);
        ByteBuffer.wrap(pie).order(ByteOrder.LITTLE_ENDIAN).putShort(16, (short) 3); // ET_DYN
        Path f = dir.resolve("fw.elf");
        Files.write(f, pie);
        ElfLoader.Loaded l = ElfLoader.load(f, pie, bus, ElfLoader.EM_RISCV, RAM);
        assertEquals(RAM + 0x44, l.entry());
        assertEquals(0x1122334455667788L, ram.readLong(0x40));
    }

    @Test
    void clearErrors(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("x.elf");
        Files.write(f, elf(2, 62, RAM, RAM, RAM));
        ConfigException e = assertThrows(ConfigException.class, () -> ElfLoader.load(f, bus, ElfLoader.EM_RISCV));
        assertEquals(f + ": ELF is for machine 62, not this CPU (243)", e.getMessage());
        Files.write(f, elf(1, 243, RAM, RAM, RAM));
        e = assertThrows(ConfigException.class, () -> ElfLoader.load(f, bus, ElfLoader.EM_RISCV));
        assertTrue(e.getMessage().contains("32-bit ELF"), e.getMessage());
        Files.write(f, elf(2, 243, 0x1000, 0x1000, 0x1000));
        e = assertThrows(ConfigException.class, () -> ElfLoader.load(f, bus, ElfLoader.EM_RISCV));
        assertEquals(f + ": 0x1000..0x1008 does not fit in RAM (try a larger -m)", e.getMessage());
        Files.write(f, new byte[] {1, 2, 3});
        e = assertThrows(ConfigException.class, () -> ElfLoader.load(f, bus, ElfLoader.EM_RISCV));
        assertEquals(f + ": not an ELF file", e.getMessage());
        Path missing = dir.resolve("nope");
        e = assertThrows(ConfigException.class, () -> RawLoader.load(missing, bus, RAM));
        assertEquals(missing + ": no such file", e.getMessage());
        assertFalse(e.getMessage().contains("\n"));
    }

    @Test
    void rawImagesAndTheirLimits(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("fw.bin");
        Files.write(f, new byte[] {1, 2, 3, 4});
        assertEquals(4, RawLoader.load(f, bus, RAM + 0x10));
        assertEquals(0x04030201, ram.readInt(0x10));
        Files.write(f, new byte[8192]);
        assertThrows(ConfigException.class, () -> RawLoader.load(f, bus, RAM + (1 << 20) - 4096));
    }

    @Test
    void fileStraightIntoRamAndItsLimits(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("Image");
        byte[] data = new byte[100_003];
        new java.util.Random(7).nextBytes(data);
        Files.write(f, data);
        ImageFiles.Head head = ImageFiles.readHead(f, 64);
        assertEquals(data.length, head.size());
        assertArrayEquals(java.util.Arrays.copyOf(data, 64), head.bytes());
        ImageFiles.placeFile(bus, f, RAM + 0x2001, data.length);
        byte[] back = new byte[data.length];
        ram.copyOut(0x2001, back, 0, back.length);
        assertArrayEquals(data, back);
        assertEquals(3, ImageFiles.readHead(Files.write(dir.resolve("short"), new byte[] {1, 2, 3}), 64).bytes().length);
        assertThrows(ConfigException.class, () -> ImageFiles.placeFile(bus, f, RAM + (1 << 20) - 4096, data.length));
        assertThrows(ConfigException.class, () -> ImageFiles.placeFile(bus, f, RAM, data.length + 1), "file too short");
        assertThrows(ConfigException.class, () -> ImageFiles.readHead(dir.resolve("missing"), 64));
        assertThrows(ConfigException.class, () -> ImageFiles.readHead(dir, 64));
    }

    @Test
    void linuxImageHeader() {
        ByteBuffer b = ByteBuffer.allocate(128).order(ByteOrder.LITTLE_ENDIAN);
        b.putLong(0x08, 0x200000).putLong(0x10, 0x2000000).putInt(0x20, 2).putLong(0x30, LinuxImage.MAGIC)
                .putInt(0x38, LinuxImage.MAGIC2);
        LinuxImage h = LinuxImage.parse(b.array());
        assertNotNull(h);
        assertEquals(0x200000, h.textOffset());
        assertEquals(0x2000000, h.imageSize());
        assertEquals(0x2000000, h.memorySize(1000));
        assertNull(LinuxImage.parse(new byte[128]));
        assertNull(LinuxImage.parse(new byte[10]));
        byte[] a = b.array();
        assertArrayEquals("RSC\u0005".getBytes(), java.util.Arrays.copyOfRange(a, 0x38, 0x3c));
        assertArrayEquals("RISCV\0\0\0".getBytes(), java.util.Arrays.copyOfRange(a, 0x30, 0x38));
    }
}
