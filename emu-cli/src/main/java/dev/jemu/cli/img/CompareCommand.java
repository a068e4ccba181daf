package dev.jemu.cli.img;

import dev.jemu.devices.block.BlockDriver;
import dev.jemu.devices.block.BlockException;
import dev.jemu.devices.block.Bytes;
import dev.jemu.devices.block.ChainStatus;
import dev.jemu.devices.block.ImageUse;
import dev.jemu.devices.block.OpenOptions;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.util.Arrays;
import java.util.concurrent.Callable;

/**
 * compare: guest-visible content of two images (qemu-img compare). Exit 0 equal, 1 different, 2 error.
 * Walks both chains' block status as qemu-img does: runs both read as zeroes are skipped, runs allocated
 * in one only must read as zeroes there; mismatches are reported at 512-byte sector granularity. -s
 * (strict) also requires the same size and the same block status (allocation, zero, data) everywhere.
 */
@Command(name = "compare", description = "Compare the content of two images.")
final class CompareCommand implements Callable<Integer> {
    private static final int SECTOR = 512;
    private static final int CHUNK = 1 << 20;

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
            byte[] x = new byte[CHUNK], y = new byte[CHUNK];
            for (long off = 0; off < common; ) {
                ChainStatus s1 = ChainStatus.at(a, off, a.size() - off), s2 = ChainStatus.at(b, off, b.size() - off);
                long chunk = Math.min(Math.min(s1.length(), s2.length()), common - off);
                if (strict && s1.flags() != s2.flags()) {
                    say("Strict mode: Offset " + off + " block status mismatch!");
                    return 1;
                }
                boolean al1 = s1.has(ChainStatus.ALLOCATED), al2 = s2.has(ChainStatus.ALLOCATED);
                if (s1.has(ChainStatus.ZERO) && s2.has(ChainStatus.ZERO)) {
                    // both read as zeroes
                } else if (al1 == al2) {
                    if (al1) {
                        chunk = Math.min(chunk, CHUNK);
                        int n = (int) chunk;
                        a.read(off, x, 0, n);
                        b.read(off, y, 0, n);
                        int m = Arrays.mismatch(x, 0, n, y, 0, n);
                        if (m >= 0) return mismatch(off + m);
                    }
                } else {
                    chunk = Math.min(chunk, CHUNK);
                    long nz = firstNonZero(al1 ? a : b, off, (int) chunk, x);
                    if (nz >= 0) return mismatch(nz);
                }
                off += chunk;
            }
            if (a.size() != b.size()) {
                say("Warning: Image size mismatch!");
                BlockDriver longer = a.size() > b.size() ? a : b;
                for (long off = common; off < longer.size(); ) {
                    ChainStatus s = ChainStatus.at(longer, off, longer.size() - off);
                    long chunk = Math.min(s.length(), CHUNK);
                    if (s.has(ChainStatus.ALLOCATED) && !s.has(ChainStatus.ZERO)) {
                        long nz = firstNonZero(longer, off, (int) chunk, x);
                        if (nz >= 0) return mismatch(nz);
                    }
                    off += chunk;
                }
            }
            say("Images are identical.");
            return 0;
        } catch (BlockException e) {
            JemuImg.Context.ERR.get().println("jemu-img: " + e.getMessage());
            return 2;
        }
    }

    /** Guest offset of the first sector holding a non-zero byte in [off, off+n), or -1. */
    private static long firstNonZero(BlockDriver d, long off, int n, byte[] buf) throws BlockException {
        d.read(off, buf, 0, n);
        if (Bytes.isZero(buf, 0, n)) return -1;
        int k = 0;
        while (buf[k] == 0) k++;
        return off + k;
    }

    private int mismatch(long at) {
        say("Content mismatch at offset " + (at / SECTOR * SECTOR) + "!");
        return 1;
    }

    private void say(String s) {
        if (!quiet) JemuImg.Context.OUT.get().println(s);
    }
}
