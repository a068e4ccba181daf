package dev.jemu.cli.chardev;

import dev.jemu.core.host.Libc;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;

/**
 * A host file descriptor for the char backends Java has no API for (a pty master, a host serial port):
 * libc's open/read/write/poll and the termios calls through FFM, with errno turned into its message.
 * Linux only (the flag values and the termios size are Linux's); elsewhere {@link #AVAILABLE} is false.
 */
final class HostFd implements AutoCloseable {
    static final boolean AVAILABLE = Libc.AVAILABLE;
    private static final int O_RDWR = 2, O_NOCTTY = 0x100, O_NONBLOCK = 0x800;
    private static final int F_GETFL = 3, F_SETFL = 4;
    private static final int TCSANOW = 0;
    private static final int CLOCAL = 0x800, CREAD = 0x80;
    private static final int TERMIOS_SIZE = 128;  // glibc's struct termios is 60 bytes: room to spare
    static final short POLLIN = 0x1, POLLERR = 0x8, POLLHUP = 0x10;

    private static final StructLayout CAPTURE = Linker.Option.captureStateLayout();
    private static final VarHandle ERRNO = CAPTURE.varHandle(MemoryLayout.PathElement.groupElement("errno"));
    private static final Linker.Option ERR = Linker.Option.captureCallState("errno");
    private static final ValueLayout.OfInt INT = ValueLayout.JAVA_INT;
    private static final ValueLayout.OfLong LONG = ValueLayout.JAVA_LONG;
    private static final ValueLayout ADDR = ValueLayout.ADDRESS;
    private static final MethodHandle OPEN = fn("open", FunctionDescriptor.of(INT, ADDR, INT), ERR,
            Linker.Option.firstVariadicArg(2));
    private static final MethodHandle READ = fn("read", FunctionDescriptor.of(LONG, INT, ADDR, LONG), ERR);
    private static final MethodHandle WRITE = fn("write", FunctionDescriptor.of(LONG, INT, ADDR, LONG), ERR);
    private static final MethodHandle CLOSE = fn("close", FunctionDescriptor.of(INT, INT));
    private static final MethodHandle POLL = fn("poll", FunctionDescriptor.of(INT, ADDR, LONG, INT), ERR);
    private static final MethodHandle FCNTL = fn("fcntl", FunctionDescriptor.of(INT, INT, INT, INT),
            Linker.Option.firstVariadicArg(2));
    private static final MethodHandle ISATTY = fn("isatty", FunctionDescriptor.of(INT, INT));
    private static final MethodHandle TCGETATTR = fn("tcgetattr", FunctionDescriptor.of(INT, INT, ADDR), ERR);
    private static final MethodHandle TCSETATTR = fn("tcsetattr", FunctionDescriptor.of(INT, INT, INT, ADDR), ERR);
    private static final MethodHandle CFMAKERAW = fn("cfmakeraw", FunctionDescriptor.ofVoid(ADDR));
    private static final MethodHandle POSIX_OPENPT = fn("posix_openpt", FunctionDescriptor.of(INT, INT), ERR);
    private static final MethodHandle GRANTPT = fn("grantpt", FunctionDescriptor.of(INT, INT), ERR);
    private static final MethodHandle UNLOCKPT = fn("unlockpt", FunctionDescriptor.of(INT, INT), ERR);
    private static final MethodHandle PTSNAME_R = fn("ptsname_r", FunctionDescriptor.of(INT, INT, ADDR, LONG));
    private static final MethodHandle STRERROR = fn("strerror", FunctionDescriptor.of(ADDR, INT));

    private final int fd;
    private volatile boolean closed;

    private HostFd(int fd) {
        this.fd = fd;
    }

    private static MethodHandle fn(String name, FunctionDescriptor d, Linker.Option... options) {
        return Libc.function(name, d, options);
    }

    /** Opens {@code path} read-write without making it the controlling terminal and without waiting for DCD. */
    static HostFd open(String path) throws IOException {
        need();
        try (Arena a = Arena.ofConfined()) {
            MemorySegment err = a.allocate(CAPTURE);
            int fd = (int) OPEN.invokeExact(err, a.allocateFrom(path), O_RDWR | O_NOCTTY | O_NONBLOCK);
            if (fd < 0) {
                throw new IOException(strerror(errno(err)));
            }
            HostFd f = new HostFd(fd);
            int flags = (int) FCNTL.invokeExact(fd, F_GETFL, 0);
            int ignored = (int) FCNTL.invokeExact(fd, F_SETFL, flags & ~O_NONBLOCK);
            return f;
        } catch (IOException e) {
            throw e;
        } catch (Throwable t) {
            throw new IOException(t.toString());
        }
    }

    /** A new pseudo-terminal: the master end, unlocked; {@link #ptsName()} names the slave. */
    static HostFd openPtyMaster() throws IOException {
        need();
        try (Arena a = Arena.ofConfined()) {
            MemorySegment err = a.allocate(CAPTURE);
            int fd = (int) POSIX_OPENPT.invokeExact(err, O_RDWR | O_NOCTTY);
            if (fd < 0) {
                throw new IOException("cannot open a pseudo-terminal: " + strerror(errno(err)));
            }
            HostFd f = new HostFd(fd);
            if ((int) GRANTPT.invokeExact(err, fd) != 0 || (int) UNLOCKPT.invokeExact(err, fd) != 0) {
                int e = errno(err);
                f.close();
                throw new IOException("cannot unlock the pseudo-terminal: " + strerror(e));
            }
            return f;
        } catch (IOException e) {
            throw e;
        } catch (Throwable t) {
            throw new IOException(t.toString());
        }
    }

    /** The slave's path of a pty master. */
    String ptsName() throws IOException {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment buf = a.allocate(256);
            if ((int) PTSNAME_R.invokeExact(fd, buf, 256L) != 0) {
                throw new IOException("cannot name the pseudo-terminal");
            }
            return buf.getString(0);
        } catch (IOException e) {
            throw e;
        } catch (Throwable t) {
            throw new IOException(t.toString());
        }
    }

    boolean isTerminal() {
        try {
            return (int) ISATTY.invokeExact(fd) == 1;
        } catch (Throwable t) {
            return false;
        }
    }

    /**
     * Raw mode, as QEMU sets its pty and serial backends: no echo, no line editing, no translation, 8 bits,
     * receiver on and modem lines ignored (a port without carrier still works).
     */
    void makeRaw() throws IOException {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment err = a.allocate(CAPTURE);
            MemorySegment t = a.allocate(TERMIOS_SIZE);
            if ((int) TCGETATTR.invokeExact(err, fd, t) != 0) {
                throw new IOException(strerror(errno(err)));
            }
            CFMAKERAW.invokeExact(t);
            t.set(INT, 8, t.get(INT, 8) | CLOCAL | CREAD); // c_cflag
            if ((int) TCSETATTR.invokeExact(err, fd, TCSANOW, t) != 0) {
                throw new IOException(strerror(errno(err)));
            }
        } catch (IOException e) {
            throw e;
        } catch (Throwable t) {
            throw new IOException(t.toString());
        }
    }

    /**
     * Waits up to {@code millis} for input; returns poll's revents (0 on timeout). A pty master reports
     * POLLHUP while no process has the slave open.
     */
    int poll(int millis) throws IOException {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment err = a.allocate(CAPTURE);
            MemorySegment pfd = a.allocate(8);
            pfd.set(INT, 0, fd);
            pfd.set(ValueLayout.JAVA_SHORT, 4, POLLIN);
            int n = (int) POLL.invokeExact(err, pfd, 1L, millis);
            if (n < 0) {
                int e = errno(err);
                if (e == 4) { // EINTR
                    return 0;
                }
                throw new IOException(strerror(e));
            }
            return n == 0 ? 0 : pfd.get(ValueLayout.JAVA_SHORT, 6);
        } catch (IOException e) {
            throw e;
        } catch (Throwable t) {
            throw new IOException(t.toString());
        }
    }

    /** Reads into {@code buf} (a native segment); returns the count, 0 at end of file, or -errno. */
    long read(MemorySegment buf, MemorySegment err) {
        try {
            long n = (long) READ.invokeExact(err, fd, buf, buf.byteSize());
            return n >= 0 ? n : -errno(err);
        } catch (Throwable t) {
            return -5;
        }
    }

    /** Writes all of {@code data}; false when the descriptor failed (closed, hung up). Blocking. */
    boolean writeFully(byte[] data, int off, int len) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment err = a.allocate(CAPTURE);
            MemorySegment buf = a.allocate(Math.max(1, len));
            MemorySegment.copy(data, off, buf, ValueLayout.JAVA_BYTE, 0, len);
            long done = 0;
            while (done < len && !closed) {
                long n = (long) WRITE.invokeExact(err, fd, buf.asSlice(done), (long) len - done);
                if (n < 0) {
                    int e = errno(err);
                    if (e == 4) {
                        continue;
                    }
                    if (e == 11) { // EAGAIN: a non-blocking device that is full: wait a little
                        Thread.sleep(10);
                        continue;
                    }
                    return false;
                }
                done += n;
            }
            return done == len;
        } catch (Throwable t) {
            return false;
        }
    }

    static MemorySegment errnoSlot(Arena a) {
        return a.allocate(CAPTURE);
    }

    static int errno(MemorySegment capture) {
        return (int) ERRNO.get(capture, 0L);
    }

    static String strerror(int errno) {
        try {
            MemorySegment s = (MemorySegment) STRERROR.invokeExact(errno);
            return s.reinterpret(256).getString(0);
        } catch (Throwable t) {
            return "error " + errno;
        }
    }

    private static void need() throws IOException {
        if (!AVAILABLE || OPEN == null || POSIX_OPENPT == null) {
            throw new IOException("host devices need Linux and native access (--enable-native-access)");
        }
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            int ignored = (int) CLOSE.invokeExact(fd);
        } catch (Throwable t) {
            // nothing to do
        }
    }
}
