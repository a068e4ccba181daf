package dev.jemu.cli.img;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.util.concurrent.Callable;

/**
 * bitmap: qcow2 persistent dirty bitmaps (qemu-img bitmap). jemu's qcow2 driver does not implement the
 * bitmaps extension yet: the verb parses qemu-img's options and refuses with one line.
 */
@Command(name = "bitmap", description = "Persistent dirty bitmaps (not supported yet).")
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
        throw new JemuImg.ExitCodeException(1, "Persistent dirty bitmaps are not supported by jemu-img yet (qcow2 bitmaps extension)");
    }
}
