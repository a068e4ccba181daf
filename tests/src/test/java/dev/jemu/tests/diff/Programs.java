package dev.jemu.tests.diff;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;

/**
 * The bare-metal RISC-V test programs (test resources {@code riscv/*.S}) and their assembly with
 * binutils ({@code riscv64-unknown-elf-as}/{@code -ld}) into {@code target/difftest/NAME.elf}.
 */
final class Programs {
    static final String AS = "riscv64-unknown-elf-as";
    static final String LD = "riscv64-unknown-elf-ld";
    static final String MARCH = "rv64gc_zba_zbb_zbs";

    private Programs() {}

    /** The directory holding the sources (copied by Maven to target/test-classes/riscv). */
    static Path sourceDir() {
        URL url = Programs.class.getClassLoader().getResource("riscv/common.inc");
        if (url == null) throw new IllegalStateException("test resource riscv/common.inc not found");
        try {
            return Paths.get(url.toURI()).getParent();
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Program names (file names without .S), sorted. */
    static List<String> names() {
        try (Stream<Path> files = Files.list(sourceDir())) {
            return files.map(p -> p.getFileName().toString())
                    .filter(n -> n.endsWith(".S"))
                    .map(n -> n.substring(0, n.length() - 2))
                    .sorted()
                    .toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Where build products and run logs go: {@code <tests module>/target/difftest}. */
    static Path workDir() {
        // target/test-classes/riscv -> target/difftest
        Path dir = sourceDir().getParent().getParent().resolve("difftest");
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return dir;
    }

    static boolean toolchainPresent() {
        return Tools.onPath(AS) && Tools.onPath(LD);
    }

    /** Assembles and links one program; returns the ELF. Fails with the assembler's messages. */
    static Path build(String name) {
        Path src = sourceDir();
        Path work = workDir();
        Path obj = work.resolve(name + ".o");
        Path elf = work.resolve(name + ".elf");
        step(List.of(AS, "-march=" + MARCH, "-I", src.toString(), "-o", obj.toString(),
                src.resolve(name + ".S").toString()), name);
        step(List.of(LD, "-T", src.resolve("link.ld").toString(), "-o", elf.toString(), obj.toString()), name);
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
