package dev.jemu.x86.cpu;

import dev.jemu.core.jit.BackgroundCompiler;

/**
 * Compiles hot blocks on the shared compiler thread ({@link BackgroundCompiler}), so the CPU thread never waits for a block's class to be generated and
 * defined (about a millisecond each, thousands per boot): it goes on interpreting the block until the compiled one is
 * installed in its page. Safe because a compiled block and the interpreter retire the same instructions with the
 * same effects, whichever runs: the block is decoded from the page's snapshot (never written after the page is
 * made), and its fields are final, so publishing it by a plain array store is enough (the CPU sees it sooner or
 * later). A block of a page dropped meanwhile lands in a dead page, which is never entered again.
 */
final class X86BackgroundCompiler {
    private X86BackgroundCompiler() {
    }

    /**
     * Compiles the block at {@code off} of {@code page} on the shared {@link BackgroundCompiler} thread and stores it
     * in {@code blocks[off]}; false (nothing queued) when its queue is full.
     */
    static boolean submit(CodeCache.Page page, int off, X86Block[] blocks) {
        long t0 = X86Stats.ON ? System.nanoTime() : 0;
        return BackgroundCompiler.submit(() -> {
            if (X86Stats.ON) {
                X86Stats.queueWaitNanos += System.nanoTime() - t0; // racy, diagnostics only
                X86Stats.queued++;
            }
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
