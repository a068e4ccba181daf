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
 * rebase: change an image's backing file (qemu-img rebase). Safe mode copies into the image whatever would
 * read differently through the new backing file; -u only rewrites the name. -b '' removes the backing file.
 */
@Command(name = "rebase", description = "Change the backing file of an image.")
final class RebaseCommand implements Callable<Integer> {
    @Option(names = "-f", description = "image format (probed if absent)") String format;
    @Option(names = "-b", description = "new backing file ('' for none)") String backing;
    @Option(names = "-F", description = "new backing file format") String backingFormat;
    @Option(names = "-u", description = "unsafe: only change the name") boolean unsafe;
    @Option(names = "-p", description = "show progress") boolean progress;
    @Option(names = "-q", description = "quiet") boolean quiet;
    @Option(names = "-t", description = "cache mode (accepted)") String cache;
    @Option(names = "-T", description = "source cache mode (accepted)") String srcCache;
    @Option(names = {"-U", "--force-share"}, description = "open the backing files even if another process uses them (no locks denied)") boolean forceShare;
    @Parameters(index = "0", paramLabel = "filename") String filename;

    @Override
    public Integer call() throws Exception {
        if (backing == null && !unsafe) throw new JemuImg.ExitCodeException(1, "Must specify backing file (-b) or use unsafe mode (-u)\nTry 'jemu-img --help' for more information");
        String newName = backing == null || backing.isEmpty() ? null : backing;
        if (newName == null && backingFormat != null) backingFormat = null;
        Progress pr = new Progress(progress && !quiet);
        try (BlockDriver top = Images.open(filename, format, OpenOptions.readWrite().withNoBacking(true).withUse(ImageUse.write(false)))) {
            String fmt = backingFormat;
            Path newPath = newName == null ? null : BlockJobs.resolveBacking(top.path(), newName);
            if (newPath != null && fmt == null) fmt = BlockFormats.probe(newPath).name();
            if (!unsafe) {
                try (BlockDriver old = Images.open(filename, top.formatName(), OpenOptions.readOnlyOpts().withUse(ImageUse.read(true)));
                     BlockDriver nb = newPath == null ? null : openBacking(newPath, fmt, newName)) {
                    BlockJobs.rebaseCopy(top, old, nb, pr::at);
                }
            }
            top.setBacking(newName, newName == null ? null : fmt);
            top.flush();
        }
        pr.done();
        return 0;
    }

    private BlockDriver openBacking(Path p, String fmt, String name) throws Exception {
        try {
            return BlockFormats.open(p, fmt, OpenOptions.readOnlyOpts().withUse(ImageUse.read(forceShare)));
        } catch (dev.jemu.devices.block.BlockException e) {
            throw new JemuImg.ExitCodeException(1, "Could not open new backing file '" + name + "': " + e.getMessage());
        }
    }
}
