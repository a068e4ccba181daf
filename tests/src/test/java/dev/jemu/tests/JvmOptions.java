package dev.jemu.tests;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** The project's {@code jvm.options}: the JVM options the launcher gives every jemu run, so tests run jemu alike. */
public final class JvmOptions {
    private JvmOptions() {
    }

    /** The options, found from the working directory upwards ({@code #} comments and blank lines dropped). */
    public static List<String> read() {
        for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            Path f = dir.resolve("jvm.options");
            if (Files.isRegularFile(f)) {
                try {
                    return Files.readAllLines(f).stream().map(l -> l.replaceAll("#.*", "").strip())
                            .filter(l -> !l.isEmpty()).toList();
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }
        }
        throw new IllegalStateException("jvm.options not found above " + Path.of("").toAbsolutePath());
    }
}
