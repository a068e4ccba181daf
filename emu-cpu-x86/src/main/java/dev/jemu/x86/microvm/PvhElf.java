package dev.jemu.x86.microvm;

import dev.jemu.core.loader.ElfLoader;
import dev.jemu.core.loader.ImageFiles;
import dev.jemu.core.machine.ConfigException;
import dev.jemu.core.memory.AddressSpace;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;

/**
 * An x86 ELF kernel (ELF32 or ELF64): its PT_LOAD segments at their physical addresses and, when it has one,
 * the PVH entry from its XEN_ELFNOTE_PHYS32_ENTRY note (type 18, owner "Xen"), as QEMU's -kernel finds it.
 */
public final class PvhElf {
    public static final int EM_386 = 3, EM_X86_64 = 62;
    static final int PT_LOAD = 1, PT_NOTE = 4, XEN_ELFNOTE_PHYS32_ENTRY = 18;

    /** What was loaded: the PVH entry (-1 without the note), the ELF entry, whether it is ELF64, the span. */
    public record Loaded(long pvhEntry, long entry, boolean elf64, long low, long high) {
    }

    private PvhElf() {
    }

    public static Loaded load(String name, byte[] data, AddressSpace bus) throws ConfigException {
        if (data.length < 52) {
            throw new ConfigException(name + ": truncated ELF header");
        }
        boolean elf64 = data[4] == 2;
        if ((data[4] != 1 && !elf64) || data[5] != 1) {
            throw new ConfigException(name + ": not a little-endian 32- or 64-bit ELF");
        }
        ByteBuffer b = ByteBuffer.wrap(data).order(ByteOrder.LITTLE_ENDIAN);
        int machine = b.getShort(18) & 0xffff;
        if (machine != (elf64 ? EM_X86_64 : EM_386)) {
            throw new ConfigException(String.format("%s: not an x86 kernel: it is an ELF%d for machine %d (%s)",
                    name, elf64 ? 64 : 32, machine, machine == ElfLoader.EM_AARCH64 ? "aarch64, wrong -cpu/-M?"
                            : machine == ElfLoader.EM_RISCV ? "riscv, wrong -cpu/-M?" : "x86 is 3 or 62"));
        }
        long pvh = -1;
        long low, high, entry;
        if (elf64) {
            ElfLoader.Loaded l = ElfLoader.load(Path.of(name), data, bus, EM_X86_64);
            low = l.low();
            high = l.high();
            entry = l.entry();
        } else {
            long[] span = load32(name, data, b, bus);
            low = span[0];
            high = span[1];
            entry = b.getInt(24) & 0xffffffffL;
        }
        long phoff = elf64 ? b.getLong(32) : b.getInt(28) & 0xffffffffL;
        int phentsize = b.getShort(elf64 ? 54 : 42) & 0xffff, phnum = b.getShort(elf64 ? 56 : 44) & 0xffff;
        for (int i = 0; i < phnum; i++) {
            int ph = (int) (phoff + (long) i * phentsize);
            if (b.getInt(ph) != PT_NOTE) {
                continue;
            }
            long off = elf64 ? b.getLong(ph + 8) : b.getInt(ph + 4) & 0xffffffffL;
            long size = elf64 ? b.getLong(ph + 32) : b.getInt(ph + 16) & 0xffffffffL;
            long e = pvhNote(b, off, Math.min(off + size, data.length));
            if (e >= 0) {
                pvh = e;
            }
        }
        return new Loaded(pvh, entry, elf64, low, high);
    }

    /** The PVH entry in the notes at [off, end), or -1. */
    static long pvhNote(ByteBuffer b, long off, long end) {
        for (long p = off; p + 12 <= end; ) {
            int namesz = b.getInt((int) p), descsz = b.getInt((int) p + 4), type = b.getInt((int) p + 8);
            long nameAt = p + 12, descAt = nameAt + align4(namesz);
            if (namesz < 0 || descsz < 0 || descAt + descsz > end) {
                return -1;
            }
            if (type == XEN_ELFNOTE_PHYS32_ENTRY && namesz >= 3 && b.get((int) nameAt) == 'X'
                    && b.get((int) nameAt + 1) == 'e' && b.get((int) nameAt + 2) == 'n') {
                return descsz >= 8 ? b.getLong((int) descAt) : b.getInt((int) descAt) & 0xffffffffL;
            }
            p = descAt + align4(descsz);
        }
        return -1;
    }

    private static long align4(long v) {
        return (v + 3) & ~3L;
    }

    private static long[] load32(String name, byte[] data, ByteBuffer b, AddressSpace bus) throws ConfigException {
        long phoff = b.getInt(28) & 0xffffffffL;
        int phentsize = b.getShort(42) & 0xffff, phnum = b.getShort(44) & 0xffff;
        if (phentsize < 32 || phoff + (long) phnum * phentsize > data.length) {
            throw new ConfigException(name + ": corrupt ELF program headers");
        }
        long low = Long.MAX_VALUE, high = 0;
        for (int i = 0; i < phnum; i++) {
            int ph = (int) (phoff + (long) i * phentsize);
            if (b.getInt(ph) != PT_LOAD) {
                continue;
            }
            long off = b.getInt(ph + 4) & 0xffffffffL, paddr = b.getInt(ph + 12) & 0xffffffffL;
            long filesz = b.getInt(ph + 16) & 0xffffffffL, memsz = b.getInt(ph + 20) & 0xffffffffL;
            if (memsz == 0) {
                continue;
            }
            if (filesz > memsz || off + filesz > data.length) {
                throw new ConfigException(name + ": corrupt ELF segment " + i);
            }
            ImageFiles.place(bus, Path.of(name), paddr, data, (int) off, (int) filesz);
            ImageFiles.zero(bus, Path.of(name), paddr + filesz, memsz - filesz);
            low = Math.min(low, paddr);
            high = Math.max(high, paddr + memsz);
        }
        if (high == 0) {
            throw new ConfigException(name + ": ELF has no loadable segments");
        }
        return new long[] {low, high};
    }
}
