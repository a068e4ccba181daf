package dev.jemu.cli.img;

import dev.jemu.devices.block.BlockDriver;
import dev.jemu.devices.block.ImageInfo;
import dev.jemu.devices.block.ImageUse;
import dev.jemu.devices.block.OpenOptions;
import dev.jemu.devices.block.SnapshotInfo;
import dev.jemu.devices.block.Sizes;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

/** info: what an image is (qemu-img info). */
@Command(name = "info", description = "Show information about an image.")
final class InfoCommand implements Callable<Integer> {
    @Option(names = "-f", description = "image format (probed if absent)") String format;
    @Option(names = "--output", description = "human or json", defaultValue = "human") String output;
    @Option(names = "--backing-chain", description = "also show the backing images") boolean chain;
    @Option(names = {"-U", "--force-share"}, description = "open even if another process uses the image (no locks denied)") boolean forceShare;
    @Parameters(index = "0", paramLabel = "filename") String filename;

    @Override
    public Integer call() throws Exception {
        if (!output.equals("human") && !output.equals("json")) throw new JemuImg.ExitCodeException(1, "--output must be human or json");
        PrintStream out = JemuImg.Context.OUT.get();
        List<ImageInfo> infos = new ArrayList<>();
        try (BlockDriver d = Images.open(filename, format, OpenOptions.readOnlyOpts().withNoBacking(!chain).withUse(ImageUse.inspect(forceShare)))) {
            for (BlockDriver x = d; x != null; x = chain ? x.backing() : null) infos.add(x.info());
        }
        if (output.equals("json")) {
            if (chain) {
                List<Object> all = new ArrayList<>();
                for (ImageInfo i : infos) all.add(toJson(i));
                out.println(Json.write(all));
            } else out.println(Json.write(toJson(infos.get(0))));
        } else {
            for (int i = 0; i < infos.size(); i++) {
                if (i > 0) out.println();
                human(out, infos.get(i));
            }
        }
        return 0;
    }

    static Map<String, Object> toJson(ImageInfo i) {
        Map<String, Object> m = new LinkedHashMap<>();
        if (!i.snapshots().isEmpty()) {
            List<Object> snaps = new ArrayList<>();
            for (SnapshotInfo s : i.snapshots()) {
                Map<String, Object> sm = new LinkedHashMap<>();
                sm.put("icount", Math.max(0, s.icount()));
                sm.put("vm-clock-nsec", s.vmClockNsec() % 1_000_000_000L);
                sm.put("name", s.name());
                sm.put("date-sec", s.dateSec());
                sm.put("date-nsec", s.dateNsec());
                sm.put("vm-clock-sec", s.vmClockNsec() / 1_000_000_000L);
                sm.put("id", s.id());
                sm.put("vm-state-size", s.vmStateSize());
                snaps.add(sm);
            }
            m.put("snapshots", snaps);
        }
        if (i.backingFormat() != null) m.put("backing-filename-format", i.backingFormat());
        m.put("virtual-size", i.virtualSize());
        m.put("filename", i.filename());
        if (i.clusterSize() > 0) m.put("cluster-size", i.clusterSize());
        m.put("format", i.format());
        m.put("actual-size", i.actualSize());
        if (!i.formatSpecific().isEmpty()) {
            Map<String, Object> fs = new LinkedHashMap<>();
            fs.put("type", i.format());
            fs.put("data", i.formatSpecific());
            m.put("format-specific", fs);
        }
        if (i.backingFilename() != null) {
            m.put("full-backing-filename", i.fullBackingFilename());
            m.put("backing-filename", i.backingFilename());
        }
        m.put("dirty-flag", i.dirty() != null && i.dirty());
        return m;
    }

    private static void human(PrintStream out, ImageInfo i) {
        out.println("image: " + i.filename());
        out.println("file format: " + i.format());
        out.println("virtual size: " + Sizes.human(i.virtualSize()) + " (" + i.virtualSize() + " bytes)");
        out.println("disk size: " + Sizes.human(i.actualSize()));
        if (i.clusterSize() > 0) out.println("cluster_size: " + i.clusterSize());
        if (i.backingFilename() != null) {
            String line = "backing file: " + i.backingFilename();
            if (!i.backingFilename().equals(i.fullBackingFilename())) line += " (actual path: " + i.fullBackingFilename() + ")";
            out.println(line);
            if (i.backingFormat() != null) out.println("backing file format: " + i.backingFormat());
        }
        if (i.dirty() != null && i.dirty()) out.println("cleanly shut down: no");
        if (!i.snapshots().isEmpty()) {
            out.println("Snapshot list:");
            printSnapshots(out, i.snapshots());
        }
        if (!i.formatSpecific().isEmpty()) {
            out.println("Format specific information:");
            printTree(out, i.formatSpecific(), 1);
        }
    }

    /** qemu's human layout of nested values: "key: value", lists as "[i]:" items, 4 spaces a level. */
    private static void printTree(PrintStream out, Object v, int level) {
        String pad = "    ".repeat(level);
        if (v instanceof Map<?, ?> m) {
            for (Map.Entry<?, ?> e : m.entrySet()) {
                String key = String.valueOf(e.getKey()).replace('-', ' ');
                if (e.getValue() instanceof Map<?, ?> || e.getValue() instanceof List<?>) {
                    out.println(pad + key + ":");
                    printTree(out, e.getValue(), level + 1);
                } else {
                    out.println(pad + key + ": " + e.getValue());
                }
            }
        } else if (v instanceof List<?> l) {
            for (int k = 0; k < l.size(); k++) {
                Object x = l.get(k);
                if (x instanceof Map<?, ?> || x instanceof List<?>) {
                    out.println(pad + "[" + k + "]:");
                    printTree(out, x, level + 1);
                } else {
                    out.println(pad + "[" + k + "]: " + x);
                }
            }
        }
    }

    static void printSnapshots(PrintStream out, List<SnapshotInfo> snaps) {
        out.print(SnapshotTable.format(snaps, false));
    }
}
