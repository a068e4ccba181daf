package dev.jemu.devices.fs;

import dev.jemu.devices.block.Drive;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.GZIPInputStream;

/**
 * Finds what to boot on a disk the way u-boot's distro boot does for Debian: the first partition (bootable
 * ones first) whose file system holds {@code /boot/extlinux/extlinux.conf} or {@code /extlinux/extlinux.conf},
 * and that file's default entry: kernel (gunzipped if compressed), initrd, command line, optional device tree.
 */
public final class DiskBoot {
    static final String[] CONFIGS = {"/boot/extlinux/extlinux.conf", "/extlinux/extlinux.conf"};
    static final long MAX_KERNEL = 256L << 20;

    /** What to boot; {@code initrd} and {@code fdt} may be null. {@code where} names it for messages. */
    public record Boot(byte[] kernel, byte[] initrd, String append, byte[] fdt, String where) {
    }

    private DiskBoot() {
    }

    /** The default entry on {@code disk}, or null when nothing on it is bootable. */
    public static Boot find(ByteSource disk) throws IOException {
        List<Partitions.Partition> parts = new ArrayList<>(Partitions.list(disk));
        parts.sort((a, b) -> Boolean.compare(b.bootable(), a.bootable())); // stable: bootable first
        for (Partitions.Partition p : parts) {
            FileSystem fs = FileSystem.probe(disk.slice(p.start(), p.length()));
            if (fs == null) {
                continue;
            }
            for (String conf : CONFIGS) {
                byte[] text = fs.readFile(conf);
                if (text == null) {
                    continue;
                }
                Extlinux.Entry e = Extlinux.parse(new String(text, StandardCharsets.UTF_8)).defaultEntry();
                if (e == null) {
                    continue;
                }
                String dir = conf.substring(0, conf.lastIndexOf('/') + 1);
                String where = (p.number() == 0 ? "" : "partition " + p.number() + " ") + conf
                        + (e.label() != null ? " (" + e.label() + ")" : "");
                byte[] kernel = need(fs, dir, e.kernel(), where);
                byte[] initrd = e.initrd() == null ? null : need(fs, dir, e.initrd().split(",")[0], where);
                byte[] fdt = e.fdt() == null ? null : need(fs, dir, e.fdt(), where);
                return new Boot(gunzip(kernel, where), initrd, e.append() == null ? "" : e.append(), fdt, where);
            }
        }
        return null;
    }

    private static byte[] need(FileSystem fs, String dir, String path, String where) throws IOException {
        String abs = path.startsWith("/") ? path : dir + path;
        byte[] b = fs.readFile(abs);
        if (b == null) {
            throw new FsException(where + ": " + abs + " not found");
        }
        return b;
    }

    /** Debian ships some kernels gzip-compressed (vmlinuz); u-boot's booti unpacks them, so do we. */
    static byte[] gunzip(byte[] data, String where) throws IOException {
        if (data.length < 2 || (data[0] & 0xff) != 0x1f || (data[1] & 0xff) != 0x8b) {
            return data;
        }
        try (InputStream in = new GZIPInputStream(new ByteArrayInputStream(data))) {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            byte[] buf = new byte[1 << 16];
            int n;
            while ((n = in.read(buf)) > 0) {
                out.write(buf, 0, n);
                if (out.size() > MAX_KERNEL) {
                    throw new FsException(where + ": compressed kernel unpacks to more than 256 MiB");
                }
            }
            return out.toByteArray();
        } catch (java.util.zip.ZipException e) {
            throw new FsException(where + ": bad gzip-compressed kernel: " + e.getMessage());
        }
    }

    /** A drive as a byte source (through its lock). */
    public static ByteSource of(Drive d) {
        return new ByteSource() {
            @Override
            public long size() {
                return d.size();
            }

            @Override
            public void read(long offset, byte[] buf, int off, int len) throws IOException {
                if (offset < 0 || offset + len > d.size()) {
                    throw new FsException("read at " + offset + " beyond the end of the disk");
                }
                d.read(offset, buf, off, len);
            }
        };
    }
}
