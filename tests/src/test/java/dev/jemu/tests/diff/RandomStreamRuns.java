package dev.jemu.tests.diff;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.util.List;
import java.util.function.IntFunction;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.LongStream;

/**
 * What the random-stream differential tests ({@link A64RandomStreamTest}, {@link X86RandomStreamTest}) share: their
 * seed ranges, the QEMU and jemu runs of one generated program and the failure message, which names the first
 * differing line and lists the instructions of the chunk that printed it (its lines are labelled {@code cN.}).
 */
final class RandomStreamRuns {
    private static final Pattern CHUNK = Pattern.compile("c(\\d+)\\.");
    /** The interpreter alone, and the block compiler with every block compiled at its first entry. */
    static final List<String> MODES = List.of("-Djemu.jit=false", "-Djemu.jit.threshold=1");

    private RandomStreamRuns() {}

    /** Seeds 1-8, or {@code -D<property>=FIRST-LAST} for a wider search. */
    static LongStream seeds(String property) {
        String range = System.getProperty(property, "").strip();
        if (range.isEmpty()) return LongStream.rangeClosed(1, 8);
        String[] f = range.split("-");
        return LongStream.rangeClosed(Long.parseLong(f[0]), Long.parseLong(f[f.length - 1]));
    }

    /**
     * Builds {@code source} as NAME in the architecture's work directory, runs it under QEMU (which must pass on its
     * own) and under jemu in each of {@link #MODES}; every output must equal QEMU's. The outputs are kept as
     * NAME.qemu.out, NAME.jemu.out and NAME.jit.jemu.out; {@code listing} gives chunk N's instructions.
     */
    static void check(DiffArch arch, String name, String source, IntFunction<String> listing) {
        assumeTrue(Programs.toolchainPresent(arch), arch.as + "/" + arch.ld + " (binutils) not installed");
        assumeTrue(QemuReference.present(arch), arch.qemu + " not installed");
        var elf = Programs.buildGenerated(arch, name, source);
        ProcessRun ref = QemuReference.run(arch, name, elf);
        String expected = ref.stdoutText();
        DiffTest.save(arch, name + ".qemu.out", ref.stdout());
        assertTrue(ref.status() == 0 && expected.endsWith("END\n"),
                () -> name + " does not pass under QEMU itself (status " + ref.status() + ")\n" + ref.stderr());
        assumeTrue(JemuLauncher.available() && arch.jemuHasBoard(),
                "no jemu " + arch.architecture + " " + arch.board() + " board on the class path");
        for (String mode : MODES) {
            ProcessRun got = JemuLauncher.run(arch, elf, null, List.of(mode));
            DiffTest.save(arch, name + (mode.contains("threshold") ? ".jit" : "") + ".jemu.out", got.stdout());
            String diff = OutputDiff.describe(expected, got.stdoutText());
            if (diff == null && got.status() == ref.status()) continue;
            StringBuilder msg = new StringBuilder(name).append(" (").append(mode).append("): jemu differs from QEMU");
            if (got.timedOut()) msg.append(" (jemu timed out)");
            msg.append("\n  ").append(diff).append('\n');
            Matcher m = CHUNK.matcher(diff == null ? "" : diff);
            if (m.find()) msg.append(listing.apply(Integer.parseInt(m.group(1))));
            if (!got.stderr().isBlank()) msg.append("  jemu stderr: ").append(got.stderr().lines().limit(8).toList());
            fail(msg.toString());
        }
    }
}
