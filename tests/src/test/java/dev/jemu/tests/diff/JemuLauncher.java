package dev.jemu.tests.diff;

import dev.jemu.tests.JemuProcess;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Runs a program under jemu in a fresh JVM: {@code java -cp <test class path> dev.jemu.cli.Main
 * <QEMU's flags>}. {@code -Djemu.cmd="./jemu"} runs an external launcher instead;
 * {@code -Djemu.jvmArgs=...} adds JVM flags to the spawned JVM.
 */
final class JemuLauncher {
    static final String MAIN = "dev.jemu.cli.Main";
    static final Duration TIMEOUT = Duration.ofSeconds(Long.getLong("jemu.diff.timeout", 20));

    private JemuLauncher() {}

    /** Whether there is something to run: an external command or the CLI's main class. */
    static boolean available() {
        if (externalCommand() != null) return true;
        try {
            Class.forName(MAIN, false, JemuLauncher.class.getClassLoader());
            return true;
        } catch (ClassNotFoundException e) {
            return false;
        }
    }

    static ProcessRun run(DiffArch arch, Path elf, String board) {
        return run(arch, elf, board, List.of());
    }

    /** With extra JVM flags for the spawned JVM (ignored with an external {@code -Djemu.cmd}). */
    static ProcessRun run(DiffArch arch, Path elf, String board, List<String> jvmArgs) {
        List<String> cmd = new ArrayList<>();
        String external = externalCommand();
        if (external != null) {
            cmd.addAll(Arrays.asList(external.trim().split("\\s+")));
        } else {
            List<String> jvm = new ArrayList<>();
            String extra = System.getProperty("jemu.jvmArgs", "").trim();
            if (!extra.isEmpty()) jvm.addAll(Arrays.asList(extra.split("\\s+")));
            jvm.addAll(jvmArgs);
            return ProcessRun.run(JemuProcess.command(jvm, arch.guestArgs(elf, board).toArray(String[]::new)), TIMEOUT);
        }
        cmd.addAll(arch.guestArgs(elf, board));
        return ProcessRun.run(cmd, TIMEOUT);
    }

    private static String externalCommand() {
        String c = System.getProperty("jemu.cmd");
        return c == null || c.isBlank() ? null : c;
    }
}
