package dev.jemu.devices.block.vmdk;

import dev.jemu.devices.block.BlockException;

import java.util.Arrays;
import java.util.zip.DataFormatException;
import java.util.zip.Inflater;

/**
 * Inflates one compressed grain of a streamOptimized extent. The VMware spec says "deflate"; qemu and
 * VMware both write a zlib stream (RFC 1950), so a zlib header is honoured and a bare deflate stream
 * accepted too. The output is bounded by the grain size: a stream that would produce more is corrupt.
 */
final class VmdkGrainInflater {
    private VmdkGrainInflater() {
    }

    /** Inflates src[0, len) into out (a whole grain); a short stream leaves the rest zero. */
    static void inflate(byte[] src, int len, byte[] out, long sector) throws BlockException {
        boolean zlib = len >= 2 && (src[0] & 0x0f) == 8 && (((src[0] & 0xff) << 8) | (src[1] & 0xff)) % 31 == 0;
        Inflater inf = new Inflater(!zlib);
        try {
            inf.setInput(src, 0, len);
            int pos = 0;
            while (pos < out.length && !inf.finished()) {
                int before = inf.getRemaining();
                int n = inf.inflate(out, pos, out.length - pos);
                if (n == 0 && (inf.needsInput() || inf.needsDictionary() || inf.getRemaining() == before)) {
                    throw BlockException.corrupt("VMDK compressed grain at sector " + sector + " is truncated");
                }
                pos += n;
            }
            if (!inf.finished()) {
                byte[] one = new byte[1];
                if (inf.inflate(one) > 0) throw BlockException.corrupt("VMDK compressed grain at sector " + sector + " is larger than a grain");
            }
            Arrays.fill(out, pos, out.length, (byte) 0);
        } catch (DataFormatException e) {
            throw BlockException.corrupt("VMDK compressed grain at sector " + sector + " does not inflate (" + e.getMessage() + ")");
        } finally {
            inf.end();
        }
    }
}
