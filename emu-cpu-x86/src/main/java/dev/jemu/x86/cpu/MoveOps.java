package dev.jemu.x86.cpu;

import static dev.jemu.x86.cpu.OpcodeTable.ONE;
import static dev.jemu.x86.cpu.OpcodeTable.TWO;

/**
 * MOV (88-8B, A0-A3, B0-BF, C6/C7), LEA, MOVZX/MOVSX/MOVSXD, CMOVcc, SETcc, XCHG, XADD, CMPXCHG, CMPXCHG8B/16B,
 * BSWAP, CBW/CWDE/CDQE, CWD/CDQ/CQO.
 */
final class MoveOps {
    private MoveOps() {
    }

    /**
     * The decoder of 0F C7's forms other than /1 (CMPXCHG8B/16B): RDRAND, RDSEED, RDPID and the VMX ones belong
     * to the system ops, which may set this in their register(); null makes them #UD.
     */
    static OpDecoder group9Others;

    static void register(OpcodeTable t) {
        // MOV r/m, r and r, r/m
        t.put(ONE, 0x88, d -> {
            if (d.lock) return null;
            Rm.Src src = Rm.reg(Rm.regReg(d, 8), 8);
            Rm.Sink dst = Rm.sink(d, 8);
            return c -> dst.put(c, src.get(c));
        });
        t.put(ONE, 0x89, d -> {
            if (d.lock) return null;
            int s = d.opsize;
            int src = d.reg();
            if (!d.isMem()) {
                int n = d.rm();
                return switch (s) {
                    case 64 -> c -> c.r[n] = c.r[src];
                    case 32 -> c -> c.r[n] = c.r[src] & 0xffffffffL;
                    default -> c -> Alu.set(c, n, 16, c.r[src]);
                };
            }
            Ea ea = d.ea();
            return switch (s) {
                case 64 -> c -> c.write64(ea.linear(c), c.r[src]);
                case 32 -> c -> c.write32(ea.linear(c), c.r[src] & 0xffffffffL);
                default -> c -> c.write16(ea.linear(c), c.r[src] & 0xffff);
            };
        });
        t.put(ONE, 0x8a, d -> {
            if (d.lock) return null;
            int dst = Rm.regReg(d, 8);
            Rm.Src src = Rm.source(d, 8);
            return c -> c.setReg8(dst, src.get(c));
        });
        t.put(ONE, 0x8b, d -> {
            if (d.lock) return null;
            int s = d.opsize;
            int dst = d.reg();
            if (!d.isMem()) {
                int n = d.rm();
                return switch (s) {
                    case 64 -> c -> c.r[dst] = c.r[n];
                    case 32 -> c -> c.r[dst] = c.r[n] & 0xffffffffL;
                    default -> c -> Alu.set(c, dst, 16, c.r[n]);
                };
            }
            Ea ea = d.ea();
            return switch (s) {
                case 64 -> c -> c.r[dst] = c.read64(ea.linear(c));
                case 32 -> c -> c.r[dst] = c.read32(ea.linear(c));
                default -> c -> Alu.set(c, dst, 16, c.read16(ea.linear(c)));
            };
        });
        // MOV AL/eAX <-> moffs
        for (int op = 0xa0; op <= 0xa3; op++) {
            int o = op;
            t.put(ONE, op, d -> {
                if (d.lock) return null;
                int s = (o & 1) == 0 ? 8 : d.opsize;
                long off = d.addrsize == 64 ? d.imm64() : d.addrsize == 32 ? d.imm32() : d.imm16();
                int seg = d.segOverride >= 0 ? d.segOverride : X86Cpu.DS;
                if (o < 0xa2) {
                    return c -> Alu.set(c, 0, s, c.read(c.linear(seg, off), s));
                }
                return c -> c.write(c.linear(seg, off), s, Alu.get(c, 0, s));
            });
        }
        // MOV r, imm
        t.putRange(ONE, 0xb0, 8, d -> {
            if (d.lock) return null;
            int n = d.byteReg(d.opcode & 7 | (d.rex & 1) << 3);
            long imm = d.imm8();
            return c -> c.setReg8(n, imm);
        });
        t.putRange(ONE, 0xb8, 8, d -> {
            if (d.lock) return null;
            int n = d.opcode & 7 | (d.rex & 1) << 3;
            int s = d.opsize;
            long imm = s == 64 ? d.imm64() : s == 32 ? d.imm32() : d.imm16();
            return s == 16 ? c -> Alu.set(c, n, 16, imm) : c -> c.r[n] = imm;
        });
        // MOV r/m, imm
        t.put(ONE, 0xc6, d -> {
            if (d.lock || d.modrmReg() != 0) return null;
            d.modrm();
            long imm = d.imm8();
            Rm.Sink dst = Rm.sink(d, 8);
            return c -> dst.put(c, imm);
        });
        t.put(ONE, 0xc7, d -> {
            if (d.lock || d.modrmReg() != 0) return null;
            int s = d.opsize;
            d.modrm();
            long imm = Alu.trunc(d.immz(s), s);
            Rm.Sink dst = Rm.sink(d, s);
            return c -> dst.put(c, imm);
        });
        // LEA
        t.put(ONE, 0x8d, d -> {
            if (d.lock || !d.isMem()) return null;
            int s = d.opsize;
            int dst = d.reg();
            Ea ea = d.ea();
            return c -> Alu.set(c, dst, s, ea.offset(c));
        });
        // MOVZX / MOVSX
        t.put(TWO, 0xb6, d -> movx(d, 8, false));
        t.put(TWO, 0xb7, d -> movx(d, 16, false));
        t.put(TWO, 0xbe, d -> movx(d, 8, true));
        t.put(TWO, 0xbf, d -> movx(d, 16, true));
        // MOVSXD (64-bit mode); ARPL elsewhere is a system op we do not have: #UD
        t.put(ONE, 0x63, d -> {
            if (d.lock || d.mode != 64) return null;
            int s = d.opsize;
            int dst = d.reg();
            Rm.Src src = Rm.source(d, 32);
            return s == 64 ? c -> c.r[dst] = (int) src.get(c) : c -> Alu.set(c, dst, s, src.get(c));
        });
        // CMOVcc: the destination is written (32-bit: zero-extended) even when the condition is false
        t.putRange(TWO, 0x40, 16, d -> {
            if (d.lock) return null;
            int cc = d.opcode & 15;
            int s = d.opsize;
            int dst = d.reg();
            Rm.Src src = Rm.source(d, s);
            return c -> {
                long v = src.get(c);
                Alu.set(c, dst, s, c.cond(cc) ? v : Alu.get(c, dst, s));
            };
        });
        // SETcc
        t.putRange(TWO, 0x90, 16, d -> {
            if (d.lock) return null;
            int cc = d.opcode & 15;
            Rm.Sink dst = Rm.sink(d, 8);
            return c -> dst.put(c, c.cond(cc) ? 1 : 0);
        });
        // XCHG r/m, r (always locked on memory; LOCK allowed)
        t.put(ONE, 0x86, d -> xchg(d, 8));
        t.put(ONE, 0x87, d -> xchg(d, d.opsize));
        // 90-97: XCHG eAX, r; 90 without REX.B is NOP (and F3 90 PAUSE)
        t.putRange(ONE, 0x90, 8, d -> {
            if (d.lock) return null;
            int n = d.opcode & 7 | (d.rex & 1) << 3;
            int s = d.opsize;
            if (n == 0) {
                return NOP; // 90 is NOP even as xchg eax, eax in 64-bit mode (no zero-extension); F3 90 is PAUSE
            }
            return c -> {
                long a = Alu.get(c, 0, s);
                Alu.set(c, 0, s, Alu.get(c, n, s));
                Alu.set(c, n, s, a);
            };
        });
        // XADD
        t.put(TWO, 0xc0, d -> xadd(d, 8));
        t.put(TWO, 0xc1, d -> xadd(d, d.opsize));
        // CMPXCHG
        t.put(TWO, 0xb0, d -> cmpxchg(d, 8));
        t.put(TWO, 0xb1, d -> cmpxchg(d, d.opsize));
        // group 9: /1 CMPXCHG8B / CMPXCHG16B
        t.put(TWO, 0xc7, d -> {
            if (d.modrmReg() != 1) {
                OpDecoder other = group9Others;
                return other == null ? null : other.decode(d);
            }
            if (!d.isMem()) return null;
            Ea ea = d.ea();
            if (d.rexW()) {
                return c -> {
                    long a = ea.linear(c);
                    if ((a & 15) != 0) throw c.fault(Vectors.GP, 0);
                    long lo = c.read64(a), hi = c.read64(a + 8);
                    if (lo == c.r[0] && hi == c.r[2]) {
                        c.write64(a, c.r[3]);
                        c.write64(a + 8, c.r[1]);
                        c.setZf(1);
                    } else {
                        c.write64(a, lo); // the locked cycle writes back what it read
                        c.write64(a + 8, hi);
                        c.r[0] = lo;
                        c.r[2] = hi;
                        c.setZf(0);
                    }
                };
            }
            return c -> {
                long a = ea.linear(c);
                long v = c.read64(a);
                long cmp = (c.r[2] & 0xffffffffL) << 32 | c.r[0] & 0xffffffffL;
                if (v == cmp) {
                    c.write64(a, (c.r[1] & 0xffffffffL) << 32 | c.r[3] & 0xffffffffL);
                    c.setZf(1);
                } else {
                    c.write64(a, v);
                    c.r[0] = v & 0xffffffffL;
                    c.r[2] = v >>> 32;
                    c.setZf(0);
                }
            };
        });
        // BSWAP
        t.putRange(TWO, 0xc8, 8, d -> {
            if (d.lock) return null;
            int n = d.opcode & 7 | (d.rex & 1) << 3;
            int s = d.opsize;
            return s == 16 ? c -> Alu.set(c, n, 16, 0) // undefined by the SDM; hardware and QEMU give 0
                    : c -> c.r[n] = bswap(c.r[n], s);
        });
        // CBW / CWDE / CDQE and CWD / CDQ / CQO
        t.put(ONE, 0x98, d -> {
            if (d.lock) return null;
            return switch (d.opsize) {
                case 64 -> c -> c.r[0] = (int) c.r[0];
                case 32 -> c -> c.r[0] = (short) c.r[0] & 0xffffffffL;
                default -> c -> Alu.set(c, 0, 16, (byte) c.r[0]);
            };
        });
        t.put(ONE, 0x99, d -> {
            if (d.lock) return null;
            return switch (d.opsize) {
                case 64 -> c -> c.r[2] = c.r[0] >> 63;
                case 32 -> c -> c.r[2] = ((int) c.r[0] >> 31) & 0xffffffffL;
                default -> c -> Alu.set(c, 2, 16, (short) c.r[0] >> 15);
            };
        });
    }

    /** BSWAP of a 32- or 64-bit register value (a 32-bit result zero-extends); the block JIT calls it too. */
    static long bswap(long v, int s) {
        return s == 64 ? Long.reverseBytes(v) : Integer.reverseBytes((int) v) & 0xffffffffL;
    }

    static final X86Op NOP = c -> {
    };

    private static X86Op movx(Insn d, int from, boolean signed) {
        if (d.lock) return null;
        int s = d.opsize;
        int dst = d.reg();
        Rm.Src src = Rm.source(d, from);
        if (signed) {
            return c -> Alu.set(c, dst, s, Alu.sext(src.get(c), from));
        }
        return c -> Alu.set(c, dst, s, src.get(c));
    }

    private static X86Op xchg(Insn d, int s) {
        int r = Rm.regReg(d, s);
        if (!d.isMem()) {
            if (d.lock) return null;
            int n = Rm.rmReg(d, s);
            return c -> {
                long a = Alu.get(c, n, s);
                Alu.set(c, n, s, Alu.get(c, r, s));
                Alu.set(c, r, s, a);
            };
        }
        Ea ea = d.ea();
        return c -> {
            long a = ea.linear(c);
            long v = c.read(a, s);
            c.write(a, s, Alu.get(c, r, s));
            Alu.set(c, r, s, v);
        };
    }

    private static X86Op xadd(Insn d, int s) {
        if (!Rm.lockOk(d)) return null;
        int r = Rm.regReg(d, s);
        if (!d.isMem()) {
            int n = Rm.rmReg(d, s);
            return c -> {
                long a = Alu.get(c, n, s), b = Alu.get(c, r, s);
                long sum = Alu.add(c, a, b, 0, s);
                Alu.set(c, r, s, a);
                Alu.set(c, n, s, sum);
            };
        }
        Ea ea = d.ea();
        return c -> {
            long addr = ea.linear(c);
            long a = c.read(addr, s), b = Alu.get(c, r, s);
            long sum = Alu.add(c, a, b, 0, s);
            c.write(addr, s, sum);
            Alu.set(c, r, s, a);
        };
    }

    /** CMPXCHG: compare the accumulator with r/m; equal: r/m = reg, else accumulator = r/m (flags of CMP). */
    private static X86Op cmpxchg(Insn d, int s) {
        if (!Rm.lockOk(d)) return null;
        int r = Rm.regReg(d, s);
        if (!d.isMem()) {
            int n = Rm.rmReg(d, s);
            return c -> {
                long v = Alu.get(c, n, s);
                Alu.sub(c, Alu.get(c, 0, s), v, 0, s);
                if (c.zf() != 0) {
                    Alu.set(c, n, s, Alu.get(c, r, s));
                } else {
                    Alu.set(c, 0, s, v);
                }
            };
        }
        Ea ea = d.ea();
        return c -> {
            long a = ea.linear(c);
            long v = c.read(a, s);
            Alu.sub(c, Alu.get(c, 0, s), v, 0, s);
            if (c.zf() != 0) {
                c.write(a, s, Alu.get(c, r, s));
            } else {
                c.write(a, s, v); // the destination is always written (a locked read-modify-write)
                Alu.set(c, 0, s, v);
            }
        };
    }
}
