package dev.jemu.tests;

import java.io.IOException;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Builds the riscv64 test programs: a test resource {@code DIR/NAME.S} assembled with binutils'
 * {@code riscv64-unknown-elf-as -march=rv64gc} and linked with {@code riscv64-unknown-elf-ld} into
 * {@code target/DIR}. Skips the test without binutils (fails it under CI).
 */
public final class RiscvAssembler {
    public static final String AS = "riscv64-unknown-elf-as", LD = "riscv64-unknown-elf-ld";

    private RiscvAssembler() {
    }

    /** {@code DIR/NAME.S} linked with riscv/link.ld (symbols kept) into target/DIR/NAME.elf. */
    public static Path assemble(String resource) {
        String name = Path.of(resource).getFileName().toString().replaceFirst("\\.S$", "");
        return assemble(resource, name + ".elf", List.of(), linkScript());
    }

    /** The ld options of the bare-metal programs: riscv/link.ld (at virt's RAM base). */
    public static List<String> linkScript() {
        return List.of("-T", resource("riscv/link.ld").toString());
    }

    /**
     * {@code resource} assembled with {@code asOptions} and linked with {@code ldOptions} into
     * target/DIR/{@code output} (the object file next to it).
     */
    public static Path assemble(String resource, String output, List<String> asOptions, List<String> ldOptions) {
        MonitorVm.need(AS);
        MonitorVm.need(LD);
        Path src = resource(resource);
        Path work = src.getParent().getParent().getParent().resolve(src.getParent().getFileName()); // target/DIR
        Path elf = work.resolve(output);
        Path obj = work.resolve(output.replaceFirst("\\.elf$", "") + ".o");
        try {
            Files.createDirectories(work);
        } catch (IOException e) {
            throw new AssertionError("building " + resource + ": " + e, e);
        }
        List<String> as = new ArrayList<>(List.of(AS, "-march=rv64gc"));
        as.addAll(asOptions);
        as.addAll(List.of("-o", obj.toString(), src.toString()));
        run(as);
        List<String> ld = new ArrayList<>(List.of(LD));
        ld.addAll(ldOptions);
        ld.addAll(List.of("-o", elf.toString(), obj.toString()));
        run(ld);
        return elf;
    }

    /** Runs one build step; fails with the tool's output unless it exits 0. */
    public static void run(List<String> cmd) {
        try {
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            String text = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (p.waitFor() != 0) {
                throw new AssertionError(String.join(" ", cmd) + " failed:\n" + text);
            }
        } catch (IOException | InterruptedException e) {
            throw new AssertionError(String.join(" ", cmd) + ": " + e, e);
        }
    }

    private static Path resource(String name) {
        URL url = RiscvAssembler.class.getClassLoader().getResource(name);
        if (url == null) {
            throw new IllegalStateException("test resource " + name + " not found");
        }
        try {
            return Path.of(url.toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }
}
