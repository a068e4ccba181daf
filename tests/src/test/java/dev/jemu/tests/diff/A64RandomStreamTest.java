package dev.jemu.tests.diff;

import java.util.stream.LongStream;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.parallel.Execution;
import org.junit.jupiter.api.parallel.ExecutionMode;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Seeded random A64 instruction streams ({@link A64StreamGenerator}: integer, scalar FP and AdvSIMD forms on
 * random registers, special FP values, random NZCV and FPCR) run under QEMU 7.2 and jemu on {@code -M virt
 * -cpu cortex-a57}, jemu once with the interpreter alone and once compiling every block at its first entry
 * ({@code -Djemu.jit.threshold=1}); every register printed after each chunk must be the same. The seeds are fixed, so a
 * failure is repeatable: the message names the seed, the first differing register and the chunk's
 * instructions (the program and the outputs are kept as target/difftest-aarch64/random-SEED.{S,qemu.out,jemu.out,jit.jemu.out}).
 * For a wider search: {@code -Djemu.a64.seeds=9-100}, and {@code -Djemu.a64.length=1} for chunks of one
 * instruction each (the same number of instructions), which pins every difference to its instruction; such a
 * program is 16,000 lines of output and thousands of blocks, which the threshold-1 JIT run compiles one by one
 * (about 10 s alone): add {@code -Djemu.diff.timeout=120}.
 */
@Tag("diff")
@Execution(ExecutionMode.CONCURRENT)
class A64RandomStreamTest {

    /** The fixed seeds, or {@code -Djemu.a64.seeds=FIRST-LAST} for a wider search. */
    static LongStream seeds() {
        return RandomStreamRuns.seeds("jemu.a64.seeds");
    }

    @ParameterizedTest(name = "seed {0}")
    @MethodSource("seeds")
    void matchesQemu(long seed) {
        int length = Integer.getInteger("jemu.a64.length", A64StreamGenerator.LENGTH);
        String source = new A64StreamGenerator(seed, A64StreamGenerator.CHUNKS * A64StreamGenerator.LENGTH / length,
                length, A64StreamGenerator.LENGTH / length).program();
        RandomStreamRuns.check(DiffArch.AARCH64, "random-" + seed, source, c -> chunkListing(source, c));
    }

    /** The random instructions of chunk {@code c} (between its register loads and its first print). */
    static String chunkListing(String source, int c) {
        int start = Math.max(source.indexOf("adr x16, data" + c + "\n"), source.indexOf("// chunk " + c + "\n"));
        int from = source.indexOf("// stream\n", start);
        int to = source.indexOf("PR c" + c + ".x0,", from);
        if (start < 0 || from < 0 || to < 0) return "";
        return "  chunk " + c + ":\n" + source.substring(source.indexOf(":\n", from) + 2, to);
    }
}
