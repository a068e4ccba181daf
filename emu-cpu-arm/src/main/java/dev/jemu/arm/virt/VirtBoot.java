package dev.jemu.arm.virt;

import dev.jemu.core.fdt.FdtChosen;
import dev.jemu.core.loader.ElfLoader;
import dev.jemu.core.loader.ImageFiles;
import dev.jemu.core.machine.ConfigException;
import dev.jemu.core.machine.MachineConfig;
import dev.jemu.core.memory.AddressSpace;
import dev.jemu.devices.fs.DiskBoot;
import java.nio.file.Path;

/**
 * Puts firmware, kernel, initrd and device tree into guest memory as QEMU 7.2's hw/arm/boot.c lays them out
 * for aarch64 {@code virt}, and says how the CPU starts (always EL1h with DAIF masked, the reset state):
 * <ul>
 * <li>no {@code -bios}: the direct Linux boot. An arm64 {@code Image} (or a gzip of one, unpacked) goes at RAM
 * + {@code text_offset} (+ 2 MiB when that offset is below 4 KiB, as QEMU keeps its boot stub there), RAM +
 * 0x80000 for an Image without {@code image_size}; a raw file goes at RAM + 0x80000 too; an ELF where it says
 * (bare-metal programs: x0 = 0 then, as for any non-Linux image). The CPU starts at the entry with x0 = the
 * device tree and x1..x3 = 0 (what QEMU's boot stub does).
 * <li>{@code -bios FILE}: the file in the first flash bank at 0 (read-only), the device tree at the start of
 * RAM; the CPU starts at 0 with every register 0 (U-Boot's qemu_arm64 finds the tree at 0x40000000).
 * <li>{@code -bios none} (jemu's, for bare-metal tests and the device fuzzer): a raw {@code -kernel} at the
 * start of RAM and run from there, or an ELF where it says.
 * </ul>
 * The initrd goes at RAM + min(RAM/2, 128 MiB), above the kernel's end if that is higher, page aligned; the
 * device tree after it (or after where it would be), 2 MiB aligned. A {@code -dtb} (or the disk's FDT) gets
 * only {@code /chosen} patched.
 */
final class VirtBoot {
    enum Mode { LINUX, FIRMWARE, NONE }

    static final long MiB = 1L << 20;
    /** QEMU's KERNEL64_LOAD_ADDR: where an Image without image_size, or a raw file, goes. */
    static final long RAW_OFFSET = 0x80000;

    /** Where things went and how to start. */
    record Plan(Mode mode, long pc, long x0, long kernelEntry, long fdtAddr, long initrdStart, long initrdEnd,
                byte[] fdt) {
    }

    private VirtBoot() {
    }

    static Mode mode(MachineConfig c) {
        if (c.bios == null || c.bios.equals("default")) {
            return Mode.LINUX;
        }
        return c.bios.equals("none") ? Mode.NONE : Mode.FIRMWARE;
    }

    static long alignUp(long v, long a) {
        return (v + a - 1) & -a;
    }

    /**
     * Loads everything for {@code c} onto {@code bus} (flash bank 0 at {@code flash0}); without {@code -kernel},
     * {@code disk} (the first drive's extlinux entry, or null) gives kernel, initrd, command line and tree.
     */
    static Plan load(MachineConfig c, AddressSpace bus, long ramBytes, VirtDeviceTree.Shape shape, DiskBoot.Boot disk)
            throws ConfigException {
        Mode mode = mode(c);
        if (c.kernel != null || mode == Mode.FIRMWARE) {
            disk = null;
        }
        String kernelName = c.kernel != null ? c.kernel.toString() : disk != null ? disk.where() + ": kernel" : null;
        String initrdName = c.initrd != null ? c.initrd.toString()
                : disk != null && disk.initrd() != null ? disk.where() + ": initrd" : null;
        String append = c.append;
        if (disk != null) {
            append = c.append == null || c.append.isEmpty() ? disk.append() : disk.append() + " " + c.append;
        }
        long ramBase = VirtMap.RAM.base, ramEnd = ramBase + ramBytes;

        if (mode == Mode.FIRMWARE) {
            if (c.kernel != null || c.initrd != null) {
                // QEMU hands them to the firmware through fw_cfg, which jemu's aarch64 virt does not have yet
                throw new ConfigException("-bios with -kernel/-initrd needs fw_cfg, which jemu's aarch64 virt does "
                        + "not have: boot the kernel from the disk (U-Boot's distro boot) or drop -bios");
            }
            Path fw = Path.of(c.bios);
            byte[] data = ImageFiles.read(fw);
            if (data.length == 0) {
                throw new ConfigException("could not load firmware '" + fw + "': the file is empty");
            }
            if (data.length > VirtMap.FLASH.size) {
                throw new ConfigException(String.format("could not load firmware '%s': %d bytes is larger than the "
                        + "%d MiB flash", fw, data.length, VirtMap.FLASH.size / MiB));
            }
            ImageFiles.place(bus, fw, VirtMap.FLASH.base, data, 0, data.length);
            byte[] fdt = deviceTree(c, null, ramBytes, shape, append, 0, 0);
            ImageFiles.place(bus, Path.of("device tree"), ramBase, fdt, 0, fdt.length);
            return new Plan(mode, VirtMap.FLASH.base, 0, 0, ramBase, 0, 0, fdt);
        }

        long entry = 0, kernelEnd = ramBase;
        boolean linux = true;
        if (kernelName != null) {
            byte[] data = c.kernel != null ? ImageFiles.read(c.kernel) : disk.kernel();
            if (data.length == 0) {
                throw new ConfigException("could not load kernel '" + kernelName + "': the file is empty");
            }
            if (Arm64Image.isGzip(data)) {
                data = Arm64Image.gunzip(kernelName, data);
            }
            if (ElfLoader.isElf(data)) {
                ElfLoader.Loaded l = ElfLoader.load(Path.of(kernelName), data, bus, ElfLoader.EM_AARCH64, ramBase);
                entry = l.entry();
                kernelEnd = l.high();
                linux = false;
            } else {
                Arm64Image h = Arm64Image.parse(kernelName, data);
                long at;
                long size = data.length;
                if (mode == Mode.NONE) {
                    at = ramBase;
                    linux = false;
                } else if (h != null && h.imageSize() != 0) {
                    at = ramBase + (h.textOffset() < 4096 ? h.textOffset() + 2 * MiB : h.textOffset());
                    size = h.imageSize();
                } else {
                    at = ramBase + RAW_OFFSET;
                }
                if (at + size > ramEnd) {
                    throw new ConfigException(String.format("%s: kernel needs 0x%x..0x%x, beyond the end of RAM "
                            + "(0x%x); try a larger -m", kernelName, at, at + size, ramEnd));
                }
                ImageFiles.place(bus, Path.of(kernelName), at, data, 0, data.length);
                entry = at;
                kernelEnd = at + data.length; // QEMU's image_high_addr: the bytes loaded, not image_size
            }
        } else if (c.dumpDtb == null) {
            throw new ConfigException(mode == Mode.NONE ? "-bios none needs a -kernel to run"
                    : "no -kernel given and no disk to boot from (-bios FILE runs firmware instead)");
        }

        byte[] initrd = initrdName == null ? null : c.initrd != null ? ImageFiles.read(c.initrd) : disk.initrd();
        long initrdStart = alignUp(Math.max(ramBase + Math.min(ramBytes / 2, 128 * MiB), kernelEnd), 4096);
        long initrdEnd = initrd == null ? 0 : initrdStart + initrd.length;
        if (initrd != null) {
            if (initrdEnd > ramEnd) {
                throw new ConfigException(String.format("%s: initrd (%d KiB) at 0x%x does not fit in RAM; try a "
                        + "larger -m", initrdName, initrd.length / 1024, initrdStart));
            }
            ImageFiles.place(bus, Path.of(initrdName), initrdStart, initrd, 0, initrd.length);
        }
        byte[] fdt = deviceTree(c, disk, ramBytes, shape, append, initrd == null ? 0 : initrdStart, initrdEnd);
        long fdtAddr = alignUp(initrd == null ? initrdStart : initrdEnd, 2 * MiB);
        if (fdtAddr + fdt.length > ramEnd) {
            throw new ConfigException(String.format("not enough space for the device tree after the kernel/initrd "
                    + "(0x%x) in %d MiB of RAM; try a larger -m", fdtAddr, ramBytes / MiB));
        }
        ImageFiles.place(bus, Path.of("device tree"), fdtAddr, fdt, 0, fdt.length);
        return new Plan(mode, entry, linux ? fdtAddr : 0, entry, fdtAddr, initrd == null ? 0 : initrdStart,
                initrdEnd, fdt);
    }

    /** The board's own tree, or {@code -dtb} (else the disk's) with {@code /chosen} patched. */
    private static byte[] deviceTree(MachineConfig c, DiskBoot.Boot disk, long ramBytes, VirtDeviceTree.Shape shape,
                                     String append, long initrdStart, long initrdEnd) throws ConfigException {
        byte[] given = c.dtb != null ? ImageFiles.read(c.dtb) : disk != null ? disk.fdt() : null;
        if (given == null) {
            return VirtDeviceTree.build(ramBytes, shape, new VirtDeviceTree.Chosen(append, initrdStart, initrdEnd));
        }
        try {
            return FdtChosen.patch(given, append, initrdStart, initrdEnd);
        } catch (IllegalArgumentException e) {
            throw new ConfigException((c.dtb != null ? c.dtb.toString() : disk.where() + ": device tree") + ": "
                    + e.getMessage());
        }
    }
}
