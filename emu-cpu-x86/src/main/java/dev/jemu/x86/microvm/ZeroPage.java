package dev.jemu.x86.microvm;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;

/**
 * The Linux x86 {@code boot_params} ("zero page", arch/x86/include/uapi/asm/bootparam.h) a loader hands the
 * kernel: the bzImage's setup header copied in at its own offsets, then what the loader fills: type_of_loader,
 * cmd_line_ptr, the initrd, acpi_rsdp_addr and the e820 table.
 */
final class ZeroPage {
    static final int SIZE = 4096;
    static final int ACPI_RSDP_ADDR = 0x070, EXT_RAMDISK_IMAGE = 0x0c0, EXT_RAMDISK_SIZE = 0x0c4,
            EXT_CMD_LINE_PTR = 0x0c8, E820_ENTRIES = 0x1e8, SENTINEL = 0x1ef, E820_TABLE = 0x2d0, E820_MAX = 128;
    /** QEMU's type_of_loader (0xb0: loader id 0xb "Qemu", version 0), what QEMU's x86 -kernel sets. */
    static final int LOADER_QEMU = 0xb0;

    private ZeroPage() {
    }

    static byte[] build(byte[] kernel, BzImage h, long cmdline, long initrd, long initrdSize, long rsdp,
                        List<E820.Entry> map) {
        ByteBuffer b = ByteBuffer.allocate(SIZE).order(ByteOrder.LITTLE_ENDIAN);
        b.put(BzImage.SETUP_SECTS, kernel, BzImage.SETUP_SECTS, h.headerEnd() - BzImage.SETUP_SECTS);
        b.put(BzImage.TYPE_OF_LOADER, (byte) LOADER_QEMU);
        b.putInt(BzImage.CMD_LINE_PTR, (int) cmdline).putInt(EXT_CMD_LINE_PTR, (int) (cmdline >>> 32));
        b.putInt(BzImage.RAMDISK_IMAGE, (int) initrd).putInt(EXT_RAMDISK_IMAGE, (int) (initrd >>> 32));
        b.putInt(BzImage.RAMDISK_SIZE, (int) initrdSize).putInt(EXT_RAMDISK_SIZE, (int) (initrdSize >>> 32));
        if (h.version() >= 0x20e) {
            b.putLong(ACPI_RSDP_ADDR, rsdp);
        }
        int n = Math.min(map.size(), E820_MAX);
        b.put(E820_ENTRIES, (byte) n);
        for (int i = 0; i < n; i++) {
            E820.Entry e = map.get(i);
            b.putLong(E820_TABLE + 20 * i, e.addr()).putLong(E820_TABLE + 20 * i + 8, e.size())
                    .putInt(E820_TABLE + 20 * i + 16, e.type());
        }
        return b.array();
    }
}
