package dev.jemu.x86.cpu;

import java.math.BigInteger;

/**
 * The D9 register forms: FLD ST(i), FXCH, FNOP, FCHS, FABS, FTST, FXAM, the constants, FDECSTP/FINCSTP,
 * FSQRT, FRNDINT, FSCALE, FXTRACT, FPREM/FPREM1 (exact) and the transcendental functions F2XM1, FYL2X,
 * FYL2XP1, FPTAN, FPATAN, FSIN, FCOS, FSINCOS, which go through the host's double (53-bit) arithmetic: close
 * to, but not bit-exact with, a real x87's 64-bit results.
 */
final class X87Functions {
    private X87Functions() {
    }

    /** One-operand op on ST(0): underflow checks done; the op sets the result in f or the register itself. */
    @FunctionalInterface
    private interface Unary {
        void run(X86Cpu c, F80 f, X87 x, int se, long m);
    }

    static X86Op d9(int fop, int digit, int i) {
        return switch (digit) {
            case 0 -> fldReg(fop, i);
            case 1 -> X87Ops.fxch(fop, i);
            case 2 -> i == 0 ? c -> X87Exec.begin(c, fop, null) : null;   // FNOP
            case 3 -> storeAlias(fop, i);
            case 4 -> switch (i) {
                case 0 -> unary(fop, (c, f, x, se, m) -> x.set(0, se ^ 0x8000, m));        // FCHS
                case 1 -> unary(fop, (c, f, x, se, m) -> x.set(0, se & 0x7fff, m));        // FABS
                case 4 -> ftst(fop);
                case 5 -> fxam(fop);
                default -> null;
            };
            case 5 -> i == 7 ? null : constant(fop, i);
            case 6 -> switch (i) {
                case 0 -> transcendental(fop, x -> Math.expm1(x * Math.log(2)));           // F2XM1
                case 1 -> binaryPop(fop, (y, x) -> y * (Math.log(x) / Math.log(2)));       // FYL2X
                case 2 -> trig(fop, 2);                                                     // FPTAN
                case 3 -> binaryPop(fop, (y, x) -> Math.atan2(y, x));                       // FPATAN
                case 4 -> fxtract(fop);
                case 5 -> fprem(fop, true);
                case 6 -> c -> { // FDECSTP
                    X87Exec.begin(c, fop, null);
                    c.x87.top = (c.x87.top - 1) & 7;
                    c.x87.fsw &= ~X87.C1;
                };
                default -> c -> { // FINCSTP
                    X87Exec.begin(c, fop, null);
                    c.x87.top = (c.x87.top + 1) & 7;
                    c.x87.fsw &= ~X87.C1;
                };
            };
            default -> switch (i) {
                case 0 -> fprem(fop, false);
                case 1 -> binaryPop(fop, (y, x) -> y * (Math.log1p(x) / Math.log(2)));     // FYL2XP1
                case 2 -> unary(fop, (c, f, x, se, m) -> {                                  // FSQRT
                    f.sqrt(se, m);
                    if (!X87Exec.suppressed(c, f)) {
                        x.set(0, f.se, f.m);
                    }
                });
                case 3 -> trig(fop, 3);                                                     // FSINCOS
                case 4 -> unary(fop, (c, f, x, se, m) -> {                                  // FRNDINT
                    f.roundInt(se, m);
                    if (!X87Exec.suppressed(c, f)) {
                        x.set(0, f.se, f.m);
                    }
                });
                case 5 -> fscale(fop);
                case 6 -> trig(fop, 0);                                                     // FSIN
                default -> trig(fop, 1);                                                    // FCOS
            };
        };
    }

    /** D9 D8+i: an undocumented alias of FSTP ST(i) (what real CPUs do). */
    private static X86Op storeAlias(int fop, int i) {
        return c -> {
            F80 f = X87Exec.begin(c, fop, null);
            X87 x = c.x87;
            if (x.empty(0)) {
                X87Exec.underflow(f);
            } else {
                x.set(i, x.se(0), x.mant(0));
                x.pop();
            }
            X87Exec.finish(c, f);
        };
    }

    private static X86Op fldReg(int fop, int i) {
        return c -> {
            F80 f = X87Exec.begin(c, fop, null);
            X87 x = c.x87;
            if (x.empty(i)) {
                X87Exec.underflow(f);
                if ((x.fcw & X87.IE) != 0 && !X87Exec.overflowOnPush(c, f)) {
                    x.push(F80.DEFAULT_NAN_SE, F80.DEFAULT_NAN_M);
                }
            } else {
                X87Exec.pushResult(c, f, x.se(i), x.mant(i));
            }
            X87Exec.finish(c, f);
        };
    }

    private static X86Op unary(int fop, Unary u) {
        return c -> {
            F80 f = X87Exec.begin(c, fop, null);
            X87 x = c.x87;
            if (x.empty(0)) {
                X87Exec.underflow(f);
                if ((x.fcw & X87.IE) != 0) {
                    x.set(0, F80.DEFAULT_NAN_SE, F80.DEFAULT_NAN_M);
                }
            } else {
                u.run(c, f, x, x.se(0), x.mant(0));
            }
            X87Exec.finish(c, f);
        };
    }

    private static X86Op ftst(int fop) {
        return c -> {
            F80 f = X87Exec.begin(c, fop, null);
            X87 x = c.x87;
            int r;
            if (x.empty(0)) {
                X87Exec.underflow(f);
                r = 2;
            } else {
                r = f.compare(x.se(0), x.mant(0), 0, 0, false);
            }
            X87Exec.finish(c, f);
            X87Exec.setCompare(x, r);
        };
    }

    private static X86Op fxam(int fop) {
        return c -> {
            X87 x = c.x87;
            X87Exec.begin(c, fop, null);
            int se = x.se(0);
            long m = x.mant(0);
            int cc;
            if (x.empty(0)) {
                cc = X87.C3 | X87.C0;
            } else if (F80.isUnsupported(se, m)) {
                cc = 0;
            } else if (F80.isNaN(se, m)) {
                cc = X87.C0;
            } else if (F80.isInf(se, m)) {
                cc = X87.C2 | X87.C0;
            } else if (m == 0) {
                cc = X87.C3;
            } else if ((se & 0x7fff) == 0) {
                cc = X87.C3 | X87.C2;
            } else {
                cc = X87.C2;
            }
            if ((se & 0x8000) != 0) {
                cc |= X87.C1;
            }
            x.fsw = x.fsw & ~(X87.C0 | X87.C1 | X87.C2 | X87.C3) | cc;
        };
    }

    /**
     * FLD1, FLDL2T, FLDL2E, FLDPI, FLDLG2, FLDLN2, FLDZ: the 66-bit internal constants rounded to 64 bits by
     * the rounding control (as QEMU 7.2 and real CPUs do).
     */
    private static X86Op constant(int fop, int i) {
        return c -> {
            F80 f = X87Exec.begin(c, fop, null);
            int rc = c.x87.fcw >>> 10 & 3;
            boolean down = rc == F80.DOWN || rc == F80.ZERO;
            int se;
            long m;
            switch (i) {
                case 0 -> { se = 0x3fff; m = F80.INT_BIT; }
                case 1 -> { se = 0x4000; m = rc == F80.UP ? 0xd49a784bcd1b8affL : 0xd49a784bcd1b8afeL; }
                case 2 -> { se = 0x3fff; m = down ? 0xb8aa3b295c17f0bbL : 0xb8aa3b295c17f0bcL; }
                case 3 -> { se = 0x4000; m = down ? 0xc90fdaa22168c234L : 0xc90fdaa22168c235L; }
                case 4 -> { se = 0x3ffd; m = down ? 0x9a209a84fbcff798L : 0x9a209a84fbcff799L; }
                case 5 -> { se = 0x3ffe; m = down ? 0xb17217f7d1cf79abL : 0xb17217f7d1cf79acL; }
                default -> { se = 0; m = 0; }
            }
            X87Exec.pushResult(c, f, se, m);
            X87Exec.finish(c, f);
        };
    }

    private static boolean nanOperand(X87 x, int i) {
        return F80.isNaN(x.se(i), x.mant(i)) || F80.isUnsupported(x.se(i), x.mant(i));
    }

    /** ST(0) = fn(ST(0)) through double. */
    private static X86Op transcendental(int fop, java.util.function.DoubleUnaryOperator fn) {
        return unary(fop, (c, f, x, se, m) -> {
            if (nanOperand(x, 0)) {
                f.arith(F80.ADD, se, m, se, m);
            } else {
                f.fromDouble(fn.applyAsDouble(F80.toDouble(se, m)));
                f.flags |= X87.PE;
            }
            if (!X87Exec.suppressed(c, f)) {
                x.set(0, f.se, f.m);
            }
        });
    }

    /** ST(1) = fn(ST(1), ST(0)) through double, then pop (FYL2X, FYL2XP1, FPATAN). */
    private static X86Op binaryPop(int fop, java.util.function.DoubleBinaryOperator fn) {
        return c -> {
            F80 f = X87Exec.begin(c, fop, null);
            X87 x = c.x87;
            if (x.empty(0) || x.empty(1)) {
                X87Exec.underflow(f);
                if ((x.fcw & X87.IE) != 0) {
                    x.set(1, F80.DEFAULT_NAN_SE, F80.DEFAULT_NAN_M);
                    x.pop();
                }
                X87Exec.finish(c, f);
                return;
            }
            if (nanOperand(x, 0) || nanOperand(x, 1)) {
                f.arith(F80.ADD, x.se(1), x.mant(1), x.se(0), x.mant(0));
            } else {
                double r = fn.applyAsDouble(F80.toDouble(x.se(1), x.mant(1)), F80.toDouble(x.se(0), x.mant(0)));
                if (Double.isNaN(r)) {
                    f.defaultNaN();
                } else {
                    if (Double.isInfinite(r)) {
                        f.flags |= X87.ZE;
                    } else {
                        f.flags |= X87.PE;
                    }
                    f.fromDouble(r);
                }
            }
            if (!X87Exec.suppressed(c, f)) {
                x.set(1, f.se, f.m);
                x.pop();
            }
            X87Exec.finish(c, f);
        };
    }

    /** FSIN (0), FCOS (1), FPTAN (2, pushes 1.0), FSINCOS (3): |x| >= 2^63 sets C2 and leaves ST(0). */
    private static X86Op trig(int fop, int kind) {
        return unary(fop, (c, f, x, se, m) -> {
            x.fsw &= ~X87.C2;
            if (nanOperand(x, 0) || F80.isInf(se, m)) {
                if (F80.isInf(se, m)) {
                    f.defaultNaN();
                } else {
                    f.arith(F80.ADD, se, m, se, m);
                }
                if (!X87Exec.suppressed(c, f)) {
                    x.set(0, f.se, f.m);
                    if (kind >= 2) {
                        X87Exec.pushResult(c, f, f.se, f.m);
                    }
                }
                return;
            }
            if ((se & 0x7fff) >= F80.BIAS + 63) {
                x.fsw |= X87.C2;
                return;
            }
            if ((x.used & 1 << ((x.top - 1) & 7)) != 0 && kind >= 2) {
                X87Exec.overflowOnPush(c, f);
                return;
            }
            double v = F80.toDouble(se, m);
            if (m != 0) {
                f.flags |= X87.PE;
            }
            switch (kind) {
                case 0 -> f.fromDouble(Math.sin(v));
                case 1 -> f.fromDouble(Math.cos(v));
                case 2 -> f.fromDouble(Math.tan(v));
                default -> f.fromDouble(Math.sin(v));
            }
            x.set(0, f.se, f.m);
            if (kind == 2) {
                x.push(0x3fff, F80.INT_BIT);
            } else if (kind == 3) {
                f.fromDouble(Math.cos(v));
                x.push(f.se, f.m);
            }
        });
    }

    /** FXTRACT: ST(0) becomes its exponent, then the significand (exponent 0) is pushed. */
    private static X86Op fxtract(int fop) {
        return unary(fop, (c, f, x, se, m) -> {
            if (nanOperand(x, 0)) {
                f.arith(F80.ADD, se, m, se, m);
                if (!X87Exec.suppressed(c, f)) {
                    x.set(0, f.se, f.m);
                    X87Exec.pushResult(c, f, f.se, f.m);
                }
                return;
            }
            if (m == 0) {
                f.flags |= X87.ZE;
                if (!X87Exec.suppressed(c, f)) {
                    x.set(0, 0xffff, F80.INT_BIT);
                    X87Exec.pushResult(c, f, se, 0);
                }
                return;
            }
            if (F80.isInf(se, m)) {
                x.set(0, 0x7fff, F80.INT_BIT);
                X87Exec.pushResult(c, f, se, m);
                return;
            }
            int e = se & 0x7fff;
            if (e == 0) {
                f.flags |= X87.DE;
                int lz = Long.numberOfLeadingZeros(m);
                m <<= lz;
                e = 1 - lz;
            }
            f.fromInt(e - F80.BIAS);
            x.set(0, f.se, f.m);
            X87Exec.pushResult(c, f, se & 0x8000 | F80.BIAS, m);
        });
    }

    /** FSCALE: ST(0) * 2^trunc(ST(1)). */
    private static X86Op fscale(int fop) {
        return c -> {
            F80 f = X87Exec.begin(c, fop, null);
            X87 x = c.x87;
            if (x.empty(0) || x.empty(1)) {
                X87Exec.underflow(f);
                if ((x.fcw & X87.IE) != 0) {
                    x.set(0, F80.DEFAULT_NAN_SE, F80.DEFAULT_NAN_M);
                }
                X87Exec.finish(c, f);
                return;
            }
            int ase = x.se(0), bse = x.se(1);
            long am = x.mant(0), bm = x.mant(1);
            if (!nanOperand(x, 0) && !nanOperand(x, 1) && (F80.isDenormal(ase, am) || F80.isDenormal(bse, bm))) {
                f.flags |= X87.DE;
            }
            if (nanOperand(x, 0) || nanOperand(x, 1)) {
                f.arith(F80.ADD, ase, am, bse, bm);
            } else if (F80.isInf(bse, bm)) {
                boolean up = (bse & 0x8000) == 0;
                if (up ? am == 0 : F80.isInf(ase, am)) {
                    f.defaultNaN();
                } else {
                    f.se = ase & 0x8000 | (up && am != 0 ? 0x7fff : 0);
                    f.m = up && am != 0 ? F80.INT_BIT : 0;
                }
            } else if (am == 0 || F80.isInf(ase, am)) {
                f.se = ase;
                f.m = am;
            } else {
                long n = F80.scaleCount(bse, bm);
                f.roundToF80((ase & 0x8000) != 0, F80.sig(am), F80.exp2(ase) + (int) n, 64);
            }
            if (!X87Exec.suppressed(c, f)) {
                x.set(0, f.se, f.m);
            }
            X87Exec.finish(c, f);
        };
    }

    /**
     * FPREM (truncating quotient) / FPREM1 (IEEE, round to nearest): exact; when the exponents differ by 64 or
     * more only a partial reduction is made and C2 is set. C0, C3, C1 get quotient bits 2, 1, 0.
     */
    private static X86Op fprem(int fop, boolean ieee) {
        return c -> {
            F80 f = X87Exec.begin(c, fop, null);
            X87 x = c.x87;
            if (x.empty(0) || x.empty(1)) {
                X87Exec.underflow(f);
                if ((x.fcw & X87.IE) != 0) {
                    x.set(0, F80.DEFAULT_NAN_SE, F80.DEFAULT_NAN_M);
                }
                X87Exec.finish(c, f);
                return;
            }
            int ase = x.se(0), bse = x.se(1);
            long am = x.mant(0), bm = x.mant(1);
            x.fsw &= ~(X87.C0 | X87.C1 | X87.C2 | X87.C3);
            if (!nanOperand(x, 0) && !nanOperand(x, 1) && !F80.isInf(ase, am) && bm != 0
                    && (F80.isDenormal(ase, am) || F80.isDenormal(bse, bm))) {
                f.flags |= X87.DE;
            }
            if (nanOperand(x, 0) || nanOperand(x, 1)) {
                f.arith(F80.ADD, ase, am, bse, bm);
            } else if (F80.isInf(ase, am) || bm == 0) {
                f.defaultNaN();
            } else if (F80.isInf(bse, bm) || am == 0) {
                f.se = ase;
                f.m = am;
            } else {
                BigInteger a = F80.sig(am), b = F80.sig(bm);
                int ea = F80.exp2(ase), eb = F80.exp2(bse);
                int la = ea + a.bitLength() - 1, lb = eb + b.bitLength() - 1;
                int d = la - lb;
                int emin = Math.min(ea, eb);
                boolean partial = d >= 64;
                int scale = partial ? d - (32 + d % 32) : 0;   // N = 32 + D mod 32, as AMD documents
                BigInteger aa = a.shiftLeft(ea - emin), bb = b.shiftLeft(eb - emin + scale);
                BigInteger[] qr = aa.divideAndRemainder(bb);
                BigInteger q = qr[0], r = qr[1];
                boolean neg = (ase & 0x8000) != 0;
                if (ieee && !partial) {
                    int cmp = r.shiftLeft(1).compareTo(bb);
                    if (cmp > 0 || (cmp == 0 && q.testBit(0))) {
                        q = q.add(BigInteger.ONE);
                        r = r.subtract(bb);
                    }
                }
                if (r.signum() < 0) {
                    neg = !neg;
                    r = r.negate();
                }
                if (r.signum() == 0) {
                    f.se = ase & 0x8000;
                    f.m = 0;
                } else {
                    f.roundToF80(neg, r, emin, 64);
                }
                if (partial) {
                    x.fsw |= X87.C2;
                } else {
                    long qb = q.longValue();
                    x.fsw |= ((qb & 4) != 0 ? X87.C0 : 0) | ((qb & 2) != 0 ? X87.C3 : 0) | ((qb & 1) != 0 ? X87.C1 : 0);
                }
            }
            f.flags &= ~X87.C1;
            if (!X87Exec.suppressed(c, f)) {
                x.set(0, f.se, f.m);
            }
            int keep = x.fsw & X87.C1;
            X87Exec.finish(c, f);
            x.fsw |= keep;
        };
    }
}
