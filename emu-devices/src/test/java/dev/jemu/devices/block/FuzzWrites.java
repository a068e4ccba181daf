package dev.jemu.devices.block;

import java.io.IOException;
import java.util.Random;

/** The write phase the image fuzz tests share: a few seeded writes, zero-writes and discards on an opened image. */
final class FuzzWrites {
    private FuzzWrites() {
    }

    static void scribble(BlockDriver d, Random r) throws IOException {
        long size = d.size();
        byte[] b = new byte[9000];
        r.nextBytes(b);
        for (int i = 0; i < 6 && size > 0; i++) {
            long off = r.nextLong(size);
            int n = (int) Math.min(b.length, size - off);
            switch (i % 3) {
                case 0 -> d.write(off, b, 0, n);
                case 1 -> d.writeZeroes(off, n);
                default -> d.discard(off, n);
            }
        }
    }
}
