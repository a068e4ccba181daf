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
        boolean writeback = args[2].equals("writeback");
        long seqBase = Long.parseLong(args[3]);
        byte[] mark = new byte[8];
        try (BlockDriver d = BlockFormats.open(img, "qcow2", OpenOptions.readWrite().withWriteback(writeback));
             java.nio.channels.FileChannel marker = java.nio.channels.FileChannel.open(flushedFile(img),
                     java.nio.file.StandardOpenOption.CREATE, java.nio.file.StandardOpenOption.WRITE,
                     java.nio.file.StandardOpenOption.TRUNCATE_EXISTING)) {
            long sectors = d.size() / SECTOR;
            System.out.println("ready");
            System.out.flush();
            for (long seq = seqBase + 1; ; seq++) {
                Op op = Op.next(r, sectors);
                switch (op.kind) {
                    case ZERO -> d.writeZeroes(op.sector * SECTOR, (long) op.n * SECTOR);
                    case DISCARD -> d.discard(op.sector * SECTOR, (long) op.n * SECTOR);
                    case FLUSH -> {
                        d.flush();
                        // Everything up to seq must now survive a kill. Recorded with a positional write
                        // (survives the kill, unlike output still in a pipe when the parent stops reading).
                        Bytes.putLong(mark, 0, seq);
                        marker.write(java.nio.ByteBuffer.wrap(mark), 0);
                    }
                    case WRITE -> {
                        byte[] b = new byte[op.n * SECTOR];
                        for (int i = 0; i < op.n; i++) stamp(b, i * SECTOR, (op.sector + i) * SECTOR, seq);
                        d.write(op.sector * SECTOR, b, 0, b.length);
                    }
                }
            }
        }
    }

    /** Where the child records the seq of its last completed flush (8 bytes, big-endian; 0 if none). */
    static Path flushedFile(Path img) {
        return img.resolveSibling(img.getFileName() + ".flushed");
    }

    static long lastFlushed(Path img) throws java.io.IOException {
        byte[] b = java.nio.file.Files.readAllBytes(flushedFile(img));
        return b.length < 8 ? 0 : Bytes.getLong(b, 0);
    }

    enum Kind { WRITE, ZERO, DISCARD, FLUSH }

    /** One operation of the writer; the parent replays the same seeded sequence to know what was flushed. */
    record Op(Kind kind, long sector, int n) {
        static Op next(Random r, long sectors) {
            long s = r.nextLong(sectors);
            int n = (int) Math.min(sectors - s, 1 + r.nextInt(r.nextBoolean() ? 8 : 300));
            int k = r.nextInt(20);
            Kind kind = k == 0 ? Kind.ZERO : k == 1 ? Kind.DISCARD : k == 2 ? Kind.FLUSH : Kind.WRITE;
            return new Op(kind, s, n);
        }
    }

    /** The seq of the stamp in a sector, 0 for an all-zero sector (call after {@link #valid}). */
    static long seqOf(byte[] b, int at) {
        return Bytes.isZero(b, at, SECTOR) ? 0 : Bytes.getLong(b, at + 8);
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
