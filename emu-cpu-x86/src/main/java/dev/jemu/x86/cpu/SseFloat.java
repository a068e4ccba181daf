package dev.jemu.x86.cpu;

import static dev.jemu.x86.cpu.OpcodeTable.TWO;

/**
 * SSE/SSE2/SSE3 floating-point arithmetic: ADD/SUB/MUL/DIV/MIN/MAX/SQRT in PS/PD/SS/SD forms, CMPcc,
 * COMIS/UCOMIS, RCP/RSQRT, HADD/HSUB/ADDSUB. All rounding, flags and NaN rules live in {@link SseFpu}.
 */
final class SseFloat {
    private SseFloat() {
    }

    @FunctionalInterface
    interface Op32 {
        int apply(SseFpu f, int a, int b);
    }

    @FunctionalInterface
    interface Op64 {
        long apply(SseFpu f, long a, long b);
    }

    static void register(OpcodeTable t) {
        t.put(TWO, 0x51, d -> forms(d, (f, a, b) -> f.sqrt32(b), (f, a, b) -> f.sqrt64(b)));
        t.put(TWO, 0x52, d -> d.mandatory == 0 || d.mandatory == 0xf3 ? forms(d, (f, a, b) -> approx(b, true), null) : null);
        t.put(TWO, 0x53, d -> d.mandatory == 0 || d.mandatory == 0xf3 ? forms(d, (f, a, b) -> approx(b, false), null) : null);
        arith(t, 0x58, SseFpu.ADD);
        arith(t, 0x59, SseFpu.MUL);
        arith(t, 0x5c, SseFpu.SUB);
        arith(t, 0x5d, SseFpu.MIN);
        arith(t, 0x5e, SseFpu.DIV);
        arith(t, 0x5f, SseFpu.MAX);
        t.put(TWO, 0xc2, SseFloat::cmp);
        t.put(TWO, 0x2e, d -> comi(d, false));
        t.put(TWO, 0x2f, d -> comi(d, true));
        t.put(TWO, 0x7c, d -> horizontal(d, SseFpu.ADD));
        t.put(TWO, 0x7d, d -> horizontal(d, SseFpu.SUB));
        t.put(TWO, 0xd0, SseFloat::addsub);
    }

    private static void arith(OpcodeTable t, int opcode, int op) {
        t.put(TWO, opcode, d -> forms(d, (f, a, b) -> f.arith32(op, a, b), (f, a, b) -> f.arith64(op, a, b)));
    }

    /** The four forms of an FP opcode by mandatory prefix: PS (none), PD (66), SS (F3), SD (F2). */
    private static X86Op forms(Insn d, Op32 s, Op64 dd) {
        return switch (d.mandatory) {
            case 0 -> Sse.rm(d, 128, true, packed32(s));
            case 0xf3 -> Sse.rm(d, 32, false, scalar32(s));
            case 0x66 -> dd == null ? null : Sse.rm(d, 128, true, packed64(dd));
            default -> dd == null ? null : Sse.rm(d, 64, false, scalar64(dd));
        };
    }

    static Sse.Kernel packed32(Op32 op) {
        return (c, r, s0, s1) -> {
            SseFpu f = c.sseFpu;
            f.begin(c.mxcsr);
            long d0 = c.xmm[2 * r], d1 = c.xmm[2 * r + 1];
            int r0 = op.apply(f, (int) d0, (int) s0), r1 = op.apply(f, (int) (d0 >>> 32), (int) (s0 >>> 32));
            int r2 = op.apply(f, (int) d1, (int) s1), r3 = op.apply(f, (int) (d1 >>> 32), (int) (s1 >>> 32));
            f.finish(c);
            Sse.set(c, r, Sse.pack32(r0, r1), Sse.pack32(r2, r3));
        };
    }

    static Sse.Kernel scalar32(Op32 op) {
        return (c, r, s0, s1) -> {
            SseFpu f = c.sseFpu;
            f.begin(c.mxcsr);
            int v = op.apply(f, (int) c.xmm[2 * r], (int) s0);
            f.finish(c);
            c.xmm[2 * r] = c.xmm[2 * r] & ~0xffffffffL | v & 0xffffffffL;
        };
    }

    static Sse.Kernel packed64(Op64 op) {
        return (c, r, s0, s1) -> {
            SseFpu f = c.sseFpu;
            f.begin(c.mxcsr);
            long r0 = op.apply(f, c.xmm[2 * r], s0), r1 = op.apply(f, c.xmm[2 * r + 1], s1);
            f.finish(c);
            Sse.set(c, r, r0, r1);
        };
    }

    static Sse.Kernel scalar64(Op64 op) {
        return (c, r, s0, s1) -> {
            SseFpu f = c.sseFpu;
            f.begin(c.mxcsr);
            long v = op.apply(f, c.xmm[2 * r], s0);
            f.finish(c);
            c.xmm[2 * r] = v;
        };
    }

    /**
     * RCPPS/RCPSS and RSQRTPS/RSQRTSS: QEMU 7.2's choice, the correctly rounded 1/x and 1/sqrt(x) (real CPUs
     * give a 12-bit approximation whose exact bits differ between vendors); no flags, denormal inputs as zero.
     */
    static int approx(int b, boolean rsqrt) {
        if (SseFpu.nan32(b)) {
            return b | 0x400000;
        }
        if (SseFpu.denormal32(b)) {
            b &= 0x80000000;
        }
        float x = Float.intBitsToFloat(b);
        if (rsqrt) {
            if (x == 0) {
                return b & 0x80000000 | 0x7f800000;
            }
            if (x < 0) {
                return SseFpu.DEFAULT_NAN32;
            }
            return Float.floatToRawIntBits((float) (1 / Math.sqrt(x)));
        }
        return Float.floatToRawIntBits(1 / x);
    }

    /** 0F C2 ib: CMPPS/CMPPD/CMPSS/CMPSD (predicates 0-7; the SSE forms ignore imm8 bits 3-7). */
    private static X86Op cmp(Insn d) {
        d.modrm();
        int pred = d.imm8() & 7;
        return forms(d, (f, a, b) -> f.cmp32(pred, a, b) ? -1 : 0, (f, a, b) -> f.cmp64(pred, a, b) ? -1L : 0);
    }

    /** 0F 2E/2F: UCOMISS/COMISS, 66: UCOMISD/COMISD: ZF PF CF from the compare, OF SF AF cleared. */
    private static X86Op comi(Insn d, boolean signaling) {
        if (d.mandatory != 0 && d.mandatory != 0x66) {
            return null;
        }
        boolean pd = d.mandatory == 0x66;
        return Sse.rm(d, pd ? 64 : 32, false, (c, r, s0, s1) -> {
            SseFpu f = c.sseFpu;
            f.begin(c.mxcsr);
            long fl = pd ? f.comi64(c.xmm[2 * r], s0, signaling) : f.comi32((int) c.xmm[2 * r], (int) s0, signaling);
            f.finish(c);
            long mask = X86Cpu.CF | X86Cpu.PF | X86Cpu.AF | X86Cpu.ZF | X86Cpu.SF | X86Cpu.OF;
            c.setRflags(c.rflags() & ~mask | fl);
        });
    }

    /** 66 0F 7C/7D: HADDPD/HSUBPD, F2: HADDPS/HSUBPS (SSE3): pairs within the destination, then the source. */
    private static X86Op horizontal(Insn d, int op) {
        if (d.mandatory == 0x66) {
            return Sse.rm(d, 128, true, (c, r, s0, s1) -> {
                SseFpu f = c.sseFpu;
                f.begin(c.mxcsr);
                long r0 = f.arith64(op, c.xmm[2 * r], c.xmm[2 * r + 1]), r1 = f.arith64(op, s0, s1);
                f.finish(c);
                Sse.set(c, r, r0, r1);
            });
        }
        if (d.mandatory == 0xf2) {
            return Sse.rm(d, 128, true, (c, r, s0, s1) -> {
                SseFpu f = c.sseFpu;
                f.begin(c.mxcsr);
                long d0 = c.xmm[2 * r], d1 = c.xmm[2 * r + 1];
                int r0 = f.arith32(op, (int) d0, (int) (d0 >>> 32)), r1 = f.arith32(op, (int) d1, (int) (d1 >>> 32));
                int r2 = f.arith32(op, (int) s0, (int) (s0 >>> 32)), r3 = f.arith32(op, (int) s1, (int) (s1 >>> 32));
                f.finish(c);
                Sse.set(c, r, Sse.pack32(r0, r1), Sse.pack32(r2, r3));
            });
        }
        return null;
    }

    /** 66 0F D0: ADDSUBPD, F2: ADDSUBPS (SSE3): even lanes subtract, odd lanes add. */
    private static X86Op addsub(Insn d) {
        if (d.mandatory == 0x66) {
            return Sse.rm(d, 128, true, (c, r, s0, s1) -> {
                SseFpu f = c.sseFpu;
                f.begin(c.mxcsr);
                long r0 = f.arith64(SseFpu.SUB, c.xmm[2 * r], s0), r1 = f.arith64(SseFpu.ADD, c.xmm[2 * r + 1], s1);
                f.finish(c);
                Sse.set(c, r, r0, r1);
            });
        }
        if (d.mandatory == 0xf2) {
            return Sse.rm(d, 128, true, (c, r, s0, s1) -> {
                SseFpu f = c.sseFpu;
                f.begin(c.mxcsr);
                long d0 = c.xmm[2 * r], d1 = c.xmm[2 * r + 1];
                int r0 = f.arith32(SseFpu.SUB, (int) d0, (int) s0), r1 = f.arith32(SseFpu.ADD, (int) (d0 >>> 32), (int) (s0 >>> 32));
                int r2 = f.arith32(SseFpu.SUB, (int) d1, (int) s1), r3 = f.arith32(SseFpu.ADD, (int) (d1 >>> 32), (int) (s1 >>> 32));
                f.finish(c);
                Sse.set(c, r, Sse.pack32(r0, r1), Sse.pack32(r2, r3));
            });
        }
        return null;
    }
}
