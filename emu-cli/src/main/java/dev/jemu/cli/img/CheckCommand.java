package dev.jemu.cli.img;

import dev.jemu.devices.block.BlockDriver;
import dev.jemu.devices.block.CheckResult;
import dev.jemu.devices.block.ImageUse;
import dev.jemu.devices.block.OpenOptions;
import dev.jemu.devices.block.RepairMode;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.PrintStream;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;

/** check: metadata consistency (qemu-img check). Exit 0 clean, 2 corruptions, 3 leaks only, 1 failed, 63 unsupported. */
@Command(name = "check", description = "Check an image for consistency.")
final class CheckCommand implements Callable<Integer> {
    @Option(names = "-f", description = "image format (probed if absent)") String format;
    @Option(names = "--output", description = "human or json", defaultValue = "human") String output;
    @Option(names = "-r", description = "repair: leaks or all") String repair;
    @Option(names = "-q", description = "quiet") boolean quiet;
    @Option(names = {"-U", "--force-share"}, description = "open even if another process uses the image (no locks denied)") boolean forceShare;
    @Parameters(index = "0", paramLabel = "filename") String filename;

    @Override
    public Integer call() throws Exception {
        RepairMode mode = RepairMode.NONE;
        if (repair != null) {
            mode = switch (repair) {
                case "leaks" -> RepairMode.LEAKS;
                case "all" -> RepairMode.ALL;
                default -> throw new JemuImg.ExitCodeException(1, "Unknown option value for -r (expecting 'leaks' or 'all'): " + repair);
            };
        }
        PrintStream out = JemuImg.Context.OUT.get(), err = JemuImg.Context.ERR.get();
        // the chain too: a missing backing file fails (status 1), as in qemu-img
        OpenOptions o = (mode == RepairMode.NONE ? OpenOptions.readOnlyOpts() : OpenOptions.readWrite()).withForCheck(true)
                .withUse(mode == RepairMode.NONE ? ImageUse.read(forceShare) : ImageUse.write(false).withForceShare(forceShare));
        CheckResult r;
        try (BlockDriver d = Images.open(filename, format, o)) {
            try {
                r = d.check(mode);
            } catch (BlockDriver.CheckUnsupportedException e) {
                err.println("jemu-img: " + e.getMessage());
                return 63;
            }
        }
        if (output.equals("json")) {
            Map<String, Object> m = new LinkedHashMap<>();
            if (r.imageEndOffset() > 0) m.put("image-end-offset", r.imageEndOffset());
            if (r.allocatedClusters() > 0) m.put("total-clusters", r.totalClusters());
            m.put("check-errors", 0);
            if (r.leaks() > 0) m.put("leaks", r.leaks());
            if (r.corruptions() > 0) m.put("corruptions", r.corruptions());
            if (r.leaksFixed() > 0) m.put("leaks-fixed", r.leaksFixed());
            if (r.corruptionsFixed() > 0) m.put("corruptions-fixed", r.corruptionsFixed());
            if (r.allocatedClusters() > 0) m.put("allocated-clusters", r.allocatedClusters());
            if (r.fragmentedClusters() > 0) m.put("fragmented-clusters", r.fragmentedClusters());
            if (r.compressedClusters() > 0) m.put("compressed-clusters", r.compressedClusters());
            m.put("filename", r.filename());
            m.put("format", r.format());
            out.println(Json.write(m));
        } else if (!quiet) {
            for (String msg : r.messages()) err.println(msg);
            if (r.leaksFixed() > 0 || r.corruptionsFixed() > 0) {
                out.printf("The following inconsistencies were found and repaired:%n%n    %d leaked clusters%n    %d corruptions%n%nDouble checking the fixed image now...%n",
                        r.leaksFixed(), r.corruptionsFixed());
            }
            if (r.corruptions() == 0 && r.leaks() == 0) out.println("No errors were found on the image.");
            if (r.corruptions() > 0) {
                out.printf("%n%d errors were found on the image.%nData may be corrupted, or further writes to the image may corrupt it.%n", r.corruptions());
            }
            if (r.leaks() > 0) {
                out.printf("%n%d leaked clusters were found on the image.%nThis means waste of disk space, but no harm to data.%n", r.leaks());
            }
            if (r.totalClusters() > 0 && r.allocatedClusters() > 0) {
                out.printf(Locale.ROOT, "%d/%d = %.2f%% allocated, %.2f%% fragmented, %.2f%% compressed clusters%n",
                        r.allocatedClusters(), r.totalClusters(), 100.0 * r.allocatedClusters() / r.totalClusters(),
                        r.allocatedClusters() == 0 ? 0.0 : 100.0 * r.fragmentedClusters() / r.allocatedClusters(),
                        r.allocatedClusters() == 0 ? 0.0 : 100.0 * r.compressedClusters() / r.allocatedClusters());
            }
            out.println("Image end offset: " + r.imageEndOffset());
        }
        if (r.corruptions() > 0) return 2;
        if (r.leaks() > 0) return 3;
        return 0;
    }
}
