package dev.jemu.tests.diff;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Collectors;

/**
 * The project's accepted implementation choices (DIR/accepted-differences.txt): per program, output
 * labels whose lines are left out of the comparison.
 */
record AcceptedDifferences(Map<String, Set<String>> labels) {

    static AcceptedDifferences load(Path file) {
        Map<String, Set<String>> m = new TreeMap<>();
        if (Files.exists(file)) {
            List<String> lines;
            try {
                lines = Files.readAllLines(file);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            for (String line : lines) {
                String t = line.strip();
                if (t.isEmpty() || t.startsWith("#")) continue;
                String[] f = t.split("\\s+", 3);
                if (f.length < 3) {
                    throw new IllegalStateException(file.getFileName() + ": needs PROGRAM LABEL reason: " + line);
                }
                m.computeIfAbsent(f[0], k -> new TreeSet<>()).add(f[1]);
            }
        }
        return new AcceptedDifferences(m);
    }

    Set<String> labelsFor(String program) {
        return labels.getOrDefault(program, Set.of());
    }

    /** The output without the lines of accepted labels. */
    static String filter(String output, Set<String> labels) {
        if (labels.isEmpty()) return output;
        return output.lines()
                .filter(l -> labels.stream().noneMatch(lab -> l.startsWith(lab + "=")))
                .map(l -> l + "\n")
                .collect(Collectors.joining());
    }
}
