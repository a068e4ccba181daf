package dev.jemu.cli.img;

import dev.jemu.devices.block.BlockDriver;
import dev.jemu.devices.block.BlockException;
import dev.jemu.devices.block.Bytes;
import dev.jemu.devices.block.ImageUse;
import dev.jemu.devices.block.OpenOptions;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.util.Arrays;
import java.util.concurrent.Callable;

/** compare: guest-visible content of two images (qemu-img compare). Exit 0 equal, 1 different, 2 error. */
@Command(name = "compare", description = "Compare the content of two images.")
final class CompareCommand implements Callable<Integer> {
    @Option(names = "-f", description = "format of the first image") String fmt1;
    @Option(names = "-F", description = "format of the second image") String fmt2;
    @Option(names = "-s", description = "strict: sizes and allocation must match") boolean strict;
    @Option(names = "-q", description = "quiet") boolean quiet;
    @Option(names = "-p", description = "accepted for compatibility") boolean progress;
    @Option(names = {"-U", "--force-share"}, description = "open even if another process uses the image (no locks denied)") boolean forceShare;
    @Parameters(index = "0", paramLabel = "filename1") String f1;
    @Parameters(index = "1", paramLabel = "filename2") String f2;

    @Override
    public Integer call() throws Exception {
        try (BlockDriver a = Images.open(f1, fmt1, OpenOptions.readOnlyOpts().withUse(ImageUse.read(forceShare)));
             BlockDriver b = Images.open(f2, fmt2, OpenOptions.readOnlyOpts().withUse(ImageUse.read(forceShare)))) {
            if (strict && a.size() != b.size()) {
                say("Strict mode: Image size mismatch!");
                return 1;
            }
            long common = Math.min(a.size(), b.size());
            int chunk = 1 << 20;
            byte[] x = new byte[chunk], y = new byte[chunk];
            for (long off = 0; off < common; off += chunk) {
                int n = (int) Math.min(chunk, common - off);
                a.read(off, x, 0, n);
                b.read(off, y, 0, n);
                int m = Arrays.mismatch(x, 0, n, y, 0, n);
                if (m >= 0) {
                    say("Content mismatch at offset " + (off + m) + "!");
                    return 1;
                }
            }
            BlockDriver longer = a.size() > b.size() ? a : b;
            for (long off = common; off < longer.size(); off += chunk) {
                int n = (int) Math.min(chunk, longer.size() - off);
                longer.read(off, x, 0, n);
                if (!Bytes.isZero(x, 0, n)) {
                    int k = 0;
                    while (x[k] == 0) k++;
                    say("Content mismatch at offset " + (off + k) + "!");
                    return 1;
                }
            }
            if (a.size() != b.size()) say("Warning: Image size mismatch!");
            say("Images are identical.");
            return 0;
        } catch (BlockException e) {
            JemuImg.Context.ERR.get().println("jemu-img: " + e.getMessage());
            return 2;
        }
    }

    private void say(String s) {
        if (!quiet) JemuImg.Context.OUT.get().println(s);
    }
}
