package dev.jemu.devices.block;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.Deflater;

/**
 * Writes streamOptimized VMDKs the way VMware's stream writers lay them out (qemu-img puts the grain
 * directory in the header instead): header with gdOffset = GD_AT_END, descriptor, marker + compressed
 * grains, GT markers + grain tables, GD marker + directory, FOOTER marker + footer, EOS marker.
 * Test-only: it produces the images that qemu-img cannot.
 */
final class VmdkStreams {

    private VmdkStreams() {
    }

    /**
     * @param grainSectors grain size in sectors
     * @param rawDeflate   compress as a bare deflate stream instead of zlib
     * @return the file offsets (sectors) of the grain markers, by grain (0: none); index gd gives the GD sector
     */
    static long[] write(Path p, byte[] content, int grainSectors, boolean rawDeflate) throws IOException {
        long capacity = Math.ceilDiv(content.length, 512);
        int gb = grainSectors * 512;
        int grains = (int) Math.ceilDiv(capacity, grainSectors);
        int gdEntries = Math.ceilDiv(grains, 512);
        int descSectors = 2;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] header = header(capacity, grainSectors, descSectors, -1);
        out.write(header);
        String desc = "# Disk DescriptorFile\nversion=1\nCID=12345678\nparentCID=ffffffff\ncreateType=\"streamOptimized\"\n\n"
                + "RW " + capacity + " SPARSE \"" + p.getFileName() + "\"\n\nddb.adapterType = \"lsilogic\"\n";
        out.write(padded(desc.getBytes(StandardCharsets.US_ASCII), descSectors * 512));
        long[] gte = new long[grains + 1];
        for (int g = 0; g < grains; g++) {
            int off = g * gb, n = Math.min(gb, content.length - off);
            if (Bytes.isZero(content, off, n)) continue;
            Deflater d = new Deflater(6, rawDeflate);
            d.setInput(content, off, n);
            d.finish();
            byte[] c = new byte[n + n / 8 + 64];
            int clen = 0;
            while (!d.finished()) clen += d.deflate(c, clen, c.length - clen);
            d.end();
            gte[g] = out.size() / 512;
            byte[] m = new byte[12 + clen];
            putLongLE(m, 0, (long) g * grainSectors);
            putIntLE(m, 8, clen);
            System.arraycopy(c, 0, m, 12, clen);
            out.write(padded(m, (int) Math.ceilDiv(m.length, 512) * 512));
        }
        long[] gd = new long[gdEntries];
        for (int t = 0; t < gdEntries; t++) {
            byte[] gt = new byte[2048];
            boolean any = false;
            for (int i = 0; i < 512 && t * 512 + i < grains; i++) {
                putIntLE(gt, i * 4, (int) gte[t * 512 + i]);
                any |= gte[t * 512 + i] != 0;
            }
            if (!any) continue; // an empty grain table is left out: its GD entry stays 0
            out.write(marker(4, 1));
            gd[t] = out.size() / 512;
            out.write(gt);
        }
        byte[] gdBytes = new byte[(int) Math.ceilDiv(gdEntries * 4L, 512) * 512];
        for (int t = 0; t < gdEntries; t++) putIntLE(gdBytes, t * 4, (int) gd[t]);
        out.write(marker(gdBytes.length / 512, 2));
        long gdSector = out.size() / 512;
        out.write(gdBytes);
        out.write(marker(1, 3));
        out.write(header(capacity, grainSectors, descSectors, gdSector));
        out.write(marker(0, 0));
        Files.write(p, out.toByteArray());
        gte[grains] = gdSector;
        return gte;
    }

    static byte[] header(long capacity, int grainSectors, int descSectors, long gdOffset) {
        byte[] h = new byte[512];
        putIntLE(h, 0, 0x564d444b);
        putIntLE(h, 4, 3);
        putIntLE(h, 8, 1 | (1 << 16) | (1 << 17)); // newline test, compressed grains, markers
        putLongLE(h, 12, capacity);
        putLongLE(h, 20, grainSectors);
        putLongLE(h, 28, 1);
        putLongLE(h, 36, descSectors);
        putIntLE(h, 44, 512);
        putLongLE(h, 48, 0);
        putLongLE(h, 56, gdOffset);
        putLongLE(h, 64, 1 + descSectors);
        h[73] = '\n';
        h[74] = ' ';
        h[75] = '\r';
        h[76] = '\n';
        h[77] = 1; // deflate
        return h;
    }

    /** A metadata marker sector: lba = sectors of metadata that follow, size 0, then the type. */
    static byte[] marker(long sectors, int type) {
        byte[] m = new byte[512];
        putLongLE(m, 0, sectors);
        putIntLE(m, 12, type);
        return m;
    }

    private static byte[] padded(byte[] b, int len) {
        return java.util.Arrays.copyOf(b, len);
    }

    static void putIntLE(byte[] b, int o, int v) {
        for (int i = 0; i < 4; i++) b[o + i] = (byte) (v >>> (8 * i));
    }

    static void putLongLE(byte[] b, int o, long v) {
        for (int i = 0; i < 8; i++) b[o + i] = (byte) (v >>> (8 * i));
    }
}
