package dev.jemu.riscv.cpu;

/**
 * Physical memory protection: 16 entries ({@code pmpcfg0}/{@code pmpcfg2} on RV64, {@code pmpaddr0..15}),
 * grain 4 bytes, TOR/NA4/NAPOT matching and locking. {@code pmpaddr16..63} and the other {@code pmpcfg}
 * registers are hard-wired to zero, which the spec allows and which is what QEMU's 16-entry harts show.
 *
 * <p>Each entry's matched range is precomputed on write, so a check is a short loop; the hart also asks
 * {@link #pagePermissions} whether a whole 4 KiB page is uniform, in which case its TLB may cache the page.
 */
final class Pmp {
    static final int ENTRIES = 16;
    static final int R = 1, W = 2, X = 4, A_SHIFT = 3, L = 0x80;
    static final int OFF = 0, TOR = 1, NA4 = 2, NAPOT = 3;
    /** pmpaddr holds bits 55:2 of the address. */
    static final long ADDR_MASK = (1L << 54) - 1;

    final int[] cfg = new int[ENTRIES];
    final long[] addr = new long[ENTRIES];
    private final long[] lo = new long[ENTRIES];
    private final long[] hi = new long[ENTRIES]; // exclusive; lo >= hi means the entry matches nothing
    private int active; // number of entries up to the last non-OFF one

    void reset() {
        java.util.Arrays.fill(cfg, 0);
        java.util.Arrays.fill(addr, 0);
        recompute();
    }

    private boolean locked(int i) {
        return (cfg[i] & L) != 0;
    }

    /** Reads pmpcfgN (N even; odd numbers are illegal on RV64 and rejected by the caller). */
    long readCfg(int n) {
        if (n != 0 && n != 2) {
            return 0;
        }
        long v = 0;
        int first = n * 4;
        for (int k = 0; k < 8; k++) {
            v |= (long) cfg[first + k] << (8 * k);
        }
        return v;
    }

    void writeCfg(int n, long v) {
        if (n != 0 && n != 2) {
            return;
        }
        int first = n * 4;
        for (int k = 0; k < 8; k++) {
            int i = first + k;
            if (locked(i)) {
                continue;
            }
            int c = (int) (v >>> (8 * k)) & 0x9f;
            if ((c & (R | W)) == W) { // W without R is reserved: drop W (WARL)
                c &= ~W;
            }
            cfg[i] = c;
        }
        recompute();
    }

    long readAddr(int i) {
        return i < ENTRIES ? addr[i] : 0;
    }

    void writeAddr(int i, long v) {
        if (i >= ENTRIES || locked(i)) {
            return;
        }
        if (i + 1 < ENTRIES && locked(i + 1) && mode(i + 1) == TOR) {
            return;
        }
        addr[i] = v & ADDR_MASK;
        recompute();
    }

    private int mode(int i) {
        return (cfg[i] >>> A_SHIFT) & 3;
    }

    void recompute() {
        active = 0;
        for (int i = 0; i < ENTRIES; i++) {
            long a = addr[i];
            switch (mode(i)) {
                case TOR -> {
                    lo[i] = i == 0 ? 0 : addr[i - 1] << 2;
                    hi[i] = a << 2;
                }
                case NA4 -> {
                    lo[i] = a << 2;
                    hi[i] = lo[i] + 4;
                }
                case NAPOT -> {
                    int ones = Long.numberOfTrailingZeros(~a);
                    lo[i] = (a & ~((1L << ones) - 1)) << 2;
                    hi[i] = lo[i] + (1L << (ones + 3));
                }
                default -> {
                    lo[i] = 0;
                    hi[i] = 0;
                }
            }
            if (mode(i) != OFF) {
                active = i + 1;
            }
        }
    }

    private int perms(int i, int priv) {
        return priv == 3 && !locked(i) ? R | W | X : cfg[i] & (R | W | X);
    }

    /** Whether an access of {@code size} bytes at {@code pa} needing {@code need} (R, W or X) is allowed. */
    boolean check(long pa, int size, int need, int priv) {
        long end = pa + size;
        for (int i = 0; i < active; i++) {
            long l = lo[i], h = hi[i];
            if (Long.compareUnsigned(l, h) >= 0 || Long.compareUnsigned(end, l) <= 0
                    || Long.compareUnsigned(pa, h) >= 0) {
                continue;
            }
            if (Long.compareUnsigned(pa, l) < 0 || Long.compareUnsigned(end, h) > 0) {
                return false; // only some bytes match the highest-priority entry
            }
            return (perms(i, priv) & need) != 0;
        }
        return priv == 3;
    }

    /** Whether {@link #pagePermissions} result {@code perms} grants {@code need} to the whole page. */
    static boolean allows(int perms, int need) {
        return perms >= 0 && (perms & need) != 0;
    }

    /** Permissions valid for every byte of the 4 KiB page at {@code page}, or -1 if they differ inside it. */
    int pagePermissions(long page, int priv) {
        long end = page + 4096;
        for (int i = 0; i < active; i++) {
            long l = lo[i], h = hi[i];
            if (Long.compareUnsigned(l, h) >= 0 || Long.compareUnsigned(end, l) <= 0
                    || Long.compareUnsigned(page, h) >= 0) {
                continue;
            }
            if (Long.compareUnsigned(page, l) < 0 || Long.compareUnsigned(end, h) > 0) {
                return -1;
            }
            return perms(i, priv);
        }
        return priv == 3 ? R | W | X : 0;
    }
}
