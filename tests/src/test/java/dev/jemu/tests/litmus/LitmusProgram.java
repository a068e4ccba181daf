package dev.jemu.tests.litmus;

import dev.jemu.tests.JvmOptions;
import dev.jemu.tests.diff.ProcessRun;
import dev.jemu.tests.diff.Tools;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Builds litmus/litmus.S for a hart count and iteration counts (as DiffTest builds its programs: binutils'
 * riscv64-unknown-elf-as and -ld with riscv/link.ld) into target/litmus, and runs it under QEMU or jemu on
 * {@code -M virt -bios none -smp N}.
 */
final class LitmusProgram {
    static final String QEMU = "qemu-system-riscv64";
    private static final String AS = "riscv64-unknown-elf-as";
    private static final String LD = "riscv64-unknown-elf-ld";
    static final Duration TIMEOUT = Duration.ofSeconds(Long.getLong("jemu.litmus.timeout", 180));

    private LitmusProgram() {}

    static boolean toolchainPresent() {
        return Tools.onPath(AS) && Tools.onPath(LD);
    }

    static Path build(int harts, int iterations, int counterIterations, long seed) {
        Path source = resource("litmus/litmus.S");
        Path work = source.getParent().getParent().getParent().resolve("litmus");   // target/test-classes/litmus -> target/litmus
        String name = "litmus-" + harts + "-" + iterations + "-" + counterIterations;
        Path obj = work.resolve(name + ".o");
        Path elf = work.resolve(name + ".elf");
        try {
            Files.createDirectories(work);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        step(List.of(AS, "-march=rv64gc", "--defsym", "NHARTS=" + harts, "--defsym", "ITER=" + iterations,
                "--defsym", "ITER_C=" + counterIterations, "--defsym", "SEED=" + seed, "-o", obj.toString(), source.toString()));
        step(List.of(LD, "-T", resource("riscv/link.ld").toString(), "-o", elf.toString(), obj.toString()));
        return elf;
    }

    /** QEMU 7.2 with one host thread per hart (MTTCG, its default here; asked for explicitly). */
    static ProcessRun runQemu(Path elf, int harts) {
        List<String> cmd = new ArrayList<>(List.of(QEMU, "-accel", "tcg,thread=multi"));
        cmd.addAll(machine(elf, harts));
        return ProcessRun.run(cmd, TIMEOUT);
    }

    /** jemu's CLI in a fresh JVM (the test class path, the project's jvm.options), {@code -accel tcg,thread=THREAD}. */
    static ProcessRun runJemu(Path elf, int harts, String thread) {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.addAll(JvmOptions.read());
        cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), "dev.jemu.cli.Main", "-accel", "tcg,thread=" + thread));
        cmd.addAll(machine(elf, harts));
        return ProcessRun.run(cmd, TIMEOUT);
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

    private static void step(List<String> cmd) {
        ProcessRun r = ProcessRun.run(cmd, Duration.ofSeconds(60));
        if (r.status() != 0) throw new AssertionError("building litmus.S failed (" + cmd.getFirst() + "):\n" + r.stderr() + r.stdoutText());
    }

    private static Path resource(String name) {
        URL url = LitmusProgram.class.getClassLoader().getResource(name);
        if (url == null) throw new IllegalStateException("test resource " + name + " not found");
        try {
            return Path.of(url.toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }
}
