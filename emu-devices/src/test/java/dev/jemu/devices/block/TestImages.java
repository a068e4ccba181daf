package dev.jemu.devices.block;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;

/** Deterministic content for test images: random runs, pattern runs and zero runs. */
public final class TestImages {
    private TestImages() {
    }

    /** size bytes: every 64 KiB block is random, a repeated byte, or zero, chosen by the seed. */
    public static byte[] content(long seed, int size) {
        Random r = new Random(seed);
        byte[] b = new byte[size];
        for (int off = 0; off < size; off += 65536) {
            int n = Math.min(65536, size - off);
            switch (r.nextInt(4)) {
                case 0 -> {
                    byte[] x = new byte[n];
                    r.nextBytes(x);
                    System.arraycopy(x, 0, b, off, n);
                }
                case 1 -> java.util.Arrays.fill(b, off, off + n, (byte) (1 + r.nextInt(255)));
                case 2 -> { // text-like, compresses well
                    for (int i = 0; i < n; i++) b[off + i] = (byte) ('a' + (i * 7 + off / 512) % 26);
                }
                default -> {
                }
            }
        }
        return b;
    }

    public static Path writeRaw(Path dir, String name, byte[] content) throws IOException {
        Path p = dir.resolve(name);
        Files.write(p, content);
        return p;
    }

    public static byte[] readAll(BlockDriver d) throws BlockException {
        byte[] b = new byte[(int) d.size()];
        int chunk = 1 << 20;
        for (int off = 0; off < b.length; off += chunk) d.read(off, b, off, Math.min(chunk, b.length - off));
        return b;
    }
}
