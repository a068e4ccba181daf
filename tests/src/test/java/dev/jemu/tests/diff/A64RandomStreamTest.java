package dev.jemu.tests.diff;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.parallel.Execution;
import org.junit.jupiter.api.parallel.ExecutionMode;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Seeded random A64 instruction streams ({@link A64StreamGenerator}: integer, scalar FP and AdvSIMD forms on
 * random registers, special FP values, random NZCV and FPCR) run under QEMU 7.2 and jemu on {@code -M virt
 * -cpu cortex-a57}; every register printed after each chunk must be the same. The seeds are fixed, so a
 * failure is repeatable: the message names the seed, the first differing register and the chunk's
 * instructions (the program is kept as target/difftest-aarch64/random-SEED.S).
 */
@Tag("diff")
@Execution(ExecutionMode.CONCURRENT)
class A64RandomStreamTest {
    private static final DiffArch ARCH = DiffArch.AARCH64;
    private static final Pattern CHUNK = Pattern.compile("c(\\d+)\\.");

    @ParameterizedTest(name = "seed {0}")
    @ValueSource(longs = {1, 2, 3, 4, 5, 6, 7, 8})
    void matchesQemu(long seed) {
        assumeTrue(Programs.toolchainPresent(ARCH), ARCH.as + "/" + ARCH.ld + " (binutils) not installed");
        assumeTrue(QemuReference.present(ARCH), ARCH.qemu + " not installed");
        String name = "random-" + seed;
        String source = new A64StreamGenerator(seed).program();
        var elf = Programs.buildGenerated(ARCH, name, source);
        ProcessRun ref = QemuReference.run(ARCH, name, elf);
        String expected = ref.stdoutText();
        assertTrue(ref.status() == 0 && expected.endsWith("END\n"),
                () -> name + " does not pass under QEMU itself (status " + ref.status() + ")\n" + ref.stderr());
        assumeTrue(JemuLauncher.available() && ARCH.jemuHasBoard(), "no jemu aarch64 virt board on the class path");
        ProcessRun got = JemuLauncher.run(ARCH, elf, null);
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
        int start = source.indexOf("adr x16, data" + c + "\n");
        int from = source.indexOf("add x20, x20, :lo12:buf\n", start);
        int to = source.indexOf("PR c" + c + ".x0,", from);
        if (start < 0 || from < 0 || to < 0) return "";
        return "  chunk " + c + ":\n" + source.substring(from + "add x20, x20, :lo12:buf\n".length(), to);
    }
}
