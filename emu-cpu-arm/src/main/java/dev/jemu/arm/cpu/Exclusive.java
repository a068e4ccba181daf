package dev.jemu.arm.cpu;

/**
 * The local exclusive monitor and the exclusive loads and stores. A load-exclusive records the address, size and
 * value it read (c.exclusiveAddr/exclusiveSize/exclusiveValue[High]); a store-exclusive succeeds (status 0) only
 * when the monitor holds that address and size and memory still holds the recorded value (as QEMU's cmpxchg
 * does, so another agent's store in between makes it fail), and always clears the monitor. Accesses must be
 * aligned to their whole size (a pair to twice its register size), else an alignment fault, whatever SCTLR.A says.
 */
final class Exclusive {
    private Exclusive() {
    }

    static ArmOp load(int bytes, int t, int n) {
        long misalign = bytes - 1;
        return c -> {
            long a = c.x[n];
            if ((a & misalign) != 0) {
                throw c.mmu.alignmentFault(a, false);
            }
            long v = c.mmu.read(a, bytes);
            c.exclusiveAddr = a;
            c.exclusiveSize = bytes;
            c.exclusiveValue = v;
            c.x[t] = v;
        };
    }

    static ArmOp store(int bytes, int s, int t, int n) {
        long misalign = bytes - 1;
        return c -> {
            long a = c.x[n];
            if ((a & misalign) != 0) {
                throw c.mmu.alignmentFault(a, true);
            }
            long v = c.x[t];
            boolean pass = c.exclusiveAddr == a && c.exclusiveSize == bytes;
            c.exclusiveAddr = -1;
            if (pass && c.mmu.read(a, bytes) == c.exclusiveValue) {
                c.mmu.write(a, bytes, v);
                c.x[s] = 0;
            } else {
                c.x[s] = 1;
            }
        };
    }

    /** LDXP, LDAXP: two W registers from one 8-byte access, or two X registers from 16 bytes. */
    static ArmOp loadPair(boolean x64, int t, int t2, int n) {
        if (!x64) {
            return c -> {
                long a = c.x[n];
                if ((a & 7) != 0) {
                    throw c.mmu.alignmentFault(a, false);
                }
                long v = c.read64(a);
                c.exclusiveAddr = a;
                c.exclusiveSize = 8;
                c.exclusiveValue = v;
                c.x[t2] = v >>> 32;
                c.x[t] = v & Alu.W;
            };
        }
        return c -> {
            long a = c.x[n];
            if ((a & 15) != 0) {
                throw c.mmu.alignmentFault(a, false);
            }
            long lo = c.read64(a), hi = c.read64(a + 8);
            c.exclusiveAddr = a;
            c.exclusiveSize = 16;
            c.exclusiveValue = lo;
            c.exclusiveValueHigh = hi;
            c.x[t2] = hi;
            c.x[t] = lo;
        };
    }

    /** STXP, STLXP. */
    static ArmOp storePair(boolean x64, int s, int t, int t2, int n) {
        if (!x64) {
            return c -> {
                long a = c.x[n];
                if ((a & 7) != 0) {
                    throw c.mmu.alignmentFault(a, true);
                }
                long v = (c.x[t] & Alu.W) | c.x[t2] << 32;
                boolean pass = c.exclusiveAddr == a && c.exclusiveSize == 8;
                c.exclusiveAddr = -1;
                if (pass && c.read64(a) == c.exclusiveValue) {
                    c.write64(a, v);
                    c.x[s] = 0;
                } else {
                    c.x[s] = 1;
                }
            };
        }
        return c -> {
            long a = c.x[n];
            if ((a & 15) != 0) {
                throw c.mmu.alignmentFault(a, true);
            }
            long lo = c.x[t], hi = c.x[t2];
            boolean pass = c.exclusiveAddr == a && c.exclusiveSize == 16;
            c.exclusiveAddr = -1;
            if (pass && c.read64(a) == c.exclusiveValue && c.read64(a + 8) == c.exclusiveValueHigh) {
                c.write64(a, lo);
                c.write64(a + 8, hi);
                c.x[s] = 0;
            } else {
                c.x[s] = 1;
            }
        };
    }
}
