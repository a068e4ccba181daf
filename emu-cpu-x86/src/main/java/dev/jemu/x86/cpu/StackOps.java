package dev.jemu.x86.cpu;

import static dev.jemu.x86.cpu.OpcodeTable.ONE;

/** PUSH/POP (register, immediate, r/m), PUSHA/POPA, PUSHF/POPF, ENTER/LEAVE. */
final class StackOps {
    private StackOps() {
    }

    static void register(OpcodeTable t) {
        t.putRange(ONE, 0x50, 8, d -> {
            if (d.lock) return null;
            int n = d.opcode & 7 | (d.rex & 1) << 3;
            int s = d.opsize64();
            return s == 64 ? c -> c.push(c.r[n], 64) : c -> c.push(Alu.get(c, n, s), s);
        });
        t.putRange(ONE, 0x58, 8, d -> {
            if (d.lock) return null;
            int n = d.opcode & 7 | (d.rex & 1) << 3;
            int s = d.opsize64();
            return s == 64 ? c -> c.r[n] = c.pop(64) : c -> Alu.set(c, n, s, c.pop(s));
        });
        t.put(ONE, 0x68, d -> {
            if (d.lock) return null;
            int s = d.opsize64();
            long imm = Alu.trunc(d.immz(s), s);
            return c -> c.push(imm, s);
        });
        t.put(ONE, 0x6a, d -> {
            if (d.lock) return null;
            int s = d.opsize64();
            long imm = Alu.trunc(d.simm8(), s);
            return c -> c.push(imm, s);
        });
        // POP r/m: the address is computed with the incremented stack pointer
        t.put(ONE, 0x8f, d -> {
            if (d.lock || d.modrmReg() != 0) return null;
            int s = d.opsize64();
            Rm.Sink dst = Rm.sink(d, s);
            return c -> {
                long sp = c.r[X86Cpu.RSP];
                long v = c.pop(s);
                try {
                    dst.put(c, v);
                } catch (X86Exception e) {
                    c.r[X86Cpu.RSP] = sp;
                    throw e;
                }
            };
        });
        // PUSHA / POPA (not in 64-bit mode)
        t.put(ONE, 0x60, d -> {
            if (d.lock || d.mode == 64) return null;
            int s = d.opsize;
            return c -> {
                long sp = Alu.get(c, X86Cpu.RSP, s);
                for (int i = 0; i < 8; i++) {
                    c.push(i == X86Cpu.RSP ? sp : Alu.get(c, i, s), s);
                }
            };
        });
        t.put(ONE, 0x61, d -> {
            if (d.lock || d.mode == 64) return null;
            int s = d.opsize;
            return c -> {
                for (int i = 7; i >= 0; i--) {
                    long v = c.pop(s);
                    if (i != X86Cpu.RSP) {
                        Alu.set(c, i, s, v);
                    }
                }
            };
        });
        // PUSHF / POPF
        t.put(ONE, 0x9c, d -> {
            if (d.lock) return null;
            int s = d.opsize64();
            return c -> c.push(c.rflags() & ~(X86Cpu.RF | X86Cpu.VM), s);
        });
        t.put(ONE, 0x9d, d -> {
            if (d.lock) return null;
            int s = d.opsize64();
            return c -> popf(c, c.pop(s), s);
        });
        // ENTER imm16, imm8
        t.put(ONE, 0xc8, d -> {
            if (d.lock) return null;
            int size = d.imm16();
            int level = d.imm8() & 31;
            int s = d.opsize64();
            return c -> enter(c, size, level, s);
        });
        // LEAVE
        t.put(ONE, 0xc9, d -> {
            if (d.lock) return null;
            int s = d.opsize64();
            return c -> {
                int sb = c.stackBits;
                long oldSp = c.r[X86Cpu.RSP];
                Alu.set(c, X86Cpu.RSP, sb, c.r[X86Cpu.RBP]);
                try {
                    Alu.set(c, X86Cpu.RBP, s, c.pop(s));
                } catch (X86Exception e) {
                    c.r[X86Cpu.RSP] = oldSp;
                    throw e;
                }
            };
        });
    }

    /**
     * POPF's privilege rules: IOPL changes only at CPL 0, IF only when CPL <= IOPL; VM, VIF, VIP never change and RF
     * is cleared; a 16-bit POPF changes only the low 16 bits.
     */
    static void popf(X86Cpu c, long v, int size) {
        long old = c.rflags();
        long mask = X86Cpu.CF | X86Cpu.PF | X86Cpu.AF | X86Cpu.ZF | X86Cpu.SF | X86Cpu.TF | X86Cpu.DF | X86Cpu.OF
                | X86Cpu.NT | X86Cpu.AC | X86Cpu.ID;
        int iopl = (int) (old >>> 12) & 3;
        if (c.cpl == 0) {
            mask |= X86Cpu.IOPL;
        }
        if (c.cpl <= iopl) {
            mask |= X86Cpu.IF;
        }
        if (size == 16) {
            mask &= 0xffff;
        }
        long nv = (old & ~mask | v & mask) & ~X86Cpu.RF;
        c.setRflags(nv);
        if (((old ^ nv) & (X86Cpu.IF | X86Cpu.TF)) != 0) {
            c.endBlock();
        }
    }

    private static void enter(X86Cpu c, int size, int level, int s) {
        int sb = c.stackBits;
        long oldSp = c.r[X86Cpu.RSP], oldBp = c.r[X86Cpu.RBP];
        try {
            c.push(Alu.get(c, X86Cpu.RBP, s), s);
            long frame = Alu.get(c, X86Cpu.RSP, sb);
            if (level > 0) {
                long bp = Alu.get(c, X86Cpu.RBP, sb);
                for (int i = 1; i < level; i++) {
                    bp = Alu.trunc(bp - s / 8, sb);
                    c.push(c.read(c.linear(X86Cpu.SS, bp), s), s);
                }
                c.push(frame, s);
            }
            Alu.set(c, X86Cpu.RBP, s, frame);
            Alu.set(c, X86Cpu.RSP, sb, Alu.get(c, X86Cpu.RSP, sb) - size);
        } catch (X86Exception e) {
            c.r[X86Cpu.RSP] = oldSp;
            c.r[X86Cpu.RBP] = oldBp;
            throw e;
        }
    }
}
