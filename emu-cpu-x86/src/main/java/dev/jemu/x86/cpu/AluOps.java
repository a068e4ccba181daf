package dev.jemu.x86.cpu;

import static dev.jemu.x86.cpu.OpcodeTable.ONE;
import static dev.jemu.x86.cpu.OpcodeTable.TWO;

/** ADD OR ADC SBB AND SUB XOR CMP in all forms, TEST, INC/DEC, NOT/NEG and the F6/F7 group's MUL/IMUL/DIV/IDIV. */
final class AluOps {
    private AluOps() {
    }

    static void register(OpcodeTable t) {
        for (int k = 0; k < 8; k++) {
            int kind = k;
            boolean store = kind != Alu.CMP;
            int base = kind << 3;
            t.put(ONE, base, d -> {
                if (d.lock && !(store && d.isMem())) return null;
                return Rm.binary(d, 8, Rm.reg(Rm.regReg(d, 8), 8), bin(kind, 8), store);
            });
            t.put(ONE, base + 1, d -> {
                if (d.lock && !(store && d.isMem())) return null;
                int s = d.opsize;
                if (s >= 32) return d.isMem() ? memReg(kind, s, d.ea(), d.reg(), store)
                        : regReg(kind, s, d.rm(), d.reg(), store);
                return Rm.binary(d, s, Rm.reg(Rm.regReg(d, s), s), bin(kind, s), store);
            });
            t.put(ONE, base + 2, d -> d.lock ? null : Rm.binaryToReg(d, 8, bin(kind, 8), store));
            t.put(ONE, base + 3, d -> {
                if (d.lock) return null;
                int s = d.opsize;
                if (s >= 32) return d.isMem() ? regMem(kind, s, d.reg(), d.ea(), store)
                        : regReg(kind, s, d.reg(), d.rm(), store);
                return Rm.binaryToReg(d, s, bin(kind, s), store);
            });
            t.put(ONE, base + 4, d -> {
                if (d.lock) return null;
                long imm = d.imm8();
                Rm.Bin b = bin(kind, 8);
                return store ? c -> c.setReg8(0, b.apply(c, c.r[0] & 0xff, imm)) : c -> b.apply(c, c.r[0] & 0xff, imm);
            });
            t.put(ONE, base + 5, d -> {
                if (d.lock) return null;
                int s = d.opsize;
                long imm = Alu.trunc(d.immz(s), s);
                Rm.Bin b = bin(kind, s);
                return store ? c -> Alu.set(c, 0, s, b.apply(c, Alu.get(c, 0, s), imm))
                        : c -> b.apply(c, Alu.get(c, 0, s), imm);
            });
        }
        // group 1: 80 r/m8,imm8; 81 r/m,imm; 82 (alias of 80 outside 64-bit mode); 83 r/m,simm8
        OpDecoder g1 = d -> {
            int kind = d.modrmReg();
            boolean store = kind != Alu.CMP;
            if (d.lock && !(store && d.isMem())) return null;
            int op = d.opcode;
            if (op == 0x82 && d.mode == 64) return null;
            int s = op == 0x81 || op == 0x83 ? d.opsize : 8;
            d.modrm();
            long imm = op == 0x81 ? d.immz(s) : op == 0x83 ? d.simm8() : d.imm8();
            if (s >= 32) return d.isMem() ? memImm(kind, s, d.ea(), Alu.trunc(imm, s), store)
                    : regImm(kind, s, d.rm(), Alu.trunc(imm, s), store);
            return Rm.binary(d, s, Rm.imm(imm, s), bin(kind, s), store);
        };
        t.putRange(ONE, 0x80, 4, g1);
        // TEST
        t.put(ONE, 0x84, d -> d.lock ? null : Rm.binary(d, 8, Rm.reg(Rm.regReg(d, 8), 8), bin(Alu.AND, 8), false));
        t.put(ONE, 0x85, d -> d.lock ? null
                : d.opsize >= 32 ? (d.isMem() ? memReg(Alu.AND, d.opsize, d.ea(), d.reg(), false)
                        : regReg(Alu.AND, d.opsize, d.rm(), d.reg(), false))
                : Rm.binary(d, d.opsize, Rm.reg(Rm.regReg(d, d.opsize), d.opsize), bin(Alu.AND, d.opsize), false));
        t.put(ONE, 0xa8, d -> {
            if (d.lock) return null;
            long imm = d.imm8();
            return c -> Alu.logic(c, c.r[0] & imm, 8);
        });
        t.put(ONE, 0xa9, d -> {
            if (d.lock) return null;
            int s = d.opsize;
            long imm = Alu.trunc(d.immz(s), s);
            return c -> Alu.logic(c, c.r[0] & imm, s);
        });
        // INC/DEC r (40-4F are REX in 64-bit mode and never reach here there)
        t.putRange(ONE, 0x40, 16, d -> {
            if (d.lock) return null;
            int n = d.opcode & 7;
            int s = d.opsize;
            return d.opcode < 0x48 ? c -> Alu.set(c, n, s, Alu.inc(c, Alu.get(c, n, s), s))
                    : c -> Alu.set(c, n, s, Alu.dec(c, Alu.get(c, n, s), s));
        });
        // FE: INC/DEC r/m8
        t.put(ONE, 0xfe, d -> {
            int g = d.modrmReg();
            if (g > 1 || !Rm.lockOk(d)) return null;
            return g == 0 ? Rm.unary(d, 8, (c, a) -> Alu.inc(c, a, 8)) : Rm.unary(d, 8, (c, a) -> Alu.dec(c, a, 8));
        });
        t.put(ONE, 0xf6, d -> group3(d, 8));
        t.put(ONE, 0xf7, d -> group3(d, d.opsize));
        // IMUL r, r/m (, imm)
        t.put(TWO, 0xaf, d -> d.lock ? null : imul3(d, d.opsize, null));
        t.put(ONE, 0x69, d -> {
            if (d.lock) return null;
            d.modrm();
            return imul3(d, d.opsize, d.immz(d.opsize));
        });
        t.put(ONE, 0x6b, d -> {
            if (d.lock) return null;
            d.modrm();
            return imul3(d, d.opsize, d.simm8());
        });
    }

    // ---------------------------------------------------------------- the hot 32/64-bit forms
    // One op class per form with the ALU kind as a captured constant: no Src/Bin interface calls and no
    // size switches per instruction (the generic Rm.binary path costs two megamorphic calls per ALU op).

    private static final long M32 = 0xffffffffL;

    /** r[a] = r[a] op r[b] (or flags only). */
    private static X86Op regReg(int kind, int s, int a, int b, boolean store) {
        if (s == 64) {
            return store ? c -> c.r[a] = Alu.alu(c, kind, 64, c.r[a], c.r[b])
                    : c -> Alu.alu(c, kind, 64, c.r[a], c.r[b]);
        }
        return store ? c -> c.r[a] = Alu.alu(c, kind, 32, c.r[a] & M32, c.r[b] & M32)
                : c -> Alu.alu(c, kind, 32, c.r[a] & M32, c.r[b] & M32);
    }

    /** r[a] = r[a] op imm (imm already truncated to the size). */
    private static X86Op regImm(int kind, int s, int a, long imm, boolean store) {
        if (s == 64) {
            return store ? c -> c.r[a] = Alu.alu(c, kind, 64, c.r[a], imm) : c -> Alu.alu(c, kind, 64, c.r[a], imm);
        }
        return store ? c -> c.r[a] = Alu.alu(c, kind, 32, c.r[a] & M32, imm)
                : c -> Alu.alu(c, kind, 32, c.r[a] & M32, imm);
    }

    /** r[a] = r[a] op [ea]. */
    private static X86Op regMem(int kind, int s, int a, Ea ea, boolean store) {
        if (s == 64) {
            return store ? c -> c.r[a] = Alu.alu(c, kind, 64, c.r[a], c.read64(ea.linear(c)))
                    : c -> Alu.alu(c, kind, 64, c.r[a], c.read64(ea.linear(c)));
        }
        return store ? c -> c.r[a] = Alu.alu(c, kind, 32, c.r[a] & M32, c.read32(ea.linear(c)))
                : c -> Alu.alu(c, kind, 32, c.r[a] & M32, c.read32(ea.linear(c)));
    }

    /** [ea] = [ea] op r[b]. */
    private static X86Op memReg(int kind, int s, Ea ea, int b, boolean store) {
        if (s == 64) {
            return store ? c -> {
                long la = ea.linear(c);
                c.write64(la, Alu.alu(c, kind, 64, c.read64(la), c.r[b]));
            } : c -> Alu.alu(c, kind, 64, c.read64(ea.linear(c)), c.r[b]);
        }
        return store ? c -> {
            long la = ea.linear(c);
            c.write32(la, Alu.alu(c, kind, 32, c.read32(la), c.r[b] & M32));
        } : c -> Alu.alu(c, kind, 32, c.read32(ea.linear(c)), c.r[b] & M32);
    }

    /** [ea] = [ea] op imm. */
    private static X86Op memImm(int kind, int s, Ea ea, long imm, boolean store) {
        if (s == 64) {
            return store ? c -> {
                long la = ea.linear(c);
                c.write64(la, Alu.alu(c, kind, 64, c.read64(la), imm));
            } : c -> Alu.alu(c, kind, 64, c.read64(ea.linear(c)), imm);
        }
        return store ? c -> {
            long la = ea.linear(c);
            c.write32(la, Alu.alu(c, kind, 32, c.read32(la), imm));
        } : c -> Alu.alu(c, kind, 32, c.read32(ea.linear(c)), imm);
    }

    static Rm.Bin bin(int kind, int s) {
        return switch (kind) {
            case Alu.ADD -> (c, a, b) -> Alu.add(c, a, b, 0, s);
            case Alu.OR -> (c, a, b) -> Alu.logic(c, a | b, s);
            case Alu.ADC -> (c, a, b) -> Alu.add(c, a, b, c.cf(), s);
            case Alu.SBB -> (c, a, b) -> Alu.sub(c, a, b, c.cf(), s);
            case Alu.AND -> (c, a, b) -> Alu.logic(c, a & b, s);
            case Alu.XOR -> (c, a, b) -> Alu.logic(c, a ^ b, s);
            default -> (c, a, b) -> Alu.sub(c, a, b, 0, s);
        };
    }

    private static X86Op group3(Insn d, int s) {
        int g = d.modrmReg();
        if (d.lock && !((g == 2 || g == 3) && d.isMem())) return null;
        switch (g) {
            case 0, 1 -> {
                d.modrm();
                long imm = s == 8 ? d.imm8() : d.immz(s);
                return Rm.binary(d, s, Rm.imm(imm, s), bin(Alu.AND, s), false);
            }
            case 2 -> {
                return Rm.unary(d, s, (c, a) -> Alu.trunc(~a, s));
            }
            case 3 -> {
                return Rm.unary(d, s, (c, a) -> Alu.sub(c, 0, a, 0, s)); // NEG: CF = (0 - a borrows) = (a != 0)
            }
            default -> {
                Rm.Src src = Rm.source(d, s);
                return switch (g) {
                    case 4 -> c -> MulDiv.mul(c, src.get(c), s);
                    case 5 -> c -> MulDiv.imul1(c, src.get(c), s);
                    case 6 -> c -> MulDiv.div(c, src.get(c), s);
                    default -> c -> MulDiv.idiv(c, src.get(c), s);
                };
            }
        }
    }

    private static X86Op imul3(Insn d, int s, Long imm) {
        int dst = d.reg();
        Rm.Src src = Rm.source(d, s);
        if (imm == null) {
            return c -> Alu.set(c, dst, s, MulDiv.imul2(c, Alu.get(c, dst, s), src.get(c), s));
        }
        long b = Alu.trunc(imm, s);
        return c -> Alu.set(c, dst, s, MulDiv.imul2(c, src.get(c), b, s));
    }
}
