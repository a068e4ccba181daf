package dev.jemu.x86.cpu;

import static dev.jemu.x86.cpu.OpcodeTable.ONE;
import static dev.jemu.x86.cpu.OpcodeTable.TWO;

/**
 * CLC/STC/CMC/CLD/STD, LAHF/SAHF, XLAT, SALC, BOUND, the multi-byte and hint NOPs (0F 0D, 0F 18-1F: prefetches and ENDBR are
 * NOPs here), and the BCD adjustments (#UD in 64-bit mode) with QEMU 7.2's values for their undefined flags.
 */
final class MiscOps {
    private MiscOps() {
    }

    static void register(OpcodeTable t) {
        t.put(ONE, 0xf5, d -> d.lock ? null : c -> c.setCf(c.cf() ^ 1));
        t.put(ONE, 0xf8, d -> d.lock ? null : c -> c.setCf(0));
        t.put(ONE, 0xf9, d -> d.lock ? null : c -> c.setCf(1));
        t.put(ONE, 0xfc, d -> d.lock ? null : c -> c.df = false);
        t.put(ONE, 0xfd, d -> d.lock ? null : c -> c.df = true);
        // SAHF / LAHF: SF ZF AF PF CF <-> AH (bit 1 reads as 1)
        t.put(ONE, 0x9e, d -> d.lock ? null : c -> {
            long ah = c.r[0] >>> 8;
            c.setCf((int) ah & 1);
            c.setPf((int) (ah >>> 2) & 1);
            c.setAf((int) (ah >>> 4) & 1);
            c.setZf((int) (ah >>> 6) & 1);
            c.setSf((int) (ah >>> 7) & 1);
        });
        t.put(ONE, 0x9f, d -> d.lock ? null : c -> c.setReg8(16, c.rflags() & 0xd5 | 2));
        // XLAT: AL = [seg:rBX + AL]
        t.put(ONE, 0xd7, d -> {
            if (d.lock) return null;
            int as = d.addrsize;
            int seg = d.segOverride >= 0 ? d.segOverride : X86Cpu.DS;
            return c -> c.setReg8(0, c.read8(c.linear(seg, Alu.trunc(c.r[X86Cpu.RBX] + (c.r[0] & 0xff), as))));
        });
        // NOP r/m and the hint space (prefetch, ENDBR32/64 as F3 0F 1E FB/FA, ...)
        OpDecoder nop = d -> {
            if (d.lock) return null;
            d.modrm();
            return MoveOps.NOP;
        };
        t.put(TWO, 0x0d, nop);
        t.putRange(TWO, 0x18, 8, nop);
        // SALC (undocumented, outside 64-bit mode, as QEMU has it): AL = CF ? 0xff : 0
        t.put(ONE, 0xd6, d -> d.lock || d.mode == 64 ? null : c -> c.setReg8(0, c.cf() != 0 ? 0xff : 0));
        // BOUND r, m (outside 64-bit mode): #BR when the signed index lies outside [lower, upper]
        t.put(ONE, 0x62, d -> {
            if (d.lock || d.mode == 64 || !d.isMem()) return null;
            int s = d.opsize;
            int n = d.reg();
            Ea ea = d.ea();
            return c -> {
                long a = ea.linear(c);
                long lower = Alu.sext(c.read(a, s), s), upper = Alu.sext(c.read(a + s / 8, s), s);
                long index = Alu.sext(Alu.get(c, n, s), s);
                if (index < lower || index > upper) {
                    throw c.fault(Vectors.BR);
                }
            };
        });
        // BCD
        t.put(ONE, 0x27, d -> d.lock || d.mode == 64 ? null : c -> daa(c, false));
        t.put(ONE, 0x2f, d -> d.lock || d.mode == 64 ? null : c -> daa(c, true));
        t.put(ONE, 0x37, d -> d.lock || d.mode == 64 ? null : c -> aaa(c, false));
        t.put(ONE, 0x3f, d -> d.lock || d.mode == 64 ? null : c -> aaa(c, true));
        t.put(ONE, 0xd4, d -> {
            if (d.lock || d.mode == 64) return null;
            int base = d.imm8();
            return c -> {
                if (base == 0) throw c.fault(Vectors.DE);
                long al = c.r[0] & 0xff;
                long v = (al / base) << 8 | al % base;
                Alu.set(c, 0, 16, v);
                Alu.logic(c, v & 0xff, 8);
            };
        });
        t.put(ONE, 0xd5, d -> {
            if (d.lock || d.mode == 64) return null;
            int base = d.imm8();
            return c -> {
                long al = (c.r[0] + (c.r[0] >>> 8 & 0xff) * base) & 0xff;
                Alu.set(c, 0, 16, al);
                Alu.logic(c, al, 8);
            };
        });
    }

    /** DAA / DAS (SDM pseudo-code); OF is left 0 as QEMU does. */
    private static void daa(X86Cpu c, boolean sub) {
        long al = c.r[0] & 0xff;
        long old = al;
        int cf = c.cf();
        int newCf = 0, newAf = 0; // as ints: flags are 0/1
        if ((al & 0xf) > 9 || c.af() != 0) {
            al = sub ? al - 6 : al + 6;
            newCf = cf | (sub ? (old < 6 ? 1 : 0) : (int) (al >>> 8) & 1);
            al &= 0xff;
            newAf = 1;
        }
        if (old > 0x99 || cf != 0) {
            al = (sub ? al - 0x60 : al + 0x60) & 0xff;
            newCf = 1;
        }
        c.setReg8(0, al);
        c.setCf(newCf);
        c.setAf(newAf);
        c.setOf(0);
        Alu.szp(c, al, 8);
    }

    /** AAA / AAS: only AF and CF change here (QEMU keeps the others). */
    private static void aaa(X86Cpu c, boolean sub) {
        long ax = c.r[0] & 0xffff;
        if ((ax & 0xf) > 9 || c.af() != 0) {
            long al = ax & 0xff, ah = ax >>> 8;
            if (sub) {
                ah = (ah - 1 - (al < 6 ? 1 : 0)) & 0xff;
                al = (al - 6) & 0xff;
            } else {
                ah = (ah + 1 + (al > 0xf9 ? 1 : 0)) & 0xff;
                al = (al + 6) & 0xff;
            }
            Alu.set(c, 0, 16, ah << 8 | al & 0xf);
            c.setAf(1);
            c.setCf(1);
        } else {
            Alu.set(c, 0, 16, ax & 0xff0f);
            c.setAf(0);
            c.setCf(0);
        }
    }
}
