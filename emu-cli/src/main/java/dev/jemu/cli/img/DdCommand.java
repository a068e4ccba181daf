package dev.jemu.cli.img;

import dev.jemu.devices.block.BlockDriver;
import dev.jemu.devices.block.BlockException;
import dev.jemu.devices.block.BlockFormats;
import dev.jemu.devices.block.CreateOptions;
import dev.jemu.devices.block.ImageUse;
import dev.jemu.devices.block.OpenOptions;
import dev.jemu.devices.block.Sizes;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;

/**
 * dd: copy part of an image into a new one, dd-style operands (qemu-img dd). As qemu-img counts: count
 * limits the input to count*bs bytes from its start, skip then starts the copy skip*bs bytes in, so the
 * output is count*bs - skip*bs long; every byte is written (no holes).
 */
@Command(name = "dd", description = "Copy an image with dd-like operands.")
final class DdCommand implements Callable<Integer> {
    @Option(names = "-f", description = "input format (probed if absent)") String inFormat;
    @Option(names = "-O", description = "output format (default raw)", defaultValue = "raw") String outFormat;
    @Option(names = {"-U", "--force-share"}, description = "open even if another process uses the image (no locks denied)") boolean forceShare;
    @Parameters(paramLabel = "operand") List<String> operands;

    @Override
    public Integer call() throws Exception {
        String in = null, out = null;
        long bs = 512, count = -1, skip = 0;
        for (String op : operands == null ? List.<String>of() : operands) {
            int eq = op.indexOf('=');
            String k = eq < 0 ? op : op.substring(0, eq), v = eq < 0 ? "" : op.substring(eq + 1);
            switch (k) {
                case "if" -> in = v;
                case "of" -> out = v;
                case "bs" -> {
                    bs = number(v);
                    if (bs <= 0 || bs > Integer.MAX_VALUE) bsError();
                }
                case "count" -> count = countOf(v, "count");
                case "skip" -> skip = countOf(v, "skip");
                default -> throw new JemuImg.ExitCodeException(1, "unrecognized operand " + k);
            }
        }
        if (in == null || out == null) throw new JemuImg.ExitCodeException(1, "Must specify both input and output files");
        try (BlockDriver src = Images.open(in, inFormat, OpenOptions.readOnlyOpts().withUse(ImageUse.readStable(forceShare)))) {
            long size = src.size();
            if (count >= 0 && count <= Long.MAX_VALUE / bs && size > count * bs) size = count * bs;
            long start = skip * bs, outSize = skip > Long.MAX_VALUE / bs || size < start ? 0 : size - start;
            if (outSize == 0 && skip > 0) JemuImg.Context.ERR.get().println("jemu-img: " + in + ": cannot skip to specified offset");
            BlockFormats.byName(outFormat).create(Path.of(out), outSize, CreateOptions.parse(""));
            try (BlockDriver dst = BlockFormats.open(Path.of(out), outFormat, OpenOptions.readWrite().withBarriers(false).withUse(ImageUse.write(false)))) {
                byte[] buf = new byte[(int) bs];
                for (long pos = start, o = 0; pos < size; ) {
                    int n = (int) Math.min(bs, size - pos);
                    src.read(pos, buf, 0, n);
                    dst.write(o, buf, 0, n);
                    pos += n;
                    o += n;
                }
            }
        }
        return 0;
    }

    private static long number(String v) throws Exception {
        try {
            return Sizes.parse(v);
        } catch (BlockException e) {
            bsError();
            return 0;
        }
    }

    private static void bsError() throws JemuImg.ExitCodeException {
        throw new JemuImg.ExitCodeException(1, "Invalid bs specified. You may use k, M, G, T, P or E suffixes for\n"
                + "jemu-img: kilobytes, megabytes, gigabytes, terabytes, petabytes and exabytes.");
    }

    private static long countOf(String v, String what) throws Exception {
        try {
            return Sizes.parse(v);
        } catch (BlockException e) {
            throw new JemuImg.ExitCodeException(1, "invalid number: '" + v + "'");
        }
    }
}
