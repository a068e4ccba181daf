package dev.jemu.devices.fs;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Host tools that make real file systems for the reader tests (e2fsprogs, dosfstools, mtools, fdisk). */
final class Tools {
    private Tools() {
    }

    static Path find(String tool) {
        for (String dir : (System.getenv().getOrDefault("PATH", "/usr/bin") + ":/usr/sbin:/sbin").split(":")) {
            Path p = Path.of(dir, tool);
            if (Files.isExecutable(p)) {
                return p;
            }
        }
        return null;
    }

    /** Skips the test when a tool is missing (CI installs them: e2fsprogs, dosfstools, mtools, fdisk). */
    static void need(String... tools) {
        for (String t : tools) {
            assumeTrue(find(t) != null, t + " is not installed");
        }
    }

    static String run(String... cmd) throws IOException, InterruptedException {
        return runWithInput(null, cmd);
    }

    static String runWithInput(String stdin, String... cmd) throws IOException, InterruptedException {
        String[] c = cmd.clone();
        Path exe = find(c[0]);
        if (exe != null) {
            c[0] = exe.toString();
        }
        ProcessBuilder pb = new ProcessBuilder(List.of(c)).redirectErrorStream(true);
        pb.environment().put("MTOOLS_SKIP_CHECK", "1");
        Process p = pb.start();
        if (stdin != null) {
            p.getOutputStream().write(stdin.getBytes(StandardCharsets.UTF_8));
        }
        p.getOutputStream().close();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(120, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IOException("timeout: " + String.join(" ", cmd));
        }
        if (p.exitValue() != 0 && !(cmd[0].equals("e2fsck") && p.exitValue() <= 2)) {
            throw new IOException(String.join(" ", cmd) + " failed (" + p.exitValue() + "): " + out);
        }
        return out;
    }

    static void truncate(Path p, long size) throws IOException {
        try (RandomAccessFile f = new RandomAccessFile(p.toFile(), "rw")) {
            f.setLength(size);
        }
    }

    /** A file as a byte source. */
    static ByteSource source(Path p) throws IOException {
        byte[] all = Files.readAllBytes(p);
        return new ByteSource() {
            @Override
            public long size() {
                return all.length;
            }

            @Override
            public void read(long offset, byte[] buf, int off, int len) throws IOException {
                if (offset < 0 || offset + len > all.length) {
                    throw new FsException("beyond the end");
                }
                System.arraycopy(all, (int) offset, buf, off, len);
            }
        };
    }

    static byte[] pattern(int n, int seed) {
        byte[] b = new byte[n];
        java.util.Random r = new java.util.Random(seed);
        r.nextBytes(b);
        return b;
    }
}
