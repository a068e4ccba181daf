package dev.jemu.devices.block;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.TreeSet;

/** The OFD lock bytes that anyone holds on a file, read from /proc/locks (tests). */
public final class LockBytes {
    private LockBytes() {
    }

    /** Every byte offset some OFD lock covers on {@code file}, ascending (QEMU's look like 100, 101, 201...). */
    public static TreeSet<Long> of(Path file) throws IOException {
        long ino = (Long) Files.getAttribute(file, "unix:ino");
        TreeSet<Long> bytes = new TreeSet<>();
        for (String line : Files.readAllLines(Path.of("/proc/locks"))) {
            // "3: OFDLCK ADVISORY  READ -1 fe:00:2146611 100 101"
            String[] f = line.trim().split("\\s+");
            if (f.length < 8 || !f[1].equals("OFDLCK") || !f[f.length - 3].endsWith(":" + ino)) continue;
            long start = Long.parseLong(f[f.length - 2]);
            long end = f[f.length - 1].equals("EOF") ? start : Long.parseLong(f[f.length - 1]);
            for (long b = start; b <= end; b++) bytes.add(b);
        }
        return bytes;
    }
}
