package dev.jemu.arm.virt;

import dev.jemu.core.loader.LinuxImage;
import dev.jemu.core.machine.ConfigException;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.zip.GZIPInputStream;

/**
 * The arm64 Linux {@code Image} header (Documentation/arch/arm64/booting.rst): {@code text_offset} at 8,
 * {@code image_size} at 16, {@code flags} at 24, magic "ARM\x64" at 56. The kernel is loaded at a 2 MiB
 * aligned base plus {@code text_offset}; {@code image_size} is what it occupies there (0 on kernels before 3.17).
 */
record Arm64Image(long textOffset, long imageSize, long flags) {
    static final int MAGIC = 0x644d5241; // "ARM\x64"
    static final int MAGIC_OFFSET = 56, HEADER_SIZE = 64;
    /** QEMU's cap on an unpacked kernel (LOAD_IMAGE_MAX_GUNZIP_BYTES). */
    static final int MAX_GUNZIP = 256 << 20;

    static boolean hasMagic(byte[] data) {
        return data.length >= HEADER_SIZE
                && ByteBuffer.wrap(data).order(ByteOrder.LITTLE_ENDIAN).getInt(MAGIC_OFFSET) == MAGIC;
    }

    /**
     * The header of {@code data}, null when it has no arm64 magic (a raw binary), or a one-line error when the
     * file is some other architecture's kernel or the header cannot be right.
     */
    static Arm64Image parse(String name, byte[] data) throws ConfigException {
        if (LinuxImage.parse(data) != null) {
            throw new ConfigException(name + ": not an arm64 Image: it is a riscv64 Linux Image (wrong -cpu?)");
        }
        if (!hasMagic(data)) {
            return null;
        }
        ByteBuffer b = ByteBuffer.wrap(data).order(ByteOrder.LITTLE_ENDIAN);
        Arm64Image h = new Arm64Image(b.getLong(8), b.getLong(16), b.getLong(24));
        if ((h.flags & 1) != 0) {
            throw new ConfigException(name + ": bad arm64 Image header: a big-endian kernel (flags bit 0), which "
                    + "this little-endian CPU cannot run");
        }
        if (h.imageSize != 0 && (Long.compareUnsigned(h.imageSize, data.length) < 0
                || Long.compareUnsigned(h.imageSize, 1L << 32) > 0)) {
            throw new ConfigException(String.format("%s: bad arm64 Image header: image_size 0x%x does not hold the "
                    + "%d-byte file", name, h.imageSize, data.length));
        }
        if (Long.compareUnsigned(h.textOffset, 1L << 30) >= 0 || (h.textOffset & 0xfff) != 0) {
            throw new ConfigException(String.format("%s: bad arm64 Image header: text_offset 0x%x is not a page "
                    + "offset below 1 GiB", name, h.textOffset));
        }
        return h;
    }

    static boolean isGzip(byte[] data) {
        return data.length >= 2 && (data[0] & 0xff) == 0x1f && (data[1] & 0xff) == 0x8b;
    }

    /** A gzip file unpacked, as QEMU's aarch64 loader does for Image.gz (the bootloader's job on real boards). */
    static byte[] gunzip(String name, byte[] data) throws ConfigException {
        try (InputStream in = new GZIPInputStream(new ByteArrayInputStream(data))) {
            ByteArrayOutputStream out = new ByteArrayOutputStream(data.length * 3);
            byte[] buf = new byte[1 << 16];
            for (int n; (n = in.read(buf)) > 0; ) {
                out.write(buf, 0, n);
                if (out.size() > MAX_GUNZIP) {
                    throw new ConfigException(name + ": unpacks to more than " + (MAX_GUNZIP >> 20) + " MiB");
                }
            }
            return out.toByteArray();
        } catch (IOException e) {
            throw new ConfigException(name + ": corrupt gzip data: " + e.getMessage());
        }
    }
}
