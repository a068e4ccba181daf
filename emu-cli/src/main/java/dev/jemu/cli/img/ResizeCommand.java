package dev.jemu.cli.img;

import dev.jemu.devices.block.BlockDriver;
import dev.jemu.devices.block.ImageUse;
import dev.jemu.devices.block.OpenOptions;
import dev.jemu.devices.block.Preallocation;
import dev.jemu.devices.block.Sizes;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.util.concurrent.Callable;

/**
 * resize: change the virtual size (qemu-img resize); "+N" and "-N" are relative. Shrinking needs --shrink
 * (raw: the file is cut; qcow2: clusters past the end are freed and the file truncated after the last used
 * one); --preallocation applies to the grown part only.
 */
@Command(name = "resize", description = "Change the virtual size of an image.")
final class ResizeCommand implements Callable<Integer> {
    @Option(names = "-f", description = "image format (probed if absent)") String format;
    @Option(names = "--shrink", description = "allow shrinking") boolean shrink;
    @Option(names = "--preallocation", description = "off, metadata (qcow2), falloc or full, for the new area") String preallocation;
    @Option(names = "-q", description = "quiet") boolean quiet;
    @Parameters(index = "0", paramLabel = "filename") String filename;
    @Parameters(index = "1", paramLabel = "size") String size;

    @Override
    public Integer call() throws Exception {
        Preallocation pre = preallocation == null ? Preallocation.OFF : Preallocation.parseFlag(preallocation);
        try (BlockDriver d = Images.open(filename, format, OpenOptions.readWrite().withNoBacking(true).withUse(ImageUse.write(true)))) {
            long n;
            if (size.startsWith("+")) n = d.size() + Sizes.parse(size.substring(1));
            else if (size.startsWith("-")) n = d.size() - Sizes.parse(size.substring(1));
            else n = Sizes.parse(size);
            if (n < 0) throw new JemuImg.ExitCodeException(1, "New image size must be positive");
            if (n < d.size() && !shrink) {
                throw new JemuImg.ExitCodeException(1, "Use the --shrink option to perform a shrink operation.\n"
                        + "jemu-img: warning: Shrinking an image will delete all data beyond the shrunken image's end. "
                        + "Before performing such an operation, make sure there is no important data there.");
            }
            if (n < d.size() && pre != Preallocation.OFF) {
                throw new JemuImg.ExitCodeException(1, "Preallocation can only be used for growing images");
            }
            d.resize(n, shrink, pre);
            d.flush();
        }
        if (!quiet) JemuImg.Context.OUT.get().println("Image resized.");
        return 0;
    }
}
