package dev.jemu.cli;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

/**
 * The training run of the launcher's ahead-of-time cache (JDK 25, JEP 483/514): {@code ./jemu} runs this once
 * after a build under {@code -XX:AOTCacheOutput=}, and the JVM keeps the classes it loaded and linked for every
 * later start. It runs, in this one JVM, the start-up probe of each board (benchmarks/startup/ARCH.S: one UART
 * byte, a short load/store loop, power-off) the way a user starts a kernel (riscv64 and arm64 {@code -kernel}
 * with the board's default boot, x86 microvm {@code -bios none}), so the cache holds the command line, the boards,
 * CPUs, devices, device-tree and loader classes, and the riscv64/arm64 JITs' code generation (the loop runs past
 * both JIT thresholds). Exit status 0 only if every probe printed {@code J\n} and powered off with status 0; the
 * launcher keeps the cache only then.
 */
public final class AotTraining {
    /** Passes of the probes' loop: past riscv64's and arm64's JIT thresholds (30000 and 2000 block entries). */
    static final int LOOPS = 100_000;

    /** A probe: its raw image and the command line that runs it ({@code IMAGE} is replaced by the file). */
    public record Probe(String name, String hex, List<String> args) {
    }

    /**
     * The probes as raw images, assembled from benchmarks/startup/ARCH.S with {@code --defsym=LOOPS=100000} and
     * {@code objcopy -O binary} (LauncherAotCacheTest assembles them again and compares).
     */
    public static final List<Probe> PROBES = List.of(
            new Probe("riscv64",
                    "b70200101303a00423806200e1639b83036a056e1b0e1e80520e814e638b0300033f0e001e9fb3ceee012330"
                            + "ee01fd13f5b7294323806200b702100015631b03535523a0620001a0",
                    List.of("-M", "virt", "-m", "128M", "-nographic", "-kernel", "IMAGE")),
            new Probe("aarch64",
                    "0020a1d24109805201000039220200580302a8d2040080d2e20000b4650040f9a500028b840005ca650000f942"
                            + "0400d1faffff1741018052010000390080b0d2000180f2020000d40000001400000000a086010000000000",
                    List.of("-M", "virt", "-cpu", "cortex-a57", "-m", "128M", "-nographic", "-kernel", "IMAGE")),
            new Probe("x86_64",
                    "66baf803b04aeeb9a0860100bb0000200031f6e30b8b0301c831c6890349ebf3b00aeec6050002a0fe34f4ebfd",
                    List.of("-M", "microvm", "-bios", "none", "-m", "128M", "-nographic", "-kernel", "IMAGE")));

    private AotTraining() {
    }

    public static void main(String[] args) throws IOException {
        Path dir = Files.createTempDirectory("jemu-aot-training-");
        int failed = 0;
        try {
            for (Probe p : PROBES) {
                Path image = Files.write(dir.resolve(p.name() + ".bin"), HexFormat.of().parseHex(p.hex()));
                String problem = run(p, image);
                if (problem != null) {
                    System.err.println("jemu: AOT training: " + p.name() + ": " + problem);
                    failed++;
                }
            }
        } finally {
            try (var files = Files.list(dir)) {
                for (Path f : files.toList()) {
                    Files.deleteIfExists(f);
                }
            }
            Files.deleteIfExists(dir);
        }
        System.exit(failed == 0 ? 0 : 1);
    }

    /** Runs one probe in this JVM; null when it printed {@code J\n} and powered off with status 0. */
    static String run(Probe p, Path image) {
        List<String> cmd = new ArrayList<>();
        for (String a : p.args()) {
            cmd.add(a.equals("IMAGE") ? image.toString() : a);
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int status = Main.run(cmd.toArray(String[]::new), new HostIo(InputStream.nullInputStream(), out,
                new PrintStream(err, true, StandardCharsets.UTF_8), false));
        String text = out.toString(StandardCharsets.UTF_8);
        return status == 0 && text.equals("J\n") ? null
                : "status " + status + ", output " + text.strip() + " " + err.toString(StandardCharsets.UTF_8).strip();
    }
}
