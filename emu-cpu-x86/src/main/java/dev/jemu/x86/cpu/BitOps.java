package dev.jemu.x86.cpu;

import static dev.jemu.x86.cpu.OpcodeTable.TWO;

/**
 * BT/BTS/BTR/BTC (register bit offsets address beyond the operand in memory), BSF/BSR, TZCNT/LZCNT (F3 forms, only
 * when {@link X86Cpu#bmi1} / {@link X86Cpu#lzcnt} say CPUID advertises them; otherwise they are BSF/BSR as on a CPU
 * without them) and POPCNT. BT* change only CF; BSF/BSR set ZF from the source and, like QEMU 7.2, the other
 * flags as a logic op on the source would.
 */
final class BitOps {
    private BitOps() {
    }

    static final int BT = 0, BTS = 1, BTR = 2, BTC = 3;

    static void register(OpcodeTable t) {
        t.put(TWO, 0xa3, d -> btReg(d, BT));
        t.put(TWO, 0xab, d -> btReg(d, BTS));
        t.put(TWO, 0xb3, d -> btReg(d, BTR));
        t.put(TWO, 0xbb, d -> btReg(d, BTC));
        t.put(TWO, 0xba, d -> {
            int g = d.modrmReg();
            if (g < 4) return null;
            int kind = g - 4;
            if (d.lock && (kind == BT || !d.isMem())) return null;
            int s = d.opsize;
            d.modrm();
            long bit = d.imm8() & (s - 1);
            if (kind == BT) {
                Rm.Src src = Rm.source(d, s);
                return c -> c.setCf((int) (src.get(c) >>> bit) & 1);
            }
            return Rm.unary(d, s, (c, a) -> apply(c, kind, a, (int) bit));
        });
        t.put(TWO, 0xbc, d -> scan(d, true));
        t.put(TWO, 0xbd, d -> scan(d, false));
        t.put(TWO, 0xb8, d -> {
            if (d.lock || d.mandatory != 0xf3) return null;
            int s = d.opsize;
            int dst = d.reg();
            Rm.Src src = Rm.source(d, s);
            return c -> {
                long v = src.get(c);
                c.setRflags(c.rflags() & ~(X86Cpu.CF | X86Cpu.OF | X86Cpu.AF | X86Cpu.SF | X86Cpu.PF | X86Cpu.ZF)
                        | (v == 0 ? X86Cpu.ZF : 0));
                Alu.set(c, dst, s, Long.bitCount(v));
            };
        });
    }

    private static long apply(X86Cpu c, int kind, long a, int bit) {
        c.setCf((int) (a >>> bit) & 1);
        return switch (kind) {
            case BTS -> a | 1L << bit;
            case BTR -> a & ~(1L << bit);
            case BTC -> a ^ 1L << bit;
            default -> a;
        };
    }

    private static X86Op btReg(Insn d, int kind) {
        if (d.lock && (kind == BT || !d.isMem())) return null;
        int s = d.opsize;
        int off = d.reg();
        if (!d.isMem()) {
            int n = d.rm();
            if (kind == BT) {
                return c -> c.setCf((int) (Alu.get(c, n, s) >>> (c.r[off] & (s - 1))) & 1);
            }
            return c -> Alu.set(c, n, s, apply(c, kind, Alu.get(c, n, s), (int) (c.r[off] & (s - 1))));
        }
        Ea ea = d.ea();
        int shift = Integer.numberOfTrailingZeros(s);
        return c -> {
            long o = Alu.sext(Alu.get(c, off, s), s);
            long a = c.linear(ea.seg, Alu.trunc(ea.offset(c) + (o >> shift) * (s / 8), ea.addrsize));
            int bit = (int) (o & (s - 1));
            long v = c.read(a, s);
            if (kind == BT) {
                c.setCf((int) (v >>> bit) & 1);
            } else {
                c.write(a, s, apply(c, kind, v, bit));
            }
        };
    }

    private static X86Op scan(Insn d, boolean forward) {
        if (d.lock) return null;
        int s = d.opsize;
        int dst = d.reg();
        Rm.Src src = Rm.source(d, s);
        boolean count = d.mandatory == 0xf3;
        if (forward) {
            X86Op bsf = c -> bsf(c, dst, src.get(c), s);
            if (!count) {
                return bsf;
            }
            return c -> {
                if (!c.bmi1) {
                    bsf.exec(c);
                    return;
                }
                long v = src.get(c);
                long r = v == 0 ? s : Long.numberOfTrailingZeros(v);
                bmiFlags(c, v, r, s);
                Alu.set(c, dst, s, r);
            };
        }
        X86Op bsr = c -> bsr(c, dst, src.get(c), s);
        if (!count) {
            return bsr;
        }
        return c -> {
            if (!c.lzcnt) {
                bsr.exec(c);
                return;
            }
            long v = src.get(c);
            long r = Long.numberOfLeadingZeros(v) - (64 - s);
            bmiFlags(c, v, r, s);
            Alu.set(c, dst, s, r);
        };
    }

    /** BSF of source value {@code v} into register dst: the flags of a logic op on v (ZF = v is 0); dst unwritten when v is 0. */
    static void bsf(X86Cpu c, int dst, long v, int s) {
        Alu.logic(c, v, s);
        if (v != 0) {
            Alu.set(c, dst, s, Long.numberOfTrailingZeros(v));
        }
    }

    /** BSR, as {@link #bsf} with the highest set bit; the block JIT calls both directly. */
    static void bsr(X86Cpu c, int dst, long v, int s) {
        Alu.logic(c, v, s);
        if (v != 0) {
            Alu.set(c, dst, s, 63 - Long.numberOfLeadingZeros(v));
        }
    }

    /** TZCNT/LZCNT: CF = source was 0, ZF = result is 0; the rest as QEMU 7.2 leaves them. */
    private static void bmiFlags(X86Cpu c, long src, long r, int s) {
        c.setCf(src == 0 ? 1 : 0);
        c.setZf(r == 0 ? 1 : 0);
        c.setSf(Alu.msb(r, s));
        c.setPf(0);
        c.setAf(0);
        c.setOf(0);
    }
}
