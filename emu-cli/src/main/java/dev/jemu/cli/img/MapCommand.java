package dev.jemu.cli.img;

import dev.jemu.devices.block.BlockDriver;
import dev.jemu.devices.block.BlockException;
import dev.jemu.devices.block.ChainStatus;
import dev.jemu.devices.block.ImageUse;
import dev.jemu.devices.block.OpenOptions;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

/** map: where each guest range of an image comes from (qemu-img map). */
@Command(name = "map", description = "Show the allocation map of an image and its backing chain.")
final class MapCommand implements Callable<Integer> {
    @Option(names = "-f", description = "image format (probed if absent)") String format;
    @Option(names = "--output", description = "human or json", defaultValue = "human") String output;
    @Option(names = {"-U", "--force-share"}, description = "open even if another process uses the image (no locks denied)") boolean forceShare;
    @Parameters(index = "0", paramLabel = "filename") String filename;

    /** One merged run: depth in the chain, present (some layer defines it), zero, data, host offset. */
    record Extent(long start, long length, int depth, boolean present, boolean zero, boolean data, long offset, String file) {
        boolean joins(Extent n) {
            return depth == n.depth && present == n.present && zero == n.zero && data == n.data
                    && file.equals(n.file) && (offset < 0 ? n.offset < 0 : n.offset == offset + length)
                    && start + length == n.start;
        }
    }

    @Override
    public Integer call() throws Exception {
        List<Extent> out = new ArrayList<>();
        try (BlockDriver d = Images.open(filename, format, OpenOptions.readOnlyOpts().withUse(ImageUse.read(forceShare)))) {
            long off = 0;
            while (off < d.size()) {
                Extent e = extent(d, off, Math.min(d.size() - off, 1L << 30), 0);
                if (!out.isEmpty() && out.getLast().joins(e)) {
                    Extent p = out.removeLast();
                    e = new Extent(p.start, p.length + e.length, p.depth, p.present, p.zero, p.data, p.offset, p.file);
                }
                out.add(e);
                off += e.length;
            }
        }
        PrintStream ps = JemuImg.Context.OUT.get();
        if (output.equals("json")) {
            StringBuilder sb = new StringBuilder("[");
            for (int i = 0; i < out.size(); i++) {
                Extent e = out.get(i);
                if (i > 0) sb.append(",\n");
                sb.append(String.format("{ \"start\": %d, \"length\": %d, \"depth\": %d, \"present\": %b, \"zero\": %b, \"data\": %b",
                        e.start, e.length, e.depth, e.present, e.zero, e.data));
                if (e.offset >= 0) sb.append(", \"offset\": ").append(e.offset);
                sb.append('}');
            }
            ps.println(sb.append(']'));
        } else {
            ps.println(String.format("%-16s%-16s%-16s%s", "Offset", "Length", "Mapped to", "File"));
            for (Extent e : out) {
                if (e.data && e.offset >= 0) {
                    ps.println(String.format("%-16s%-16s%-16s%s", hex(e.start), hex(e.length), hex(e.offset), e.file));
                }
            }
        }
        return 0;
    }

    /** C's "%#x": 0 has no prefix. */
    private static String hex(long v) {
        return v == 0 ? "0" : "0x" + Long.toHexString(v);
    }

    private static Extent extent(BlockDriver d, long off, long len, int depth) throws BlockException {
        ChainStatus st = ChainStatus.at(d, off, len);
        return new Extent(off, st.length(), st.depth(), st.has(ChainStatus.ALLOCATED), st.has(ChainStatus.ZERO),
                st.has(ChainStatus.DATA), st.has(ChainStatus.OFFSET_VALID) ? st.hostOffset() : -1, st.layer().path().toString());
    }
}
