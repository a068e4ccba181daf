package dev.jemu.x86.cpu;

/**
 * The x87 control instructions: FNINIT, FNCLEX, FLDCW/FNSTCW, FNSTSW, FNSTENV/FLDENV, FNSAVE/FRSTOR (the
 * protected-mode layouts: 28/108 bytes with a 32- or 64-bit operand size, 14/94 bytes with 16), and the BCD
 * FBLD/FBSTP.
 */
final class X87Env {
    private X87Env() {
    }

    static void fninit(X86Cpu c) {
        X87 x = X87Exec.control(c);
        x.fcw = 0x37f;
        x.fsw = 0;
        x.top = 0;
        x.used = 0;
        x.fop = x.fcs = x.fds = 0;
        x.fip = x.fdp = 0;
    }

    static void fnclex(X86Cpu c) {
        X87 x = X87Exec.control(c);
        x.fsw &= ~(0xff | X87.B);
    }

    /** The control word keeps bit 6 set, as real CPUs read it back. */
    private static void setControl(X87 x, int v) {
        x.fcw = v & 0x1f3f | 0x40;
        if ((x.fsw & ~x.fcw & 0x3f) != 0) {
            x.fsw |= X87.ES;
        } else {
            x.fsw &= ~X87.ES;
        }
    }

    static X86Op fldcw(Ea ea) {
        return c -> {
            X87 x = X87Exec.control(c);
            setControl(x, (int) c.read16(ea.linear(c)));
        };
    }

    static X86Op fnstcw(Ea ea) {
        return c -> {
            X87 x = X87Exec.control(c);
            c.write16(ea.linear(c), x.fcw);
        };
    }

    static X86Op fnstswMem(Ea ea) {
        return c -> {
            X87 x = X87Exec.control(c);
            c.write16(ea.linear(c), x.status());
        };
    }

    static void fnstswAx(X86Cpu c) {
        X87 x = X87Exec.control(c);
        c.setReg(X86Cpu.RAX, 16, x.status());
    }

    /** Writes the environment; returns its size (28 or 14 bytes). */
    private static int storeEnv(X86Cpu c, long a, int opsize) {
        X87 x = c.x87;
        if (opsize == 16) {
            c.write16(a, x.fcw);
            c.write16(a + 2, x.status());
            c.write16(a + 4, x.tagWord());
            c.write16(a + 6, x.fip);
            c.write16(a + 8, x.fcs);
            c.write16(a + 10, x.fdp);
            c.write16(a + 12, x.fds);
            return 14;
        }
        c.write32(a, 0xffff0000L | x.fcw);
        c.write32(a + 4, 0xffff0000L | x.status());
        c.write32(a + 8, 0xffff0000L | x.tagWord());
        c.write32(a + 12, x.fip);
        c.write32(a + 16, (long) x.fop << 16 | x.fcs);
        c.write32(a + 20, x.fdp);
        c.write32(a + 24, 0xffff0000L | x.fds);
        return 28;
    }

    private static int loadEnv(X86Cpu c, long a, int opsize) {
        X87 x = c.x87;
        int fcw, fsw, ftw;
        if (opsize == 16) {
            fcw = (int) c.read16(a);
            fsw = (int) c.read16(a + 2);
            ftw = (int) c.read16(a + 4);
            x.fip = c.read16(a + 6);
            x.fcs = (int) c.read16(a + 8);
            x.fdp = c.read16(a + 10);
            x.fds = (int) c.read16(a + 12);
        } else {
            fcw = (int) c.read16(a);
            fsw = (int) c.read16(a + 4);
            ftw = (int) c.read16(a + 8);
            x.fip = c.read32(a + 12);
            long w = c.read32(a + 16);
            x.fcs = (int) w & 0xffff;
            x.fop = (int) (w >>> 16) & 0x7ff;
            x.fdp = c.read32(a + 20);
            x.fds = (int) c.read16(a + 24);
        }
        x.setStatus(fsw);
        x.setTagWord(ftw);
        setControl(x, fcw);
        return opsize == 16 ? 14 : 28;
    }

    static X86Op fnstenv(Ea ea, int opsize) {
        return c -> {
            X87 x = X87Exec.control(c);
            storeEnv(c, ea.linear(c), opsize);
            x.fcw |= 0x3f; // FNSTENV masks every exception after storing
        };
    }

    static X86Op fldenv(Ea ea, int opsize) {
        return c -> {
            X87Exec.control(c);
            loadEnv(c, ea.linear(c), opsize);
        };
    }

    static X86Op fnsave(Ea ea, int opsize) {
        return c -> {
            X87 x = X87Exec.control(c);
            long a = ea.linear(c);
            int off = storeEnv(c, a, opsize);
            for (int i = 0; i < 8; i++) {
                int p = x.phys(i);
                c.write64(a + off + 10 * i, x.mant[p]);
                c.write16(a + off + 10 * i + 8, x.se[p]);
            }
            fninit(c);
        };
    }

    static X86Op frstor(Ea ea, int opsize) {
        return c -> {
            X87 x = X87Exec.control(c);
            long a = ea.linear(c);
            int off = loadEnv(c, a, opsize);
            for (int i = 0; i < 8; i++) {
                int p = x.phys(i);
                x.mant[p] = c.read64(a + off + 10 * i);
                x.se[p] = (int) c.read16(a + off + 10 * i + 8);
            }
        };
    }

    /** FBLD m80: 18 packed BCD digits and a sign byte. */
    static X86Op fbld(Ea ea, int fop) {
        return c -> {
            F80 f = X87Exec.begin(c, fop, ea);
            long a = ea.linear(c);
            long v = 0;
            for (int i = 8; i >= 0; i--) {
                int b = (int) c.read8(a + i);
                v = v * 100 + (b >>> 4) * 10 + (b & 15);
            }
            boolean neg = (c.read8(a + 9) & 0x80) != 0;
            f.fromInt(v);
            int se = f.se | (neg ? 0x8000 : 0);
            X87Exec.pushResult(c, f, se, f.m);
            X87Exec.finish(c, f);
        };
    }

    /** FBSTP m80: rounds to an integer (rc) and stores BCD; out of range or NaN stores the BCD indefinite. */
    static X86Op fbstp(Ea ea, int fop) {
        return c -> {
            F80 f = X87Exec.begin(c, fop, ea);
            X87 x = c.x87;
            long a = ea.linear(c);
            long v;
            boolean neg;
            if (x.empty(0)) {
                X87Exec.underflow(f);
                v = Long.MIN_VALUE;
                neg = true;
            } else {
                neg = (x.se(0) & 0x8000) != 0;
                v = f.toInt(x.se(0), x.mant(0), 64, false);
                if (v != Long.MIN_VALUE && Math.abs(v) > 999_999_999_999_999_999L) {
                    f.flags |= X87.IE;
                    v = Long.MIN_VALUE;
                }
            }
            if (!X87Exec.suppressed(c, f)) {
                if (v == Long.MIN_VALUE) {
                    c.write64(a, 0xc000000000000000L);
                    c.write16(a + 8, 0xffff);
                } else {
                    long mag = Math.abs(v);
                    for (int i = 0; i < 9; i++) {
                        int lo = (int) (mag % 10), hi = (int) (mag / 10 % 10);
                        mag /= 100;
                        c.write8(a + i, hi << 4 | lo);
                    }
                    c.write8(a + 9, neg ? 0x80 : 0);
                }
                x.pop();
            }
            X87Exec.finish(c, f);
        };
    }
}
