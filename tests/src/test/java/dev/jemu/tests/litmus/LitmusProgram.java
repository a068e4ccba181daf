package dev.jemu.tests.litmus;

import dev.jemu.tests.JemuProcess;
import dev.jemu.tests.RiscvAssembler;
import dev.jemu.tests.diff.ProcessRun;
import dev.jemu.tests.diff.Tools;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Builds litmus/litmus.S for a hart count and iteration counts ({@link RiscvAssembler}, with riscv/link.ld) into
 * target/litmus, and runs it under QEMU or jemu on {@code -M virt -bios none -smp N}.
 */
final class LitmusProgram {
    static final String QEMU = "qemu-system-riscv64";
    static final Duration TIMEOUT = Duration.ofSeconds(Long.getLong("jemu.litmus.timeout", 180));

    private LitmusProgram() {}

    static boolean toolchainPresent() {
        return Tools.onPath(RiscvAssembler.AS) && Tools.onPath(RiscvAssembler.LD);
    }

    static Path build(int harts, int iterations, int counterIterations, long seed) {
        return RiscvAssembler.assemble("litmus/litmus.S", "litmus-" + harts + "-" + iterations + "-" + counterIterations + ".elf",
                List.of("--defsym", "NHARTS=" + harts, "--defsym", "ITER=" + iterations,
                        "--defsym", "ITER_C=" + counterIterations, "--defsym", "SEED=" + seed),
                RiscvAssembler.linkScript());
    }

    /** QEMU 7.2 with one host thread per hart (MTTCG, its default here; asked for explicitly). */
    static ProcessRun runQemu(Path elf, int harts) {
        List<String> cmd = new ArrayList<>(List.of(QEMU, "-accel", "tcg,thread=multi"));
        cmd.addAll(machine(elf, harts));
        return ProcessRun.run(cmd, TIMEOUT);
    }

    /** jemu's CLI as the launcher runs it ({@link JemuProcess#command}), {@code -accel tcg,thread=THREAD}. */
    static ProcessRun runJemu(Path elf, int harts, String thread) {
        List<String> args = new ArrayList<>(List.of("-accel", "tcg,thread=" + thread));
        args.addAll(machine(elf, harts));
        return ProcessRun.run(JemuProcess.command(args.toArray(String[]::new)), TIMEOUT);
    }

    /** jemu's one-line refusal of {@code -smp N} (or of thread=multi), or null when it ran the program. */
    static String smpRefusal(ProcessRun run) {
        if (run.status() != 1 || run.stdout().length > 0) return null;
        String line = run.stderr().strip();
        return line.startsWith("jemu: ") && !line.contains("\n") && (line.contains("-smp") || line.contains("thread")) ? line : null;
    }

    private static List<String> machine(Path elf, int harts) {
        return List.of("-M", "virt", "-smp", Integer.toString(harts), "-bios", "none", "-kernel", elf.toString(),
                "-nographic", "-m", "128M");
    }
}
