package dev.jemu.core.loader;

import dev.jemu.core.machine.ConfigException;
import dev.jemu.core.memory.AddressSpace;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/** Reading image files and copying them into guest memory, with one-line errors for users. */
public final class ImageFiles {
    private ImageFiles() {
    }

    public static byte[] read(Path file) throws ConfigException {
        try {
            if (Files.isDirectory(file)) {
                throw new ConfigException(file + ": is a directory");
            }
            return Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            throw new ConfigException(file + ": no such file");
        } catch (IOException | OutOfMemoryError e) {
            throw new ConfigException(file + ": cannot read: " + e.getMessage());
        }
    }

    /**
     * The first {@code max} bytes of {@code file} (fewer if it is shorter) and its size, to look at an image's
     * header before {@link #placeFile} copies it.
     */
    public record Head(byte[] bytes, long size) {
    }

    public static Head readHead(Path file, int max) throws ConfigException {
        try {
            if (Files.isDirectory(file)) {
                throw new ConfigException(file + ": is a directory");
            }
            try (java.nio.channels.FileChannel ch = java.nio.channels.FileChannel.open(file)) {
                java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate((int) Math.min(max, ch.size()));
                while (b.hasRemaining() && ch.read(b) >= 0) {
                    // a short read: go on
                }
                return new Head(java.util.Arrays.copyOf(b.array(), b.position()), ch.size());
            }
        } catch (NoSuchFileException e) {
            throw new ConfigException(file + ": no such file");
        } catch (IOException e) {
            throw new ConfigException(file + ": cannot read: " + e.getMessage());
        }
    }

    /** Copies the first {@code length} bytes of {@code file} to guest address {@code addr}, without a Java array. */
    public static void placeFile(AddressSpace bus, Path file, long addr, long length) throws ConfigException {
        try (java.nio.channels.FileChannel ch = java.nio.channels.FileChannel.open(file)) {
            bus.loadFrom(addr, ch, length);
        } catch (NoSuchFileException e) {
            throw new ConfigException(file + ": no such file");
        } catch (IOException e) {
            throw new ConfigException(file + ": cannot read: " + e.getMessage());
        } catch (IllegalArgumentException e) {
            throw new ConfigException(String.format("%s: 0x%x..0x%x does not fit in RAM (try a larger -m)", file, addr,
                    addr + length));
        }
    }

    /** Copies {@code length} bytes of {@code data} from {@code offset} to guest address {@code addr}. */
    public static void place(AddressSpace bus, Path file, long addr, byte[] data, int offset, int length)
            throws ConfigException {
        byte[] part = offset == 0 && length == data.length ? data : java.util.Arrays.copyOfRange(data, offset, offset + length);
        try {
            bus.load(addr, part);
        } catch (IllegalArgumentException e) {
            throw new ConfigException(String.format("%s: 0x%x..0x%x does not fit in RAM (try a larger -m)", file, addr,
                    addr + length));
        }
    }

    /** Zero-fills {@code length} bytes at {@code addr} (an ELF segment's .bss). */
    public static void zero(AddressSpace bus, Path file, long addr, long length) throws ConfigException {
        final int chunk = 1 << 20;
        byte[] zeros = new byte[(int) Math.min(chunk, Math.max(length, 0))];
        for (long done = 0; done < length; done += chunk) {
            int n = (int) Math.min(chunk, length - done);
            place(bus, file, addr + done, zeros, 0, n);
        }
    }
}
