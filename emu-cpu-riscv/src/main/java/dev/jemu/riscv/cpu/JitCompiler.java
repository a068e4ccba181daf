package dev.jemu.riscv.cpu;

import dev.jemu.core.jit.BackgroundCompiler;

/**
 * Compiles hot blocks on the shared {@link BackgroundCompiler} thread, so that the harts' threads spend no time in
 * {@link Jit} (a Linux boot compiles hundreds of blocks, about a second of class building and defining). A hart asks
 * with {@link #request} and runs the block start interpreted meanwhile; the compiled block is installed in its page
 * ({@link DecodedPage#install}, refused if the page's code went since the request). {@code -Djemu.jit.background=false}
 * compiles on the hart's thread at once (deterministic, for tests).
 */
final class JitCompiler {
    static final boolean BACKGROUND = BackgroundCompiler.ENABLED;

    private JitCompiler() {
    }

    /** Asks for the block at slot {@code idx} of {@code page} (guest {@code pc}); false if the queue is full. */
    static boolean request(DecodedPage page, int idx, long pc) {
        return request(page, idx, pc, null);
    }

    /** As {@link #request(DecodedPage, int, long)}, the block spanning the other pages {@code others} maps. */
    static boolean request(DecodedPage page, int idx, long pc, Jit.CodePages others) {
        int epoch = page.epoch();
        return BackgroundCompiler.submit(() -> {
            if (page.dead || page.epoch() != epoch) {
                return;
            }
            JitBlock b;
            try {
                b = Jit.compile(page, idx, pc, others);
            } catch (RuntimeException e) { // never seen; the start stays interpreted
                b = JitBlock.NONE;
            }
            page.install(idx, b, epoch);
        });
    }

    /** For tests: waits until every request made so far is compiled (or refused); false after {@code millis}. */
    static boolean awaitIdle(long millis) throws InterruptedException {
        return BackgroundCompiler.awaitIdle(millis);
    }
}
