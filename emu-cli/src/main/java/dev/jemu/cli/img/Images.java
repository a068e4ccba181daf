package dev.jemu.cli.img;

import dev.jemu.devices.block.BlockDriver;
import dev.jemu.devices.block.BlockException;
import dev.jemu.devices.block.BlockFormats;
import dev.jemu.devices.block.OpenOptions;

import java.nio.file.Path;

/** Opening images for the commands, with qemu-img's "Could not open" wording. */
final class Images {
    private Images() {
    }

    static BlockDriver open(String file, String format, OpenOptions o) throws BlockException {
        try {
            return BlockFormats.open(Path.of(file), format, o);
        } catch (BlockException e) {
            String m = e.getMessage();
            if (m.startsWith("Could not open '")) throw e;
            throw new BlockException("Could not open '" + file + "': " + m);
        } catch (java.nio.file.InvalidPathException e) {
            throw new BlockException("Could not open '" + file + "': invalid path");
        }
    }

    /** Whether [off, off+len) reads as zeroes without reading it (zero flag, or unallocated down the chain). */
    static boolean knownZero(BlockDriver d, long off, long len) throws BlockException {
        while (d != null) {
            var st = d.status(off, len);
            if (st.length() < len) return false;
            switch (st.kind()) {
                case ZERO:
                    return true;
                case DATA:
                    return false;
                default:
                    BlockDriver b = d.backing();
                    if (b == null || off >= b.size()) return true;
                    if (off + len > b.size()) return false;
                    d = b;
            }
        }
        return true;
    }
}
