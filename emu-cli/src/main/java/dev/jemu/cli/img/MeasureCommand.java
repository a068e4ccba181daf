package dev.jemu.cli.img;

import dev.jemu.devices.block.BlockDriver;
import dev.jemu.devices.block.ChainStatus;
import dev.jemu.devices.block.CreateOptions;
import dev.jemu.devices.block.ImageUse;
import dev.jemu.devices.block.OpenOptions;
import dev.jemu.devices.block.Preallocation;
import dev.jemu.devices.block.Sizes;
import dev.jemu.devices.block.qcow2.Qcow2Format;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.PrintStream;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;

/**
 * measure: how large a new image would be (qemu-img measure), for --size N or for converting an image:
 * "required" (its data, in whole clusters, plus worst-case metadata) and "fully allocated".
 */
@Command(name = "measure", description = "Measure the file size of a new image.")
final class MeasureCommand implements Callable<Integer> {
    @Option(names = "-f", description = "source format (probed if absent)") String inFormat;
    @Option(names = "-O", description = "output format (default raw)", defaultValue = "raw") String outFormat;
    @Option(names = "-o", description = "output format options") java.util.List<String> options;
    @Option(names = "--size", description = "virtual size of an empty image") String size;
    @Option(names = "--output", description = "human or json", defaultValue = "human") String output;
    @Option(names = "-l", description = "snapshot (not supported)") String snapshot;
    @Option(names = {"-U", "--force-share"}, description = "open even if another process uses the image (no locks denied)") boolean forceShare;
    @Parameters(index = "0", paramLabel = "filename", arity = "0..1") String filename;

    @Override
    public Integer call() throws Exception {
        if (size != null && filename != null) throw new JemuImg.ExitCodeException(1, "--size N cannot be used together with a filename.");
        if (size == null && filename == null) throw new JemuImg.ExitCodeException(1, "Either --size N or one filename must be specified.");
        if (!output.equals("human") && !output.equals("json")) throw new JemuImg.ExitCodeException(1, "--output must be human or json");
        CreateOptions o = CreateOptions.parse(options == null ? "" : String.join(",", options));
        long virtual, data = 0;
        boolean fromImage = filename != null, sourceHasBitmaps = false;
        if (fromImage) {
            try (BlockDriver d = Images.open(filename, inFormat, OpenOptions.readOnlyOpts().withUse(ImageUse.read(forceShare)))) {
                virtual = d.size();
                // qemu reports a bitmaps size when the source could hold persistent bitmaps (qcow2 v3)
                sourceHasBitmaps = d instanceof dev.jemu.devices.block.qcow2.Qcow2Driver q && q.version() >= 3;
                if (outFormat.equals("qcow2")) data = dataBytes(d, o.has("cluster_size") ? Sizes.parse(o.get("cluster_size")) : 65536);
            }
        } else {
            virtual = Sizes.parse(size);
        }
        long required, fully;
        switch (outFormat) {
            case "qcow2" -> {
                long[] r = Qcow2Format.measure(virtual, data, o);
                required = r[0];
                fully = r[1];
            }
            case "raw" -> {
                Preallocation.parseRaw(o.get("preallocation"));
                o.checkAllUsed("raw");
                required = fully = fromImage ? virtual : (virtual + 511) & -512L;
            }
            default -> throw new JemuImg.ExitCodeException(1, "Format driver '" + outFormat + "' does not support size measurement");
        }
        boolean bitmaps = sourceHasBitmaps && outFormat.equals("qcow2") && !"0.10".equals(o.get("compat")) && !"v2".equals(o.get("compat"));
        PrintStream out = JemuImg.Context.OUT.get();
        if (output.equals("json")) {
            Map<String, Object> m = new LinkedHashMap<>();
            if (bitmaps) m.put("bitmaps", 0);
            m.put("required", required);
            m.put("fully-allocated", fully);
            out.println(Json.write(m));
        } else {
            out.println("required size: " + required);
            out.println("fully allocated size: " + fully);
            if (bitmaps) out.println("bitmaps size: 0");
        }
        return 0;
    }

    /** Bytes of the source that hold data, counted in whole clusters of the new image (qemu's rule). */
    private static long dataBytes(BlockDriver d, long cs) throws Exception {
        long total = 0, size = d.size();
        for (long off = 0; off < size; ) {
            ChainStatus st = ChainStatus.at(d, off, size - off);
            long n = st.length();
            if (!st.has(ChainStatus.ZERO) && st.has(ChainStatus.DATA) && st.has(ChainStatus.ALLOCATED)) {
                n = Math.ceilDiv(off + n, cs) * cs - off;
                total += off % cs + n;
            }
            off += Math.min(n, size - off);
        }
        return total;
    }
}
