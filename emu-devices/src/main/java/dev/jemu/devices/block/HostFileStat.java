package dev.jemu.devices.block;

import dev.jemu.core.host.Libc;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.nio.file.Path;

/**
 * st_blocks of a host file (what qemu-img calls "disk size"), which Java's file attributes do not
 * expose. Uses stat(2) through the FFM API on 64-bit Linux when native access is enabled for us
 * (--enable-native-access); returns -1 otherwise, and callers fall back to the file length.
 */
public final class HostFileStat {
    /** Offset of st_blocks in struct stat on x86_64, aarch64 and riscv64 Linux. */
    private static final long ST_BLOCKS = 64;
    private static final MethodHandle STAT = Libc.function("stat",
            FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.ADDRESS));
    private static final MethodHandle LSTAT = Libc.function("lstat",
            FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.ADDRESS));

    private HostFileStat() {
    }

    /** Allocated bytes of the file, or -1 if unknown. */
    static long allocatedBytes(Path p) {
        return allocatedBytes(STAT, p);
    }

    /** The same for the path itself, a symlink not followed (virtio-9p's st_blocks). */
    public static long allocatedBytesNoFollow(Path p) {
        return allocatedBytes(LSTAT, p);
    }

    private static long allocatedBytes(MethodHandle stat, Path p) {
        if (stat == null) return -1;
        try (Arena a = Arena.ofConfined()) {
            MemorySegment path = a.allocateFrom(p.toString());
            MemorySegment buf = a.allocate(256, 8);
            int rc = (int) stat.invokeExact(path, buf);
            if (rc != 0) return -1;
            return buf.get(ValueLayout.JAVA_LONG, ST_BLOCKS) * 512;
        } catch (Throwable t) {
            return -1;
        }
    }
}
