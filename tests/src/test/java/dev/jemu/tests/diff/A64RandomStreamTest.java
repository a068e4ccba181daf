package dev.jemu.tests.diff;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.util.regex.Matcher;
import java.util.stream.LongStream;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.parallel.Execution;
import org.junit.jupiter.api.parallel.ExecutionMode;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Seeded random A64 instruction streams ({@link A64StreamGenerator}: integer, scalar FP and AdvSIMD forms on
 * random registers, special FP values, random NZCV and FPCR) run under QEMU 7.2 and jemu on {@code -M virt
 * -cpu cortex-a57}; every register printed after each chunk must be the same. The seeds are fixed, so a
 * failure is repeatable: the message names the seed, the first differing register and the chunk's
 * instructions (the program and both outputs are kept as target/difftest-aarch64/random-SEED.{S,qemu.out,jemu.out}).
 * For a wider search: {@code -Djemu.a64.seeds=9-100}, and {@code -Djemu.a64.length=1} for chunks of one
 * instruction each (the same number of instructions), which pins every difference to its instruction.
 */
@Tag("diff")
@Execution(ExecutionMode.CONCURRENT)
class A64RandomStreamTest {
    private static final DiffArch ARCH = DiffArch.AARCH64;
    private static final Pattern CHUNK = Pattern.compile("c(\\d+)\\.");

    /** The fixed seeds, or {@code -Djemu.a64.seeds=FIRST-LAST} for a wider search. */
    static LongStream seeds() {
        String range = System.getProperty("jemu.a64.seeds", "").strip();
        if (range.isEmpty()) return LongStream.rangeClosed(1, 8);
        String[] f = range.split("-");
        return LongStream.rangeClosed(Long.parseLong(f[0]), Long.parseLong(f[f.length - 1]));
    }

    @ParameterizedTest(name = "seed {0}")
    @MethodSource("seeds")
    void matchesQemu(long seed) {
        assumeTrue(Programs.toolchainPresent(ARCH), ARCH.as + "/" + ARCH.ld + " (binutils) not installed");
        assumeTrue(QemuReference.present(ARCH), ARCH.qemu + " not installed");
        String name = "random-" + seed;
        int length = Integer.getInteger("jemu.a64.length", A64StreamGenerator.LENGTH);
        String source = new A64StreamGenerator(seed, A64StreamGenerator.CHUNKS * A64StreamGenerator.LENGTH / length,
                length, A64StreamGenerator.LENGTH / length).program();
        var elf = Programs.buildGenerated(ARCH, name, source);
        ProcessRun ref = QemuReference.run(ARCH, name, elf);
        String expected = ref.stdoutText();
        assertTrue(ref.status() == 0 && expected.endsWith("END\n"),
                () -> name + " does not pass under QEMU itself (status " + ref.status() + ")\n" + ref.stderr());
        assumeTrue(JemuLauncher.available() && ARCH.jemuHasBoard(), "no jemu aarch64 virt board on the class path");
        ProcessRun got = JemuLauncher.run(ARCH, elf, null);
        try {
            java.nio.file.Files.write(Programs.workDir(ARCH).resolve(name + ".qemu.out"), ref.stdout());
            java.nio.file.Files.write(Programs.workDir(ARCH).resolve(name + ".jemu.out"), got.stdout());
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        String diff = OutputDiff.describe(expected, got.stdoutText());
        if (diff != null || got.status() != ref.status()) {
            StringBuilder msg = new StringBuilder(name).append(": jemu differs from QEMU");
            if (got.timedOut()) msg.append(" (jemu timed out)");
            msg.append("\n  ").append(diff).append('\n');
            Matcher m = CHUNK.matcher(diff == null ? "" : diff);
            if (m.find()) msg.append(chunkListing(source, Integer.parseInt(m.group(1))));
            fail(msg.toString());
        }
    }

    /** The random instructions of chunk {@code c} (between its register loads and its first print). */
    static String chunkListing(String source, int c) {
        int start = Math.max(source.indexOf("adr x16, data" + c + "\n"), source.indexOf("// chunk " + c + "\n"));
        int from = source.indexOf("// stream\n", start);
        int to = source.indexOf("PR c" + c + ".x0,", from);
        if (start < 0 || from < 0 || to < 0) return "";
        return "  chunk " + c + ":\n" + source.substring(from + "// stream\n".length(), to);
    }
}
