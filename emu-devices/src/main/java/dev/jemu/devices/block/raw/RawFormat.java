package dev.jemu.devices.block.raw;

import dev.jemu.devices.block.BlockDriver;
import dev.jemu.devices.block.BlockException;
import dev.jemu.devices.block.BlockFormat;
import dev.jemu.devices.block.CreateOptions;
import dev.jemu.devices.block.ImageFile;
import dev.jemu.devices.block.OpenOptions;
import dev.jemu.devices.block.Preallocation;

import java.nio.file.Path;

/** Raw images: the file is the disk. Probes as the fallback of every file. */
public final class RawFormat implements BlockFormat {
    @Override
    public String name() {
        return "raw";
    }

    @Override
    public int probe(byte[] head, int len) {
        return 1;
    }

    @Override
    public BlockDriver open(Path path, OpenOptions options) throws BlockException {
        return new RawDriver(ImageFile.open(path, options.readOnly(), options.use(), false), options.probed());
    }

    @Override
    public void create(Path path, long size, CreateOptions options) throws BlockException {
        Preallocation pre = Preallocation.parseRaw(options.get("preallocation"));
        if (pre == Preallocation.METADATA) throw new BlockException("Unsupported preallocation mode: metadata");
        options.checkAllUsed("raw");
        try (ImageFile f = ImageFile.create(path)) {
            f.truncate(size); // sparse unless preallocated
            pre.apply(f, 0, size);
            // qemu writes the first block (so that later opens can probe the host's alignment on it)
            if (pre == Preallocation.OFF && size > 0) f.write(0, new byte[(int) Math.min(size, 4096)], 0, (int) Math.min(size, 4096));
        }
    }
}
