package dev.jemu.arm.cpu;

/**
 * The local exclusive monitor and the exclusive loads and stores. A load-exclusive records the address, size and
 * value it read (c.exclusiveAddr/exclusiveSize/exclusiveValue[High]); a store-exclusive succeeds (status 0) only
 * when the monitor holds that address and size and memory still holds the recorded value (as QEMU's cmpxchg
 * does, so another agent's store in between makes it fail), and always clears the monitor. Accesses must be
 * aligned to their whole size (a pair to twice its register size), else an alignment fault, whatever SCTLR.A says;
 * like QEMU, a store-exclusive to an address the monitor does not hold fails without checking alignment.
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
            long v = c.x[t];
            if (!monitorHolds(c, a, misalign, bytes)) {
                c.x[s] = 1;
            } else if (c.mmu.read(a, bytes) == c.exclusiveValue) {
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
                long v = (c.x[t] & Alu.W) | c.x[t2] << 32;
                if (!monitorHolds(c, a, 7, 8)) {
                    c.x[s] = 1;
                } else if (c.read64(a) == c.exclusiveValue) {
                    c.write64(a, v);
                    c.x[s] = 0;
                } else {
                    c.x[s] = 1;
                }
            };
        }
        return c -> {
            long a = c.x[n];
            long lo = c.x[t], hi = c.x[t2];
            if (!monitorHolds(c, a, 15, 16)) {
                c.x[s] = 1;
            } else if (c.read64(a) == c.exclusiveValue && c.read64(a + 8) == c.exclusiveValueHigh) {
                c.write64(a, lo);
                c.write64(a + 8, hi);
                c.x[s] = 0;
            } else {
                c.x[s] = 1;
            }
        };
    }

    /**
     * Whether a store-exclusive of {@code bytes} at {@code a} may go ahead; clears the monitor either way. An address
     * the monitor does not hold fails quietly (as in QEMU); at the monitored address a misaligned store faults.
     */
    private static boolean monitorHolds(ArmCpu c, long a, long misalign, int bytes) {
        boolean sameAddress = c.exclusiveAddr == a;
        c.exclusiveAddr = -1;
        if (!sameAddress) {
            return false;
        }
        if ((a & misalign) != 0) {
            throw c.mmu.alignmentFault(a, true);
        }
        return c.exclusiveSize == bytes;
    }
}
