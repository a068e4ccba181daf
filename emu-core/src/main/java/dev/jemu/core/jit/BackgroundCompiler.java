package dev.jemu.core.jit;

import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The one daemon thread ("jemu-jit") on which every CPU module compiles its hot blocks, so that a CPU thread never
 * waits for a block's class to be generated and defined: it goes on interpreting the block until the task installs
 * the compiled one. A task is the module's own (it checks that its code is still current and installs the block, or
 * a "cannot compile" mark when compiling fails). A submission that finds the queue full is refused: the module
 * asks again later.
 */
public final class BackgroundCompiler {
    /** False with {@code -Djemu.jit.background=false}: blocks compile on the CPU's thread when they get hot. */
    public static final boolean ENABLED = !"false".equals(System.getProperty("jemu.jit.background"));

    private static final BlockingQueue<Runnable> QUEUE = new ArrayBlockingQueue<>(256);
    /** Tasks queued or running. */
    private static final AtomicInteger PENDING = new AtomicInteger();
    private static Thread thread;

    private BackgroundCompiler() {
    }

    /** Queues {@code compile}; false (nothing queued) when the queue is full. */
    public static boolean submit(Runnable compile) {
        start();
        PENDING.incrementAndGet();
        if (QUEUE.offer(compile)) {
            return true;
        }
        PENDING.decrementAndGet();
        return false;
    }

    private static synchronized void start() {
        if (thread == null) {
            thread = Thread.ofPlatform().daemon().name("jemu-jit").start(BackgroundCompiler::serve);
        }
    }

    private static void serve() {
        for (;;) {
            Runnable task;
            try {
                task = QUEUE.take();
            } catch (InterruptedException e) {
                continue; // a daemon: it ends with the JVM
            }
            try {
                task.run();
            } catch (RuntimeException | LinkageError e) { // the task's own fallback failed: the thread must outlive it
            } finally {
                PENDING.decrementAndGet();
            }
        }
    }

    /** For tests: waits until every task submitted so far has run; false after {@code millis}. */
    public static boolean awaitIdle(long millis) throws InterruptedException {
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
