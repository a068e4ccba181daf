package dev.jemu.core.jit;

/**
 * The switches every CPU module's block compiler reads: {@code -Djemu.jit=false} turns compilation off (the
 * interpreter alone), {@code -Djemu.jit.threshold=N} sets how often a block start must be entered before its
 * block is compiled (each ISA has its own default, measured on its boot).
 */
public final class JitPolicy {
    /** False with {@code -Djemu.jit=false}. */
    public static final boolean ENABLED = !"false".equals(System.getProperty("jemu.jit"));

    private JitPolicy() {
    }

    /** {@code -Djemu.jit.threshold}, else {@code dflt}, kept within 1..{@code max}. */
    public static int threshold(int dflt, int max) {
        return Math.max(1, Math.min(max, Integer.getInteger("jemu.jit.threshold", dflt)));
    }
}
