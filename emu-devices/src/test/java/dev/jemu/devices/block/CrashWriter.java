package dev.jemu.devices.block;

import java.nio.file.Path;
import java.util.Random;

/**
 * Child process of {@link Qcow2CrashTest}: writes to a qcow2 image forever until it is killed.
 * Every 512-byte sector written carries a stamp (its own guest offset, the write's sequence number)
 * followed by a pattern derived from both, so the parent can tell garbage from real data.
 */
public final class CrashWriter {
    public static final int SECTOR = 512;

    public static void main(String[] args) throws Exception {
        Path img = Path.of(args[0]);
        Random r = new Random(Long.parseLong(args[1]));
        try (BlockDriver d = BlockFormats.open(img, "qcow2", OpenOptions.readWrite())) {
            long sectors = d.size() / SECTOR;
            System.out.println("ready");
            System.out.flush();
            for (long seq = 1; ; seq++) {
                long s = r.nextLong(sectors);
                int n = (int) Math.min(sectors - s, 1 + r.nextInt(r.nextBoolean() ? 8 : 300));
                int op = r.nextInt(20);
                if (op == 0) d.writeZeroes(s * SECTOR, (long) n * SECTOR);
                else if (op == 1) d.discard(s * SECTOR, (long) n * SECTOR);
                else if (op == 2) d.flush();
                else {
                    byte[] b = new byte[n * SECTOR];
                    for (int i = 0; i < n; i++) stamp(b, i * SECTOR, (s + i) * SECTOR, seq);
                    d.write(s * SECTOR, b, 0, b.length);
                }
            }
        }
    }

    static void stamp(byte[] b, int at, long guest, long seq) {
        Bytes.putLong(b, at, guest);
        Bytes.putLong(b, at + 8, seq);
        for (int i = 16; i < SECTOR; i++) b[at + i] = (byte) (guest * 31 + seq * 7 + i);
    }

    /** Whether a sector read back is all zero or a complete stamp for this very offset. */
    static boolean valid(byte[] b, int at, long guest) {
        if (Bytes.isZero(b, at, SECTOR)) return true;
        if (Bytes.getLong(b, at) != guest) return false;
        long seq = Bytes.getLong(b, at + 8);
        for (int i = 16; i < SECTOR; i++) if (b[at + i] != (byte) (guest * 31 + seq * 7 + i)) return false;
        return true;
    }
}
