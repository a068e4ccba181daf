package dev.jemu.devices.block;

import dev.jemu.core.host.Libc;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;
import java.nio.file.Path;

/**
 * Where a sparse host file holds data: lseek(2) with SEEK_DATA / SEEK_HOLE, which Java does not expose, on
 * a descriptor of our own (opened read-only) through the FFM API. Lets `convert` skip a raw image's holes
 * without reading them and `map` report them as qemu-img does. Linux on 64-bit hosts with native access
 * enabled only; {@link #open} returns null elsewhere and callers treat the whole file as data.
 */
public final class HostFileExtents implements AutoCloseable {
    private static final int O_RDONLY = 0, O_CLOEXEC = 0x80000, SEEK_DATA = 3, SEEK_HOLE = 4, ENXIO = 6;
    private static final Linker.Option ERRNO = Linker.Option.captureCallState("errno");
    private static final StructLayout STATE = Linker.Option.captureStateLayout();
    private static final VarHandle ERRNO_VALUE = STATE.varHandle(MemoryLayout.PathElement.groupElement("errno"));
    private static final MethodHandle OPEN = Libc.function("open",
            FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.JAVA_INT),
            Linker.Option.firstVariadicArg(2));
    private static final MethodHandle LSEEK = Libc.function("lseek",
            FunctionDescriptor.of(ValueLayout.JAVA_LONG, ValueLayout.JAVA_INT, ValueLayout.JAVA_LONG, ValueLayout.JAVA_INT),
            ERRNO);
    private static final MethodHandle CLOSE = Libc.function("close",
            FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT));

    private final int fd;
    /** errno of the last lseek (callers serialize their queries; the GC frees it). */
    private final MemorySegment state = Arena.ofAuto().allocate(STATE);

    private HostFileExtents(int fd) {
        this.fd = fd;
    }

    /** A descriptor on the file for extent queries, or null where that is not available. */
    public static HostFileExtents open(Path p) {
        if (OPEN == null || LSEEK == null || CLOSE == null) return null;
        try (Arena a = Arena.ofConfined()) {
            int fd = (int) OPEN.invokeExact(a.allocateFrom(p.toString()), O_RDONLY | O_CLOEXEC);
            return fd < 0 ? null : new HostFileExtents(fd);
        } catch (Throwable t) {
            return null;
        }
    }

    /**
     * The first data offset at or after {@code off}: {@code off} itself when it is in data, {@code end}
     * when only a hole follows up to end of file, -1 when unknown (the caller treats it as data).
     */
    public long nextData(long off, long end) {
        long r = seek(off, SEEK_DATA);
        if (r == -1 && (int) ERRNO_VALUE.get(state, 0L) == ENXIO) return end; // no data from off to EOF
        return r < 0 ? -1 : Math.min(r, end);
    }

    /** The first hole offset at or after {@code off} (end of file counts as one), -1 when unknown. */
    public long nextHole(long off) {
        return seek(off, SEEK_HOLE);
    }

    private long seek(long off, int whence) {
        try {
            return (long) LSEEK.invokeExact(state, fd, off, whence);
        } catch (Throwable t) {
            return -2;
        }
    }

    @Override
    public void close() {
        try {
            int ignored = (int) CLOSE.invokeExact(fd);
        } catch (Throwable t) {
            // nothing to do: the descriptor is gone with the process anyway
        }
    }
}
