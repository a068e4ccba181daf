package dev.jemu.devices.net.tap;

import dev.jemu.core.host.Libc;
import dev.jemu.core.machine.ConfigException;
import dev.jemu.devices.net.FrameSink;
import dev.jemu.devices.net.NetBackend;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * {@code -netdev tap,ifname=NAME}: a Linux TAP interface from /dev/net/tun ({@code TUNSETIFF} with
 * {@code IFF_TAP|IFF_NO_PI}, through FFM), one Ethernet frame per read and write. A reader thread polls the
 * descriptor; the guest's frames are written straight from the NIC's thread (non-blocking: a full interface
 * queue drops the frame). {@code script=}/{@code downscript=} run as QEMU runs them ({@code SCRIPT IFNAME}, after
 * the interface exists / when jemu ends); QEMU's defaults are /etc/qemu-ifup and /etc/qemu-ifdown, {@code no}
 * runs nothing.
 */
public final class TapBackend implements NetBackend {
    public static final String TUN = "/dev/net/tun";
    private static final int O_RDWR = 2, O_NONBLOCK = 0x800, O_CLOEXEC = 0x80000;
    private static final long TUNSETIFF = 0x400454caL;
    private static final short IFF_TAP = 0x0002, IFF_NO_PI = 0x1000;
    private static final short POLLIN = 1;
    private static final int EAGAIN = 11, EINTR = 4;
    static final int MAX_FRAME = 65536 + 4096;

    private static final Linker.Option ERRNO = Linker.Option.captureCallState("errno");
    private static final MemoryLayout STATE = Linker.Option.captureStateLayout();
    private static final VarHandle ERRNO_HANDLE = STATE.varHandle(MemoryLayout.PathElement.groupElement("errno"));
    private static final MethodHandle OPEN = Libc.function("open",
            FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.JAVA_INT), ERRNO);
    private static final MethodHandle IOCTL = Libc.function("ioctl",
            FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.JAVA_LONG, ValueLayout.ADDRESS),
            ERRNO, Linker.Option.firstVariadicArg(2));
    private static final MethodHandle READ = Libc.function("read",
            FunctionDescriptor.of(ValueLayout.JAVA_LONG, ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.JAVA_LONG),
            ERRNO);
    private static final MethodHandle WRITE = Libc.function("write",
            FunctionDescriptor.of(ValueLayout.JAVA_LONG, ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.JAVA_LONG),
            ERRNO);
    private static final MethodHandle POLL = Libc.function("poll",
            FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.JAVA_LONG, ValueLayout.JAVA_INT));
    private static final MethodHandle CLOSE = Libc.function("close",
            FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT));
    private static final MethodHandle STRERROR = Libc.function("strerror",
            FunctionDescriptor.of(ValueLayout.ADDRESS, ValueLayout.JAVA_INT));

    private final String id;
    private final String ifname;
    private final String script, downscript;
    private final int fd;
    private final Arena arena = Arena.ofShared();
    private final MemorySegment readBuf = arena.allocate(MAX_FRAME, 16);
    private final MemorySegment writeBuf = arena.allocate(MAX_FRAME, 16);
    private final MemorySegment readState = arena.allocate(STATE), writeState = arena.allocate(STATE);
    private final Semaphore room = new Semaphore(0);
    private final AtomicLong rxDropped = new AtomicLong(), txDropped = new AtomicLong();
    private volatile boolean closed;
    private Thread reader;

    private TapBackend(String id, String ifname, int fd, String script, String downscript) {
        this.id = id;
        this.script = script;
        this.ifname = ifname;
        this.fd = fd;
        this.downscript = downscript;
    }

    /**
     * Opens the TAP interface {@code ifname} (null or empty: the kernel names one, tapN) and runs {@code script}
     * (null: none).
     */
    public static TapBackend open(String id, String ifname, String script, String downscript, String opt)
            throws ConfigException {
        if (OPEN == null || IOCTL == null) {
            throw new ConfigException(opt + ": tap needs Linux and native access (--enable-native-access)");
        }
        if (ifname != null && ifname.getBytes(StandardCharsets.UTF_8).length >= 16) {
            throw new ConfigException(opt + ": could not configure " + TUN + " (" + ifname + "): Invalid argument");
        }
        int fd;
        String name;
        try (Arena a = Arena.ofConfined()) {
            MemorySegment st = a.allocate(STATE);
            fd = (int) OPEN.invokeExact(st, a.allocateFrom(TUN), O_RDWR | O_NONBLOCK | O_CLOEXEC);
            if (fd < 0) {
                throw new ConfigException(opt + ": could not open " + TUN + ": " + strerror(errno(st)));
            }
            MemorySegment ifr = a.allocate(40);
            if (ifname != null) {
                ifr.setString(0, ifname);
            }
            ifr.set(ValueLayout.JAVA_SHORT, 16, (short) (IFF_TAP | IFF_NO_PI));
            int r = (int) IOCTL.invokeExact(st, fd, TUNSETIFF, ifr);
            if (r < 0) {
                int e = errno(st);
                closeFd(fd);
                throw new ConfigException(opt + ": could not configure " + TUN
                        + (ifname != null && !ifname.isEmpty() ? " (" + ifname + ")" : "") + ": " + strerror(e));
            }
            name = ifr.getString(0);
        } catch (ConfigException e) {
            throw e;
        } catch (Throwable t) {
            throw new ConfigException(opt + ": could not open " + TUN + ": " + t);
        }
        TapBackend tap = new TapBackend(id, name, fd, script, downscript);
        if (script != null) {
            try {
                runScript(script, name, opt);
            } catch (ConfigException e) {
                tap.closeQuietly();
                throw e;
            }
        }
        return tap;
    }

    private static void runScript(String script, String ifname, String opt) throws ConfigException {
        int status;
        try {
            Process p = new ProcessBuilder(script, ifname).inheritIO().start();
            status = p.waitFor() << 8;
        } catch (IOException e) {
            status = 1 << 8; // QEMU's child exits 1 when it cannot exec the script
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            status = 1 << 8;
        }
        if (status != 0) {
            throw new ConfigException(opt + ": network script " + script + " failed with status " + status);
        }
    }

    private static int errno(MemorySegment state) {
        return (int) ERRNO_HANDLE.get(state, 0L);
    }

    private static String strerror(int errno) {
        try {
            MemorySegment s = (MemorySegment) STRERROR.invokeExact(errno);
            return s.reinterpret(256).getString(0);
        } catch (Throwable t) {
            return "errno " + errno;
        }
    }

    private static void closeFd(int fd) {
        try {
            int r = (int) CLOSE.invokeExact(fd);
        } catch (Throwable t) {
            // nothing to lose
        }
    }

    public String ifname() {
        return ifname;
    }

    @Override
    public String id() {
        return id;
    }

    @Override
    public String describe() {
        return id + ": index=0,type=tap,ifname=" + ifname + ",script=" + (script == null ? "no" : script)
                + ",downscript=" + (downscript == null ? "no" : downscript);
    }

    @Override
    public void start(FrameSink toGuest) {
        reader = Thread.ofPlatform().daemon().name("netdev-" + id).start(() -> readLoop(toGuest));
    }

    private void readLoop(FrameSink sink) {
        MemorySegment pfd = arena.allocate(8, 4);
        pfd.set(ValueLayout.JAVA_INT, 0, fd);
        pfd.set(ValueLayout.JAVA_SHORT, 4, POLLIN);
        try {
            while (!closed) {
                pfd.set(ValueLayout.JAVA_SHORT, 6, (short) 0);
                int r = (int) POLL.invokeExact(pfd, 1L, 200);
                if (r <= 0) {
                    continue;
                }
                while (!closed) {
                    long n = (long) READ.invokeExact(readState, fd, readBuf, (long) MAX_FRAME);
                    if (n <= 0) {
                        int e = errno(readState);
                        if (n < 0 && e != EAGAIN && e != EINTR) {
                            System.err.println("jemu: netdev " + id + ": tap read: " + strerror(e));
                            return;
                        }
                        break;
                    }
                    ByteBuffer frame = readBuf.asSlice(0, n).asByteBuffer();
                    while (!sink.deliver(frame.duplicate()) && !closed) {
                        room.tryAcquire(200, TimeUnit.MILLISECONDS); // the NIC is full: wait for receiveReady
                    }
                }
            }
        } catch (Throwable t) {
            if (!closed) {
                System.err.println("jemu: netdev " + id + ": " + t);
            }
        }
    }

    @Override
    public void receiveReady() {
        room.release();
    }

    @Override
    public void send(ByteBuffer frame) {
        int n = frame.remaining();
        if (n > MAX_FRAME || closed) {
            txDropped.incrementAndGet();
            return;
        }
        synchronized (writeBuf) {
            MemorySegment src;
            if (frame.isDirect()) {
                src = MemorySegment.ofBuffer(frame);
            } else {
                MemorySegment.copy(MemorySegment.ofBuffer(frame), 0, writeBuf, 0, n);
                src = writeBuf;
            }
            try {
                long w = (long) WRITE.invokeExact(writeState, fd, src, (long) n);
                if (w != n) {
                    txDropped.incrementAndGet(); // EAGAIN: the interface's queue is full
                }
            } catch (Throwable t) {
                txDropped.incrementAndGet();
            }
        }
    }

    public long txDropped() {
        return txDropped.get();
    }

    private void closeQuietly() {
        closed = true;
        closeFd(fd);
        arena.close();
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        if (reader != null) {
            try {
                reader.join(2000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        synchronized (writeBuf) {
            closeFd(fd);
        }
        arena.close();
        if (downscript != null) {
            try {
                runScript(downscript, ifname, "-netdev " + id);
            } catch (ConfigException e) {
                System.err.println("jemu: " + e.getMessage());
            }
        }
    }
}
