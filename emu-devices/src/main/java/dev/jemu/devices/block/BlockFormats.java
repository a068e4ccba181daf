package dev.jemu.devices.block;

import dev.jemu.devices.block.qcow2.Qcow2Format;
import dev.jemu.devices.block.raw.RawFormat;
import dev.jemu.devices.block.vdi.VdiFormat;
import dev.jemu.devices.block.vmdk.VmdkFormat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * The format registry: opening by name or by probing the first sector. Raw matches everything with the
 * lowest score, and a raw image that was probed (not named) guards its sector 0 against writes that would
 * make it probe as another format (a guest could otherwise turn its disk into a qcow2 with a backing file
 * pointing at any host file).
 */
public final class BlockFormats {
    /** Refuse backing chains deeper than this (also catches loops). */
    public static final int MAX_CHAIN = 64;

    private static final List<BlockFormat> FORMATS = List.of(new Qcow2Format(), new VdiFormat(), new VmdkFormat(), new RawFormat());

    private BlockFormats() {
    }

    public static List<BlockFormat> all() {
        return FORMATS;
    }

    public static BlockFormat byName(String name) throws BlockException {
        for (BlockFormat f : FORMATS) if (f.name().equals(name)) return f;
        throw new BlockException("Unknown file format '" + name + "'");
    }

    /** The best non-raw format for the given first bytes, or null. */
    public static BlockFormat probeNonRaw(byte[] head, int len) {
        BlockFormat best = null;
        int bestScore = 1;
        for (BlockFormat f : FORMATS) {
            int s = f.probe(head, len);
            if (s > bestScore) {
                best = f;
                bestScore = s;
            }
        }
        return best;
    }

    /** Reads the first sector of a file and names its format (raw if nothing else matches). */
    public static BlockFormat probe(Path path) throws BlockException {
        if (!Files.exists(path)) throw new BlockException("Could not open '" + path + "': No such file or directory");
        byte[] head = new byte[512];
        int n;
        try (ImageFile f = ImageFile.open(path, true)) {
            n = f.readUpTo(0, head, 0, head.length);
        }
        BlockFormat f = probeNonRaw(head, n);
        return f != null ? f : byName("raw");
    }

    /** Opens an image; format null means probe. */
    public static BlockDriver open(Path path, String format, OpenOptions options) throws BlockException {
        if (options.use() != null && options.use().forceShare() && !options.readOnly()) {
            throw new BlockException("force-share=on can only be used with read-only images");
        }
        if (format == null) {
            BlockFormat f = probe(path);
            return f.open(path, options.withProbed(f.name().equals("raw")));
        }
        return byName(format).open(path, options.withProbed(false));
    }
}
