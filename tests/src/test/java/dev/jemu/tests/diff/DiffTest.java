package dev.jemu.tests.diff;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.parallel.Execution;
import org.junit.jupiter.api.parallel.ExecutionMode;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Differential test: each bare-metal program must give byte-identical UART output and the same exit
 * status under jemu as under QEMU 7.2, for each architecture of {@link DiffArch} (riscv64: resources riscv/,
 * aarch64: resources aarch64/). The QEMU run is also checked on its own (status 0, ends with "END"), so the
 * programs stay valid before jemu can run them; the jemu half is skipped while the CLI, or the
 * architecture's virt board, is not on the class path. Outputs are kept in target/WORKDIR/NAME.{qemu,jemu}.out.
 * Lines listed in DIR/accepted-differences.txt (accepted implementation choices) are not compared.
 */
@Tag("diff")
@Execution(ExecutionMode.CONCURRENT)
class DiffTest {

    static Stream<String> programs() {
        return Programs.names(DiffArch.RISCV64).stream();
    }

    static Stream<String> aarch64Programs() {
        return Programs.names(DiffArch.AARCH64).stream();
    }

    static Stream<String> x86Programs() {
        return Programs.names(DiffArch.X86_64).stream();
    }

    @ParameterizedTest(name = "x86_64 {0}")
    @MethodSource("x86Programs")
    void x86MatchesQemu(String name) {
        check(DiffArch.X86_64, name);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("programs")
    void matchesQemu(String name) {
        check(DiffArch.RISCV64, name);
    }

    @ParameterizedTest(name = "aarch64 {0}")
    @MethodSource("aarch64Programs")
    void aarch64MatchesQemu(String name) {
        check(DiffArch.AARCH64, name);
    }

    /**
     * The same programs with every block compiled at its first entry, so the aarch64 block compiler (ArmJit's
     * emitted ops, inline TLB and slow paths, exceptions inside blocks) runs them, not the interpreter.
     */
    @ParameterizedTest(name = "aarch64 jit {0}")
    @MethodSource("aarch64Programs")
    void aarch64CompiledMatchesQemu(String name) {
        check(DiffArch.AARCH64, name, List.of("-Djemu.jit.threshold=1"));
    }

    /**
     * The x86 programs with every block compiled at its first entry ({@code -Djemu.jit.threshold=1}), for the x86
     * block compiler; until it exists jemu ignores the switch and this is the interpreter again.
     */
    @ParameterizedTest(name = "x86_64 jit {0}")
    @MethodSource("x86Programs")
    void x86CompiledMatchesQemu(String name) {
        check(DiffArch.X86_64, name, List.of("-Djemu.jit.threshold=1"));
    }

    private static void check(DiffArch arch, String name) {
        check(arch, name, List.of());
    }

    private static void check(DiffArch arch, String name, List<String> jvmArgs) {
        assumeTrue(Programs.toolchainPresent(arch), arch.as + "/" + arch.ld + " (binutils) not installed");
        assumeTrue(QemuReference.present(arch), arch.qemu + " not installed");
        Path elf = Programs.build(arch, name);

        ProcessRun ref = QemuReference.run(arch, name, elf);
        save(arch, name + ".qemu.out", ref.stdout());
        String reference = ref.stdoutText();
        assertTrue(ref.status() == 0 && reference.endsWith("END\n"),
                () -> name + " does not pass under QEMU itself (status " + ref.status() + "):\n" + tail(reference)
                        + ref.stderr());
        String expected = reference;

        assumeTrue(JemuLauncher.available(), "jemu CLI (" + JemuLauncher.MAIN + ") not on the class path yet");
        assumeTrue(arch.jemuHasBoard(), "jemu has no " + arch.architecture + " " + arch.board() + " board yet (the CPU and board "
                + "branches are not merged): only the QEMU half of " + name + " ran");
        ProcessRun got = JemuLauncher.run(arch, elf, Programs.machine(arch, name), jvmArgs);
        save(arch, name + (jvmArgs.isEmpty() ? "" : ".jit") + ".jemu.out", got.stdout());
        String actual = got.stdoutText();
        var accepted = AcceptedDifferences.load(Programs.sourceDir(arch).resolve("accepted-differences.txt"))
                .labelsFor(name);
        if (!accepted.isEmpty()) {
            System.out.println(name + ": not comparing lines labelled " + accepted + " (accepted-differences.txt)");
            expected = AcceptedDifferences.filter(expected, accepted);
            actual = AcceptedDifferences.filter(actual, accepted);
        }
        String diff = OutputDiff.describe(expected, actual);
        if (diff != null || got.status() != ref.status()) {
            StringBuilder msg = new StringBuilder(name).append(": jemu differs from QEMU\n");
            if (got.timedOut()) msg.append("  jemu timed out after ").append(JemuLauncher.TIMEOUT.toSeconds()).append(" s\n");
            else if (got.status() != ref.status()) {
                msg.append("  exit status: qemu ").append(ref.status()).append(", jemu ").append(got.status()).append('\n');
            }
            if (diff != null) msg.append("  ").append(diff).append('\n');
            if (!got.stderr().isBlank()) msg.append("  jemu stderr: ").append(firstLines(got.stderr(), 8));
            fail(msg.toString());
        }
    }

    static void save(DiffArch arch, String file, byte[] data) {
        try {
            Files.write(Programs.workDir(arch).resolve(file), data);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String tail(String s) {
        var lines = s.lines().toList();
        return String.join("\n", lines.subList(Math.max(0, lines.size() - 10), lines.size())) + "\n";
    }

    private static String firstLines(String s, int n) {
        return String.join("\n", s.lines().limit(n).toList()) + "\n";
    }
}
