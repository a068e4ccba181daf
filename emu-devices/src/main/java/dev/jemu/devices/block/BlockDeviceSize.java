package dev.jemu.devices.block;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** The size of a host block device, which FileChannel reports as 0: read from sysfs. */
final class BlockDeviceSize {
    private BlockDeviceSize() {
    }

    static long of(Path dev) {
        try {
            Path real = dev.toRealPath();
            Path sys = Path.of("/sys/class/block", real.getFileName().toString(), "size");
            if (Files.exists(sys)) return Long.parseLong(Files.readString(sys).trim()) * 512;
        } catch (IOException | NumberFormatException e) {
            // not a block device we can size
        }
        return 0;
    }
}
