package dev.jemu.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.jemu.cli.AotTraining;
import java.io.File;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The {@code ./jemu} launcher's ahead-of-time cache. The launcher is run as users run it, from a copy of the
 * project's layout in a temporary directory (the script, jvm*.options, emu-cli/target with jemu's modules as jars,
 * since an AOT cache takes only jars), with {@code JEMU_NO_BUILD=1}: the first start makes the cache by the
 * training run, the second maps jemu's classes from it, and the guest prints the same either way, with nothing on
 * stderr, also where the JVM options differ from the training's (microvm's C2, a heap layout the cache cannot use).
 */
class LauncherAotCacheTest {
    private static final String PROBE_OUT = "J\n";
    private static Path root;
    private static Path cache;
    private static Run first;

    record Run(int status, String out, String err) {
        void assertProbeRan() {
            assertEquals(0, status, this::toString);
            assertEquals(PROBE_OUT, out, this::toString);
            assertEquals("", err, this::toString);
        }
    }

    @BeforeAll
    static void firstStartMakesTheCache() throws Exception {
        root = Files.createTempDirectory("jemu-launcher-");
        Path project = projectRoot();
        Files.copy(project.resolve("jemu"), root.resolve("jemu"));
        Files.setPosixFilePermissions(root.resolve("jemu"), PosixFilePermissions.fromString("rwxr-xr-x"));
        try (Stream<Path> opts = Files.list(project)) {
            for (Path o : opts.filter(p -> p.getFileName().toString().matches("jvm.*\\.options")).toList()) {
                Files.copy(o, root.resolve(o.getFileName()));
            }
        }
        Path target = Files.createDirectories(root.resolve("emu-cli/target"));
        Path lib = Files.createDirectories(target.resolve("lib"));
        for (String entry : System.getProperty("java.class.path").split(File.pathSeparator)) {
            Path p = Path.of(entry);
            if (Files.isDirectory(p) && p.endsWith(Path.of("target", "classes"))) {
                String module = p.getParent().getParent().getFileName().toString();
                jar(p, module.equals("emu-cli") ? target.resolve("emu-cli-test.jar") : lib.resolve(module + ".jar"));
            } else if (entry.endsWith(".jar") && Files.isRegularFile(p)) {
                // emu-cli's own jar (when the modules come from a repository, not the reactor) beside lib/, as built
                Path link = p.getFileName().toString().startsWith("emu-cli-") ? target.resolve(p.getFileName())
                        : lib.resolve(p.getFileName());
                if (!Files.exists(link)) {
                    Files.createSymbolicLink(link, p);
                }
            }
        }
        cache = target.resolve("jemu.aot");
        first = launch(probe("riscv64"), Map.of());
    }

    @AfterAll
    static void removeCopy() throws IOException {
        if (root != null) {
            try (Stream<Path> all = Files.walk(root)) {
                for (Path p : all.sorted((a, b) -> b.compareTo(a)).toList()) {
                    Files.deleteIfExists(p);
                }
            }
        }
    }

    @Test
    void secondStartMapsJemusClassesFromTheCache() throws Exception {
        first.assertProbeRan();
        assertTrue(Files.size(cache) > 1 << 20, "the training made no cache: " + cache);
        assertFalse(Files.exists(root.resolve("emu-cli/target/jemu.aot.failed")), "the training failed");

        Path log = root.resolve("class-load.log");
        Run second = launch(probe("riscv64"), Map.of("JEMU_JAVA_OPTS", "-Xlog:class+load:file=" + log));
        second.assertProbeRan();
        List<String> loads = Files.readAllLines(log);
        for (String cls : List.of("dev.jemu.cli.Main", "dev.jemu.riscv.cpu.Hart", "dev.jemu.riscv.virt.VirtMachine")) {
            // the static archive: the AOT cache ("shared objects file (top)" would be the dynamic archive)
            assertTrue(loads.stream().anyMatch(l -> l.endsWith(" " + cls + " source: shared objects file")),
                    cls + " not from the AOT cache: "
                            + loads.stream().filter(l -> l.contains(" " + cls + " ")).findFirst().orElse("none"));
        }

        // JEMU_NO_AOT=1: the same guest output, jemu's classes parsed from the jars
        Files.deleteIfExists(log);
        Run plain = launch(probe("riscv64"), Map.of("JEMU_NO_AOT", "1", "JEMU_NO_CDS", "1",
                "JEMU_JAVA_OPTS", "-Xlog:class+load:file=" + log));
        plain.assertProbeRan();
        assertFalse(Files.readString(log).contains(" dev.jemu.cli.Main source: shared objects file"),
                "JEMU_NO_AOT=1 JEMU_NO_CDS=1 still mapped jemu's classes");
    }

    @Test
    void optionsOtherThanTheTrainingsStartSilently() throws Exception {
        first.assertProbeRan();
        assertTrue(Files.exists(cache), "no cache");
        launch(probe("x86_64"), Map.of()).assertProbeRan();      // jvm-microvm.options: C2 on
        launch(probe("aarch64"), Map.of()).assertProbeRan();
        // a heap layout the cache was not made for: the JVM starts without it, and says nothing
        launch(probe("riscv64"), Map.of("JEMU_JAVA_OPTS", "-XX:-UseCompressedOops")).assertProbeRan();
    }

    /** A cache keeps the training's compilation levels, so one made with other JVM options is made again. */
    @Test
    void changedJvmOptionsMakeANewCache() throws Exception {
        first.assertProbeRan();
        FileTime made = Files.getLastModifiedTime(cache);
        Files.setLastModifiedTime(root.resolve("jvm.options"), FileTime.fromMillis(made.toMillis() + 1000));
        launch(probe("riscv64"), Map.of()).assertProbeRan();
        assertTrue(Files.getLastModifiedTime(cache).compareTo(made) > 0, "the cache was not made again");
    }

    /** AotTraining's probe images are benchmarks/startup/ARCH.S as committed (assembled again here). */
    @Test
    void trainingProbesAreTheBenchmarkSources() throws Exception {
        Map<String, List<List<String>>> tools = Map.of(
                "riscv64", List.of(List.of("riscv64-unknown-elf-as", "-march=rv64gc"),
                        List.of("riscv64-unknown-elf-objcopy", "-O", "binary")),
                "aarch64", List.of(List.of("aarch64-linux-gnu-as"),
                        List.of("aarch64-linux-gnu-objcopy", "-O", "binary")),
                "x86_64", List.of(List.of("as", "--32"), List.of("objcopy", "-O", "binary", "-j", ".text")));
        for (AotTraining.Probe p : AotTraining.PROBES) {
            List<List<String>> t = tools.get(p.name());
            assumeTrue(onPath(t.get(0).get(0)) && onPath(t.get(1).get(0)), t.get(0).get(0) + " not installed");
            Path obj = root.resolve(p.name() + ".o");
            Path bin = root.resolve(p.name() + ".raw");
            List<String> as = new ArrayList<>(t.get(0));
            as.addAll(List.of("--defsym=LOOPS=100000", "-o", obj.toString(),
                    projectRoot().resolve("benchmarks/startup/" + p.name() + ".S").toString()));
            exec(as);
            List<String> objcopy = new ArrayList<>(t.get(1));
            objcopy.addAll(List.of(obj.toString(), bin.toString()));
            exec(objcopy);
            assertEquals(HexFormat.of().formatHex(Files.readAllBytes(bin)), p.hex(),
                    "AotTraining's " + p.name() + " probe differs from benchmarks/startup/" + p.name() + ".S");
        }
    }

    private static Path probe(String name) throws IOException {
        Path image = root.resolve(name + ".bin");
        if (!Files.exists(image)) {
            Files.write(image, HexFormat.of().parseHex(spec(name).hex()));
        }
        return image;
    }

    private static AotTraining.Probe spec(String name) {
        return AotTraining.PROBES.stream().filter(x -> x.name().equals(name)).findFirst().orElseThrow();
    }

    /** The launcher with the probe's command line (AotTraining's), stdin empty, the environment plus {@code env}. */
    private static Run launch(Path image, Map<String, String> env) throws Exception {
        AotTraining.Probe p = spec(image.getFileName().toString().replace(".bin", ""));
        List<String> cmd = new ArrayList<>(List.of(root.resolve("jemu").toString()));
        p.args().forEach(a -> cmd.add(a.equals("IMAGE") ? image.toString() : a));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
        pb.environment().keySet().removeIf(k -> k.startsWith("JEMU_"));
        pb.environment().put("JEMU_NO_BUILD", "1");
        pb.environment().put("TMPDIR", Files.createDirectories(root.resolve("tmp")).toString());  // the launcher's lock
        pb.environment().putAll(env);
        Process proc = pb.start();
        JemuProcess.Collector out = new JemuProcess.Collector(proc.getInputStream());
        JemuProcess.Collector err = new JemuProcess.Collector(proc.getErrorStream());
        if (!proc.waitFor(300, TimeUnit.SECONDS)) {
            proc.destroyForcibly();
            throw new AssertionError("launcher did not end within 300 s: " + cmd);
        }
        return new Run(proc.exitValue(), out.text(), err.text());
    }

    private static void exec(List<String> cmd) throws Exception {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String text = new String(p.getInputStream().readAllBytes());
        assertEquals(0, p.waitFor(), cmd + ": " + text);
    }

    private static boolean onPath(String tool) {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
            if (Files.isExecutable(Path.of(dir, tool))) {
                return true;
            }
        }
        return false;
    }

    private static Path projectRoot() {
        for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            if (Files.isRegularFile(dir.resolve("jvm.options")) && Files.isRegularFile(dir.resolve("jemu"))) {
                return dir;
            }
        }
        throw new IllegalStateException("the project root (jvm.options, jemu) not found above "
                + Path.of("").toAbsolutePath());
    }

    /** A jar of a class directory (the AOT cache maps classes from jars only). */
    private static void jar(Path dir, Path jar) throws IOException {
        try (OutputStream f = Files.newOutputStream(jar); ZipOutputStream z = new ZipOutputStream(f);
             Stream<Path> files = Files.walk(dir)) {
            for (Path p : files.filter(Files::isRegularFile).sorted().toList()) {
                z.putNextEntry(new ZipEntry(dir.relativize(p).toString().replace(File.separatorChar, '/')));
                Files.copy(p, z);
                z.closeEntry();
            }
        }
    }
}
