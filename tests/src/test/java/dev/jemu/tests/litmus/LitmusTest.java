package dev.jemu.tests.litmus;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.jemu.tests.diff.ProcessRun;
import dev.jemu.tests.diff.Tools;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.parallel.Execution;
import org.junit.jupiter.api.parallel.ExecutionMode;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Litmus tests of the RISC-V memory model (RVWMO) and of atomics on an SMP riscv64 {@code virt}: the bare-metal
 * program litmus/litmus.S (see its header) runs message passing, store buffering, CoRR and 2+2W with and without
 * fences, an LR/SC broken by another hart's store, and LR/SC and AMO counters updated by every hart, each many
 * times with a seeded random stagger, and prints the outcome histograms. The check, for QEMU 7.2 (MTTCG) and for
 * jemu with one host thread per hart and with one thread for all: outcomes RVWMO forbids never occur, and the
 * counters have exactly the values computed here. The histograms go to the test log, so relaxed outcomes (SB's
 * 00 without a fence) are visible. The jemu half is skipped, with jemu's own message, while jemu refuses
 * {@code -smp N}.
 */
@Tag("litmus")
@Execution(ExecutionMode.SAME_THREAD)   // the runs are themselves N busy threads: one at a time on small machines
class LitmusTest {
    private static final long SEED = 0x5eed_1e55L;

    /** Test name -> the outcome cells (r0 r1, or final x y) RVWMO allows; every other cell is a failure. */
    static final Map<String, Set<String>> ALLOWED = Map.of(
            "MP", Set.of("00", "01", "10", "11"),
            "MP+fence.w.w+fence.r.r", Set.of("00", "01", "11"),
            "SB", Set.of("00", "01", "10", "11"),
            "SB+fence.rw.rw", Set.of("01", "10", "11"),
            "CoRR", Set.of("00", "01", "02", "11", "12", "22"),
            "2+2W", Set.of("11", "12", "21", "22"),
            "2+2W+fence.w.w", Set.of("12", "21", "22"),
            "LR/SC-broken-by-store", Set.of("02"));

    @ParameterizedTest(name = "{0} -smp {1}")
    @CsvSource({"qemu, 2", "qemu, 4", "jemu-multi, 2", "jemu-multi, 4", "jemu-single, 2", "jemu-single, 4"})
    void forbiddenOutcomesNeverAndCountersExact(String emulator, int harts) {
        assumeTrue(LitmusProgram.toolchainPresent(), "riscv64-unknown-elf-as/-ld (binutils) not installed");
        boolean single = emulator.equals("jemu-single");
        // one host thread runs every hart in turns: each barrier costs a turn, so fewer iterations; so too with more
        // hart threads than host cores, where a hart spinning at a barrier may wait for its partner's thread to be
        // scheduled (-smp 4 on a 2-core host: 13-45 s at load 11, 108-140 s at load 18 with 5000 iterations)
        boolean overcommitted = harts > Runtime.getRuntime().availableProcessors();
        int iterations = single || overcommitted ? 1000 : 20_000 / harts;   // per pair of harts
        int counterIterations = single ? 5000 : 20_000;      // per hart
        Path elf = LitmusProgram.build(harts, iterations, counterIterations, SEED);

        ProcessRun run;
        if (emulator.equals("qemu")) {
            assumeTrue(Tools.onPath(LitmusProgram.QEMU), LitmusProgram.QEMU + " not installed");
            run = LitmusProgram.runQemu(elf, harts);
        } else {
            run = LitmusProgram.runJemu(elf, harts, single ? "single" : "multi");
            String refusal = LitmusProgram.smpRefusal(run);
            assumeTrue(refusal == null, () -> "jemu does not run -smp " + harts + " yet (" + refusal + "): not run");
        }
        String out = run.stdoutText();
        System.out.println("== " + emulator + " -smp " + harts + " (" + iterations + " iterations per pair, "
                + counterIterations + " counter updates per hart)\n" + out);
        if (run.timedOut()) fail(emulator + " -smp " + harts + " timed out; output so far:\n" + out + run.stderr());
        assertEquals(0, run.status(), () -> "exit status (a trap ends with 0x3333|cause<<16):\n" + out + run.stderr());
        assertTrue(out.endsWith("END\n"), () -> "no END:\n" + out);

        LitmusOutput result = LitmusOutput.parse(out);
        List<String> problems = new ArrayList<>();
        long pairs = harts / 2;
        for (var test : ALLOWED.entrySet()) {
            Map<String, Long> cells = result.histogram(test.getKey());
            if (cells == null) {
                problems.add(test.getKey() + ": no result line");
                continue;
            }
            long total = cells.values().stream().mapToLong(Long::longValue).sum();
            if (total != pairs * iterations) problems.add(test.getKey() + ": " + total + " outcomes, want " + pairs * iterations);
            cells.forEach((cell, n) -> {
                if (!test.getValue().contains(cell)) problems.add(test.getKey() + ": forbidden outcome " + cell + " seen " + n + " times");
            });
        }
        Counters.expected(harts, counterIterations).forEach((name, want) -> {
            Long got = result.count(name);
            if (got == null || got.longValue() != want) {
                problems.add(name + ": " + (got == null ? "missing" : Long.toUnsignedString(got)) + ", want " + Long.toUnsignedString(want));
            }
        });
        assertTrue(problems.isEmpty(), () -> emulator + " -smp " + harts + ":\n  " + String.join("\n  ", problems));
    }
}
