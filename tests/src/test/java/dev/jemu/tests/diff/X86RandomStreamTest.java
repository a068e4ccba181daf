package dev.jemu.tests.diff;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.parallel.Execution;
import org.junit.jupiter.api.parallel.ExecutionMode;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Seeded random x86-64 integer instruction streams ({@link X86StreamGenerator}) run under QEMU 7.2 (TCG) and jemu
 * on {@code -M microvm}, jemu once with the interpreter alone ({@code -Djemu.jit=false}) and once compiling every
 * block at its first entry ({@code -Djemu.jit.threshold=1}); every register, the defined flags and the buffer hash
 * printed after each chunk must be the same. The seeds are fixed, so a failure is repeatable: the message names
 * the seed, the first differing line and the chunk's instructions (the program and the outputs are kept as
 * target/difftest-x86/random-SEED.{S,qemu.out,jemu.out}). For a wider search: {@code -Djemu.x86.seeds=9-100};
 * {@code -Djemu.x86.length=N} makes chunks of N units (as many units in all), which narrows a difference down to
 * fewer instructions.
 */
@Tag("diff")
@Execution(ExecutionMode.CONCURRENT)
class X86RandomStreamTest {
    private static final DiffArch ARCH = DiffArch.X86_64;
    private static final Pattern CHUNK = Pattern.compile("c(\\d+)\\.");
    /** The interpreter alone, and the block compiler with every block compiled at its first entry. */
    private static final List<String> MODES = List.of("-Djemu.jit=false", "-Djemu.jit.threshold=1");

    /** The fixed seeds, or {@code -Djemu.x86.seeds=FIRST-LAST} for a wider search. */
    static LongStream seeds() {
        String range = System.getProperty("jemu.x86.seeds", "").strip();
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
        int length = Integer.getInteger("jemu.x86.length", X86StreamGenerator.LENGTH);
        String source = new X86StreamGenerator(seed, X86StreamGenerator.CHUNKS * X86StreamGenerator.LENGTH / length,
                length).program();
        var elf = Programs.buildGenerated(ARCH, name, source);
        ProcessRun ref = QemuReference.run(ARCH, name, elf);
        String expected = ref.stdoutText();
        save(name + ".qemu.out", ref.stdout());
        assertTrue(ref.status() == 0 && expected.endsWith("END\n"),
                () -> name + " does not pass under QEMU itself (status " + ref.status() + ")\n" + ref.stderr());
        assumeTrue(JemuLauncher.available() && ARCH.jemuHasBoard(), "no jemu x86_64 microvm board on the class path");
        for (String mode : MODES) {
            ProcessRun got = JemuLauncher.run(ARCH, elf, null, List.of(mode));
            save(name + (mode.contains("threshold") ? ".jit" : "") + ".jemu.out", got.stdout());
            compare(name + " (" + mode + ")", source, expected, ref, got);
        }
    }

    private static void save(String file, byte[] data) {
        try {
            Files.write(Programs.workDir(ARCH).resolve(file), data);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void compare(String name, String source, String expected, ProcessRun ref, ProcessRun got) {
        String diff = OutputDiff.describe(expected, got.stdoutText());
        if (diff != null || got.status() != ref.status()) {
            StringBuilder msg = new StringBuilder(name).append(": jemu differs from QEMU");
            if (got.timedOut()) msg.append(" (jemu timed out)");
            msg.append("\n  ").append(diff).append('\n');
            Matcher m = CHUNK.matcher(diff == null ? "" : diff);
            if (m.find()) msg.append(chunkListing(source, Integer.parseInt(m.group(1))));
            if (!got.stderr().isBlank()) msg.append("  jemu stderr: ").append(got.stderr().lines().limit(8).toList());
            fail(msg.toString());
        }
    }

    /** The random instructions of chunk {@code c} (from its stream label to its first print). */
    static String chunkListing(String source, int c) {
        int from = source.indexOf(".Ls" + c + ":\n");
        int to = source.indexOf("PR c" + c + ".rax,", from);
        if (from < 0 || to < 0) return "";
        return "  chunk " + c + ":\n" + source.substring(source.indexOf('\n', from) + 1, to);
    }
}
