package dev.jemu.tests.fuzz;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** The fuzzed boards' disks: qcow2 images made and checked by Debian's qemu-img (QEMU's own tool). */
final class FuzzImages {
    static final String QEMU_IMG = "/usr/bin/qemu-img";
    /** Small, so that requests at the end and past it are common. */
    static final long SIZE = 2 << 20;

    private FuzzImages() {
    }

    static boolean present() {
        return Files.isExecutable(Path.of(QEMU_IMG));
    }

    /** A fresh empty qcow2 image of {@link #SIZE} bytes. */
    static void create(Path image) throws IOException {
        String out = run(QEMU_IMG, "create", "-q", "-f", "qcow2", image.toString(), Long.toString(SIZE));
        if (out != null) {
            throw new IOException("qemu-img create failed: " + out);
        }
    }

    /** Null when {@code qemu-img check} finds the image clean, else its report. */
    static String check(Path image) throws IOException {
        return run(QEMU_IMG, "check", "-f", "qcow2", image.toString());
    }

    /** Runs a command; null when it succeeds, else its status and output. */
    /** Removes a directory and everything below it (links are removed, never followed). */
    static void deleteTree(java.nio.file.Path root) throws IOException {
        if (!java.nio.file.Files.exists(root, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        try (java.util.stream.Stream<java.nio.file.Path> all = java.nio.file.Files.walk(root)) {
            for (java.nio.file.Path p : all.sorted(java.util.Comparator.reverseOrder()).toList()) {
                java.nio.file.Files.deleteIfExists(p);
            }
        }
    }

    private static String run(String... cmd) throws IOException {
        Process p = new ProcessBuilder(List.of(cmd)).redirectErrorStream(true).start();
        try {
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(60, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                return "timed out: " + String.join(" ", cmd);
            }
            return p.exitValue() == 0 ? null : "status " + p.exitValue() + ": " + out.strip();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        }
    }
}
