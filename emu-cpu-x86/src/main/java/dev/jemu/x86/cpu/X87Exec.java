package dev.jemu.x86.cpu;

/**
 * What every x87 op shares: #NM with CR0.EM/TS, a pending unmasked exception (#MF before the next
 * non-control instruction), the last instruction/operand pointers, stack overflow/underflow, and merging
 * the arithmetic unit's flags into the status word.
 */
final class X87Exec {
    private X87Exec() {
    }

    static final int UNMASKED_PRE = X87.IE | X87.DE | X87.ZE;

    /** A control instruction (FNINIT, FLDCW, FNSTSW, ...): only the device-not-available check. */
    static X87 control(X86Cpu c) {
        if ((c.cr0 & (X86Cpu.CR0_EM | X86Cpu.CR0_TS)) != 0) {
            throw c.fault(Vectors.NM);
        }
        return c.x87;
    }

    /**
     * Starts a non-control instruction: #NM, then #MF for an unmasked exception the previous one left pending;
     * records the pointers; returns the arithmetic unit set to the control word's rounding and precision.
     */
    static F80 begin(X86Cpu c, int fop, Ea ea) {
        X87 x = control(c);
        if ((x.fsw & X87.ES) != 0) {
            throw c.fault(Vectors.MF);
        }
        x.fop = fop & 0x7ff;
        x.fip = c.rip;
        x.fcs = c.seg[X86Cpu.CS].selector;
        if (ea != null) {
            x.fdp = ea.offset(c);
            x.fds = c.seg[ea.seg].selector;
        }
        F80 f = x.math;
        f.flags = 0;
        f.rc = x.fcw >>> 10 & 3;
        f.precision = switch (x.fcw >>> 8 & 3) {
            case 0 -> 24;
            case 2 -> 53;
            default -> 64;
        };
        return f;
    }

    /** Whether the flags raised include an unmasked invalid/denormal/zero-divide, which suppresses the result. */
    static boolean suppressed(X86Cpu c, F80 f) {
        return (f.flags & ~c.x87.fcw & UNMASKED_PRE) != 0;
    }

    /** Merges the flags into the status word: C1 from rounding (cleared otherwise), ES for an unmasked one. */
    static void finish(X86Cpu c, F80 f) {
        X87 x = c.x87;
        x.fsw = x.fsw & ~X87.C1 | f.flags & (0x3f | X87.SF | X87.C1);
        if ((x.fsw & ~x.fcw & 0x3f) != 0) {
            x.fsw |= X87.ES;
        }
    }

    /** Stack underflow (an empty register read): IE and SF with C1 clear. */
    static void underflow(F80 f) {
        f.flags = f.flags & ~X87.C1 | X87.IE | X87.SF;
    }

    /** Whether a push would overflow the stack; if so raises IE|SF|C1 and, when masked, pushes the indefinite. */
    static boolean overflowOnPush(X86Cpu c, F80 f) {
        X87 x = c.x87;
        if ((x.used & 1 << ((x.top - 1) & 7)) == 0) {
            return false;
        }
        f.flags |= X87.IE | X87.SF | X87.C1;
        if ((x.fcw & X87.IE) != 0) {
            x.push(F80.DEFAULT_NAN_SE, F80.DEFAULT_NAN_M);
        }
        return true;
    }

    /** Pushes the arithmetic unit's result (checking for overflow). */
    static void pushResult(X86Cpu c, F80 f, int se, long m) {
        if (!overflowOnPush(c, f) && !suppressed(c, f)) {
            c.x87.push(se, m);
        }
    }

    /** C3 C2 C0 for a compare result (-1 less, 0 equal, 1 greater, 2 unordered); C1 cleared. */
    static void setCompare(X87 x, int r) {
        int cc = switch (r) {
            case -1 -> X87.C0;
            case 0 -> X87.C3;
            case 1 -> 0;
            default -> X87.C0 | X87.C2 | X87.C3;
        };
        x.fsw = x.fsw & ~(X87.C0 | X87.C1 | X87.C2 | X87.C3) | cc;
    }

    /** The same result as ZF PF CF for FCOMI/FUCOMI (OF SF AF cleared). */
    static void setCompareFlags(X86Cpu c, int r) {
        long fl = switch (r) {
            case -1 -> X86Cpu.CF;
            case 0 -> X86Cpu.ZF;
            case 1 -> 0;
            default -> X86Cpu.ZF | X86Cpu.PF | X86Cpu.CF;
        };
        long mask = X86Cpu.CF | X86Cpu.PF | X86Cpu.AF | X86Cpu.ZF | X86Cpu.SF | X86Cpu.OF;
        c.setRflags(c.rflags() & ~mask | fl);
    }
}
