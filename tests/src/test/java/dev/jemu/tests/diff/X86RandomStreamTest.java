package dev.jemu.tests.diff;

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
 * printed after each chunk must be the same ({@link RandomStreamRuns}). The seeds are fixed, so a failure is
 * repeatable: the message names the seed, the first differing line and the chunk's instructions (the program and
 * the outputs are kept as target/difftest-x86/random-SEED.{S,qemu.out,jemu.out,jit.jemu.out}). For a wider search:
 * {@code -Djemu.x86.seeds=9-100}; {@code -Djemu.x86.length=N} makes chunks of N units (as many units in all, each
 * chunk with fresh values), which narrows a difference down to fewer instructions.
 */
@Tag("diff")
@Execution(ExecutionMode.CONCURRENT)
class X86RandomStreamTest {

    static LongStream seeds() {
        return RandomStreamRuns.seeds("jemu.x86.seeds");
    }

    @ParameterizedTest(name = "seed {0}")
    @MethodSource("seeds")
    void matchesQemu(long seed) {
        int length = Integer.getInteger("jemu.x86.length", X86StreamGenerator.LENGTH);
        String source = new X86StreamGenerator(seed, X86StreamGenerator.CHUNKS * X86StreamGenerator.LENGTH / length,
                length).program();
        RandomStreamRuns.check(DiffArch.X86_64, "random-" + seed, source, c -> chunkListing(source, c));
    }

    /** The random instructions of chunk {@code c} (from its stream label to its first print). */
    static String chunkListing(String source, int c) {
        int from = source.indexOf(".Ls" + c + ":\n");
        int to = source.indexOf("PR c" + c + ".rax,", from);
        if (from < 0 || to < 0) return "";
        return "  chunk " + c + ":\n" + source.substring(source.indexOf('\n', from) + 1, to);
    }
}
