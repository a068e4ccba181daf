package dev.jemu.x86.cpu;

import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * Compiles hot blocks on a thread of its own, so the CPU thread never waits for a block's class to be generated and
 * defined (about a millisecond each, thousands per boot): it goes on interpreting the block until the compiled one is
 * installed in its page. Safe because a compiled block and the interpreter retire the same instructions with the
 * same effects, whichever runs: the block is decoded from the page's snapshot (never written after the page is
 * made), and its fields are final, so publishing it by a plain array store is enough (the CPU sees it sooner or
 * later). A block of a page dropped meanwhile lands in a dead page, which is never entered again.
 */
final class X86BackgroundCompiler {
    private static final ThreadPoolExecutor COMPILER = new ThreadPoolExecutor(1, 1, 0, TimeUnit.SECONDS,
            new LinkedBlockingQueue<>(), r -> {
                Thread t = new Thread(r, "x86-jit");
                t.setDaemon(true);
                return t;
            });

    private X86BackgroundCompiler() {
    }

    /** Compiles the block at {@code off} of {@code page} and stores it in {@code blocks[off]}. */
    static void submit(CodeCache.Page page, int off, X86Block[] blocks) {
        COMPILER.execute(() -> {
            if (page.dead) {
                return;
            }
            X86Block b;
            try {
                b = X86Jit.compile(page, off);
            } catch (RuntimeException | LinkageError e) {
                b = X86Block.NONE; // a compiler bug: the interpreter runs the block
            }
            blocks[off] = b;
        });
    }
}
