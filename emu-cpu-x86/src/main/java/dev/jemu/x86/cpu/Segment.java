package dev.jemu.x86.cpu;

/**
 * A segment register with its hidden part (the descriptor cache): selector, base, limit (already scaled by G,
 * so a byte limit) and the descriptor's attribute bits as bits 8..23 of its high dword hold them: type 8-11,
 * S 12, DPL 13-14, P 15, AVL 20, L 21, D/B 22, G 23 (bits 16-19, limit 19:16, are always 0 here).
 */
public final class Segment {
    public static final int TYPE_SHIFT = 8, S = 1 << 12, DPL_SHIFT = 13, P = 1 << 15, AVL = 1 << 20, L = 1 << 21,
            DB = 1 << 22, G = 1 << 23;
    /** Attributes of a real-mode (or reset) data segment: present, writable, accessed data. */
    public static final int REAL_DATA = P | S | 3 << TYPE_SHIFT;
    /** Attributes of a real-mode code segment: present, readable, accessed code. */
    public static final int REAL_CODE = P | S | 0xb << TYPE_SHIFT;

    public int selector;
    public long base;
    /** The byte limit (a G=1 descriptor's limit already shifted and filled with ones). */
    public long limit;
    public int attr;

    public Segment() {
        set(0, 0, 0xffff, REAL_DATA);
    }

    public void set(int selector, long base, long limit, int attr) {
        this.selector = selector & 0xffff;
        this.base = base;
        this.limit = limit;
        this.attr = attr;
    }

    public void copyFrom(Segment s) {
        set(s.selector, s.base, s.limit, s.attr);
    }

    public int type() {
        return attr >>> TYPE_SHIFT & 0xf;
    }

    public int dpl() {
        return attr >>> DPL_SHIFT & 3;
    }

    public boolean present() {
        return (attr & P) != 0;
    }

    public boolean system() {
        return (attr & S) == 0;
    }

    public boolean longMode() {
        return (attr & L) != 0;
    }

    public boolean big() {
        return (attr & DB) != 0;
    }

    public boolean code() {
        return (attr & S) != 0 && (type() & 8) != 0;
    }

    @Override
    public String toString() {
        return String.format("%04x %016x %08x %06x", selector, base, limit, attr);
    }
}
