package dev.jemu.riscv.cpu;

/** Builds Sv39/Sv48/Sv57 page tables in a test rig's RAM. */
final class PageTables {
    static final long V = 1, R = 2, W = 4, X = 8, U = 16, G = 32, A = 64, D = 128;

    final TestRig rig;
    final int levels;
    final long root;
    private long next;

    PageTables(TestRig rig, int levels, long pool) {
        this.rig = rig;
        this.levels = levels;
        this.root = pool;
        this.next = pool + 4096;
        zero(root);
    }

    private void zero(long page) {
        rig.bus.load(page, new byte[4096]);
    }

    long satp() {
        int mode = levels == 3 ? 8 : levels == 4 ? 9 : 10;
        return (long) mode << 60 | root >>> 12;
    }

    /** Maps the page of {@code va} at {@code level} (0 = 4 KiB, 1 = 2 MiB, ...) to {@code pa}. */
    long map(long va, long pa, long flags, int level) {
        long table = root;
        for (int i = levels - 1; i > level; i--) {
            long addr = table + ((va >>> (12 + 9 * i)) & 511) * 8;
            long pte = rig.read64(addr);
            if ((pte & V) == 0) {
                long t = next;
                next += 4096;
                zero(t);
                pte = (t >>> 12) << 10 | V;
                rig.write64(addr, pte);
            }
            table = ((pte >>> 10) & ((1L << 44) - 1)) << 12;
        }
        long addr = table + ((va >>> (12 + 9 * level)) & 511) * 8;
        rig.write64(addr, (pa >>> 12) << 10 | flags | V);
        return addr;
    }

    long map(long va, long pa, long flags) {
        return map(va, pa, flags, 0);
    }
}
