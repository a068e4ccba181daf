package dev.jemu.devices.block.raw;

import dev.jemu.devices.block.BlockDriver;
import dev.jemu.devices.block.BlockException;
import dev.jemu.devices.block.BlockFormat;
import dev.jemu.devices.block.CreateOptions;
import dev.jemu.devices.block.ImageFile;
import dev.jemu.devices.block.OpenOptions;

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
        String pre = options.get("preallocation");
        if (pre != null && !pre.equals("off")) throw new BlockException("Unsupported preallocation mode '" + pre + "'");
        options.checkAllUsed("raw");
        try (ImageFile f = ImageFile.create(path)) {
            f.truncate(size); // sparse: no data blocks written
        }
    }
}
