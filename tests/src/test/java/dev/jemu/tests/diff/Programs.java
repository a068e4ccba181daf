package dev.jemu.tests.diff;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * The bare-metal test programs of an architecture (test resources {@code riscv/*.S}, {@code aarch64/*.S})
 * and their assembly with binutils ({@code riscv64-unknown-elf-as}/{@code -ld}, {@code aarch64-linux-gnu-as}/
 * {@code -ld}) into {@code target/<work dir>/NAME.elf}.
 */
final class Programs {
    private Programs() {}

    /** The directory holding the sources (copied by Maven to target/test-classes/DIR). */
    static Path sourceDir(DiffArch arch) {
        String common = arch.dir + "/common.inc";
        URL url = Programs.class.getClassLoader().getResource(common);
        if (url == null) throw new IllegalStateException("test resource " + common + " not found");
        try {
            return Paths.get(url.toURI()).getParent();
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Program names (file names without .S), sorted. */
    static List<String> names(DiffArch arch) {
        try (Stream<Path> files = Files.list(sourceDir(arch))) {
            return files.map(p -> p.getFileName().toString())
                    .filter(n -> n.endsWith(".S"))
                    .map(n -> n.substring(0, n.length() - 2))
                    .sorted()
                    .toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Where build products and run logs go: {@code <tests module>/target/difftest} (riscv64), {@code difftest-aarch64}. */
    static Path workDir(DiffArch arch) {
        // target/test-classes/riscv -> target/difftest
        Path dir = sourceDir(arch).getParent().getParent().resolve(arch.workDirName);
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return dir;
    }

    /**
     * The {@code -M} value a program asks for with a {@code // machine: VALUE} line among its leading comment
     * lines (e.g. {@code virt,gic-version=3}); null for the architecture's default machine.
     */
    static String machine(DiffArch arch, String name) {
        Path source = sourceDir(arch).resolve(name + ".S");
        if (!Files.exists(source)) return null; // a generated program
        try (Stream<String> lines = Files.lines(source)) {
            return lines.takeWhile(l -> l.startsWith("//"))
                    .map(l -> l.substring(2).strip())
                    .filter(l -> l.startsWith("machine:"))
                    .map(l -> l.substring("machine:".length()).strip())
                    .findFirst().orElse(null);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static boolean toolchainPresent(DiffArch arch) {
        return Tools.onPath(arch.as) && Tools.onPath(arch.ld);
    }

    /** Assembles and links one program; returns the ELF. Fails with the assembler's messages. */
    static Path build(DiffArch arch, String name) {
        return build(arch, name, sourceDir(arch).resolve(name + ".S"));
    }

    /** Assembles a generated program: {@code source} is written to the work directory as NAME.S first. */
    static Path buildGenerated(DiffArch arch, String name, String source) {
        Path file = workDir(arch).resolve(name + ".S");
        try {
            Files.writeString(file, source);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return build(arch, name, file);
    }

    private static Path build(DiffArch arch, String name, Path source) {
        Path src = sourceDir(arch);
        Path work = workDir(arch);
        Path obj = work.resolve(name + ".o");
        Path elf = work.resolve(name + ".elf");
        List<String> as = new ArrayList<>(List.of(arch.as));
        as.addAll(arch.asFlags);
        as.addAll(List.of("-I", src.toString(), "-o", obj.toString(), source.toString()));
        step(as, name);
        step(List.of(arch.ld, "-T", src.resolve("link.ld").toString(), "-o", elf.toString(), obj.toString()), name);
        return elf;
    }

    private static void step(List<String> cmd, String name) {
        ProcessRun r = ProcessRun.run(cmd, Duration.ofSeconds(60));
        if (r.status() != 0) {
            throw new AssertionError("building " + name + " failed (" + cmd.getFirst() + "):\n"
                    + r.stderr() + r.stdoutText());
        }
    }
}
