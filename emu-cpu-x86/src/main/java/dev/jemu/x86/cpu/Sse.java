package dev.jemu.x86.cpu;

/**
 * What every SSE op shares: the availability checks (#UD with CR0.EM or without CR4.OSFXSR, #NM with CR0.TS),
 * the 16-byte alignment rule of the aligned forms, and builders that turn "op xmm, xmm/mN" encodings into ops
 * around a {@link Kernel}.
 */
final class Sse {
    private Sse() {
    }

    /** Computes on XMM register {@code dst} with the source operand's low and high quadwords. */
    @FunctionalInterface
    interface Kernel {
        void run(X86Cpu c, int dst, long s0, long s1);
    }

    /** The checks of every legacy SSE instruction (SDM vol. 2, table 2-21, class 4). */
    static void check(X86Cpu c) {
        if ((c.cr0 & X86Cpu.CR0_EM) != 0 || (c.cr4 & X86Cpu.CR4_OSFXSR) == 0) {
            throw c.fault(Vectors.UD);
        }
        if ((c.cr0 & X86Cpu.CR0_TS) != 0) {
            throw c.fault(Vectors.NM);
        }
    }

    /** The linear address of a memory operand that must be 16-byte aligned (#GP(0) otherwise). */
    static long aligned(X86Cpu c, Ea ea) {
        long a = ea.linear(c);
        if ((a & 15) != 0) {
            throw c.fault(Vectors.GP, 0);
        }
        return a;
    }

    /**
     * "op xmm, xmm/m{bits}": bits 128 reads two quadwords (16-byte aligned when {@code aligned}), 64 one
     * quadword into s0, 32 a doubleword into s0; a register source passes both halves.
     */
    static X86Op rm(Insn d, int bits, boolean aligned, Kernel k) {
        int dst = d.reg();
        if (!d.isMem()) {
            int src = d.rm();
            return c -> {
                check(c);
                k.run(c, dst, c.xmm[2 * src], c.xmm[2 * src + 1]);
            };
        }
        Ea ea = d.ea();
        return switch (bits) {
            case 128 -> aligned
                    ? c -> {
                        check(c);
                        long a = aligned(c, ea);
                        k.run(c, dst, c.read64(a), c.read64(a + 8));
                    }
                    : c -> {
                        check(c);
                        long a = ea.linear(c);
                        k.run(c, dst, c.read64(a), c.read64(a + 8));
                    };
            case 64 -> c -> {
                check(c);
                k.run(c, dst, c.read64(ea.linear(c)), 0);
            };
            case 32 -> c -> {
                check(c);
                k.run(c, dst, c.read32(ea.linear(c)), 0);
            };
            default -> c -> {
                check(c);
                k.run(c, dst, c.read16(ea.linear(c)), 0);
            };
        };
    }

    /** A register-only form ("op xmm, xmm"): a memory operand is #UD. */
    static X86Op rr(Insn d, Kernel k) {
        if (d.isMem()) {
            return null;
        }
        return rm(d, 128, true, k);
    }

    /** Stores XMM register {@code src}'s low {@code bits} (32, 64, 128) to a memory operand. */
    static X86Op store(Insn d, int bits, boolean aligned, boolean high) {
        int src = d.reg();
        Ea ea = d.ea();
        return switch (bits) {
            case 128 -> c -> {
                check(c);
                long a = aligned ? aligned(c, ea) : ea.linear(c);
                c.write64(a, c.xmm[2 * src]);
                c.write64(a + 8, c.xmm[2 * src + 1]);
            };
            case 64 -> c -> {
                check(c);
                c.write64(ea.linear(c), c.xmm[2 * src + (high ? 1 : 0)]);
            };
            default -> c -> {
                check(c);
                c.write32(ea.linear(c), c.xmm[2 * src]);
            };
        };
    }

    /** Sets XMM register {@code r} to (lo, hi). */
    static void set(X86Cpu c, int r, long lo, long hi) {
        c.xmm[2 * r] = lo;
        c.xmm[2 * r + 1] = hi;
    }

    /** The 32-bit lane {@code i} (0-3) of (lo, hi). */
    static int lane32(long lo, long hi, int i) {
        return (int) ((i < 2 ? lo : hi) >>> (32 * (i & 1)));
    }

    static long pack32(int a, int b) {
        return a & 0xffffffffL | (long) b << 32;
    }
}
