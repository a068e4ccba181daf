package dev.jemu.x86.kvm;

import dev.jemu.core.host.Libc;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;

/**
 * Gets the vCPU out of KVM_RUN when the machine loop has work (posted tasks, an exit request) or a timer falls
 * due, without a signal handler in the JVM: a real-time signal stays blocked on the machine thread except
 * inside KVM_RUN (KVM_SET_SIGNAL_MASK), so a {@code pthread_kill} makes KVM_RUN return EINTR (also when it
 * lands just before the entry: it is then pending and the entry returns at once), and the pending signal is
 * then taken with {@code sigtimedwait} instead of being delivered. A small timer thread kicks at the next
 * guest timer's deadline; the loop's attention hook kicks at once.
 */
final class VcpuKick implements AutoCloseable {
    /** SIGRTMIN + 6 (glibc's SIGRTMIN is 34): HotSpot uses no real-time signal. */
    static final int SIGNAL = 40;
    private static final int SIG_BLOCK = 0;
    private static final long SIGSET_BYTES = 128; // glibc's sigset_t

    private static final MethodHandle PTHREAD_SELF = Libc.function("pthread_self",
            FunctionDescriptor.of(ValueLayout.JAVA_LONG));
    private static final MethodHandle PTHREAD_KILL = Libc.function("pthread_kill",
            FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_LONG, ValueLayout.JAVA_INT));
    private static final MethodHandle PTHREAD_SIGMASK = Libc.function("pthread_sigmask",
            FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.ADDRESS));
    private static final MethodHandle SIGTIMEDWAIT = Libc.function("sigtimedwait",
            FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.ADDRESS, ValueLayout.ADDRESS));

    private final Arena arena = Arena.ofShared();
    private final MemorySegment onlyOurs = arena.allocate(SIGSET_BYTES, 8);
    private final MemorySegment zeroTimeout = arena.allocate(16, 8);
    private volatile long thread; // pthread_t of the vCPU's thread, 0 before its first run
    private Thread owner;
    private final AtomicBoolean inGuest = new AtomicBoolean();
    // host System.nanoTime() of the next kick by time; MAX_VALUE: none
    private final java.util.concurrent.atomic.AtomicLong deadline = new java.util.concurrent.atomic.AtomicLong(Long.MAX_VALUE);
    private final Thread timer;
    private volatile boolean closed;
    long kicks; // signals sent (statistics)

    VcpuKick() {
        onlyOurs.set(ValueLayout.JAVA_LONG, 0, 1L << (SIGNAL - 1));
        timer = Thread.ofPlatform().daemon().name("kvm-vcpu-timer").unstarted(this::timerLoop);
        timer.start();
    }

    /**
     * On the vCPU's thread, before its first KVM_RUN: blocks the signal on this thread and returns the
     * kernel signal mask (8 bytes) KVM_RUN should run with: this thread's mask without the signal.
     */
    long attach() throws KvmException {
        if (PTHREAD_SELF == null || PTHREAD_KILL == null || PTHREAD_SIGMASK == null || SIGTIMEDWAIT == null) {
            throw new KvmException(0, "pthread signal functions are not available");
        }
        try (Arena a = Arena.ofConfined()) {
            MemorySegment old = a.allocate(SIGSET_BYTES, 8);
            int rc = (int) PTHREAD_SIGMASK.invokeExact(SIG_BLOCK, onlyOurs, old);
            if (rc != 0) {
                throw new KvmException(rc, "pthread_sigmask: " + Kvm.strerror(rc));
            }
            thread = (long) PTHREAD_SELF.invokeExact();
            owner = Thread.currentThread();
            // link the downcalls of a kick now (signal 0 only checks the thread): a first kick would wait for it
            int rc0 = (int) PTHREAD_KILL.invokeExact(thread, 0);
            drain();
            return old.get(ValueLayout.JAVA_LONG, 0) & ~(1L << (SIGNAL - 1));
        } catch (KvmException e) {
            throw e;
        } catch (Throwable t) {
            throw new KvmException(0, t.toString());
        }
    }

    /** Whether {@link #attach} ran on the calling thread (the machine thread may change between runs in tests). */
    boolean attached() {
        return owner == Thread.currentThread();
    }

    /** Around KVM_RUN: a kick is sent only while the vCPU is (about to be) inside. */
    void entering(long hostDeadline) {
        inGuest.set(true);
        long d = deadline.get();
        if (hostDeadline < d && deadline.compareAndSet(d, hostDeadline)) {
            LockSupport.unpark(timer);
        }
    }

    void left() {
        inGuest.set(false);
    }

    /** Any thread: makes a running KVM_RUN return soon (EINTR). */
    void kick() {
        long t = thread;
        if (t != 0 && inGuest.get()) {
            try {
                int rc = (int) PTHREAD_KILL.invokeExact(t, SIGNAL);
                kicks++;
            } catch (Throwable e) {
                // nothing else can interrupt the guest; the next exit returns anyway
            }
        }
    }

    /** On the vCPU's thread after KVM_RUN returned: takes every pending kick so that none is left for later. */
    void drain() {
        try {
            while ((int) SIGTIMEDWAIT.invokeExact(onlyOurs, MemorySegment.NULL, zeroTimeout) == SIGNAL) {
                // one more queued kick taken
            }
        } catch (Throwable t) {
            // a kick left pending makes the next KVM_RUN return at once: harmless
        }
    }

    private void timerLoop() {
        while (!closed) {
            long d = deadline.get(), now = System.nanoTime();
            if (d == Long.MAX_VALUE) {
                LockSupport.park(this);
            } else if (now < d) {
                LockSupport.parkNanos(this, d - now);
            } else if (deadline.compareAndSet(d, Long.MAX_VALUE)) { // a newer deadline set meanwhile stays
                kick();
            }
        }
    }

    /** Clears a timed kick that is no longer wanted (the run returned before it). */
    void clearDeadline() {
        deadline.set(Long.MAX_VALUE);
    }

    @Override
    public void close() {
        closed = true;
        LockSupport.unpark(timer);
        try {
            timer.join(1000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        arena.close();
    }
}
