package dev.jemu.x86.kvm;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Assembles a flat test program with the host's binutils ({@code as}, {@code objcopy -O binary}). */
final class Asm {
    private Asm() {
    }

    static final long ORIGIN = 0x1000;

    static boolean present() {
        return onPath("as") && onPath("ld") && onPath("objcopy");
    }

    private static boolean onPath(String exe) {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(":")) {
            if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, exe))) {
                return true;
            }
        }
        return false;
    }

    /** The bytes of {@code source}'s .text, linked at {@link #ORIGIN} (where the tests load it). */
    static byte[] assemble(String source) throws IOException, InterruptedException {
        Path dir = Files.createTempDirectory("jemu-kvm-asm");
        try {
            Path s = dir.resolve("p.S"), o = dir.resolve("p.o"), elf = dir.resolve("p.elf"), bin = dir.resolve("p.bin");
            Files.writeString(s, source);
            run(List.of("as", "--64", "-o", o.toString(), s.toString()));
            run(List.of("ld", "-Ttext=0x" + Long.toHexString(ORIGIN), "-e", "0", "-o", elf.toString(), o.toString()));
            run(List.of("objcopy", "-O", "binary", "-j", ".text", elf.toString(), bin.toString()));
            return Files.readAllBytes(bin);
        } finally {
            try (var files = Files.list(dir)) {
                for (Path p : files.toList()) {
                    Files.delete(p);
                }
            }
            Files.delete(dir);
        }
    }

    private static void run(List<String> cmd) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        if (!p.waitFor(30, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IOException(cmd.getFirst() + " failed: " + out);
        }
    }
}
