package dev.jemu.x86.microvm;

import dev.jemu.core.loader.ElfLoader;
import dev.jemu.core.loader.LinuxImage;
import dev.jemu.core.machine.ConfigException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * A Linux x86 {@code bzImage}'s setup header (Documentation/arch/x86/boot.rst): the real-mode setup code is
 * {@code setup_sects + 1} sectors at the start of the file, the protected-mode kernel follows. jemu starts it
 * through the 64-bit entry, which needs boot protocol 2.12 or later and XLF_KERNEL_64.
 */
public record BzImage(int version, int setupSects, long syssize, int loadflags, int xloadflags, long kernelAlignment,
                      boolean relocatable, long prefAddress, long initSize, long cmdlineSize, long initrdAddrMax,
                      int headerEnd) {
    static final int SETUP_SECTS = 0x1f1, SYSSIZE = 0x1f4, BOOT_FLAG = 0x1fe, JUMP = 0x200, HEADER = 0x202,
            VERSION = 0x206, TYPE_OF_LOADER = 0x210, LOADFLAGS = 0x211, RAMDISK_IMAGE = 0x218, RAMDISK_SIZE = 0x21c,
            CMD_LINE_PTR = 0x228, INITRD_ADDR_MAX = 0x22c, KERNEL_ALIGNMENT = 0x230, RELOCATABLE = 0x234,
            XLOADFLAGS = 0x236, CMDLINE_SIZE = 0x238, PREF_ADDRESS = 0x258, INIT_SIZE = 0x260;
    static final int MAGIC_HDRS = 0x53726448; // "HdrS"
    static final int LOADED_HIGH = 1, XLF_KERNEL_64 = 1;
    /** The oldest protocol jemu boots: 2.12 has xloadflags (XLF_KERNEL_64 says the 64-bit entry is there). */
    static final int MIN_VERSION = 0x20c;

    /** Offset in the file of the protected-mode kernel. */
    public int kernelOffset() {
        return (setupSects == 0 ? 4 : setupSects) * 512 + 512;
    }

    /** Bytes of the protected-mode kernel (syssize is in 16-byte units). */
    public long kernelSize() {
        return syssize * 16;
    }

    public static boolean hasMagic(byte[] d) {
        return d.length >= HEADER + 4 && le(d).getInt(HEADER) == MAGIC_HDRS;
    }

    private static ByteBuffer le(byte[] d) {
        return ByteBuffer.wrap(d).order(ByteOrder.LITTLE_ENDIAN);
    }

    /** The header of {@code data}, or a one-line error naming what the file is instead. */
    public static BzImage parse(String name, byte[] data) throws ConfigException {
        if (!hasMagic(data)) {
            throw new ConfigException(name + ": not an x86 kernel: " + whatElse(data));
        }
        ByteBuffer b = le(data);
        int version = b.getShort(VERSION) & 0xffff;
        if (version < MIN_VERSION) {
            throw new ConfigException(String.format("%s: Linux boot protocol %d.%02d is too old: jemu starts kernels "
                    + "through the 64-bit entry (protocol 2.12 or later, Linux 3.8+)", name, version >> 8,
                    version & 0xff));
        }
        int headerEnd = HEADER + (data[JUMP + 1] & 0xff);
        BzImage h = new BzImage(version, data[SETUP_SECTS] & 0xff, b.getInt(SYSSIZE) & 0xffffffffL,
                data[LOADFLAGS] & 0xff, b.getShort(XLOADFLAGS) & 0xffff, b.getInt(KERNEL_ALIGNMENT) & 0xffffffffL,
                data[RELOCATABLE] != 0, b.getLong(PREF_ADDRESS), b.getInt(INIT_SIZE) & 0xffffffffL,
                b.getInt(CMDLINE_SIZE) & 0xffffffffL, b.getInt(INITRD_ADDR_MAX) & 0xffffffffL, headerEnd);
        long need = h.kernelOffset() + h.kernelSize();
        if (h.kernelSize() == 0 || data.length < need) {
            throw new ConfigException(String.format("%s: truncated bzImage: the setup header says %d bytes (setup "
                    + "%d + kernel %d), the file has %d", name, need, h.kernelOffset(), h.kernelSize(), data.length));
        }
        if ((h.xloadflags & XLF_KERNEL_64) == 0) {
            throw new ConfigException(name + ": not a 64-bit kernel (no XLF_KERNEL_64 in the setup header): jemu's "
                    + "microvm starts x86_64 kernels only");
        }
        if ((h.loadflags & LOADED_HIGH) == 0) {
            throw new ConfigException(name + ": a zImage (loaded low), not a bzImage");
        }
        return h;
    }

    /** What a file that is no bzImage looks like, for the one-line error. */
    static String whatElse(byte[] d) {
        ByteBuffer b = le(d);
        if (d.length >= 64 && b.getInt(56) == 0x644d5241) {
            return "it is an arm64 Linux Image (wrong -cpu/-M?)";
        }
        if (LinuxImage.parse(d) != null) {
            return "it is a riscv64 Linux Image (wrong -cpu/-M?)";
        }
        if (ElfLoader.isElf(d) && d.length >= 20) {
            return "it is an ELF for machine " + (b.getShort(18) & 0xffff) + " (x86_64 is 62)";
        }
        if (d.length >= 2 && (d[0] & 0xff) == 0x1f && (d[1] & 0xff) == 0x8b) {
            return "it is gzip-compressed data";
        }
        if (d.length < HEADER + 4) {
            return "the file is too short (" + d.length + " bytes) for a bzImage setup header";
        }
        return "no bzImage setup header (\"HdrS\" at 0x202)";
    }
}
