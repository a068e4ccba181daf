package dev.jemu.x86.cpu;

/**
 * The decoded-code cache as the {@link Mmu} sees it (the integer core implements it and connects it with
 * {@link Mmu#setCodeWatch}). A physical page with decoded code never has a write-TLB entry, so a store hitting
 * the TLB costs nothing extra; a store to such a page takes the slow path, which asks {@link #hasCode} and, if
 * so, reports the bytes through {@link #written}. When the core decodes a page it calls
 * {@link Mmu#codePageDecoded} so that write entries already in the TLB for that page are dropped.
 */
public interface CodeWatch {
    /** Whether the physical page holding {@code pa} has decoded code. Called on every slow-path RAM store. */
    boolean hasCode(long pa);

    /** A store changed {@code size} bytes at physical {@code pa} (already in memory) on a page with code. */
    void written(long pa, int size);

    /** No decoded code anywhere (until the core connects its cache). */
    CodeWatch NONE = new CodeWatch() {
        @Override
        public boolean hasCode(long pa) {
            return false;
        }

        @Override
        public void written(long pa, int size) {
        }
    };
}
