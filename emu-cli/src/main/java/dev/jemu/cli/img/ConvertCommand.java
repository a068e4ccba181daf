package dev.jemu.cli.img;

import dev.jemu.devices.block.BlockDriver;
import dev.jemu.devices.block.BlockFormats;
import dev.jemu.devices.block.Bytes;
import dev.jemu.devices.block.CreateOptions;
import dev.jemu.devices.block.ImageUse;
import dev.jemu.devices.block.OpenOptions;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.PrintStream;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Path;
import java.util.List;
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
    @Option(names = {"-U", "--force-share"}, description = "open even if another process uses the image (no locks denied)") boolean forceShare;
    @Option(names = "-n", description = "do not create the target; write into the existing image") boolean noCreate;
    @Option(names = "-S", description = "sparse size: 0 writes every byte (default 4k)") String sparseSize;
    @Option(names = "-t", description = "target cache mode: unsafe (default, no sync, as qemu-img), writeback, none, writethrough, directsync (sync the target at the end)") String cache;
    @Option(names = "-T", description = "source cache mode (accepted for compatibility)") String sourceCache;
    @Parameters(index = "0", paramLabel = "source") String source;
    @Parameters(index = "1", paramLabel = "target") String target;

    @Override
    public Integer call() throws Exception {
        PrintStream out = JemuImg.Context.OUT.get();
        CreateOptions o = CreateOptions.parse(options == null ? "" : String.join(",", options));
        String mode = cache == null ? "unsafe" : cache;
        if (!List.of("unsafe", "writeback", "none", "writethrough", "directsync").contains(mode)) {
            throw new JemuImg.ExitCodeException(1, "Invalid cache option: " + mode);
        }
        boolean sync = !mode.equals("unsafe");
        try (BlockDriver src = Images.open(source, inFormat, OpenOptions.readOnlyOpts().withUse(ImageUse.readStable(forceShare))); Arena arena = Arena.ofConfined()) {
            long size = src.size();
            if (!noCreate) BlockFormats.byName(outFormat).create(Path.of(target), size, o);
            long sparse = sparseSize == null ? 4096 : dev.jemu.devices.block.Sizes.parse(sparseSize);
            // Nobody can see the new image until we are done: no barriers; synced once at the end if -t asks.
            try (BlockDriver dst = Images.open(target, outFormat, OpenOptions.readWrite().withBarriers(noCreate || sync).withWriteback(true).withUse(ImageUse.write(false)))) {
                if (noCreate && dst.size() < size) throw new JemuImg.ExitCodeException(1, "Target image is smaller than the source (" + dst.size() + " < " + size + ")");
                if (compress && !dst.supportsCompression()) throw new JemuImg.ExitCodeException(1, "Compression not supported for this file format");
                int chunk = dst.clusterSize() > 0 ? dst.clusterSize() : 65536;
                if (!compress) chunk = Math.max(chunk, 1 << 20) / chunk * chunk;
                // a native buffer: raw and qcow2 read and write it without the JDK's bounce copy
                MemorySegment buf = arena.allocate(chunk, 4096);
                int lastPct = -1;
                for (long off = 0; off < size; off += chunk) {
                    int n = (int) Math.min(chunk, size - off);
                    if (sparse == 0 || noCreate || !Images.knownZero(src, off, n)) {
                        MemorySegment b = buf.asSlice(0, n);
                        src.read(off, b);
                        if (compress) {
                            writeCompressed(dst, off, b.toArray(ValueLayout.JAVA_BYTE), n, dst.clusterSize());
                        } else {
                            if (sparse == 0 || noCreate) dst.write(off, b); // an existing target may hold old data
                            else writeNonZero(dst, off, b, dst.clusterSize() > 0 ? dst.clusterSize() : 4096);
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
                // qemu-img convert's default cache=unsafe leaves the output in the host page cache (it syncs
                // only while creating the image); a safe -t mode syncs once here (close syncs only what it writes).
                if (sync) dst.flush();
            }
        }
        return 0;
    }

    /** Writes the non-zero runs of buf (granularity g), leaving zero runs unallocated. */
    private static void writeNonZero(BlockDriver dst, long off, MemorySegment buf, int g) throws Exception {
        long n = buf.byteSize();
        long i = 0;
        while (i < n) {
            long len = Math.min(g, n - i);
            if (Bytes.isZero(buf.asSlice(i, len))) {
                i += len;
                continue;
            }
            long j = i + len;
            while (j < n) {
                long l2 = Math.min(g, n - j);
                if (Bytes.isZero(buf.asSlice(j, l2))) break;
                j += l2;
            }
            dst.write(off + i, buf.asSlice(i, j - i));
            i = j;
        }
    }

    private static void writeCompressed(BlockDriver dst, long off, byte[] buf, int n, int cs) throws Exception {
        for (int i = 0; i < n; i += cs) {
            int len = Math.min(cs, n - i);
            if (Bytes.isZero(buf, i, len)) continue;
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
