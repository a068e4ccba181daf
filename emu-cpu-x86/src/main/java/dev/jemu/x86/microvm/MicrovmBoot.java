package dev.jemu.x86.microvm;

import dev.jemu.core.loader.ElfLoader;
import dev.jemu.core.loader.ImageFiles;
import dev.jemu.core.machine.ConfigException;
import dev.jemu.core.machine.MachineConfig;
import dev.jemu.core.memory.AddressSpace;
import dev.jemu.devices.fs.DiskBoot;
import dev.jemu.x86.cpu.BootState;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Puts what the command line names into microvm's memory and says how the CPU starts, as QEMU 7.2's -kernel on
 * {@code -M microvm} does (its firmware's work included, since jemu runs none):
 * <ul>
 * <li>a {@code bzImage} (Linux boot protocol 2.12+, 64-bit): the protected-mode kernel at 1 MiB, boot_params at
 * {@link #ZERO_PAGE} with the setup header, the e820 map ({@link E820}), the command line at {@link #CMDLINE},
 * the initrd at the top of low RAM below initrd_addr_max (page aligned, as QEMU), the RSDP address; started
 * through the 64-bit entry (load address + 0x200) with {@link EntryState#longMode};
 * <li>an x86 ELF with a PVH note ({@link PvhElf}): its segments, hvm_start_info at {@link #START_INFO} (command
 * line, initrd as module 0, the memory map, the RSDP), started in 32-bit protected mode at the PVH entry;
 * <li>{@code -bios none} (for bare-metal tests): an ELF without the note starts at its entry (in long mode with
 * the identity map for an ELF64, protected mode for an ELF32), a raw file is placed at 1 MiB and started there
 * in 32-bit protected mode, both with EBX = hvm_start_info.
 * </ul>
 * Without {@code -kernel}, the first disk's extlinux.conf default entry (kernel, initrd, append) is booted the same
 * way. With ACPI (QEMU's default) the tables of {@link AcpiTables} are placed; with acpi=off and
 * auto-kernel-cmdline (the default), each populated virtio-mmio slot is appended to the command line as
 * {@code virtio_mmio.device=512@0xADDR:GSI}, as QEMU does.
 */
public final class MicrovmBoot {
    /** Low-memory addresses: hvm_start_info (+ memory map, module list), boot_params, the command line. */
    public static final long START_INFO = 0x6000, ZERO_PAGE = 0x7000, CMDLINE = 0x20000, CMDLINE_MAX = 0x10000;
    static final int START_INFO_MAGIC = 0x336ec578;

    public enum Kind { LINUX64, PVH, ELF64, ELF32, RAW }

    /**
     * What the board tells the loader: RAM size, acpi and ioapic2 on or off, the populated virtio-mmio slot
     * indices, whether the ISA serial port and the RTC exist, and auto-kernel-cmdline.
     */
    public record Platform(long ramBytes, boolean acpi, boolean ioapic2, List<Integer> virtioSlots, boolean serial,
                           boolean rtc, boolean autoKernelCmdline) {
        public static Platform defaults(long ramBytes, List<Integer> virtioSlots) {
            return new Platform(ramBytes, true, true, virtioSlots, true, true, true);
        }
    }

    /** Where things went ([kernelStart, kernelEnd) is what the kernel's file filled) and the CPU state to start in. */
    public record Loaded(Kind kind, BootState state, String cmdline, long kernelStart, long kernelEnd, long initrdAt,
                         long initrdSize, long rsdp) {
    }

    private MicrovmBoot() {
    }

    public static Loaded load(MachineConfig c, AddressSpace bus, Platform p, DiskBoot.Boot disk) throws ConfigException {
        boolean none = "none".equals(c.bios);
        if (c.bios != null && !none && !c.bios.equals("default")) {
            throw new ConfigException("-bios " + c.bios + ": jemu's microvm runs no firmware; it boots -kernel (or "
                    + "the disk's extlinux.conf) directly: drop -bios, or use -bios none for a bare-metal -kernel");
        }
        if (c.kernel != null) {
            disk = null;
        }
        if (c.kernel == null && disk == null) {
            throw new ConfigException(none ? "-bios none needs a -kernel to run"
                    : "no -kernel given and no disk with /boot/extlinux/extlinux.conf to boot from");
        }
        String kernelName = c.kernel != null ? c.kernel.toString() : disk.where() + ": kernel";
        byte[] kernel = c.kernel != null ? ImageFiles.read(c.kernel) : disk.kernel();
        if (kernel.length == 0) {
            throw new ConfigException("could not load kernel '" + kernelName + "': the file is empty");
        }
        String initrdName = c.initrd != null ? c.initrd.toString()
                : disk != null && disk.initrd() != null ? disk.where() + ": initrd" : null;
        byte[] initrd = c.initrd != null ? ImageFiles.read(c.initrd) : disk != null ? disk.initrd() : null;
        String append = c.append == null ? "" : c.append;
        if (disk != null) {
            append = append.isEmpty() ? disk.append() : disk.append() + " " + append;
        }
        List<Integer> slots = new ArrayList<>(p.virtioSlots());
        slots.sort(Comparator.reverseOrder()); // QEMU lists the sysbus's transports newest (highest) first
        if (!p.acpi() && p.autoKernelCmdline()) {
            StringBuilder sb = new StringBuilder(append);
            for (int s : slots) {
                sb.append(String.format(" virtio_mmio.device=512@0x%x:%d", MicrovmLayout.VIRTIO_MMIO_BASE
                        + (long) s * MicrovmLayout.VIRTIO_MMIO_SIZE, MicrovmLayout.virtioGsi(s, false, p.ioapic2())));
            }
            append = sb.toString();
        }
        long lowRam = E820.lowRam(p.ramBytes());
        List<E820.Entry> map = E820.map(p.ramBytes());

        long rsdp = 0;
        if (p.acpi()) {
            List<int[]> virtio = new ArrayList<>();
            for (int s : slots) {
                virtio.add(new int[] {s, MicrovmLayout.virtioGsi(s, true, p.ioapic2())});
            }
            AcpiTables.Built t = AcpiTables.build(new AcpiTables.Devices(p.ioapic2(), virtio, p.serial(), p.rtc()));
            ImageFiles.place(bus, Path.of("ACPI tables"), t.tablesBase(), t.tables(), 0, t.tables().length);
            ImageFiles.place(bus, Path.of("ACPI RSDP"), AcpiTables.RSDP_ADDR, t.rsdp(), 0, t.rsdp().length);
            rsdp = AcpiTables.RSDP_ADDR;
        }
        byte[] cmd = (append + "\0").getBytes(StandardCharsets.UTF_8);
        if (cmd.length > CMDLINE_MAX) {
            throw new ConfigException("the kernel command line is " + cmd.length + " bytes; at most "
                    + CMDLINE_MAX + " fit");
        }
        ImageFiles.place(bus, Path.of("kernel command line"), CMDLINE, cmd, 0, cmd.length);

        if (BzImage.hasMagic(kernel) && !ElfLoader.isElf(kernel)) {
            if (none) {
                throw new ConfigException(kernelName + ": a Linux bzImage needs the boot protocol: drop -bios none");
            }
            BzImage h = BzImage.parse(kernelName, kernel);
            long at = MicrovmLayout.HIGH_MEMORY;
            long end = at + Math.max(h.initSize(), kernel.length - h.kernelOffset());
            if (end > lowRam) {
                throw new ConfigException(String.format("%s: the kernel needs 0x%x..0x%x (init_size %d MiB), beyond "
                        + "the end of RAM (0x%x); try a larger -m", kernelName, at, end, h.initSize() >> 20, lowRam));
            }
            // the rest of the file, as QEMU loads it (a signed kernel carries its signature after syssize)
            ImageFiles.place(bus, Path.of(kernelName), at, kernel, h.kernelOffset(), kernel.length - h.kernelOffset());
            long initrdAt = placeInitrd(bus, initrdName, initrd, Math.min(h.initrdAddrMax(), lowRam - 1), end);
            byte[] zp = ZeroPage.build(kernel, h, CMDLINE, initrdAt, initrd == null ? 0 : initrd.length, rsdp, map);
            ImageFiles.place(bus, Path.of("boot_params"), ZERO_PAGE, zp, 0, zp.length);
            return new Loaded(Kind.LINUX64, EntryState.longMode(bus, at + 0x200, ZERO_PAGE), append, at,
                    at + kernel.length - h.kernelOffset(), initrdAt, initrd == null ? 0 : initrd.length, rsdp);
        }

        Kind kind;
        long entry, low, high;
        if (ElfLoader.isElf(kernel)) {
            PvhElf.Loaded l = PvhElf.load(kernelName, kernel, bus);
            low = l.low();
            high = l.high();
            if (l.pvhEntry() >= 0) {
                kind = Kind.PVH;
                entry = l.pvhEntry();
            } else if (none) {
                kind = l.elf64() ? Kind.ELF64 : Kind.ELF32;
                entry = l.entry();
            } else {
                throw new ConfigException(kernelName + ": an x86 ELF without a PVH entry note "
                        + "(XEN_ELFNOTE_PHYS32_ENTRY): QEMU's -kernel cannot boot it either; use -bios none to start "
                        + "it at its ELF entry");
            }
        } else if (none) {
            kind = Kind.RAW;
            entry = MicrovmLayout.HIGH_MEMORY;
            low = entry;
            high = entry + kernel.length;
            ImageFiles.place(bus, Path.of(kernelName), entry, kernel, 0, kernel.length);
        } else {
            throw new ConfigException(kernelName + ": not an x86 kernel: " + BzImage.whatElse(kernel));
        }
        long initrdAt = placeInitrd(bus, initrdName, initrd, lowRam - 1, high);
        byte[] si = startInfo(CMDLINE, initrdAt, initrd == null ? 0 : initrd.length, rsdp, map);
        ImageFiles.place(bus, Path.of("hvm_start_info"), START_INFO, si, 0, si.length);
        BootState s = kind == Kind.ELF64 ? EntryState.longMode(bus, entry, START_INFO)
                : EntryState.protectedMode(bus, entry, START_INFO);
        if (kind == Kind.ELF64) {
            s.regs()[3] = START_INFO; // EBX too, as for the 32-bit entries
        }
        return new Loaded(kind, s, append, low, high, initrdAt, initrd == null ? 0 : initrd.length, rsdp);
    }

    /**
     * Puts the initrd as high as it can go below {@code max} (inclusive), page aligned, as QEMU does; 0 without
     * one. It must stay above {@code floor} (the kernel's end).
     */
    static long placeInitrd(AddressSpace bus, String name, byte[] initrd, long max, long floor)
            throws ConfigException {
        if (initrd == null) {
            return 0;
        }
        long at = (max - initrd.length) & ~0xfffL;
        if (initrd.length >= max || at < floor) {
            throw new ConfigException(String.format("%s: the initrd (%d KiB) does not fit between the kernel's end "
                    + "(0x%x) and 0x%x; try a larger -m", name, initrd.length / 1024, floor, max + 1));
        }
        ImageFiles.place(bus, Path.of(name), at, initrd, 0, initrd.length);
        return at;
    }

    /**
     * Xen's hvm_start_info (version 1: with the memory map) at {@link #START_INFO}: magic, version, flags,
     * nr_modules, modlist_paddr, cmdline_paddr, rsdp_paddr, memmap_paddr, memmap_entries; then the module list
     * (the initrd) at +0x40 and the memory map at +0x80.
     */
    static byte[] startInfo(long cmdline, long initrd, long initrdSize, long rsdp, List<E820.Entry> map) {
        ByteBuffer b = ByteBuffer.allocate(0x80 + 24 * map.size()).order(ByteOrder.LITTLE_ENDIAN);
        b.putInt(0, START_INFO_MAGIC).putInt(4, 1).putInt(8, 0).putInt(12, initrdSize > 0 ? 1 : 0)
                .putLong(16, initrdSize > 0 ? START_INFO + 0x40 : 0).putLong(24, cmdline).putLong(32, rsdp)
                .putLong(40, START_INFO + 0x80).putInt(48, map.size());
        b.putLong(0x40, initrd).putLong(0x48, initrdSize);
        for (int i = 0; i < map.size(); i++) {
            E820.Entry e = map.get(i);
            b.putLong(0x80 + 24 * i, e.addr()).putLong(0x88 + 24 * i, e.size()).putInt(0x90 + 24 * i, e.type());
        }
        return b.array();
    }
}
