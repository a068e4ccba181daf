package dev.jemu.cli.img;

import dev.jemu.devices.block.BlockDriver;
import dev.jemu.devices.block.ImageUse;
import dev.jemu.devices.block.OpenOptions;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.util.concurrent.Callable;

/** snapshot: list, create, apply or delete internal snapshots (qemu-img snapshot). */
@Command(name = "snapshot", description = "List, create, apply or delete internal snapshots.")
final class SnapshotCommand implements Callable<Integer> {
    static final class Action {
        @Option(names = "-l", description = "list") boolean list;
        @Option(names = "-c", paramLabel = "snapshot", description = "create") String create;
        @Option(names = "-a", paramLabel = "snapshot", description = "apply (revert to)") String apply;
        @Option(names = "-d", paramLabel = "snapshot", description = "delete") String delete;
    }

    @ArgGroup(exclusive = true, multiplicity = "0..1") Action action;
    @Option(names = "-f", description = "image format (probed if absent)") String format;
    @Option(names = "-q", description = "quiet") boolean quiet;
    @Option(names = {"-U", "--force-share"}, description = "open even if another process uses the image (no locks denied)") boolean forceShare;
    @Parameters(index = "0", paramLabel = "filename") String filename;

    @Override
    public Integer call() throws Exception {
        boolean list = action == null || action.list;
        // the backing chain is opened (and locked) as qemu-img opens it: a missing backing file is an error
        OpenOptions o = list ? OpenOptions.readOnlyOpts() : OpenOptions.readWrite();
        o = o.withUse(list ? ImageUse.read(forceShare) : ImageUse.write(true).withForceShare(forceShare));
        try (BlockDriver d = Images.open(filename, format, o)) {
            if (list) {
                var snaps = d.snapshots();
                if (!snaps.isEmpty()) {
                    JemuImg.Context.OUT.get().println("Snapshot list:");
                    InfoCommand.printSnapshots(JemuImg.Context.OUT.get(), snaps);
                }
            } else if (action.create != null) d.snapshotCreate(action.create);
            else if (action.apply != null) d.snapshotApply(action.apply);
            else d.snapshotDelete(action.delete);
        }
        return 0;
    }
}
