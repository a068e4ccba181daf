package dev.jemu.cli.img;

import dev.jemu.devices.block.BlockDriver;
import dev.jemu.devices.block.CreateOptions;
import dev.jemu.devices.block.ImageUse;
import dev.jemu.devices.block.OpenOptions;
import dev.jemu.devices.block.qcow2.Qcow2Driver;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.util.concurrent.Callable;

/**
 * amend: change qcow2 options of an existing image (qemu-img amend -o): compat=0.10|1.1 (v2/v3),
 * lazy_refcounts=on|off, size. As qemu-img 7.2, the backing file cannot be amended (only restated as it is:
 * rebase changes it); cluster_size cannot change; refcount_bits (which qemu-img can change) is refused.
 */
@Command(name = "amend", description = "Amend the format-specific options of an image.")
final class AmendCommand implements Callable<Integer> {
    @Option(names = "-f", description = "image format (probed if absent)") String format;
    @Option(names = "-o", description = "options key=value,...") java.util.List<String> options;
    @Option(names = "-p", description = "show progress") boolean progress;
    @Option(names = "-q", description = "quiet") boolean quiet;
    @Option(names = "-t", description = "cache mode (accepted)") String cache;
    @Option(names = "--force", description = "accepted") boolean force;
    @Parameters(index = "0", paramLabel = "filename") String filename;

    @Override
    public Integer call() throws Exception {
        if (options == null) throw new JemuImg.ExitCodeException(1, "Must specify options (-o)\nTry 'jemu-img --help' for more information");
        CreateOptions o = CreateOptions.parse(String.join(",", options));
        try (BlockDriver d = Images.open(filename, format, OpenOptions.readWrite().withNoBacking(true).withUse(ImageUse.write(true)))) {
            if (!(d instanceof Qcow2Driver q)) {
                throw new JemuImg.ExitCodeException(1, "Format driver '" + d.formatName() + "' does not support option amendment");
            }
            Integer version = null;
            String compat = o.get("compat");
            if (compat != null) {
                version = switch (compat) {
                    case "0.10", "v2" -> 2;
                    case "1.1", "v3" -> 3;
                    default -> throw new JemuImg.ExitCodeException(1, "Invalid compatibility level: '" + compat + "'");
                };
            }
            Boolean lazy = o.has("lazy_refcounts") ? o.getBool("lazy_refcounts", false) : null;
            for (String k : new String[]{"cluster_size", "preallocation", "extended_l2", "compression_type"}) {
                if (o.has(k)) throw new JemuImg.ExitCodeException(1, "Invalid parameter '" + k + "'\nThis option is only supported for image creation");
            }
            if (o.has("refcount_bits")) {
                o.get("refcount_bits");
                throw new JemuImg.ExitCodeException(1, "Changing the refcount width is not supported by jemu-img");
            }
            boolean backing = o.has("backing_file") || o.has("backing_fmt");
            String bf = o.get("backing_file"), bfmt = o.get("backing_fmt");
            long size = o.getSize("size", -1);
            o.checkAllUsed("qcow2");
            if (backing && !(java.util.Objects.equals(bf, d.info().backingFilename())
                    && java.util.Objects.equals(bfmt, d.info().backingFormat()))) {
                throw new JemuImg.ExitCodeException(1, "Cannot amend the backing file\nYou can use 'jemu-img rebase' instead.");
            }
            q.amend(version, lazy);
            if (size >= 0 && size != d.size()) d.resize(size, true);
            d.flush();
        }
        return 0;
    }
}
