package dev.jemu.cli.img;

import dev.jemu.devices.block.BlockDriver;
import dev.jemu.devices.block.BlockFormats;
import dev.jemu.devices.block.BlockJobs;
import dev.jemu.devices.block.ImageUse;
import dev.jemu.devices.block.OpenOptions;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.nio.file.Path;
import java.util.concurrent.Callable;

/**
 * commit: write an overlay's data into its backing file (qemu-img commit), or into a deeper image of the
 * chain with -b (which implies -d). Afterwards the overlay is emptied, unless -d.
 */
@Command(name = "commit", description = "Commit the changes in an image into its backing file.")
final class CommitCommand implements Callable<Integer> {
    @Option(names = "-f", description = "image format (probed if absent)") String format;
    @Option(names = "-b", description = "the base image to commit into (default: the backing file)") String base;
    @Option(names = "-d", description = "do not empty the image afterwards") boolean keep;
    @Option(names = "-p", description = "show progress") boolean progress;
    @Option(names = "-q", description = "quiet") boolean quiet;
    @Option(names = "-t", description = "cache mode (accepted)") String cache;
    @Option(names = "-r", description = "rate limit (accepted, not applied)") String rate;
    @Parameters(index = "0", paramLabel = "filename") String filename;

    @Override
    public Integer call() throws Exception {
        Progress pr = new Progress(progress && !quiet);
        String topFormat;
        // shared: the base below is opened for writing by this same process (OFD locks see two openers)
        try (BlockDriver top = Images.open(filename, format, OpenOptions.readOnlyOpts().withUse(ImageUse.read(true)))) {
            topFormat = top.formatName();
            if (top.backing() == null) throw new JemuImg.ExitCodeException(1, "Image does not have a backing file");
            int depth = 1;
            BlockDriver b = top.backing();
            if (base != null) {
                // as qemu-img finds it: the name as given, or relative to the image's directory
                Path want = Path.of(base).toAbsolutePath().normalize();
                Path near = BlockJobs.resolveBacking(top.path(), base).normalize();
                while (b != null && !b.path().toAbsolutePath().normalize().equals(want)
                        && !b.path().toAbsolutePath().normalize().equals(near)) {
                    b = b.backing();
                    depth++;
                }
                if (b == null) throw new JemuImg.ExitCodeException(1, "Did not find '" + base + "' in the backing chain of '" + filename + "'");
            }
            try (BlockDriver dst = BlockFormats.open(b.path(), b.formatName(), OpenOptions.readWrite().withNoBacking(true).withUse(ImageUse.write(true)))) {
                BlockJobs.commit(top, depth, dst, pr::at);
            }
        }
        if (!keep && base == null) {
            try (BlockDriver t = Images.open(filename, topFormat, OpenOptions.readWrite().withNoBacking(true).withUse(ImageUse.write(false)))) {
                t.makeEmpty(); // opened without its chain: the clusters become unallocated again
                t.flush();
            }
        }
        pr.done();
        if (!quiet) JemuImg.Context.OUT.get().println("Image committed.");
        return 0;
    }
}
