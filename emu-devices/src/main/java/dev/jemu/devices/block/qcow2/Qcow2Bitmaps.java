package dev.jemu.devices.block.qcow2;

import dev.jemu.devices.block.BlockException;
import dev.jemu.devices.block.Bytes;
import dev.jemu.devices.block.ImageFile;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * The qcow2 bitmaps extension (persistent dirty bitmaps): a directory of entries, each naming a bitmap
 * table whose 8-byte entries point to clusters of bitmap data (0: all clean, 1: all dirty). Only valid
 * while the autoclear bit is set: a writer that does not update the bitmaps clears it (jemu's guests do).
 */
final class Qcow2Bitmaps {
    static final int FLAG_IN_USE = 1, FLAG_AUTO = 2;
    static final long TABLE_OFFSET_MASK = 0x00fffffffffffe00L;
    private static final int MAX_BITMAPS = 65535;

    /** One directory entry; extra holds the entry's extra data, kept as it is. */
    record Entry(long tableOffset, int tableSize, int flags, int type, int granularityBits, String name, byte[] extra) {
        Entry withFlags(int f) {
            return new Entry(tableOffset, tableSize, f, type, granularityBits, name, extra);
        }
    }

    private Qcow2Bitmaps() {
    }

    /** The valid bitmaps of an image (none when the extension is absent or the autoclear bit is clear). */
    static List<Entry> read(ImageFile file, Qcow2Header h) throws BlockException {
        List<Entry> out = new ArrayList<>();
        if (h.nbBitmaps == 0 || (h.autoclearFeatures & Qcow2Header.AUTOCLEAR_BITMAPS) == 0) return out;
        if (Integer.toUnsignedLong(h.nbBitmaps) > MAX_BITMAPS || h.bitmapDirectorySize <= 0 || h.bitmapDirectorySize > (64L << 20)) {
            throw BlockException.corrupt("invalid bitmaps extension");
        }
        byte[] d = new byte[(int) h.bitmapDirectorySize];
        file.readFully(h.bitmapDirectoryOffset, d, 0, d.length, "bitmap directory");
        int pos = 0;
        for (int i = 0; i < h.nbBitmaps; i++) {
            if (pos + 24 > d.length) throw BlockException.corrupt("bitmap directory too short");
            long table = Bytes.getLong(d, pos);
            int size = Bytes.getInt(d, pos + 8), flags = Bytes.getInt(d, pos + 12);
            int type = d[pos + 16] & 0xff, gran = d[pos + 17] & 0xff;
            int nameSize = ((d[pos + 18] & 0xff) << 8) | (d[pos + 19] & 0xff);
            int extraSize = Bytes.getInt(d, pos + 20);
            if (extraSize < 0 || pos + 24L + extraSize + nameSize > d.length) throw BlockException.corrupt("bitmap directory entry runs past its end");
            byte[] extra = java.util.Arrays.copyOfRange(d, pos + 24, pos + 24 + extraSize);
            String name = new String(d, pos + 24 + extraSize, nameSize, StandardCharsets.UTF_8);
            out.add(new Entry(table, size, flags, type, gran, name, extra));
            pos += (int) Qcow2Header.roundUp(24L + extraSize + nameSize, 8);
        }
        return out;
    }

    static byte[] directory(List<Entry> bitmaps) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (Entry e : bitmaps) {
            byte[] name = e.name().getBytes(StandardCharsets.UTF_8);
            byte[] b = new byte[(int) Qcow2Header.roundUp(24L + e.extra().length + name.length, 8)];
            Bytes.putLong(b, 0, e.tableOffset());
            Bytes.putInt(b, 8, e.tableSize());
            Bytes.putInt(b, 12, e.flags());
            b[16] = (byte) e.type();
            b[17] = (byte) e.granularityBits();
            b[18] = (byte) (name.length >>> 8);
            b[19] = (byte) name.length;
            Bytes.putInt(b, 20, e.extra().length);
            System.arraycopy(e.extra(), 0, b, 24, e.extra().length);
            System.arraycopy(name, 0, b, 24 + e.extra().length, name.length);
            out.writeBytes(b);
        }
        return out.toByteArray();
    }

    /** The 24-byte header extension for a directory of n bitmaps at offset, size bytes long. */
    static byte[] extension(int n, long size, long offset) {
        byte[] x = new byte[24];
        Bytes.putInt(x, 0, n);
        Bytes.putLong(x, 8, size);
        Bytes.putLong(x, 16, offset);
        return x;
    }

    /** Entries of a bitmap table covering a disk of size bytes at this granularity. */
    static int tableEntries(long size, int granularityBits, int cs) {
        long bits = Math.ceilDiv(size, 1L << granularityBits);
        return (int) Math.ceilDiv(bits, (long) cs * 8);
    }

    static long[] readTable(ImageFile file, Entry e) throws BlockException {
        long[] t = new long[e.tableSize()];
        if (t.length == 0) return t;
        byte[] raw = new byte[t.length * 8];
        file.readFully(e.tableOffset(), raw, 0, raw.length, "bitmap table");
        for (int i = 0; i < t.length; i++) t[i] = Bytes.getLong(raw, i * 8);
        return t;
    }
}
