package dev.jemu.riscv.virt;

import dev.jemu.core.fdt.FdtChosen;
import dev.jemu.core.loader.ElfLoader;
import dev.jemu.core.loader.ImageFiles;
import dev.jemu.core.loader.LinuxImage;
import dev.jemu.core.machine.ConfigException;
import dev.jemu.core.machine.MachineConfig;
import dev.jemu.core.memory.AddressSpace;
import dev.jemu.devices.fs.DiskBoot;
import java.nio.file.Path;

/**
 * Puts firmware, kernel, initrd and device tree into guest memory the way QEMU's riscv boot code lays them
 * out, and says how the hart starts:
 * <ul>
 * <li>{@code -bios FILE} (OpenSBI fw_jump/fw_dynamic, .bin or .elf): firmware at the start of RAM, the kernel
 * at the next 2 MiB boundary after it; the hart starts in M-mode at the reset vector, which enters the
 * firmware with a0 = hart id, a1 = device tree, a2 = fw_dynamic_info (next stage = the kernel, in S-mode).
 * <li>{@code -bios none}: no firmware; the kernel (a raw image at the start of RAM, or an ELF where it says)
 * runs in M-mode from the same reset vector. Bare-metal tests boot this way.
 * <li>no {@code -bios} (or {@code default}): the built-in SBI; the kernel is placed 2 MiB into RAM and entered
 * in S-mode directly, with a0 = hart id and a1 = device tree.
 * </ul>
 * The initrd goes {@code min(RAM/2, 128 MiB)} above the kernel entry (QEMU's rule), moved higher if the
 * kernel's image would overlap it; the device tree goes at the top of RAM (at most 3 GiB in), 2 MiB aligned.
 * A {@code -dtb} (or the disk's FDT) is used as given except for {@code /chosen}, which gets the command line
 * and the initrd bounds.
 */
final class VirtBoot {
    enum Mode { BUILTIN_SBI, FIRMWARE, NONE }

    static final long MiB = 1L << 20;
    static final long KERNEL_OFFSET_SBI = 2 * MiB;

    /** Where things went and how to start. */
    record Plan(Mode mode, long startPc, long kernelEntry, long fdtAddr, long initrdStart, long initrdEnd,
                long firmwareEnd, byte[] fdt) {
    }

    private VirtBoot() {
    }

    static Mode mode(MachineConfig c) {
        if (c.bios == null || c.bios.equals("default")) {
            return Mode.BUILTIN_SBI;
        }
        return c.bios.equals("none") ? Mode.NONE : Mode.FIRMWARE;
    }

    static long alignUp(long v, long a) {
        return (v + a - 1) & -a;
    }

    static long alignDown(long v, long a) {
        return v & -a;
    }

    static Plan load(MachineConfig c, AddressSpace bus, long ramBytes) throws ConfigException {
        return load(c, bus, ramBytes, null);
    }

    /**
     * As above; without {@code -kernel}, {@code disk} (the first drive's extlinux entry, or null) gives the
     * kernel, initrd, command line (the {@code -append} text is added to its own) and device tree.
     */
    static Plan load(MachineConfig c, AddressSpace bus, long ramBytes, DiskBoot.Boot disk) throws ConfigException {
        Mode mode = mode(c);
        if (c.kernel != null) {
            disk = null;
        }
        Path kernelPath = c.kernel, initrdPath = c.initrd;
        String append = c.append;
        if (disk != null) {
            kernelPath = Path.of(disk.where() + ": kernel");
            initrdPath = disk.initrd() != null ? Path.of(disk.where() + ": initrd") : null;
            append = c.append == null || c.append.isEmpty() ? disk.append() : disk.append() + " " + c.append;
        }
        long ramBase = VirtMap.DRAM.base, ramEnd = ramBase + ramBytes;

        long firmwareEntry = 0, firmwareEnd = ramBase;
        if (mode == Mode.FIRMWARE) {
            Path fw = Path.of(c.bios);
            byte[] data = ImageFiles.read(fw);
            if (data.length == 0) {
                throw new ConfigException("could not load firmware '" + fw + "': the file is empty");
            }
            if (ElfLoader.isElf(data)) {
                ElfLoader.Loaded l = ElfLoader.load(fw, data, bus, ElfLoader.EM_RISCV, ramBase);
                firmwareEntry = l.entry();
                firmwareEnd = l.high();
            } else {
                ImageFiles.place(bus, fw, ramBase, data, 0, data.length);
                firmwareEntry = ramBase;
                firmwareEnd = ramBase + data.length;
            }
        }

        long kernelEntry = 0, kernelEnd = firmwareEnd;
        if (kernelPath != null) {
            // from a file: only the header is read first, a raw image then goes from the file straight into RAM
            byte[] data;
            long size;
            if (disk != null) {
                data = disk.kernel();
                size = data.length;
            } else {
                ImageFiles.Head head = ImageFiles.readHead(c.kernel, LinuxImage.HEADER_SIZE);
                data = head.bytes();
                size = head.size();
            }
            if (size == 0) {
                // QEMU's words; an empty image would leave the hart trapping at the start of RAM for ever
                throw new ConfigException("could not load kernel '" + kernelPath + "': the file is empty");
            }
            if (ElfLoader.isElf(data)) {
                if (disk == null) {
                    data = ImageFiles.read(c.kernel);
                }
                long pieBase = mode == Mode.FIRMWARE ? alignUp(firmwareEnd, 2 * MiB)
                        : mode == Mode.NONE ? ramBase : ramBase + KERNEL_OFFSET_SBI;
                ElfLoader.Loaded l = ElfLoader.load(kernelPath, data, bus, ElfLoader.EM_RISCV, pieBase);
                kernelEntry = l.entry();
                kernelEnd = l.high();
            } else {
                long at = switch (mode) {
                    case BUILTIN_SBI -> ramBase + KERNEL_OFFSET_SBI;
                    case FIRMWARE -> alignUp(firmwareEnd, 2 * MiB);
                    case NONE -> ramBase;
                };
                LinuxImage h = LinuxImage.parse(data);
                long memSize = h != null ? h.memorySize(size) : size;
                if (at + memSize > ramEnd) {
                    throw new ConfigException(String.format("%s: kernel needs 0x%x..0x%x, beyond the end of RAM "
                            + "(0x%x); try a larger -m", kernelPath, at, at + memSize, ramEnd));
                }
                if (disk != null) {
                    ImageFiles.place(bus, kernelPath, at, data, 0, data.length);
                } else {
                    ImageFiles.placeFile(bus, c.kernel, at, size);
                }
                kernelEntry = at;
                kernelEnd = at + memSize;
            }
        } else if (mode != Mode.FIRMWARE && c.dumpDtb == null) {
            throw new ConfigException(mode == Mode.NONE ? "-bios none needs a -kernel to run"
                    : "no -kernel given: the built-in SBI needs a kernel to boot (or use -bios FILE)");
        }

        // A tree not built here (-dtb, else the disk's FDT) gets /chosen patched as QEMU does. Either way the
        // tree's size does not depend on the initrd addresses, only on their presence.
        boolean hasInitrd = initrdPath != null;
        byte[] given = null;
        String givenName = null;
        if (c.dtb != null) {
            given = ImageFiles.read(c.dtb);
            givenName = c.dtb.toString();
        } else if (disk != null && disk.fdt() != null) {
            given = disk.fdt();
            givenName = disk.where() + ": device tree";
        }
        byte[] fdt = deviceTree(ramBytes, Math.max(c.smp, 1), append, given, givenName, hasInitrd ? 1 : 0, hasInitrd ? 1 : 0);
        long fdtTop = ramBase + Math.min(ramBytes, 3072 * MiB);
        long fdtAddr = alignDown(fdtTop - fdt.length, 2 * MiB);
        if (fdtAddr < kernelEnd) {
            throw new ConfigException(String.format("no room for the device tree above the kernel (ends at 0x%x) in "
                    + "%d MiB of RAM; try a larger -m", kernelEnd, ramBytes / MiB));
        }

        long initrdStart = 0, initrdEnd = 0;
        if (hasInitrd) {
            byte[] data = disk != null ? disk.initrd() : ImageFiles.read(c.initrd);
            long base = kernelEntry != 0 ? kernelEntry : alignUp(kernelEnd, 2 * MiB);
            initrdStart = base + Math.min(ramBytes / 2, 128 * MiB);
            if (initrdStart < kernelEnd) {
                // QEMU refuses this too ("Some ROM regions are overlapping"); the kernel would overwrite it
                throw new ConfigException(String.format("%s: initrd at 0x%x (kernel + min(RAM/2, 128 MiB)) overlaps "
                        + "the kernel %s (0x%x..0x%x): %d MiB of RAM is too small for both; try a larger -m",
                        initrdPath, initrdStart, kernelPath, kernelEntry, kernelEnd, ramBytes / MiB));
            }
            if (initrdStart + data.length > fdtAddr) {
                initrdStart = alignDown(fdtAddr - data.length, 4096); // as high as it goes, below the tree
            }
            if (initrdStart < kernelEnd) {
                throw new ConfigException(String.format("%s: initrd (%d KiB) does not fit in RAM between the kernel "
                        + "and the device tree; try a larger -m", initrdPath, data.length / 1024));
            }
            ImageFiles.place(bus, initrdPath, initrdStart, data, 0, data.length);
            initrdEnd = initrdStart + data.length;
            fdt = deviceTree(ramBytes, Math.max(c.smp, 1), append, given, givenName, initrdStart, initrdEnd);
        }
        ImageFiles.place(bus, Path.of("device tree"), fdtAddr, fdt, 0, fdt.length);

        long startPc = switch (mode) {
            case FIRMWARE -> firmwareEntry;
            case NONE, BUILTIN_SBI -> kernelEntry;
        };
        return new Plan(mode, startPc, kernelEntry, fdtAddr, initrdStart, initrdEnd, firmwareEnd, fdt);
    }

    /**
     * The board's own tree, or {@code given} (named {@code name} in errors) with {@code /chosen} patched: the
     * command line and initrd bounds, but no {@code stdout-path} (QEMU adds that only to trees it builds).
     */
    private static byte[] deviceTree(long ramBytes, int harts, String append, byte[] given, String name,
                                     long initrdStart, long initrdEnd) throws ConfigException {
        if (given == null) {
            return VirtDeviceTree.build(ramBytes, harts, new VirtDeviceTree.Chosen(append, initrdStart, initrdEnd));
        }
        try {
            return FdtChosen.patch(given, append, initrdStart, initrdEnd);
        } catch (IllegalArgumentException e) {
            throw new ConfigException(name + ": " + e.getMessage());
        }
    }
}
