package dev.jemu.tests.diff;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

/**
 * Runs a program under QEMU (qemu-system-riscv64, qemu-system-aarch64) and caches the result per (ELF contents, QEMU version)
 * in target/difftest/qemu-cache, so repeated runs only pay for jemu.
 */
final class QemuReference {
    static final Duration TIMEOUT = Duration.ofSeconds(20);
    private static final java.util.Map<DiffArch, String> VERSIONS = new java.util.concurrent.ConcurrentHashMap<>();

    private QemuReference() {}

    static boolean present(DiffArch arch) {
        return Tools.onPath(arch.qemu);
    }

    static String version(DiffArch arch) {
        return VERSIONS.computeIfAbsent(arch, a -> ProcessRun.run(List.of(a.qemu, "--version"), Duration.ofSeconds(20))
                .stdoutText().lines().findFirst().orElse("unknown").trim());
    }

    static ProcessRun run(DiffArch arch, String name, Path elf) {
        Path cache = Programs.workDir(arch).resolve("qemu-cache");
        try {
            Files.createDirectories(cache);
            String board = Programs.machine(arch, name);
            String key = name + "-" + sha256(Files.readAllBytes(elf), version(arch) + (board == null ? "" : " -M " + board));
            Path out = cache.resolve(key + ".out");
            Path status = cache.resolve(key + ".status");
            if (Files.exists(out) && Files.exists(status)) {
                return new ProcessRun(Integer.parseInt(Files.readString(status).trim()),
                        Files.readAllBytes(out), "", false);
            }
            List<String> cmd = new ArrayList<>();
            cmd.add(arch.qemu);
            cmd.addAll(arch.guestArgs(elf, board));
            ProcessRun r = ProcessRun.run(cmd, TIMEOUT);
            if (r.timedOut()) {
                // the reference itself stalled (seen once in CI with the diff runs in parallel on 2 busy cores): a
                // timeout says nothing about the program, so QEMU gets one more run before the test gives up
                r = ProcessRun.run(cmd, TIMEOUT);
            }
            if (!r.timedOut()) {          // a timeout is not a reference worth keeping
                Files.write(out, r.stdout());
                Files.writeString(status, Integer.toString(r.status()));
            }
            return r;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String sha256(byte[] elf, String qemuVersion) {
        try {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            md.update(elf);
            md.update(qemuVersion.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(md.digest(), 0, 12);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
