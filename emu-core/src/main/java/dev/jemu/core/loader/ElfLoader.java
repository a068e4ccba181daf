package dev.jemu.core.loader;

import dev.jemu.core.machine.ConfigException;
import dev.jemu.core.memory.AddressSpace;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;

/**
 * Loads an ELF64 executable's PT_LOAD segments at their physical addresses ({@code p_paddr}) and returns the
 * entry point, translated to a physical address when it lies inside a segment's virtual range (as for a
 * linked-high {@code vmlinux}). ELF32 files are recognized and refused with a clear message.
 */
public final class ElfLoader {
    public static final int EM_RISCV = 243;
    public static final int EM_AARCH64 = 183;
    static final int PT_LOAD = 1, ET_DYN = 3;

    /** What was loaded: the entry and the physical span [low, high) the segments cover. */
    public record Loaded(long entry, long low, long high) {
    }

    private ElfLoader() {
    }

    public static boolean isElf(byte[] data) {
        return data.length >= 4 && data[0] == 0x7f && data[1] == 'E' && data[2] == 'L' && data[3] == 'F';
    }

    public static Loaded load(Path file, AddressSpace bus, int machine) throws ConfigException {
        return load(file, ImageFiles.read(file), bus, machine);
    }

    public static Loaded load(Path file, byte[] data, AddressSpace bus, int machine) throws ConfigException {
        return load(file, data, bus, machine, 0);
    }

    /**
     * As {@link #load(Path, byte[], AddressSpace, int)}, but a position-independent executable (ET_DYN, such
     * as OpenSBI's {@code fw_*.elf}, linked at 0) is placed {@code dynBase} higher; it relocates itself.
     */
    public static Loaded load(Path file, byte[] data, AddressSpace bus, int machine, long dynBase)
            throws ConfigException {
        if (!isElf(data)) {
            throw new ConfigException(file + ": not an ELF file");
        }
        if (data.length < 64) {
            throw new ConfigException(file + ": truncated ELF header");
        }
        int elfClass = data[4];
        if (elfClass == 1) {
            throw new ConfigException(file + ": is a 32-bit ELF; this machine loads 64-bit (ELFCLASS64) files");
        }
        if (elfClass != 2 || data[5] != 1) {
            throw new ConfigException(file + ": not a little-endian 64-bit ELF");
        }
        ByteBuffer b = ByteBuffer.wrap(data).order(ByteOrder.LITTLE_ENDIAN);
        int eMachine = b.getShort(18) & 0xffff;
        if (eMachine != machine) {
            throw new ConfigException(String.format("%s: ELF is for machine %d, not this CPU (%d)", file, eMachine,
                    machine));
        }
        long bias = (b.getShort(16) & 0xffff) == ET_DYN ? dynBase : 0;
        long entry = b.getLong(24) + bias;
        long phoff = b.getLong(32);
        int phentsize = b.getShort(54) & 0xffff;
        int phnum = b.getShort(56) & 0xffff;
        if (phentsize < 56 || phoff < 0 || phoff + (long) phnum * phentsize > data.length) {
            throw new ConfigException(file + ": corrupt ELF program headers");
        }
        long low = Long.MAX_VALUE, high = 0, physEntry = entry;
        boolean any = false;
        for (int i = 0; i < phnum; i++) {
            int ph = (int) (phoff + (long) i * phentsize);
            if (b.getInt(ph) != PT_LOAD) {
                continue;
            }
            long offset = b.getLong(ph + 8), vaddr = b.getLong(ph + 16) + bias, paddr = b.getLong(ph + 24) + bias;
            long filesz = b.getLong(ph + 32), memsz = b.getLong(ph + 40);
            if (memsz == 0) {
                continue;
            }
            if (offset < 0 || filesz < 0 || filesz > memsz || offset + filesz > data.length
                    || filesz > Integer.MAX_VALUE) {
                throw new ConfigException(file + ": corrupt ELF segment " + i);
            }
            ImageFiles.place(bus, file, paddr, data, (int) offset, (int) filesz);
            ImageFiles.zero(bus, file, paddr + filesz, memsz - filesz);
            any = true;
            low = Math.min(low, paddr);
            high = Math.max(high, paddr + memsz);
            if (Long.compareUnsigned(entry - vaddr, memsz) < 0) {
                physEntry = paddr + (entry - vaddr);
            }
        }
        if (!any) {
            throw new ConfigException(file + ": ELF has no loadable segments");
        }
        return new Loaded(physEntry, low, high);
    }
}
