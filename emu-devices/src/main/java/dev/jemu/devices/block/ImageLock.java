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
 * The lock bytes QEMU's file-posix driver keeps on an image file, so that jemu, jemu-img, QEMU and qemu-img
 * see each other: open file description locks (F_OFD_SETLK, Linux) on a descriptor of our own, all of them
 * shared (read) locks of one byte. Byte {@code 100 + bit} says "I use permission bit", byte {@code 200 + bit}
 * "I do not let others have permission bit" (bits in {@link ImageUse}). A new user first takes its bytes, then
 * tests whether an exclusive lock could be had on the bytes that conflict with it (another user denies a
 * permission it needs, or uses one it denies); the lock test sees every other open file description, so two
 * openers racing may both be refused but never both admitted. Closing the descriptor drops every byte.
 */
public final class ImageLock implements AutoCloseable {
    static final int PERM_BASE = 100, SHARED_BASE = 200;

    private static final int O_RDONLY = 0, O_RDWR = 2, O_CLOEXEC = 0x80000;
    private static final int F_OFD_GETLK = 36, F_OFD_SETLK = 37;
    private static final short F_RDLCK = 0, F_WRLCK = 1, F_UNLCK = 2;
    private static final int EACCES = 13, EAGAIN = 11, EINVAL = 22;
    /** struct flock on 64-bit Linux: l_type, l_whence, (pad), l_start, l_len, l_pid, (pad). */
    private static final StructLayout FLOCK = MemoryLayout.structLayout(
            ValueLayout.JAVA_SHORT.withName("l_type"), ValueLayout.JAVA_SHORT.withName("l_whence"),
            MemoryLayout.paddingLayout(4), ValueLayout.JAVA_LONG.withName("l_start"),
            ValueLayout.JAVA_LONG.withName("l_len"), ValueLayout.JAVA_INT.withName("l_pid"), MemoryLayout.paddingLayout(4));
    private static final VarHandle L_TYPE = FLOCK.varHandle(MemoryLayout.PathElement.groupElement("l_type"));
    private static final VarHandle L_START = FLOCK.varHandle(MemoryLayout.PathElement.groupElement("l_start"));
    private static final VarHandle L_LEN = FLOCK.varHandle(MemoryLayout.PathElement.groupElement("l_len"));
    private static final Linker.Option ERRNO = Linker.Option.captureCallState("errno");
    private static final StructLayout STATE = Linker.Option.captureStateLayout();
    private static final VarHandle ERRNO_VALUE = STATE.varHandle(MemoryLayout.PathElement.groupElement("errno"));
    private static final MethodHandle OPEN = Libc.function("open",
            FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.JAVA_INT),
            ERRNO, Linker.Option.firstVariadicArg(2));
    private static final MethodHandle FCNTL = Libc.function("fcntl",
            FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.ADDRESS),
            ERRNO, Linker.Option.firstVariadicArg(2));
    private static final MethodHandle CLOSE = Libc.function("close",
            FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT));
    private static final MethodHandle STRERROR = Libc.function("strerror",
            FunctionDescriptor.of(ValueLayout.ADDRESS.withTargetLayout(MemoryLayout.sequenceLayout(256, ValueLayout.JAVA_BYTE)),
                    ValueLayout.JAVA_INT));

    private final int fd;

    private ImageLock(int fd) {
        this.fd = fd;
    }

    /** Whether this host can take the locks at all (Linux with native access). */
    public static boolean available() {
        return OPEN != null && FCNTL != null && CLOSE != null;
    }

    /**
     * Takes the bytes for {@code perm} (the permissions used) and {@code unshared} (those denied to others) on
     * {@code path} (named as the user named it, for the message), or refuses with QEMU's words and hint.
     * Locking OFF, or AUTO where the host cannot lock: null (nothing held).
     */
    public static ImageLock acquire(Path path, boolean writable, int perm, int unshared, Locking locking)
            throws BlockException {
        if (locking == Locking.OFF || (locking == Locking.AUTO && !available())) return null;
        if (!available()) {
            throw new BlockException("File lock requested but OFD locking syscall is unavailable on this host");
        }
        try (Arena a = Arena.ofConfined()) {
            MemorySegment state = a.allocate(STATE);
            int fd = (int) OPEN.invokeExact(state, a.allocateFrom(path.toString()), (writable ? O_RDWR : O_RDONLY) | O_CLOEXEC);
            if (fd < 0) {
                throw new BlockException("Could not open '" + path + "' for locking: " + strerror(errno(state)));
            }
            ImageLock lock = new ImageLock(fd);
            try {
                lock.take(a, path, perm, unshared);
                return lock;
            } catch (BlockException e) {
                lock.close();
                throw e;
            }
        } catch (BlockException e) {
            throw e;
        } catch (Throwable t) {
            throw new BlockException("Could not lock '" + path + "': " + t);
        }
    }

    private void take(Arena a, Path path, int perm, int unshared) throws Throwable {
        MemorySegment fl = a.allocate(FLOCK);
        MemorySegment state = a.allocate(STATE);
        for (int bit = 0; bit < ImageUse.BITS; bit++) {
            if ((perm & 1 << bit) != 0) lockByte(fl, state, PERM_BASE + bit);
        }
        for (int bit = 0; bit < ImageUse.BITS; bit++) {
            if ((unshared & 1 << bit) != 0) lockByte(fl, state, SHARED_BASE + bit);
        }
        String hint = ". Is another process using the image [" + path + "]?";
        for (int bit = 0; bit < ImageUse.BITS; bit++) {
            if ((perm & 1 << bit) != 0 && heldByOthers(fl, state, SHARED_BASE + bit)) {
                throw new ImageLockedException("Failed to get \"" + ImageUse.name(bit) + "\" lock" + hint);
            }
        }
        for (int bit = 0; bit < ImageUse.BITS; bit++) {
            if ((unshared & 1 << bit) != 0 && heldByOthers(fl, state, PERM_BASE + bit)) {
                throw new ImageLockedException("Failed to get shared \"" + ImageUse.name(bit) + "\" lock" + hint);
            }
        }
    }

    private void lockByte(MemorySegment fl, MemorySegment state, int offset) throws Throwable {
        set(fl, F_RDLCK, offset);
        if ((int) FCNTL.invokeExact(state, fd, F_OFD_SETLK, fl) == 0) return;
        int err = errno(state);
        if (err == EAGAIN || err == EACCES) throw new ImageLockedException("Failed to lock byte " + offset);
        throw new BlockException("Failed to lock byte " + offset + ": " + strerror(err));
    }

    /** Whether another open file description (any process, this one included) holds a lock on the byte. */
    private boolean heldByOthers(MemorySegment fl, MemorySegment state, int offset) throws Throwable {
        set(fl, F_WRLCK, offset);
        if ((int) FCNTL.invokeExact(state, fd, F_OFD_GETLK, fl) != 0) {
            int err = errno(state);
            throw new BlockException("Failed to test lock byte " + offset + ": " + strerror(err));
        }
        return (short) L_TYPE.get(fl, 0L) != F_UNLCK;
    }

    private static void set(MemorySegment fl, short type, int offset) {
        fl.fill((byte) 0);
        L_TYPE.set(fl, 0L, type);
        L_START.set(fl, 0L, (long) offset);
        L_LEN.set(fl, 0L, 1L);
    }

    private static int errno(MemorySegment state) {
        return (int) ERRNO_VALUE.get(state, 0L);
    }

    private static String strerror(int err) {
        if (err == EINVAL) return "Invalid argument";
        try {
            MemorySegment s = (MemorySegment) STRERROR.invokeExact(err);
            return s.getString(0);
        } catch (Throwable t) {
            return "errno " + err;
        }
    }

    /** Drops every lock byte (they belong to this descriptor only). */
    @Override
    public void close() {
        try {
            int ignored = (int) CLOSE.invokeExact(fd);
        } catch (Throwable t) {
            // the descriptor, and with it the locks, goes with the process anyway
        }
    }
}
