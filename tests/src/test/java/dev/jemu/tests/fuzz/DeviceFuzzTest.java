package dev.jemu.tests.fuzz;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.jemu.core.machine.MachineType;
import dev.jemu.core.machine.Plugins;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.api.parallel.Isolated;

/**
 * The in-process device fuzzer over every board found through {@link Plugins}: per board, {@code
 * jemu.fuzz.seeds} seeds (50) of {@code jemu.fuzz.ops} operations (100,000) on every device window of its
 * address space; see {@link BoardFuzz} for the operations and the invariants checked after each seed. Across
 * seeds, live threads and the heap must not grow. A failing seed is printed with its last operations and
 * replays with {@code -Djemu.fuzz.seed=N -Djemu.fuzz.board=NAME} ({@code -Djemu.fuzz.trace=true} prints
 * every operation). {@code -Djemu.fuzz.seconds=S -Djemu.fuzz.firstSeed=N} makes a long run of fresh seeds
 * (scripts/fuzz-devices).
 */
@Tag("fuzz")
@Isolated // the live-thread and heap checks need the JVM to itself
class DeviceFuzzTest {
    @TempDir
    Path dir;

    @Test
    void everyDeviceOnEveryBoardSurvivesRegisterFuzzing() throws Exception {
        assumeTrue(FuzzImages.present(), FuzzImages.QEMU_IMG + " (Debian's qemu-utils) is not installed");
        int seeds = Integer.getInteger("jemu.fuzz.seeds", 50);
        int ops = Integer.getInteger("jemu.fuzz.ops", 100_000);
        String single = System.getProperty("jemu.fuzz.seed");
        long firstSeed = single != null ? Long.parseLong(single) : Long.getLong("jemu.fuzz.firstSeed", 1);
        if (single != null) {
            seeds = 1;
        }
        long seconds = Long.getLong("jemu.fuzz.seconds", 0);
        String only = System.getProperty("jemu.fuzz.board");
        boolean trace = Boolean.getBoolean("jemu.fuzz.trace");

        Path template = dir.resolve("template.qcow2");
        FuzzImages.create(template);
        List<MachineType> boards = Plugins.machines().stream()
                .filter(t -> only == null || only.equals(t.name()) || only.equals(BoardFuzz.boardName(t))).toList();
        assertFalse(boards.isEmpty(), "no board to fuzz" + (only != null ? " named " + only : ""));

        List<String> failures = new ArrayList<>();
        long started = System.nanoTime();
        StringBuilder report = new StringBuilder();
        for (int bi = 0; bi < boards.size(); bi++) {
            MachineType board = boards.get(bi);
            // a time budget is shared out evenly among the boards still to run
            long deadline = seconds > 0
                    ? System.nanoTime() + (started + seconds * 1_000_000_000L - System.nanoTime()) / (boards.size() - bi)
                    : Long.MAX_VALUE;
            Map<String, long[]> totals = new LinkedHashMap<>();
            long boardStart = System.nanoTime(), boardCpu = processCpuNanos();
            int baseThreads = -1, maxThreads = 0, done = 0;
            long baseHeap = -1, maxHeap = 0, growth = 0;
            int rebooted = 0;
            for (int i = 0; i < seeds && System.nanoTime() < deadline && failures.size() < 5; i++) {
                long seed = firstSeed + i;
                Path work = Files.createDirectories(dir.resolve(board.name() + "-" + seed));
                BoardFuzz.Result r = new BoardFuzz(board, seed, ops, work, template, trace).run();
                Files.delete(work);
                done++;
                growth += r.imageGrowth();
                rebooted += r.rebooted() ? 1 : 0;
                r.perWindow().forEach((w, c) -> {
                    long[] t = totals.computeIfAbsent(w, k -> new long[2]);
                    t[0] += c[0];
                    t[1] += c[1];
                });
                if (r.failure() != null) {
                    failures.add(r.failure());
                    System.out.println("FAILED " + r.failure());
                }
                int threads = ManagementFactory.getThreadMXBean().getThreadCount();
                if (i == 0 || i % 10 == 9) {
                    System.gc();
                    long heap = Runtime.getRuntime().totalMemory() - Runtime.getRuntime().freeMemory();
                    if (baseHeap < 0) {
                        baseHeap = heap;
                    }
                    maxHeap = Math.max(maxHeap, heap);
                    if (heap > baseHeap + (64 << 20)) {
                        failures.add(String.format("%s seed %d: heap grew from %d to %d MiB across seeds",
                                r.board(), seed, baseHeap >> 20, heap >> 20));
                    }
                }
                if (baseThreads < 0) {
                    baseThreads = threads;
                }
                maxThreads = Math.max(maxThreads, threads);
                if (threads > baseThreads + 4) {
                    failures.add(String.format("%s seed %d: %d live threads, %d after the first seed",
                            r.board(), seed, threads, baseThreads));
                }
            }
            long ms = (System.nanoTime() - boardStart) / 1_000_000, cpuMs = (processCpuNanos() - boardCpu) / 1_000_000;
            report.append(String.format("%s: %d seeds (from %d) of %d operations per device window, %.1f s (CPU %.1f s); "
                            + "threads %d..%d, heap after GC %d..%d MiB; the guests' requests grew the images by "
                            + "%d KiB; %d seeds overwrote their heartbeat program by DMA and were reset before the "
                            + "heartbeat check%n", BoardFuzz.boardName(board), done, firstSeed, ops, ms / 1000.0, cpuMs / 1000.0,
                    baseThreads, maxThreads, baseHeap >> 20, maxHeap >> 20, growth >> 10, rebooted));
            long all = 0;
            for (Map.Entry<String, long[]> e : totals.entrySet()) {
                report.append(String.format("  %-24s %,14d operations %,12d access faults%n", e.getKey(),
                        e.getValue()[0], e.getValue()[1]));
                all += e.getValue()[0];
                assertEquals((long) done * ops, e.getValue()[0], e.getKey());
            }
            report.append(String.format("  %-24s %,14d operations, %d failures%n", "total", all, failures.size()));
        }
        System.out.print(report);
        String out = System.getProperty("jemu.fuzz.report");
        if (out != null) {
            Files.writeString(Path.of(out), report + String.join("\n", failures));
        }
        assertTrue(failures.isEmpty(), () -> failures.size() + " failing seeds:\n" + String.join("\n", failures));
    }

    /** This process's CPU time (every thread): what a board's seeds cost, less noisy than wall time on a busy host. */
    private static long processCpuNanos() {
        return ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os
                ? os.getProcessCpuTime() : 0;
    }
}
