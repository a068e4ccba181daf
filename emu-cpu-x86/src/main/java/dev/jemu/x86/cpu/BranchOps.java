package dev.jemu.x86.cpu;

import static dev.jemu.x86.cpu.OpcodeTable.ONE;
import static dev.jemu.x86.cpu.OpcodeTable.TWO;

/**
 * Near JMP/CALL/RET, Jcc, LOOP/LOOPE/LOOPNE, JCXZ, and the FF group (INC/DEC/CALL/JMP/PUSH r/m). A branch sets
 * c.nrip; targets are relative to c.nrip so decoded code stays position-independent. In 64-bit mode the operand
 * size of near branches is 64 bits (66 is ignored, as on Intel CPUs) and a non-canonical target is #GP(0) at the
 * branch.
 */
final class BranchOps {
    private BranchOps() {
    }

    /** The decoder for FF /3 and FF /5 (far CALL/JMP through memory): the system ops set it; null means #UD. */
    static OpDecoder farIndirect;

    static void register(OpcodeTable t) {
        t.putRange(ONE, 0x70, 16, d -> {
            if (d.lock) return null;
            int cc = d.opcode & 15;
            long rel = d.simm8();
            long mask = ipMask(d);
            return c -> {
                if (c.cond(cc)) {
                    c.nrip = target(c, c.nrip + rel, mask);
                }
            };
        });
        t.putRange(TWO, 0x80, 16, d -> {
            if (d.lock) return null;
            int cc = d.opcode & 15;
            long rel = relz(d);
            long mask = ipMask(d);
            return c -> {
                if (c.cond(cc)) {
                    c.nrip = target(c, c.nrip + rel, mask);
                }
            };
        });
        t.put(ONE, 0xeb, d -> {
            if (d.lock) return null;
            long rel = d.simm8();
            long mask = ipMask(d);
            return c -> c.nrip = target(c, c.nrip + rel, mask);
        });
        t.put(ONE, 0xe9, d -> {
            if (d.lock) return null;
            long rel = relz(d);
            long mask = ipMask(d);
            return c -> c.nrip = target(c, c.nrip + rel, mask);
        });
        t.put(ONE, 0xe8, d -> {
            if (d.lock) return null;
            long rel = relz(d);
            long mask = ipMask(d);
            int s = branchSize(d);
            return c -> call(c, rel, mask, s);
        });
        t.put(ONE, 0xc3, d -> {
            if (d.lock) return null;
            int s = branchSize(d);
            long mask = ipMask(d);
            return c -> ret(c, s, mask);
        });
        t.put(ONE, 0xc2, d -> {
            if (d.lock) return null;
            int s = branchSize(d);
            long mask = ipMask(d);
            int n = d.imm16();
            return c -> {
                long sp = c.r[X86Cpu.RSP];
                long to = c.pop(s);
                checkTarget(c, to, sp);
                Alu.set(c, X86Cpu.RSP, c.stackBits, c.r[X86Cpu.RSP] + n);
                c.nrip = to & mask;
            };
        });
        // LOOPNE, LOOPE, LOOP, JrCXZ: the count register has the address size
        for (int op = 0xe0; op <= 0xe3; op++) {
            int o = op;
            t.put(ONE, op, d -> {
                if (d.lock) return null;
                long rel = d.simm8();
                long mask = ipMask(d);
                int as = d.addrsize;
                return switch (o) {
                    case 0xe3 -> c -> {
                        if (Alu.get(c, X86Cpu.RCX, as) == 0) {
                            c.nrip = target(c, c.nrip + rel, mask);
                        }
                    };
                    case 0xe2 -> c -> {
                        long n = Alu.trunc(c.r[X86Cpu.RCX] - 1, as);
                        Alu.set(c, X86Cpu.RCX, as, n);
                        if (n != 0) {
                            c.nrip = target(c, c.nrip + rel, mask);
                        }
                    };
                    default -> c -> {
                        long n = Alu.trunc(c.r[X86Cpu.RCX] - 1, as);
                        Alu.set(c, X86Cpu.RCX, as, n);
                        if (n != 0 && c.zf() == (o == 0xe1 ? 1 : 0)) {
                            c.nrip = target(c, c.nrip + rel, mask);
                        }
                    };
                };
            });
        }
        // FF: INC, DEC, CALL r/m, CALLF, JMP r/m, JMPF, PUSH r/m
        t.put(ONE, 0xff, d -> {
            int g = d.modrmReg();
            if (d.lock && !(g <= 1 && d.isMem())) return null;
            switch (g) {
                case 0: {
                    int s = d.opsize;
                    return Rm.unary(d, s, (c, a) -> Alu.inc(c, a, s));
                }
                case 1: {
                    int s = d.opsize;
                    return Rm.unary(d, s, (c, a) -> Alu.dec(c, a, s));
                }
                case 2, 4:
                    return indirect(d, g == 2);
                case 6: {
                    int s = d.opsize64();
                    Rm.Src src = Rm.source(d, s);
                    return c -> c.push(src.get(c), s);
                }
                case 3, 5: {
                    OpDecoder far = farIndirect;
                    return far == null ? null : far.decode(d);
                }
                default:
                    return null;
            }
        });
    }

    /** Near CALL or JMP through a register or memory (FF /2, FF /4). */
    private static X86Op indirect(Insn d, boolean call) {
        int s = branchSize(d);
        long mask = ipMask(d);
        Rm.Src src = Rm.source(d, s);
        return call ? c -> callTo(c, src.get(c) & mask, s) : c -> jumpTo(c, src.get(c) & mask);
    }

    // the near CALLs and RET, one code path for their closures and the block JIT's emitted forms (X86Emit)

    /** CALL rel: pushes c.nrip (the return address) and branches to it + rel. */
    static void call(X86Cpu c, long rel, long mask, int s) {
        long to = target(c, c.nrip + rel, mask);
        c.push(c.nrip, s);
        c.nrip = to;
    }

    /** CALL to {@code to} (a register's or memory's value, already masked to the code size). */
    static void callTo(X86Cpu c, long to, int s) {
        checkTarget(c, to, c.r[X86Cpu.RSP]);
        c.push(c.nrip, s);
        c.nrip = to;
    }

    /** JMP to {@code to} (a register's or memory's value, already masked to the code size). */
    static void jumpTo(X86Cpu c, long to) {
        checkTarget(c, to, c.r[X86Cpu.RSP]);
        c.nrip = to;
    }

    /** RET: pops the return address. */
    static void ret(X86Cpu c, int s, long mask) {
        long sp = c.r[X86Cpu.RSP];
        long to = c.pop(s);
        checkTarget(c, to, sp);
        c.nrip = to & mask;
    }

    /** Operand size of near branches: 64 in 64-bit mode, else the operand size. */
    static int branchSize(Insn d) {
        return d.mode == 64 ? 64 : d.opsize;
    }

    static long ipMask(Insn d) {
        return switch (branchSize(d)) {
            case 64 -> -1L;
            case 32 -> 0xffffffffL;
            default -> 0xffffL;
        };
    }

    /** rel16 or rel32 by operand size (always rel32 in 64-bit mode). */
    static long relz(Insn d) {
        return branchSize(d) == 16 ? (short) d.imm16() : (int) d.imm32();
    }

    static long target(X86Cpu c, long to, long mask) {
        to &= mask;
        if (mask == -1L && to << 16 >> 16 != to) {
            throw c.fault(Vectors.GP, 0);
        }
        return to;
    }

    /** A return or indirect target that is not canonical: #GP(0) with RSP restored. */
    private static void checkTarget(X86Cpu c, long to, long sp) {
        if (c.codeBits == 64 && to << 16 >> 16 != to) {
            c.r[X86Cpu.RSP] = sp;
            throw c.fault(Vectors.GP, 0);
        }
    }
}
