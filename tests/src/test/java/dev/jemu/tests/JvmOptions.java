package dev.jemu.tests;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** The project's {@code jvm.options}: the JVM options the launcher gives every jemu run, so tests run jemu alike. */
public final class JvmOptions {
    private JvmOptions() {
    }

    /** The options, found from the working directory upwards ({@code #} comments and blank lines dropped). */
    public static List<String> read() {
        return readFile(root().resolve("jvm.options"));
    }

    /**
     * The options for a jemu command line, as the launcher gives them: {@code jvm.options}, then
     * {@code jvm-<machine>.options} if the {@code -M}/{@code -machine} in {@code args} has one.
     */
    public static List<String> read(String... args) {
        List<String> all = new ArrayList<>(read());
        String machine = null;
        for (int i = 0; i + 1 < args.length; i++) {
            if (args[i].equals("-M") || args[i].equals("-machine") || args[i].equals("--machine")) {
                machine = args[i + 1].split(",", 2)[0].replaceFirst("^type=", "");
            }
        }
        if (machine != null && Files.isRegularFile(root().resolve("jvm-" + machine + ".options"))) {
            all.addAll(readFile(root().resolve("jvm-" + machine + ".options")));
        }
        return all;
    }

    private static Path root() {
        for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            if (Files.isRegularFile(dir.resolve("jvm.options"))) {
                return dir;
            }
        }
        throw new IllegalStateException("jvm.options not found above " + Path.of("").toAbsolutePath());
    }

    private static List<String> readFile(Path f) {
        try {
            return Files.readAllLines(f).stream().map(l -> l.replaceAll("#.*", "").strip())
                    .filter(l -> !l.isEmpty()).toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
