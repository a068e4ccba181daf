package dev.jemu.cli.img;

import dev.jemu.devices.block.BlockDriver;
import dev.jemu.devices.block.BlockException;
import dev.jemu.devices.block.ImageUse;
import dev.jemu.devices.block.OpenOptions;
import dev.jemu.devices.block.Sizes;
import dev.jemu.devices.block.qcow2.Qcow2Driver;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.util.concurrent.Callable;

/**
 * bitmap: qcow2 persistent dirty bitmaps (qemu-img bitmap): --add (with -g granularity, all clean),
 * --remove, --clear, --enable, --disable, applied in that order. --merge is not supported.
 */
@Command(name = "bitmap", description = "Add, remove, clear, enable or disable a persistent dirty bitmap.")
final class BitmapCommand implements Callable<Integer> {
    @Option(names = "--add") boolean add;
    @Option(names = "--remove") boolean remove;
    @Option(names = "--clear") boolean clear;
    @Option(names = "--enable") boolean enable;
    @Option(names = "--disable") boolean disable;
    @Option(names = "--merge") String merge;
    @Option(names = {"-g", "--granularity"}) String granularity;
    @Option(names = "-b") String source;
    @Option(names = "-F") String sourceFormat;
    @Option(names = "-f") String format;
    @Option(names = "-q") boolean quiet;
    @Parameters(index = "0", paramLabel = "filename") String filename;
    @Parameters(index = "1", paramLabel = "bitmap") String bitmap;

    @Override
    public Integer call() throws Exception {
        if (!add && !remove && !clear && !enable && !disable && merge == null) {
            throw new JemuImg.ExitCodeException(1, "Need at least one of --add, --remove, --clear, --enable, --disable, or --merge");
        }
        if (granularity != null && !add) throw new JemuImg.ExitCodeException(1, "granularity only supported with --add");
        if (merge != null) throw new JemuImg.ExitCodeException(1, "Operation merge on bitmap " + bitmap + " failed: --merge is not supported by jemu-img");
        long gran = granularity == null ? 65536 : Sizes.parse(granularity);
        // Refusals first, on a read-only open: a writable open invalidates the bitmaps until they are stored again.
        try (BlockDriver d = Images.open(filename, format, OpenOptions.readOnlyOpts().withNoBacking(true).withUse(ImageUse.read(false)))) {
            if (d instanceof Qcow2Driver q) {
                boolean exists = q.bitmapList().stream().anyMatch(b -> b[0].equals(bitmap));
                String op = add ? "add" : first();
                if (add && exists) throw new JemuImg.ExitCodeException(1, "Operation add on bitmap " + bitmap + " failed: Bitmap already exists: " + bitmap);
                if (add && q.version() < 3) {
                    throw new JemuImg.ExitCodeException(1, "Operation add on bitmap " + bitmap + " failed: Can't make bitmap '" + bitmap
                            + "' persistent in '" + filename + "': Cannot store dirty bitmaps in qcow2 v2 files");
                }
                if (add && (gran < 512 || Long.bitCount(gran) != 1 || gran > (1L << 31))) {
                    throw new JemuImg.ExitCodeException(1, "Operation add on bitmap " + bitmap + " failed: Granularity must be power of 2 and at least 512");
                }
                if (!add && !exists) throw new JemuImg.ExitCodeException(1, "Operation " + op + " on bitmap " + bitmap + " failed: Dirty bitmap '" + bitmap + "' not found");
            }
        }
        try (BlockDriver d = Images.open(filename, format, OpenOptions.readWrite().withNoBacking(true).withUse(ImageUse.write(false)))) {
            if (!(d instanceof Qcow2Driver q)) {
                throw new JemuImg.ExitCodeException(1, "Operation " + first() + " on bitmap " + bitmap
                        + " failed: Can't store persistent bitmaps to " + filename + ": Operation not supported");
            }
            run(q, "add", add, () -> q.bitmapAdd(bitmap, gran, !disable));
            run(q, "clear", clear, () -> q.bitmapClear(bitmap));
            run(q, "enable", enable, () -> q.bitmapSetEnabled(bitmap, true));
            run(q, "disable", disable && !add, () -> q.bitmapSetEnabled(bitmap, false));
            run(q, "remove", remove, () -> q.bitmapRemove(bitmap));
            d.flush();
        }
        return 0;
    }

    private interface Op {
        void run() throws BlockException;
    }

    private void run(Qcow2Driver q, String name, boolean wanted, Op op) throws JemuImg.ExitCodeException {
        if (!wanted) return;
        try {
            op.run();
        } catch (BlockException e) {
            throw new JemuImg.ExitCodeException(1, "Operation " + name + " on bitmap " + bitmap + " failed: " + e.getMessage());
        }
    }

    private String first() {
        return add ? "add" : clear ? "clear" : enable ? "enable" : disable ? "disable" : "remove";
    }
}
