package dev.jemu.core.loader;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * The 64-byte header of a Linux RISC-V {@code Image} (Documentation/riscv/boot-image-header.rst): code0/code1,
 * {@code text_offset} at 0x08, {@code image_size} at 0x10, {@code flags} at 0x18, {@code version} at 0x20, the
 * deprecated magic "RISCV\0\0\0" at 0x30 and magic2 "RSC\x05" at 0x38. Little-endian.
 */
public record LinuxImage(long textOffset, long imageSize, long flags, int version) {
    public static final long MAGIC = 0x5643534952L; // "RISCV\0\0\0"
    public static final int MAGIC2 = 0x05435352;    // "RSC\x05"
    public static final int HEADER_SIZE = 64;

    /** The header of {@code data}, or null if it is not a RISC-V Linux Image. */
    public static LinuxImage parse(byte[] data) {
        if (data.length < HEADER_SIZE) {
            return null;
        }
        ByteBuffer b = ByteBuffer.wrap(data).order(ByteOrder.LITTLE_ENDIAN);
        if (b.getInt(0x38) != MAGIC2 && b.getLong(0x30) != MAGIC) {
            return null;
        }
        return new LinuxImage(b.getLong(0x08), b.getLong(0x10), b.getLong(0x18), b.getInt(0x20));
    }

    /** Bytes the kernel occupies once running (its .bss included); at least the file's size. */
    public long memorySize(long fileSize) {
        return Math.max(imageSize, fileSize);
    }
}
