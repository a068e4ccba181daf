package dev.jemu.core.loader;

import dev.jemu.core.machine.ConfigException;
import dev.jemu.core.memory.AddressSpace;
import java.nio.file.Path;

/** Raw binary images (firmware {@code .bin}, Linux {@code Image}, initrds): copied as they are. */
public final class RawLoader {
    private RawLoader() {
    }

    /** Loads {@code file} at {@code addr}; returns its size in bytes. */
    public static long load(Path file, AddressSpace bus, long addr) throws ConfigException {
        byte[] data = ImageFiles.read(file);
        ImageFiles.place(bus, file, addr, data, 0, data.length);
        return data.length;
    }
}
