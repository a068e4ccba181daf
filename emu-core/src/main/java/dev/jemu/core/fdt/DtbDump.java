package dev.jemu.core.fdt;

import dev.jemu.core.machine.ConfigException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** {@code -M virt,dumpdtb=FILE}: the device tree the guest would get, written out (the launcher says so). */
public final class DtbDump {
    private DtbDump() {
    }

    public static void write(Path file, byte[] fdt) throws ConfigException {
        try {
            Files.write(file, fdt);
        } catch (IOException e) {
            String why = e instanceof java.nio.file.NoSuchFileException ? "No such file or directory"
                    : e instanceof java.nio.file.AccessDeniedException ? "Permission denied"
                    : e instanceof java.nio.file.FileSystemException f && f.getReason() != null ? f.getReason()
                    : String.valueOf(e.getMessage());
            throw new ConfigException("-M dumpdtb=" + file + ": Failed dumping dtb to " + file + ": " + why);
        }
    }
}
