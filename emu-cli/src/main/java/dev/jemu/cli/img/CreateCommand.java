package dev.jemu.cli.img;

import dev.jemu.devices.block.BlockException;
import dev.jemu.devices.block.BlockFormats;
import dev.jemu.devices.block.CreateOptions;
import dev.jemu.devices.block.Sizes;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.nio.file.Path;
import java.util.concurrent.Callable;

/** create: a new empty image (qemu-img create). The size is rounded up to whole sectors, as there. */
@Command(name = "create", description = "Create a new image.")
final class CreateCommand implements Callable<Integer> {
    @Option(names = "-f", description = "format (default raw)", defaultValue = "raw") String format;
    @Option(names = "-o", description = "format options key=value,...") java.util.List<String> options;
    @Option(names = "-b", description = "backing file") String backing;
    @Option(names = "-F", description = "backing file format") String backingFormat;
    @Option(names = "-q", description = "quiet") boolean quiet;
    @Option(names = "-u", description = "accepted for compatibility") boolean unsafe;
    @Parameters(index = "0", paramLabel = "filename") String filename;
    @Parameters(index = "1", paramLabel = "size", arity = "0..1") String size;

    @Override
    public Integer call() throws Exception {
        CreateOptions o = CreateOptions.parse(options == null ? "" : String.join(",", options));
        if (backing != null) o.put("backing_file", backing);
        if (backingFormat != null) o.put("backing_fmt", backingFormat);
        long sz = size == null ? -1 : (Sizes.parse(size) + 511) & -512L;
        if (sz < 0 && !o.has("backing_file")) throw new JemuImg.ExitCodeException(1, filename + ": Image creation needs a size parameter");
        if (!quiet) {
            JemuImg.Context.OUT.get().println("Formatting '" + filename + "', fmt=" + format
                    + (sz >= 0 ? " size=" + Sizes.parse(size) : "") + (backing != null ? " backing_file=" + backing : "")
                    + (backingFormat != null ? " backing_fmt=" + backingFormat : "")
                    + (o.has("preallocation") ? " preallocation=" + o.get("preallocation") : ""));
        }
        var fmt = BlockFormats.byName(format);
        try {
            fmt.create(Path.of(filename), sz, o);
        } catch (BlockException e) {
            throw new JemuImg.ExitCodeException(1, filename + ": " + e.getMessage()); // qemu-img names the file
        }
        return 0;
    }
}
