package dev.jemu.cli.img;

import dev.jemu.devices.block.BlockDriver;
import dev.jemu.devices.block.BlockFormats;
import dev.jemu.devices.block.CreateOptions;
import dev.jemu.devices.block.OpenOptions;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;

/**
 * convert: copies an image into a new one (qemu-img convert). The output is sparse: ranges that read as
 * zeroes are not written, so they stay unallocated. -c writes qcow2 clusters compressed.
 */
@Command(name = "convert", description = "Convert an image to another format.")
final class ConvertCommand implements Callable<Integer> {
    @Option(names = "-f", description = "input format (probed if absent)") String inFormat;
    @Option(names = "-O", description = "output format (default raw)", defaultValue = "raw") String outFormat;
    @Option(names = "-o", description = "output format options") java.util.List<String> options;
    @Option(names = "-c", description = "compress the output (qcow2)") boolean compress;
    @Option(names = "-p", description = "show progress") boolean progress;
    @Option(names = "-q", description = "quiet") boolean quiet;
    @Option(names = {"-U", "--force-share"}, description = "accepted for compatibility") boolean forceShare;
    @Option(names = "-n", description = "do not create the target; write into the existing image") boolean noCreate;
    @Option(names = "-S", description = "sparse size: 0 writes every byte (default 4k)") String sparseSize;
    @Option(names = {"-t", "-T"}, description = "cache mode (accepted for compatibility)") String cache;
    @Parameters(index = "0", paramLabel = "source") String source;
    @Parameters(index = "1", paramLabel = "target") String target;

    @Override
    public Integer call() throws Exception {
        PrintStream out = JemuImg.Context.OUT.get();
        CreateOptions o = CreateOptions.parse(options == null ? "" : String.join(",", options));
        try (BlockDriver src = Images.open(source, inFormat, OpenOptions.readOnlyOpts())) {
            long size = src.size();
            if (!noCreate) BlockFormats.byName(outFormat).create(Path.of(target), size, o);
            long sparse = sparseSize == null ? 4096 : dev.jemu.devices.block.Sizes.parse(sparseSize);
            // Nobody can see the new image until we are done: no barriers, one flush at the end.
            try (BlockDriver dst = BlockFormats.open(Path.of(target), outFormat, OpenOptions.readWrite().withBarriers(noCreate).withWriteback(true))) {
                if (noCreate && dst.size() < size) throw new JemuImg.ExitCodeException(1, "Target image is smaller than the source (" + dst.size() + " < " + size + ")");
                if (compress && !dst.supportsCompression()) throw new JemuImg.ExitCodeException(1, "Compression not supported for this file format");
                int chunk = dst.clusterSize() > 0 ? dst.clusterSize() : 65536;
                if (!compress) chunk = Math.max(chunk, 1 << 20) / chunk * chunk;
                byte[] buf = new byte[chunk];
                int lastPct = -1;
                for (long off = 0; off < size; off += chunk) {
                    int n = (int) Math.min(chunk, size - off);
                    if (sparse == 0 || noCreate || !Images.knownZero(src, off, n)) {
                        src.read(off, buf, 0, n);
                        if (compress) {
                            writeCompressed(dst, off, buf, n, dst.clusterSize());
                        } else {
                            if (sparse == 0 || noCreate) dst.write(off, buf, 0, n); // an existing target may hold old data
                            else writeNonZero(dst, off, buf, n, dst.clusterSize() > 0 ? dst.clusterSize() : 4096);
                        }
                    }
                    if (progress && !quiet) {
                        int pct = (int) ((off + n) * 10000 / Math.max(1, size));
                        if (pct != lastPct) {
                            out.printf(Locale.ROOT, "    (%.2f/100%%)\r", pct / 100.0);
                            lastPct = pct;
                        }
                    }
                }
                if (progress && !quiet) out.printf(Locale.ROOT, "%s%n", lastPct == 10000 ? "" : "    (100.00/100%)");
                dst.flush();
            }
        }
        return 0;
    }

    /** Writes the non-zero runs of buf (granularity g), leaving zero runs unallocated. */
    private static void writeNonZero(BlockDriver dst, long off, byte[] buf, int n, int g) throws Exception {
        int i = 0;
        while (i < n) {
            int len = Math.min(g, n - i);
            if (dev.jemu.devices.block.Bytes.isZero(buf, i, len)) {
                i += len;
                continue;
            }
            int j = i + len;
            while (j < n) {
                int l2 = Math.min(g, n - j);
                if (dev.jemu.devices.block.Bytes.isZero(buf, j, l2)) break;
                j += l2;
            }
            dst.write(off + i, buf, i, j - i);
            i = j;
        }
    }

    private static void writeCompressed(BlockDriver dst, long off, byte[] buf, int n, int cs) throws Exception {
        for (int i = 0; i < n; i += cs) {
            int len = Math.min(cs, n - i);
            if (dev.jemu.devices.block.Bytes.isZero(buf, i, len)) continue;
            if (len < cs) {
                byte[] full = new byte[cs];
                System.arraycopy(buf, i, full, 0, len);
                dst.writeCompressed(off + i, full, 0); // the last, partial cluster: padded with zeroes
            } else {
                dst.writeCompressed(off + i, buf, i);
            }
        }
    }
}
