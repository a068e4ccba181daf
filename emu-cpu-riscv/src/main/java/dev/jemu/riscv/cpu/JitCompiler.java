package dev.jemu.riscv.cpu;

import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Compiles hot blocks on a background thread, so that the harts' threads spend no time in {@link Jit} (a Linux boot
 * compiles hundreds of blocks, about a second of class building and defining). A hart asks with {@link #request}
 * and runs the block start interpreted meanwhile; the compiled block is installed in its page by this thread
 * ({@link DecodedPage#install}, refused if the page's code went since the request). One daemon thread serves every
 * hart of every machine; a request finding the queue full is dropped (the start stays hot and asks again).
 * {@code -Djemu.jit.background=false} compiles on the hart's thread at once (deterministic, for tests).
 */
final class JitCompiler {
    static final boolean BACKGROUND = !"false".equals(System.getProperty("jemu.jit.background"));

    private record Request(DecodedPage page, int idx, long pc, int epoch) {
    }

    private static final BlockingQueue<Request> QUEUE = new ArrayBlockingQueue<>(256);
    /** Requests queued or being compiled. */
    private static final AtomicInteger PENDING = new AtomicInteger();
    private static Thread thread;

    private JitCompiler() {
    }

    /** Asks for the block at slot {@code idx} of {@code page} (guest {@code pc}); false if the queue is full. */
    static boolean request(DecodedPage page, int idx, long pc) {
        start();
        PENDING.incrementAndGet();
        if (QUEUE.offer(new Request(page, idx, pc, page.epoch()))) {
            return true;
        }
        PENDING.decrementAndGet();
        return false;
    }

    private static synchronized void start() {
        if (thread == null) {
            thread = Thread.ofPlatform().daemon().name("jemu-riscv-jit").start(JitCompiler::serve);
        }
    }

    private static void serve() {
        for (;;) {
            Request r;
            try {
                r = QUEUE.take();
            } catch (InterruptedException e) {
                continue; // a daemon: it ends with the JVM
            }
            try {
                if (!r.page.dead && r.page.epoch() == r.epoch) {
                    r.page.install(r.idx, Jit.compile(r.page, r.idx, r.pc), r.epoch);
                }
            } catch (RuntimeException e) { // never seen; the thread must outlive it, the start stays interpreted
                r.page.install(r.idx, JitBlock.NONE, r.epoch);
            } finally {
                PENDING.decrementAndGet();
            }
        }
    }

    /** For tests: waits until every request made so far is compiled (or refused); false after {@code millis}. */
    static boolean awaitIdle(long millis) throws InterruptedException {
        long end = System.nanoTime() + millis * 1_000_000;
        while (PENDING.get() != 0) {
            if (System.nanoTime() > end) {
                return false;
            }
            Thread.sleep(1);
        }
        return true;
    }
}
