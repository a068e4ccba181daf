package dev.jemu.x86.cpu;

import static dev.jemu.x86.cpu.OpcodeTable.ONE;

/**
 * Registers the x87 FPU: the D8-DF escapes and FWAIT (9B). Loads/stores of every format, arithmetic in all
 * forms (incl. P and I), compares (FCOM*, FUCOM*, FCOMI*, FICOM*, FTST, FXAM), constants, stack control,
 * FCMOVcc, the environment (FLDCW/FNSTCW/FNSTSW/FNSTENV/FLDENV/FNSAVE/FRSTOR/FNINIT/FNCLEX) and the
 * transcendental functions ({@link X87Functions}).
 */
final class X87Ops {
    private X87Ops() {
    }

    static void register(OpcodeTable t) {
        for (int op = 0xd8; op <= 0xdf; op++) {
            int esc = op;
            t.put(ONE, op, d -> d.isMem() ? memory(d, esc) : register(d, esc));
        }
        t.put(ONE, 0x9b, d -> X87Ops::fwait);
    }

    /** FWAIT: #NM only with CR0.MP and CR0.TS; #MF for a pending unmasked exception. */
    private static void fwait(X86Cpu c) {
        if ((c.cr0 & (X86Cpu.CR0_MP | X86Cpu.CR0_TS)) == (X86Cpu.CR0_MP | X86Cpu.CR0_TS)) {
            throw c.fault(Vectors.NM);
        }
        if ((c.x87.fsw & X87.ES) != 0) {
            throw c.fault(Vectors.MF);
        }
    }

    // ---------------------------------------------------------------- memory operand formats

    static final int M32FP = 0, M64FP = 1, M16INT = 2, M32INT = 3, M64INT = 4, M80 = 5;

    /** Loads a memory operand of {@code kind} into f.se/f.m (with the load's IE/DE flags for floats). */
    static void load(X86Cpu c, F80 f, long a, int kind) {
        switch (kind) {
            case M32FP -> f.fromFloat(c.read32(a), false);
            case M64FP -> f.fromFloat(c.read64(a), true);
            case M16INT -> f.fromInt((short) c.read16(a));
            case M32INT -> f.fromInt((int) c.read32(a));
            case M64INT -> f.fromInt(c.read64(a));
            default -> {
                f.m = c.read64(a);
                f.se = (int) c.read16(a + 8);
            }
        }
    }

    private static X86Op memory(Insn d, int esc) {
        int digit = d.modrmReg();
        Ea ea = d.ea();
        int fop = (esc & 7) << 8 | d.mod() << 6 | digit << 3;
        return switch (esc) {
            case 0xd8 -> digit == 2 || digit == 3 ? compareMem(ea, fop, M32FP, digit == 3) : arithMem(ea, fop, M32FP, digit);
            case 0xdc -> digit == 2 || digit == 3 ? compareMem(ea, fop, M64FP, digit == 3) : arithMem(ea, fop, M64FP, digit);
            case 0xda -> digit == 2 || digit == 3 ? compareMem(ea, fop, M32INT, digit == 3) : arithMem(ea, fop, M32INT, digit);
            case 0xde -> digit == 2 || digit == 3 ? compareMem(ea, fop, M16INT, digit == 3) : arithMem(ea, fop, M16INT, digit);
            case 0xd9 -> switch (digit) {
                case 0 -> loadMem(ea, fop, M32FP);
                case 2 -> storeFloat(ea, fop, false, false);
                case 3 -> storeFloat(ea, fop, false, true);
                case 4 -> X87Env.fldenv(ea, d.opsize);
                case 5 -> X87Env.fldcw(ea);
                case 6 -> X87Env.fnstenv(ea, d.opsize);
                case 7 -> X87Env.fnstcw(ea);
                default -> null;
            };
            case 0xdb -> switch (digit) {
                case 0 -> loadMem(ea, fop, M32INT);
                case 1 -> storeInt(ea, fop, 32, true, true);
                case 2 -> storeInt(ea, fop, 32, false, false);
                case 3 -> storeInt(ea, fop, 32, true, false);
                case 5 -> loadMem(ea, fop, M80);
                case 7 -> store80(ea, fop);
                default -> null;
            };
            case 0xdd -> switch (digit) {
                case 0 -> loadMem(ea, fop, M64FP);
                case 1 -> storeInt(ea, fop, 64, true, true);
                case 2 -> storeFloat(ea, fop, true, false);
                case 3 -> storeFloat(ea, fop, true, true);
                case 4 -> X87Env.frstor(ea, d.opsize);
                case 6 -> X87Env.fnsave(ea, d.opsize);
                case 7 -> X87Env.fnstswMem(ea);
                default -> null;
            };
            default -> switch (digit) { // 0xdf
                case 0 -> loadMem(ea, fop, M16INT);
                case 1 -> storeInt(ea, fop, 16, true, true);
                case 2 -> storeInt(ea, fop, 16, false, false);
                case 3 -> storeInt(ea, fop, 16, true, false);
                case 4 -> X87Env.fbld(ea, fop);
                case 5 -> loadMem(ea, fop, M64INT);
                case 6 -> X87Env.fbstp(ea, fop);
                default -> storeInt(ea, fop, 64, true, false);
            };
        };
    }

    /** ST(0) = ST(0) op m (FADD, FMUL, FSUB, FSUBR, FDIV, FDIVR and their FI forms). */
    private static X86Op arithMem(Ea ea, int fop, int kind, int op) {
        return c -> {
            F80 f = X87Exec.begin(c, fop, ea);
            X87 x = c.x87;
            load(c, f, ea.linear(c), kind);
            if (x.empty(0)) {
                X87Exec.underflow(f);
                if ((x.fcw & X87.IE) != 0) {
                    x.set(0, F80.DEFAULT_NAN_SE, F80.DEFAULT_NAN_M);
                }
            } else {
                int loadFlags = f.flags;
                f.flags = 0;
                f.arith(op, x.se(0), x.mant(0), f.se, f.m);
                f.flags |= loadFlags & ~X87.DE | denormalSource(loadFlags, x, f.flags);
                if (!X87Exec.suppressed(c, f)) {
                    x.set(0, f.se, f.m);
                }
            }
            X87Exec.finish(c, f);
        };
    }

    /**
     * DE for a memory operand that was denormal in its own format (it is normal in the extended one), unless
     * the operation found a NaN (IE) or divided by zero (ZE) first.
     */
    private static int denormalSource(int loadFlags, X87 x, int opFlags) {
        if ((loadFlags & X87.DE) == 0 || (opFlags & (X87.ZE)) != 0
                || F80.isNaN(x.se(0), x.mant(0)) || F80.isUnsupported(x.se(0), x.mant(0))) {
            return 0;
        }
        return X87.DE;
    }

    private static X86Op compareMem(Ea ea, int fop, int kind, boolean pop) {
        return c -> {
            F80 f = X87Exec.begin(c, fop, ea);
            X87 x = c.x87;
            load(c, f, ea.linear(c), kind);
            int r;
            if (x.empty(0)) {
                X87Exec.underflow(f);
                r = 2;
            } else {
                int loadFlags = f.flags;
                f.flags = 0;
                r = f.compare(x.se(0), x.mant(0), f.se, f.m, false);
                f.flags |= loadFlags & ~X87.DE | denormalSource(loadFlags, x, f.flags);
            }
            X87Exec.finish(c, f);
            X87Exec.setCompare(x, r);
            if (pop && !X87Exec.suppressed(c, f)) {
                x.pop();
            }
        };
    }

    private static X86Op loadMem(Ea ea, int fop, int kind) {
        return c -> {
            F80 f = X87Exec.begin(c, fop, ea);
            load(c, f, ea.linear(c), kind);
            X87Exec.pushResult(c, f, f.se, f.m);
            X87Exec.finish(c, f);
        };
    }

    /** FST/FSTP m32fp/m64fp. */
    private static X86Op storeFloat(Ea ea, int fop, boolean dbl, boolean pop) {
        return c -> {
            F80 f = X87Exec.begin(c, fop, ea);
            X87 x = c.x87;
            long a = ea.linear(c);
            long v;
            if (x.empty(0)) {
                X87Exec.underflow(f);
                v = dbl ? 0xfff8000000000000L : 0xffc00000L;
            } else {
                v = f.toFloat(x.se(0), x.mant(0), dbl);
            }
            if (!X87Exec.suppressed(c, f)) {
                if (dbl) {
                    c.write64(a, v);
                } else {
                    c.write32(a, v);
                }
                if (pop) {
                    x.pop();
                }
            }
            X87Exec.finish(c, f);
        };
    }

    /** FIST/FISTP/FISTTP m16/m32/m64. */
    private static X86Op storeInt(Ea ea, int fop, int bits, boolean pop, boolean truncate) {
        return c -> {
            F80 f = X87Exec.begin(c, fop, ea);
            X87 x = c.x87;
            long a = ea.linear(c);
            long v;
            if (x.empty(0)) {
                X87Exec.underflow(f);
                v = Long.MIN_VALUE >> (64 - bits);
            } else {
                v = f.toInt(x.se(0), x.mant(0), bits, truncate);
            }
            if (!X87Exec.suppressed(c, f)) {
                c.write(a, bits, v);
                if (pop) {
                    x.pop();
                }
            }
            X87Exec.finish(c, f);
        };
    }

    /** FSTP m80 (raw, no exceptions but underflow). */
    private static X86Op store80(Ea ea, int fop) {
        return c -> {
            F80 f = X87Exec.begin(c, fop, ea);
            X87 x = c.x87;
            long a = ea.linear(c);
            int se = F80.DEFAULT_NAN_SE;
            long m = F80.DEFAULT_NAN_M;
            if (x.empty(0)) {
                X87Exec.underflow(f);
            } else {
                se = x.se(0);
                m = x.mant(0);
            }
            if (!X87Exec.suppressed(c, f)) {
                c.write64(a, m);
                c.write16(a + 8, se);
                x.pop();
            }
            X87Exec.finish(c, f);
        };
    }

    // ---------------------------------------------------------------- register forms

    private static X86Op register(Insn d, int esc) {
        int digit = d.modrmReg(), i = d.rm() & 7;
        int fop = (esc & 7) << 8 | 0xc0 | digit << 3 | i;
        return switch (esc) {
            case 0xd8 -> switch (digit) {
                case 2 -> compareReg(fop, i, false, false, false, 0);
                case 3 -> compareReg(fop, i, false, false, false, 1);
                default -> arithReg(fop, digit, 0, i, false);
            };
            case 0xdc -> switch (digit) {
                case 2 -> compareReg(fop, i, false, false, false, 0);   // undocumented aliases of FCOM/FCOMP
                case 3 -> compareReg(fop, i, false, false, false, 1);
                default -> arithReg(fop, reversed(digit), i, 0, false);
            };
            case 0xde -> switch (digit) {
                case 2 -> compareReg(fop, i, false, false, false, 1);
                case 3 -> i == 1 ? compareReg(fop, 1, false, false, false, 2) : null;
                default -> arithReg(fop, reversed(digit), i, 0, true);
            };
            case 0xd9 -> X87Functions.d9(fop, digit, i);
            case 0xda -> switch (digit) {
                case 0 -> fcmov(fop, i, 2);   // FCMOVB
                case 1 -> fcmov(fop, i, 4);   // FCMOVE
                case 2 -> fcmov(fop, i, 6);   // FCMOVBE
                case 3 -> fcmov(fop, i, 10);  // FCMOVU
                case 5 -> i == 1 ? compareReg(fop, 1, true, false, false, 2) : null; // FUCOMPP
                default -> null;
            };
            case 0xdb -> switch (digit) {
                case 0 -> fcmov(fop, i, 3);   // FCMOVNB
                case 1 -> fcmov(fop, i, 5);   // FCMOVNE
                case 2 -> fcmov(fop, i, 7);   // FCMOVNBE
                case 3 -> fcmov(fop, i, 11);  // FCMOVNU
                case 4 -> switch (i) {
                    case 0, 1, 4 -> c -> X87Exec.control(c);     // FENI/FDISI/FSETPM: no-ops since the 387
                    case 2 -> X87Env::fnclex;
                    case 3 -> X87Env::fninit;
                    default -> null;
                };
                case 5 -> compareReg(fop, i, true, true, false, 0);    // FUCOMI
                case 6 -> compareReg(fop, i, false, true, false, 0);   // FCOMI
                default -> null;
            };
            case 0xdd -> switch (digit) {
                case 0 -> c -> { // FFREE
                    X87Exec.begin(c, fop, null);
                    c.x87.used &= ~(1 << c.x87.phys(i));
                };
                case 1 -> fxch(fop, i);       // undocumented alias
                case 2 -> storeReg(fop, i, false);
                case 3 -> storeReg(fop, i, true);
                case 4 -> compareReg(fop, i, true, false, false, 0);   // FUCOM
                case 5 -> compareReg(fop, i, true, false, false, 1);   // FUCOMP
                default -> null;
            };
            default -> switch (digit) { // 0xdf
                case 4 -> i == 0 ? X87Env::fnstswAx : null;
                case 5 -> compareReg(fop, i, true, true, false, 1);    // FUCOMIP
                case 6 -> compareReg(fop, i, false, true, false, 1);   // FCOMIP
                case 2, 3 -> storeReg(fop, i, true);                   // undocumented FSTP aliases
                case 1 -> fxch(fop, i);
                default -> null;
            };
        };
    }

    /** DC/DE register forms: /4 is FSUBR, /5 FSUB, /6 FDIVR, /7 FDIV (the destination is ST(i)). */
    private static int reversed(int digit) {
        return switch (digit) {
            case 4 -> F80.SUBR;
            case 5 -> F80.SUB;
            case 6 -> F80.DIVR;
            case 7 -> F80.DIV;
            default -> digit;
        };
    }

    /** ST(dst) = ST(dst) op ST(src), popping when {@code pop}. */
    private static X86Op arithReg(int fop, int op, int dst, int src, boolean pop) {
        return c -> {
            F80 f = X87Exec.begin(c, fop, null);
            X87 x = c.x87;
            if (x.empty(dst) || x.empty(src)) {
                X87Exec.underflow(f);
                if ((x.fcw & X87.IE) != 0) {
                    x.set(dst, F80.DEFAULT_NAN_SE, F80.DEFAULT_NAN_M);
                    if (pop) {
                        x.pop();
                    }
                }
            } else {
                f.arith(op, x.se(dst), x.mant(dst), x.se(src), x.mant(src));
                if (!X87Exec.suppressed(c, f)) {
                    x.set(dst, f.se, f.m);
                    if (pop) {
                        x.pop();
                    }
                }
            }
            X87Exec.finish(c, f);
        };
    }

    /**
     * Compares ST(0) with ST(i): into C3 C2 C0, or into ZF PF CF ({@code eflags}); {@code quiet} for the
     * unordered forms; pops {@code pops} times.
     */
    static X86Op compareReg(int fop, int i, boolean quiet, boolean eflags, boolean unused, int pops) {
        return c -> {
            F80 f = X87Exec.begin(c, fop, null);
            X87 x = c.x87;
            int r;
            if (x.empty(0) || x.empty(i)) {
                X87Exec.underflow(f);
                r = 2;
            } else {
                r = f.compare(x.se(0), x.mant(0), x.se(i), x.mant(i), quiet);
            }
            X87Exec.finish(c, f);
            if (X87Exec.suppressed(c, f)) {
                return;
            }
            if (eflags) {
                X87Exec.setCompareFlags(c, r);
                x.fsw &= ~X87.C1;
            } else {
                X87Exec.setCompare(x, r);
            }
            for (int k = 0; k < pops; k++) {
                x.pop();
            }
        };
    }

    /** FST/FSTP ST(i). */
    private static X86Op storeReg(int fop, int i, boolean pop) {
        return c -> {
            F80 f = X87Exec.begin(c, fop, null);
            X87 x = c.x87;
            if (x.empty(0)) {
                X87Exec.underflow(f);
                if ((x.fcw & X87.IE) != 0) {
                    x.set(i, F80.DEFAULT_NAN_SE, F80.DEFAULT_NAN_M);
                    if (pop) {
                        x.pop();
                    }
                }
            } else {
                x.set(i, x.se(0), x.mant(0));
                if (pop) {
                    x.pop();
                }
            }
            X87Exec.finish(c, f);
        };
    }

    static X86Op fxch(int fop, int i) {
        return c -> {
            F80 f = X87Exec.begin(c, fop, null);
            X87 x = c.x87;
            if (x.empty(0) || x.empty(i)) {
                X87Exec.underflow(f);
                if ((x.fcw & X87.IE) == 0) {
                    X87Exec.finish(c, f);
                    return;
                }
                if (x.empty(0)) {
                    x.set(0, F80.DEFAULT_NAN_SE, F80.DEFAULT_NAN_M);
                }
                if (x.empty(i)) {
                    x.set(i, F80.DEFAULT_NAN_SE, F80.DEFAULT_NAN_M);
                }
            }
            int se = x.se(0);
            long m = x.mant(0);
            x.set(0, x.se(i), x.mant(i));
            x.set(i, se, m);
            X87Exec.finish(c, f);
        };
    }

    /** FCMOVcc ST(0), ST(i) with an integer condition code (X86Cpu.cond). */
    private static X86Op fcmov(int fop, int i, int cc) {
        return c -> {
            F80 f = X87Exec.begin(c, fop, null);
            X87 x = c.x87;
            if (x.empty(0) || x.empty(i)) {
                X87Exec.underflow(f);
                if ((x.fcw & X87.IE) != 0) {
                    x.set(0, F80.DEFAULT_NAN_SE, F80.DEFAULT_NAN_M);
                }
            } else if (c.cond(cc)) {
                x.set(0, x.se(i), x.mant(i));
            }
            X87Exec.finish(c, f);
        };
    }
}
