package dev.jemu.tests.diff;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;

/** Host tool lookup. */
public final class Tools {
    private Tools() {}

    public static boolean onPath(String exe) {
        String path = System.getenv("PATH");
        if (path == null) return false;
        for (String dir : path.split(File.pathSeparator)) {
            if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, exe))) return true;
        }
        return false;
    }
}
